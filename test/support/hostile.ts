import * as v from 'valibot';
import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { expect } from 'vitest';
import { webhookHandler, type WebhookCore } from '../../shared/http/webhook.ts';
import { InboundItem } from '../../shared/model/inbound-item.ts';
import { serialiseItem } from '../../shared/queue/publish.ts';
import { QUEUES } from '../../shared/topology.ts';
import { TEST_SECRETS } from '../fixtures/channels/env.ts';
import { lambdaContext } from './http-events.ts';

/**
 * fast-check arbitraries and helpers for the hostile-input tests: strings an
 * attacker would send (markup, header injection, NUL, bidi overrides, lone
 * surrogates, prototype keys), invalid UTF-8, deep JSON, hostile MIME, the
 * providers' signatures, and a recording queue that checks every item the way
 * SQS and the classify consumer will.
 */

/** One seed for every hostile property, printed so a failure can be replayed (HOSTILE_SEED=… to override). */
export const SEED = Number(process.env.HOSTILE_SEED ?? 20_260_310);
export const runs = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, seed: SEED });

export const HOST = 'abc123.execute-api.eu-west-2.amazonaws.com';

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

/** Payloads that break HTML, headers or logs when they are not handled. */
export const INJECTIONS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</td></tr></table><script>alert(1)</script>',
  'javascript:alert(1)',
  '<a href="javascript:alert(1)">x</a>',
  '&lt;script&gt;',
  '\u202Egnp.exe',
  'invoice\u202Efdp.exe',
  '\u2066\u2067\u2068\u202A\u202B\u202D',
  '\r\nBcc: victim@example.com',
  '\nX-Injected: 1',
  '\r\n\r\n<html>body</html>',
  '\u0000',
  '\u0085\u2028\u2029',
  '\uD800',
  '\uFFFE\uFFFF',
  '{{constructor.constructor("return 1")()}}',
  '${process.exit()}',
] as const;

export const injection = fc.constantFrom(...INJECTIONS);

/** Any string, weighted towards attack payloads and mixtures of them. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: injection, weight: 3 },
  { arbitrary: fc.array(fc.oneof(injection, fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary' }), weight: 2 },
  { arbitrary: fc.constantFrom(...PROTO_KEYS), weight: 1 },
);

/** Byte sequences that are not valid UTF-8: overlongs, lone continuations, truncated sequences, surrogates, > U+10FFFF. */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xf0, 0x9f, 0x98]),
];

/** Text bytes with invalid UTF-8 and NULs spliced in. */
export const hostileBytes: fc.Arbitrary<Buffer> = fc
  .array(
    fc.oneof(
      fc.constantFrom(...INVALID_UTF8),
      fc.string({ maxLength: 10 }).map((s) => Buffer.from(s)),
      fc.constant(Buffer.from([0])),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => Buffer.concat(parts));

/** JSON nested `depth` levels deep, as text (built as text: JSON.stringify would overflow first). */
export function deepJson(depth: number, shape: 'array' | 'object' = 'object'): string {
  return shape === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A JSON value with prototype-pollution keys at any level. */
export const pollutingJson: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('x', 'polluted', 'isAdmin'))
  .map(([key, value, leaf]) => `{"${key}":{"${leaf}":${JSON.stringify(value) ?? 'null'}},"constructor":{"prototype":{"${leaf}":true}}}`);

/** Asserts nothing was added to Object.prototype (e.g. by a parser following `__proto__`). */
export function expectNoPrototypePollution(): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ['x', 'polluted', 'isAdmin', 'a']) expect(probe[key]).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
}

// ---------------------------------------------------------------- signatures

export const messengerSignature = (body: string | Buffer, secret: string = TEST_SECRETS.MESSENGER_APP_SECRET): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Twilio and Mandrill: HMAC-SHA1 over the URL plus every key+value, keys sorted by code unit. */
export function sortedParamsSignature(url: string, body: string, key: string): string {
  const pairs = [...new URLSearchParams(body)].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return createHmac('sha1', key)
    .update(pairs.reduce((data, [k, v]) => data + k + v, url))
    .digest('base64');
}

// ---------------------------------------------------------------- MIME

export interface MimeParts {
  readonly subject: Buffer;
  readonly fromName: Buffer;
  readonly to: readonly string[];
  readonly body: Buffer;
  readonly attachments: readonly { readonly filename: string; readonly size: string }[];
  readonly extraHeaders: readonly string[];
}

const b64word = (text: string) => `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;

/** Header text as an attacker would send it: raw (with invalid bytes) or as an encoded word hiding CR/LF. */
const headerBytes: fc.Arbitrary<Buffer> = fc.oneof(
  hostileString.map((s) => Buffer.from(b64word(s))),
  hostileBytes.map((b) => Buffer.from(b.toString('latin1').replace(/[\r\n]/g, ' '), 'latin1')),
  fc.constant(Buffer.from(`${b64word('Hello\r\nBcc: victim@example.com')}`)),
  fc.constant(Buffer.from(`${b64word('x\u0000y')} =?ISO-8859-1?Q?=0D=0ABcc:_v@e.com?=`)),
);

export const mimeParts: fc.Arbitrary<MimeParts> = fc.record({
  subject: headerBytes,
  fromName: headerBytes,
  to: fc.array(fc.oneof(fc.constant('clerk@demo-parish.example.org'), fc.constant('"a\r\n b"@x.org'), fc.constant('<>'), fc.emailAddress()), { maxLength: 4 }),
  body: hostileBytes,
  attachments: fc.array(
    fc.record({
      filename: fc.oneof(
        fc.constantFrom(
          '../../etc/passwd',
          '..\\..\\windows\\system32\\x.dll',
          '/abs/path',
          'a\u0000b.pdf',
          'invoice\u202Efdp.exe',
          'x'.repeat(5_000),
          '<script>.pdf',
        ),
        hostileString,
      ),
      size: fc.constantFrom('-1', '0', '1e308', '99999999999999999999', 'NaN', 'abc', '-0'),
    }),
    { maxLength: 4 },
  ),
  extraHeaders: fc.array(
    fc.constantFrom(
      `X-Long: ${'y'.repeat(20_000)}`,
      'Auto-Submitted: ' + '\u0000no',
      'References: <a@b> <c@d> junk <<>>',
      'Message-ID: <"evil\\"@x>',
      'Content-Type: text/plain; charset=x-unknown-charset',
    ),
    { maxLength: 3 },
  ),
});

/** Raw RFC 5322 bytes from the parts; attachment filenames are RFC 2231-encoded so any string survives. */
export function buildMime(parts: MimeParts): Buffer {
  const crlf = Buffer.from('\r\n');
  const lines: Buffer[] = [
    Buffer.concat([Buffer.from('From: '), parts.fromName, Buffer.from(' <resident@example.org>')]),
    Buffer.from(`To: ${parts.to.length ? parts.to.join(', ') : 'clerk@demo-parish.example.org'}`),
    Buffer.concat([Buffer.from('Subject: '), parts.subject]),
    Buffer.from('Message-ID: <hostile@example.org>'),
    ...parts.extraHeaders.map((h) => Buffer.from(h)),
    Buffer.from('MIME-Version: 1.0'),
  ];
  if (parts.attachments.length === 0) {
    return Buffer.concat([...lines.flatMap((l) => [l, crlf]), Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\n'), parts.body, crlf]);
  }
  const out: Buffer[] = [
    ...lines.flatMap((l) => [l, crlf]),
    Buffer.from('Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'),
    parts.body,
    crlf,
  ];
  for (const a of parts.attachments) {
    out.push(
      Buffer.from(
        `--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; size=${a.size}; filename*=UTF-8''${encodeURIComponent(a.filename.replace(/[\uD800-\uDFFF]/g, '?'))}\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n`,
      ),
    );
  }
  out.push(Buffer.from('--b1--\r\n'));
  return Buffer.concat(out);
}

// ---------------------------------------------------------------- the queue

/** Largest queue message, and the share of it everything except the text may use. */
export const QUEUE_MAX_BYTES = QUEUES.inbound.maximumMessageSizeBytes;
export const NON_TEXT_MAX_BYTES = 256 * 1024;
/** SQS accepts only XML 1.0 characters in a message body. */
const SQS_CHARS = /^[\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/**
 * What the real publisher would put on the queue, checked as SQS and the
 * classify consumer would: fits the queue's size limit, only SQS-legal
 * characters, valid InboundItem; and everything but the free text stays small.
 */
export function queueBody(item: InboundItem): { body: string; item: InboundItem } {
  const body = serialiseItem(item);
  expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(QUEUE_MAX_BYTES);
  expect(SQS_CHARS.test(body)).toBe(true);
  const parsed = v.parse(InboundItem, JSON.parse(body));
  expect(Buffer.byteLength(JSON.stringify({ ...parsed, text: '' }), 'utf8')).toBeLessThanOrEqual(NON_TEXT_MAX_BYTES);
  return { body, item: parsed };
}

export function recordingQueue() {
  const items: InboundItem[] = [];
  return {
    items,
    enqueue: async (batch: readonly InboundItem[]) => {
      for (const item of batch) items.push(queueBody(item).item);
    },
  };
}

/** The production middleware chain around a channel core, with a recording queue. */
export function hostileHarness(route: string, core: WebhookCore, bodyLimit: number) {
  const queue = recordingQueue();
  const handler = webhookHandler({ route, bodyLimit, core, enqueue: queue.enqueue });
  const call = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
    (await handler(event, lambdaContext(route))) as APIGatewayProxyStructuredResultV2;
  return { call, enqueued: queue.items };
}

/** What the issue allows a webhook to answer a POST with (5xx only for a genuine enqueue failure). */
export const POST_STATUSES = [200, 400, 401, 404, 413] as const;

// ---------------------------------------------------------------- HTML and MIME output

/** Explicit direction controls: embeddings, overrides and isolates (U+202A–E, U+2066–9). */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

const TAG = /^<(\/?)([a-zA-Z][a-zA-Z0-9]*|!doctype)((?:\s+[a-zA-Z-]+(?:="[^"<>]*")?)*)\s*\/?>/;

/**
 * Every `<` in the page starts a tag from `allowedTags` whose attributes are
 * plain names with quoted values, no event handler, and no `javascript:` (or
 * other non-http) link: what escaping must guarantee whatever the values were.
 */
export function expectSafeHtml(html: string, allowedTags: readonly string[]): void {
  for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', at + 1)) {
    const match = TAG.exec(html.slice(at, at + 2_000));
    expect(match, `unexpected markup at ${at}: ${JSON.stringify(html.slice(at, at + 60))}`).not.toBeNull();
    const name = match![2]!.toLowerCase();
    expect(allowedTags, `tag <${name}>`).toContain(name);
    for (const [, attr, value] of match![3]!.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) {
      expect(attr!.toLowerCase().startsWith('on'), `event handler ${attr}`).toBe(false);
      if (attr === 'href' || attr === 'src' || attr === 'action') expect(value ?? '', `link ${value}`).toMatch(/^(https?:\/\/|\/)/);
    }
  }
}

/** The header block of a raw MIME message, unfolded: one `[name, value]` per header. */
export function mimeHeaders(raw: string): [string, string][] {
  const end = raw.indexOf('\r\n\r\n');
  const block = raw.slice(0, end);
  // Every line ends in CRLF: a bare CR or LF would let a mail server see a line break the composer did not write.
  expect(block.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  return block
    .replace(/\r\n[ \t]/g, ' ')
    .split('\r\n')
    .map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
    });
}
