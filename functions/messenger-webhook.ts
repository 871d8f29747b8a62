import { messengerWebhook } from '../shared/channels/messenger.ts';
import { webhookHandler } from '../shared/http/webhook.ts';
import { BODY_LIMITS } from '../shared/topology.ts';

export const handler = webhookHandler({ route: 'messenger', bodyLimit: BODY_LIMITS.messenger, core: messengerWebhook });
