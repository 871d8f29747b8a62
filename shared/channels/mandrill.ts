import type { InboundItem, Party, TransportFacts, Verdict } from '../model/inbound-item.ts';
import { badRequest, unauthorized } from '../http/errors.ts';
import { parseForm, type WebhookRequest } from '../http/request.ts';
import type { WebhookContext, WebhookOutcome } from '../http/webhook.ts';
import {
  asNumber,
  asObject,
  asString,
  clipOptional,
  hmac,
  isoFromMillis,
  optional,
  safeEqual,
  sha256Hex,
  SkipCounter,
  urlWithSortedParams,
  type Json,
} from './common.ts';
import { headerOnlyEmail, MAX_SUBJECT_CHARS, MimeLimitError, notParsedText, parseMime, type ParsedEmail } from './email.ts';
import { htmlToText } from './html-to-text.ts';

/**
 * Mailchimp Transactional (Mandrill) inbound email (reference/channels.md §4):
 * X-Mandrill-Signature over the configured URL plus sorted POST fields, a
 * `mandrill_events` JSON array, inbound events parsed from `raw_msg` by the
 * same MIME code as SES mail. The creation check (HEAD, then an empty array
 * signed with the key `test-webhook`) is answered 200.
 */

export const MANDRILL_TEST_KEY = 'test-webhook';

/** One POST as the intake received it (shared/channels/mandrill-intake.ts); `keepRaw` stores each inbound mail's raw MIME. */
export async function mandrillWebhook(request: WebhookRequest, context: WebhookContext, keepRaw?: KeepRawMail): Promise<WebhookOutcome> {
  if (request.method === 'HEAD') return { status: 200, items: [] };
  if (request.method !== 'POST') return { status: 405, items: [] };
  const events = verifiedMandrillEvents(request, context.secrets.MANDRILL_WEBHOOK_KEY);
  return { status: 200, ...(await mandrillItems(events, context.now, keepRaw)) };
}

/**
 * The events of a signed POST: 401 (HttpError) unless X-Mandrill-Signature
 * verifies over `request.publicUrl` and the form fields, 400 when
 * mandrill_events is not a JSON array.
 */
function verifiedMandrillEvents(request: Pick<WebhookRequest, 'body' | 'headers' | 'publicUrl'>, key: string): unknown[] {
  const params = parseForm(request.body);
  const signature = request.headers['x-mandrill-signature'];
  const eventsField = params.find(([name]) => name === 'mandrill_events')?.[1];
  const events = parseEvents(eventsField);
  const valid =
    verifyMandrillSignature(request.publicUrl, params, signature, key) ||
    (events?.length === 0 && verifyMandrillSignature(request.publicUrl, params, signature, MANDRILL_TEST_KEY));
  if (!valid) throw unauthorized();
  if (!events) throw badRequest('mandrill_events is not a JSON array');
  return events;
}

/** Where each inbound mail's raw MIME is kept (the item's `raw`), when the caller keeps it. */
export type KeepRawMail = (itemId: string, rawMsg: string) => Promise<{ bucket: string; key: string } | undefined>;

/** Inbound events to items; other events are counted by type. */
async function mandrillItems(events: readonly unknown[], now: Date, keepRaw?: KeepRawMail): Promise<{ items: InboundItem[]; skipped: Record<string, number> }> {
  const items: InboundItem[] = [];
  const skip = new SkipCounter();
  for (const raw of events) {
    const event = asObject(raw);
    if (!event) {
      skip.add('invalid');
      continue;
    }
    if (event.event !== 'inbound') {
      skip.add(typeof event.event === 'string' && /^[a-z_]{1,20}$/.test(event.event) ? event.event : 'unhandled');
      continue;
    }
    const item = await mandrillInboundItem(event, now);
    if (!item) skip.add('invalid');
    else items.push(await withRaw(item, asString(asObject(event.msg)?.raw_msg), keepRaw));
  }
  return { items, skipped: skip.counts };
}

async function withRaw(item: InboundItem, rawMsg: string | undefined, keepRaw: KeepRawMail | undefined): Promise<InboundItem> {
  const raw = rawMsg && keepRaw ? await keepRaw(item.itemId, rawMsg) : undefined;
  return raw ? { ...item, raw } : item;
}

export function mandrillSignature(url: string, params: readonly (readonly [string, string])[], key: string): string {
  return hmac('sha1', key, urlWithSortedParams(url, params)).toString('base64');
}

export function verifyMandrillSignature(url: string, params: readonly (readonly [string, string])[], header: string | undefined, key: string): boolean {
  return header !== undefined && safeEqual(mandrillSignature(url, params, key), header);
}

function parseEvents(field: string | undefined): unknown[] | undefined {
  if (field === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(field);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function mandrillInboundItem(event: Json, now: Date): Promise<InboundItem | undefined> {
  const msg = asObject(event.msg);
  if (!msg) return undefined;
  const rawMsg = asString(msg.raw_msg);
  // A message over the parsing limits, or one postal-mime gives up on, is kept with Mandrill's own fields and the reason.
  const parsed = rawMsg ? await parseMime(rawMsg).catch((error: unknown) => fromFields(msg, notParsedReason(error))) : fromFields(msg);
  const headers = asObject(msg.headers) ?? {};
  // Mandrill's own fields carry the sender's header values unbounded: clip them as parseMime does.
  const headerMessageId = clipOptional(asString(headers['Message-Id']) ?? asString(headers['Message-ID']));
  const id = clipOptional(asString(event._id)) || parsed.messageId || headerMessageId || (rawMsg ? `sha256:${sha256Hex(rawMsg).slice(0, 32)}` : undefined);
  const fromEmail = clipOptional(asString(msg.from_email)?.toLowerCase());
  const sender: Party | undefined = fromEmail ? { id: fromEmail, ...optional({ name: clipOptional(asString(msg.from_name) || undefined) }) } : parsed.from;
  if (!id || !sender) return undefined;
  const spamReport = asObject(msg.spam_report);
  const dkim = asObject(msg.dkim);
  const transport: TransportFacts = {
    ...optional({
      spamScore: asNumber(spamReport?.score),
      spf: spfVerdict(asString(asObject(msg.spf)?.result)),
      dkim: dkim ? (dkim.signed !== true ? 'NONE' : dkim.valid === true ? 'PASS' : 'FAIL') : undefined,
      returnPath: parsed.returnPath,
    }),
    ...parsed.loopHeaders,
  };
  const inboundAddress = clipOptional(asString(msg.email)?.toLowerCase());
  const ts = asNumber(event.ts);
  return {
    schemaVersion: 1,
    itemId: `mandrill:${id}`,
    channel: 'email',
    provider: 'mandrill',
    kind: 'email',
    providerMessageId: id,
    receivedAt: isoFromMillis(ts === undefined ? undefined : ts * 1000) ?? now.toISOString(),
    sender,
    recipients: parsed.to.length > 0 ? parsed.to : inboundAddress ? [inboundAddress] : [],
    ...optional({
      headerFrom: parsed.from && parsed.from.id !== sender.id ? parsed.from : undefined,
      cc: parsed.cc.length > 0 ? parsed.cc : undefined,
      replyTo: parsed.replyTo.length > 0 ? parsed.replyTo : undefined,
      subject: parsed.subject ?? clipOptional(asString(msg.subject), MAX_SUBJECT_CHARS),
    }),
    text: parsed.text || asString(msg.text) || '',
    attachments: parsed.attachments,
    thread: optional({
      messageId: parsed.messageId ?? headerMessageId,
      inReplyTo: parsed.inReplyTo,
      references: parsed.references.length > 0 ? parsed.references : undefined,
    }),
    transport,
  };
}

/** Without a parsed raw_msg, Mandrill's own fields are all we have; `reason` says why the MIME was not read. */
function fromFields(msg: Json, reason?: string): ParsedEmail {
  const text = asString(msg.text) ?? htmlToText(asString(msg.html) ?? '');
  return headerOnlyEmail({
    ...optional({ subject: clipOptional(asString(msg.subject), MAX_SUBJECT_CHARS) }),
    text: reason === undefined ? text : [notParsedText(reason), text].filter(Boolean).join('\n\n'),
  });
}

function notParsedReason(error: unknown): string {
  return error instanceof MimeLimitError ? error.message : 'the MIME structure could not be read';
}

function spfVerdict(result: string | undefined): Verdict | undefined {
  switch (result?.toLowerCase()) {
    case 'pass':
      return 'PASS';
    case 'fail':
    case 'softfail':
    case 'permerror':
      return 'FAIL';
    case 'neutral':
    case 'none':
      return 'NONE';
    case 'temperror':
      return 'PROCESSING_FAILED';
    default:
      return undefined;
  }
}
