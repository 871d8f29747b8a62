import { mandrillWebhook } from '../shared/channels/mandrill.ts';
import { webhookHandler } from '../shared/http/webhook.ts';
import { BODY_LIMITS } from '../shared/topology.ts';

export const handler = webhookHandler({ route: 'mandrill', bodyLimit: BODY_LIMITS.mandrill, core: mandrillWebhook });
