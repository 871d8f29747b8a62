import type { Attachment, InboundItem } from '../model/inbound-item.ts';
import { badRequest } from '../http/errors.ts';
import type { WebhookRequest } from '../http/request.ts';
import type { WebhookContext, WebhookOutcome } from '../http/webhook.ts';
import { log } from '../runtime/log.ts';
import { ENV } from '../topology.ts';
import { readSignedMetaPayload, verifyHandshake } from './messenger.ts';
import {
  asArray,
  asId,
  asNumber,
  asObject,
  asString,
  clip,
  clipOptional,
  isoFromMillis,
  MAX_LIST_ENTRIES,
  optional,
  SkipCounter,
  type Json,
} from './common.ts';

/**
 * WhatsApp Business Cloud API webhook (Meta). GET is the same hub.challenge
 * handshake as Messenger, with the WhatsApp verify token; POST carries
 * `X-Hub-Signature-256` over the raw bytes, keyed with the Meta app secret.
 * The body is `{object: "whatsapp_business_account", entry[].changes[]}`;
 * each `messages` change holds `value.messages[]` (residents' messages),
 * `value.statuses[]` (what happened to messages we sent) and `value.errors[]`.
 *
 * Messages become items: text, image/document/audio/video metadata (the
 * media itself is never fetched), location, and template-button and
 * interactive replies. Reactions are acknowledged and not enqueued (they say
 * nothing the clerk must act on). Statuses are delivery facts: counted in the
 * request log, and a failed one logged with Meta's error code and the message
 * id, never the number. Dedupe downstream is on the message id (`wamid`).
 */

export async function whatsappWebhook(request: WebhookRequest, context: WebhookContext): Promise<WebhookOutcome> {
  if (request.method === 'GET') return verifyHandshake(request.query, context.secrets.WHATSAPP_VERIFY_TOKEN);
  if (request.method !== 'POST') return { status: 405, items: [] };
  const payload = readSignedMetaPayload(request, context.secrets.WHATSAPP_APP_SECRET);
  const parsed = parseWhatsappPayload(payload, { phoneNumberId: context.env[ENV.whatsappPhoneNumberId], now: context.now });
  if (!parsed) throw badRequest('not a webhook payload');
  for (const fact of parsed.failures) log.warn('whatsapp delivery or webhook error', { ...fact });
  return { status: 200, body: 'EVENT_RECEIVED', items: parsed.items, skipped: parsed.skipped };
}

export interface WhatsappOptions {
  /** Our phone number id: changes for another number of the same business account are not ours to answer. */
  readonly phoneNumberId?: string | undefined;
  readonly now: Date;
}

/** A status or error Meta reported, with ids and codes only (no numbers, no text). */
export interface WhatsappFailure {
  readonly kind: 'status-failed' | 'webhook-error' | 'message-error';
  readonly messageId?: string;
  readonly codes: readonly number[];
}

export interface ParsedWhatsapp {
  readonly items: InboundItem[];
  readonly skipped: Record<string, number>;
  readonly failures: WhatsappFailure[];
}

/** Every entry[] and changes[] of one POST; undefined when the body is not a webhook payload at all. */
export function parseWhatsappPayload(payload: unknown, options: WhatsappOptions): ParsedWhatsapp | undefined {
  const root = asObject(payload);
  if (!root || !Array.isArray(root.entry)) return undefined;
  const out: ParsedWhatsapp = { items: [], skipped: {}, failures: [] };
  const skip = new SkipCounter();
  if (root.object !== 'whatsapp_business_account') {
    skip.add('object');
    return { ...out, skipped: skip.counts };
  }
  for (const rawEntry of root.entry) {
    for (const rawChange of asArray(asObject(rawEntry)?.changes)) {
      const change = asObject(rawChange);
      const value = asObject(change?.value);
      if (!change || !value) skip.add('invalid');
      else if (change.field !== 'messages') skip.add('change_field');
      else readChange(value, options, skip, out);
    }
  }
  return { ...out, skipped: skip.counts };
}

function readChange(value: Json, options: WhatsappOptions, skip: SkipCounter, out: ParsedWhatsapp): void {
  const metadata = asObject(value.metadata);
  const phoneNumberId = asId(metadata?.phone_number_id);
  if (options.phoneNumberId && phoneNumberId && phoneNumberId !== options.phoneNumberId) {
    skip.add('other_number');
    return;
  }
  const ourNumber = digits(asId(metadata?.display_phone_number));
  const names = new Map<string, string>();
  for (const raw of asArray(value.contacts).slice(0, MAX_LIST_ENTRIES)) {
    const contact = asObject(raw);
    const waId = asId(contact?.wa_id);
    const name = asString(asObject(contact?.profile)?.name);
    if (waId && name) names.set(waId, clip(name, 200));
  }
  for (const raw of asArray(value.messages)) {
    const message = asObject(raw);
    if (!message) skip.add('invalid');
    const item = message && messageItem(message, { phoneNumberId, ourNumber, names, now: options.now }, skip, out);
    if (item) out.items.push(item);
  }
  for (const raw of asArray(value.statuses)) {
    const status = asObject(raw);
    const state = asString(status?.status) ?? 'invalid';
    skip.add(`status_${/^[a-z_]{1,20}$/.test(state) ? state : 'other'}`);
    if (state === 'failed') out.failures.push({ kind: 'status-failed', ...optional({ messageId: asId(status?.id) }), codes: errorCodes(status?.errors) });
  }
  if (Array.isArray(value.errors)) out.failures.push({ kind: 'webhook-error', codes: errorCodes(value.errors) });
}

interface MessageContext {
  readonly phoneNumberId: string | undefined;
  readonly ourNumber: string | undefined;
  readonly names: ReadonlyMap<string, string>;
  readonly now: Date;
}

/** What a message says, by type; undefined for a type the hub does not take in. */
type Content = { text: string; attachments?: Attachment[]; payload?: string; kind?: 'message' | 'postback' };

function messageItem(message: Json, ctx: MessageContext, skip: SkipCounter, out: ParsedWhatsapp): InboundItem | undefined {
  const id = asId(message.id);
  const from = asId(message.from);
  const type = asString(message.type) ?? '';
  if (!id || !from) {
    skip.add('invalid');
    return undefined;
  }
  if (ctx.ourNumber && digits(from) === ctx.ourNumber) {
    skip.add('own_number');
    return undefined;
  }
  if (type === 'reaction') {
    skip.add('reaction');
    return undefined;
  }
  const content = contentOf(type, message);
  if (!content) {
    skip.add(`type_${/^[a-z_]{1,20}$/.test(type) ? type : 'other'}`);
    if (Array.isArray(message.errors)) out.failures.push({ kind: 'message-error', messageId: id, codes: errorCodes(message.errors) });
    return undefined;
  }
  const seconds = asNumber(Number(asString(message.timestamp) ?? message.timestamp));
  const name = ctx.names.get(from);
  return {
    schemaVersion: 1,
    itemId: `whatsapp:${id}`,
    channel: 'whatsapp',
    provider: 'whatsapp',
    kind: content.kind ?? 'message',
    providerMessageId: id,
    receivedAt: isoFromMillis(seconds === undefined ? undefined : seconds * 1000) ?? ctx.now.toISOString(),
    sender: { id: from, ...optional({ name }) },
    // Our phone number id: answers go out from the number the resident wrote to.
    recipients: ctx.phoneNumberId ? [ctx.phoneNumberId] : [],
    text: content.text,
    attachments: content.attachments ?? [],
    thread: optional({ replyToMid: asId(asObject(message.context)?.id) }),
    transport: {},
    ...optional({ payload: content.payload }),
  };
}

const MEDIA_TYPES = ['image', 'document', 'audio', 'video', 'sticker'] as const;

function contentOf(type: string, message: Json): Content | undefined {
  const body = asObject(message[type]);
  if (type === 'text') return { text: asString(body?.body) ?? '' };
  if ((MEDIA_TYPES as readonly string[]).includes(type)) {
    const filename = clipOptional(asString(body?.filename), 255);
    return { text: asString(body?.caption) ?? '', attachments: [{ contentType: clip(asString(body?.mime_type) ?? type, 255), ...optional({ filename }) }] };
  }
  if (type === 'location') {
    const where = [asString(body?.name), asString(body?.address)].filter(Boolean).join(', ');
    const at = [asNumber(body?.latitude), asNumber(body?.longitude)].filter((n) => n !== undefined).join(', ');
    return { text: `Location shared: ${clip([where, at && `(${at})`].filter(Boolean).join(' '))}` };
  }
  if (type === 'button') return { text: asString(body?.text) ?? '', kind: 'postback', ...optional({ payload: clipOptional(asString(body?.payload)) }) };
  if (type === 'interactive') {
    const reply = asObject(body?.button_reply) ?? asObject(body?.list_reply);
    if (!reply) return undefined;
    const text = [asString(reply.title), asString(reply.description)].filter(Boolean).join(': ');
    return { text, kind: 'postback', ...optional({ payload: clipOptional(asString(reply.id)) }) };
  }
  return undefined;
}

function errorCodes(raw: unknown): number[] {
  return asArray(raw)
    .slice(0, 5)
    .map((e) => asNumber(asObject(e)?.code))
    .filter((c): c is number => c !== undefined);
}

/** A phone number as digits only (wa_id has no `+`, display numbers have spaces). */
function digits(value: string | undefined): string | undefined {
  const d = value?.replace(/\D/g, '');
  return d ? d : undefined;
}
