import { twilioWebhook } from '../shared/channels/twilio.ts';
import { webhookHandler } from '../shared/http/webhook.ts';
import { BODY_LIMITS } from '../shared/topology.ts';

export const handler = webhookHandler({ route: 'twilio', bodyLimit: BODY_LIMITS.twilio, core: twilioWebhook });
