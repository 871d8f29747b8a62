import type { OutboxMessage } from '../model/index.ts';
import { councilPolicy } from '../policy/council-policy.ts';
import type { Policy } from '../policy/schema.ts';
import { log } from '../runtime/log.ts';
import { ENV } from '../topology.ts';
import { capText, type DeliveryError, isTransientStatus, permanent, retryable, transportFailure } from './errors.ts';
import type { SendContext, SendResult } from './types.ts';

/**
 * WhatsApp Business Cloud API `POST /{phone-number-id}/messages`.
 *
 * Inside the 24-hour customer-service window (counted from the resident's
 * last message) the hub answers in free text. Outside it WhatsApp accepts only
 * an approved template: the hub sends the one the council's policy names
 * (`channels.whatsapp.outsideWindowTemplate`, its one body variable filled with
 * the reference, or the council's name when there is none), or nothing, and
 * then tells the clerk by email so the resident is answered another way.
 */

export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
export const WHATSAPP_MAX_TEXT = 4096;

/** Cloud API error codes that clear on their own (rate limits, temporary errors) or once an operator fixes the token. */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 80007, 130429, 131000, 131016, 131056, 190]);
/** Codes that mean this message can never go: with the reason recorded. */
const PERMANENT_CODES: Record<number, string> = {
  131047: 'outside-window',
  131026: 'recipient-unavailable',
  131030: 'recipient-not-allowed',
  131050: 'recipient-opted-out',
  132000: 'template-rejected',
  132001: 'template-rejected',
  132005: 'template-rejected',
  132015: 'template-rejected',
};

export type WhatsappTemplate = NonNullable<Policy['channels']['whatsapp']>['outsideWindowTemplate'];

export interface WhatsappRequest {
  readonly url: string;
  readonly body: Record<string, unknown>;
}

/** Pure: the request to make, or why not to send at all. */
export function buildWhatsappRequest(
  msg: OutboxMessage,
  now: Date,
  env: NodeJS.ProcessEnv,
  policy: Pick<Policy, 'channels' | 'council'>,
): WhatsappRequest | { readonly skip: string } {
  const phoneNumberId = msg.from ?? env[ENV.whatsappPhoneNumberId];
  if (!phoneNumberId) throw retryable('whatsapp-phone-number-id-missing');
  const base = (env[ENV.graphApiBaseUrl] ?? 'https://graph.facebook.com/v25.0').replace(/\/+$/, '');
  const url = `${base}/${encodeURIComponent(phoneNumberId)}/messages`;
  const common = { messaging_product: 'whatsapp', recipient_type: 'individual', to: msg.to, biz_opaque_callback_data: `hub:${msg.id}` };
  const last = msg.lastUserMessageAt ? Date.parse(msg.lastUserMessageAt) : Number.NaN;
  if (Number.isFinite(last) && now.getTime() - last <= WHATSAPP_WINDOW_MS) {
    return { url, body: { ...common, type: 'text', text: { preview_url: false, body: capText(msg.text, WHATSAPP_MAX_TEXT) } } };
  }
  const template = policy.channels.whatsapp?.outsideWindowTemplate;
  if (!template) return { skip: 'outside-24h-window-no-template' };
  const variable = msg.ref ?? policy.council.name;
  return {
    url,
    body: {
      ...common,
      type: 'template',
      template: { name: template.name, language: { code: template.language }, components: [{ type: 'body', parameters: [{ type: 'text', text: variable }] }] },
    },
  };
}

export async function sendWhatsapp(msg: OutboxMessage, ctx: SendContext): Promise<SendResult> {
  if (!ctx.env[ENV.council]) throw retryable('council-missing');
  const policy = await councilPolicy(ctx.env);
  const request = buildWhatsappRequest(msg, ctx.now, ctx.env, policy);
  if ('skip' in request) {
    await tellClerk(msg, policy, ctx);
    return { status: 'skipped', provider: 'whatsapp', reason: request.skip };
  }
  const { WHATSAPP_ACCESS_TOKEN } = await ctx.secrets();
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WHATSAPP_ACCESS_TOKEN}` },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (error) {
    throw transportFailure(error);
  }
  const answer = (await response.json().catch(() => ({}))) as { messages?: { id?: string }[]; error?: { code?: number; error_subcode?: number } };
  const id = answer.messages?.[0]?.id;
  if (response.ok) return { status: 'sent', provider: 'whatsapp', ...(id ? { providerMessageId: id } : {}) };
  throw classifyWhatsappError(response.status, answer.error?.code);
}

export function classifyWhatsappError(status: number, code?: number): DeliveryError {
  const details = { httpStatus: status, ...(code === undefined ? {} : { providerCode: code }) };
  if (isTransientStatus(status) || (code !== undefined && TRANSIENT_CODES.has(code))) {
    return retryable(code === 190 ? 'access-token-rejected' : 'provider-unavailable', details);
  }
  return permanent((code !== undefined && PERMANENT_CODES[code]) || 'rejected', details);
}

/**
 * The clerk learns that a resident could not be answered on WhatsApp, with the
 * number so they can answer another way. Deterministic id: a redelivery of the
 * same outbox message carries the same Message-ID, so a repeat is recognisable.
 */
async function tellClerk(msg: OutboxMessage, policy: Policy, ctx: SendContext): Promise<void> {
  const { sendEmail } = await import('./email.ts');
  const what = msg.ref ? `reference ${msg.ref}` : 'an informal message';
  const notice: OutboxMessage = {
    schemaVersion: 1,
    id: `${msg.id}:whatsapp-not-sent`,
    kind: 'clerk-routing',
    channel: 'email',
    to: policy.contacts.clerk.address,
    council: msg.council,
    itemId: msg.itemId,
    ...(msg.ref ? { ref: msg.ref } : {}),
    subject: `${msg.ref ? `[${msg.ref}] ` : ''}WhatsApp reply not sent: outside the 24-hour window`,
    text: [
      `The hub could not send the ${msg.kind.replace(/-/g, ' ')} for ${what} to the resident on WhatsApp (${msg.to}).`,
      'More than 24 hours have passed since they last wrote, and WhatsApp then accepts only an approved message template; the policy names none (channels.whatsapp.outsideWindowTemplate).',
      'Please answer them another way, or wait until they write again.',
      '',
      'The message that was not sent:',
      msg.text,
    ].join('\n'),
    createdAt: ctx.now.toISOString(),
  };
  await sendEmail(notice, ctx);
  log.info('whatsapp reply outside the window: clerk told', { outboxId: msg.id, kind: msg.kind });
}
