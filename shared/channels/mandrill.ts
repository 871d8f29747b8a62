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
import { headerOnlyEmail, MAX_SUBJECT_CHARS, parseMime, type ParsedEmail } from './email.ts';
import { htmlToText } from './html-to-text.ts';

/**
 * Mailchimp Transactional (Mandrill) inbound email (reference/channels.md §4):
 * X-Mandrill-Signature over the configured URL plus sorted POST fields, a
 * `mandrill_events` JSON array, inbound events parsed from `raw_msg` by the
 * same MIME code as SES mail. The creation check (HEAD, then an empty array
 * signed with the key `test-webhook`) is answered 200.
 */

export const MANDRILL_TEST_KEY = 'test-webhook';

export async function mandrillWebhook(request: WebhookRequest, context: WebhookContext): Promise<WebhookOutcome> {
  if (request.method === 'HEAD') return { status: 200, items: [] };
  if (request.method !== 'POST') return { status: 405, items: [] };
  const params = parseForm(request.body);
  const signature = request.headers['x-mandrill-signature'];
  const eventsField = params.find(([key]) => key === 'mandrill_events')?.[1];
  const events = parseEvents(eventsField);
  const valid =
    verifyMandrillSignature(request.publicUrl, params, signature, context.secrets.MANDRILL_WEBHOOK_KEY) ||
    (events?.length === 0 && verifyMandrillSignature(request.publicUrl, params, signature, MANDRILL_TEST_KEY));
  if (!valid) throw unauthorized();
  if (!events) throw badRequest('mandrill_events is not a JSON array');
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
    const item = await mandrillInboundItem(event, context.now);
    if (item) items.push(item);
    else skip.add('invalid');
  }
  return { status: 200, items, skipped: skip.counts };
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
  const parsed = (rawMsg ? await parseMime(rawMsg).catch(() => undefined) : undefined) ?? fromFields(msg);
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

/** Without raw_msg, Mandrill's own fields are all we have. */
function fromFields(msg: Json): ParsedEmail {
  return headerOnlyEmail({
    ...optional({ subject: clipOptional(asString(msg.subject), MAX_SUBJECT_CHARS) }),
    text: asString(msg.text) ?? htmlToText(asString(msg.html) ?? ''),
  });
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
