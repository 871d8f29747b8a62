import { whatsappWebhook } from '../shared/channels/whatsapp.ts';
import { webhookHandler } from '../shared/http/webhook.ts';
import { BODY_LIMITS } from '../shared/topology.ts';

export const handler = webhookHandler({ route: 'whatsapp', bodyLimit: BODY_LIMITS.whatsapp, core: whatsappWebhook });
