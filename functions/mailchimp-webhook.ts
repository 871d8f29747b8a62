import { mailchimpWebhook } from '../shared/channels/mailchimp.ts';
import { webhookHandler } from '../shared/http/webhook.ts';
import { BODY_LIMITS } from '../shared/topology.ts';

export const handler = webhookHandler({ route: 'mailchimp', bodyLimit: BODY_LIMITS.mailchimp, core: mailchimpWebhook });
