import type { OutboxMessage } from '../model/index.ts';
import { permanent } from './errors.ts';
import { senderFor } from '../channels/registry.ts';
import type { SendContext, SendResult, Sender, SenderId } from './types.ts';

/**
 * Picks the sender for a message and loads it on first use, so a deliver
 * container that only ever sends email never loads the SMS client (and the
 * reverse). The clerk is always reached by email.
 */

export { senderFor };

const loaders: Record<SenderId, () => Promise<Sender>> = {
  messenger: async () => (await import('./messenger.ts')).sendMessenger,
  ses: async () => (await import('./email.ts')).sendEmail,
  twilio: async () => (await import('./twilio.ts')).sendTwilio,
  eum: async () => (await import('./eum.ts')).sendEum,
  whatsapp: async () => (await import('./whatsapp.ts')).sendWhatsapp,
  page: async () => (await import('./page-moderation.ts')).sendPageModeration,
};

export async function sendOutboxMessage(msg: OutboxMessage, ctx: SendContext): Promise<SendResult> {
  const id = senderFor(msg);
  const loader = loaders[id];
  if (!loader) throw permanent('no-sender-for-channel');
  const send = await loader();
  return send(msg, ctx);
}
