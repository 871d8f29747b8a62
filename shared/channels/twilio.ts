import type { Attachment, InboundItem } from '../model/inbound-item.ts';
import { badRequest, unauthorized } from '../http/errors.ts';
import { parseForm, type WebhookRequest } from '../http/request.ts';
import type { WebhookContext, WebhookOutcome } from '../http/webhook.ts';
import { hmac, optional, safeEqual, urlWithSortedParams } from './common.ts';
import { smsKeyword, TWILIO_KEYWORDS } from './sms-keywords.ts';

/**
 * Twilio inbound SMS (reference/channels.md §5a): X-Twilio-Signature over the
 * public URL plus the sorted form parameters; answered with empty TwiML.
 */

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export function twilioWebhook(request: WebhookRequest, context: WebhookContext): WebhookOutcome {
  const params = parseForm(request.body);
  if (!verifyTwilioSignature(request.publicUrl, params, request.headers['x-twilio-signature'], context.secrets.TWILIO_AUTH_TOKEN)) {
    throw unauthorized();
  }
  const item = parseTwilioMessage(new Map(params), context.now);
  if (!item) throw badRequest('not a Twilio message webhook');
  return { status: 200, body: EMPTY_TWIML, contentType: 'text/xml', items: [item] };
}

export function twilioSignature(url: string, params: readonly (readonly [string, string])[], authToken: string): string {
  return hmac('sha1', authToken, urlWithSortedParams(url, params)).toString('base64');
}

/** Like twilio-node, also accept the URL with or without the scheme's default port. */
export function verifyTwilioSignature(url: string, params: readonly (readonly [string, string])[], header: string | undefined, authToken: string): boolean {
  if (!header) return false;
  return urlVariants(url).some((candidate) => safeEqual(twilioSignature(candidate, params, authToken), header));
}

function urlVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/:?#]+)(:\d+)?(.*)$/.exec(url);
  if (!match) return [url];
  const [, scheme, host, port, rest] = match;
  const defaultPort = scheme === 'https' ? ':443' : ':80';
  if (port === defaultPort) return [url, `${scheme}://${host}${rest}`];
  if (!port) return [url, `${scheme}://${host}${defaultPort}${rest}`];
  return [url];
}

export function parseTwilioMessage(fields: ReadonlyMap<string, string>, now: Date): InboundItem | undefined {
  const sid = fields.get('MessageSid') || fields.get('SmsMessageSid') || fields.get('SmsSid');
  const from = fields.get('From');
  if (!sid || !from) return undefined;
  const body = fields.get('Body') ?? '';
  const mediaCount = Math.min(Number.parseInt(fields.get('NumMedia') ?? '0', 10) || 0, 10);
  const attachments: Attachment[] = [];
  for (let i = 0; i < mediaCount; i++) {
    const url = fields.get(`MediaUrl${i}`);
    if (url) attachments.push({ contentType: fields.get(`MediaContentType${i}`) ?? 'application/octet-stream', url });
  }
  const to = fields.get('To');
  return {
    schemaVersion: 1,
    itemId: `twilio:${sid}`,
    channel: 'sms',
    provider: 'twilio',
    kind: 'sms',
    providerMessageId: sid,
    // Twilio sends no timestamp with the message.
    receivedAt: now.toISOString(),
    sender: { id: from },
    recipients: to ? [to] : [],
    text: body,
    attachments,
    thread: {},
    transport: {},
    ...optional({ smsKeyword: smsKeyword(body, TWILIO_KEYWORDS) }),
  };
}
