import type { SESEvent, SNSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseEumSnsEvent } from '../../shared/channels/eum-sms.ts';
import { parseMime } from '../../shared/channels/email.ts';
import { mailchimpWebhook } from '../../shared/channels/mailchimp.ts';
import { mandrillWebhook } from '../../shared/channels/mandrill.ts';
import { messengerWebhook } from '../../shared/channels/messenger.ts';
import { handleSesEvent } from '../../shared/channels/ses.ts';
import { twilioWebhook } from '../../shared/channels/twilio.ts';
import { BODY_LIMITS, MANDRILL_INTAKE } from '../../shared/topology.ts';
import { TEST_SECRETS } from '../fixtures/channels/env.ts';
import { useTestSecrets } from '../fixtures/channels/harness.ts';
import { formBody, httpEvent } from '../support/http-events.ts';
import {
  buildMime,
  deepJson,
  expectNoPrototypePollution,
  HOST,
  hostileBytes,
  hostileHarness,
  hostileString,
  messengerSignature,
  mimeParts,
  pollutingJson,
  POST_STATUSES,
  PROTO_KEYS,
  queueBody,
  recordingQueue,
  runs,
  SEED,
  sortedParamsSignature,
} from '../support/hostile.ts';

/**
 * Hostile input over every ingest path: whatever arrives, the handler answers
 * one of 200/400/401/404/413 (never throws, never 5xx without a queue
 * failure), and everything it enqueues is a valid InboundItem that fits on the
 * queue with its non-text fields small. Extends channels-properties (random
 * shapes) with attack payloads and sizes an attacker would choose.
 */

const PAGE = TEST_SECRETS.MESSENGER_PAGE_ID;
const URL_BASE = `https://${HOST}`;

beforeAll(() => {
  useTestSecrets();
  console.info(`hostile-webhooks: fast-check seed ${SEED}`);
});
afterEach(() => expectNoPrototypePollution());

const messengerPost = (body: string | Buffer, extraHeaders: Record<string, string> = {}) =>
  httpEvent({
    path: '/webhooks/messenger',
    domainName: HOST,
    body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': messengerSignature(body), ...extraHeaders },
  });

const messengerMessage = (message: Record<string, unknown>, sender: unknown = { id: 'psid-1' }) =>
  JSON.stringify({ object: 'page', entry: [{ id: PAGE, time: 1, messaging: [{ sender, recipient: { id: PAGE }, timestamp: 1767261600000, message }] }] });

describe('Messenger under hostile input', () => {
  const h = hostileHarness('messenger', messengerWebhook, BODY_LIMITS.messenger);

  it('signed hostile payloads: markup, NUL, bidi, lone surrogates, proto keys, invalid UTF-8, absurd attachments', async () => {
    const body = fc.oneof(
      fc
        .record({ mid: hostileString, text: hostileString, sender: hostileString, type: hostileString, url: hostileString, payload: hostileString })
        .map((m) =>
          messengerMessage(
            { mid: m.mid || 'm', text: m.text, attachments: [{ type: m.type, payload: { url: m.url } }], quick_reply: { payload: m.payload } },
            { id: m.sender || 's' },
          ),
        ),
      pollutingJson,
      fc
        .constantFrom(...PROTO_KEYS)
        .map((k) => messengerMessage({ mid: 'm.proto', text: 'x', [k]: { is_echo: true } }).replace('"entry"', `"${k}":{"object":"page"},"entry"`)),
      hostileBytes.map((b) => Buffer.concat([Buffer.from(messengerMessage({ mid: 'm.bytes', text: '' }).slice(0, -8)), b])),
      hostileBytes.map((b) =>
        Buffer.concat([
          Buffer.from('{"object":"page","entry":[{"messaging":[{"sender":{"id":"1"},"message":{"mid":"m.raw","text":"'),
          b,
          Buffer.from('"}}]}]}'),
        ]),
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (raw, base64) => {
        const res = await h.call({ ...messengerPost(raw), ...(base64 ? { body: Buffer.from(raw).toString('base64'), isBase64Encoded: true } : {}) });
        expect(POST_STATUSES).toContain(res.statusCode);
      }),
      runs(200),
    );
    expect(h.enqueued.length).toBeGreaterThan(50);
  });

  it('JSON nested 10,000 levels deep is refused or acknowledged, never a crash', async () => {
    for (const payload of [deepJson(10_000), deepJson(10_000, 'array'), `{"object":"page","entry":[{"messaging":[${deepJson(10_000)}]}]}`]) {
      const res = await h.call(messengerPost(payload));
      expect([200, 400]).toContain(res.statusCode);
    }
  });

  it('10,000 attachments with absurd metadata: one item that still fits on the queue', async () => {
    const before = h.enqueued.length;
    // About 900 KB signed: under Meta's 1 MB body limit, so it reaches the parser.
    const attachments = Array.from({ length: 10_000 }, (_, i) => ({
      type: `image/../../${i}`,
      payload: { url: `javascript:alert(${i})//${'x'.repeat(12)}`, size: -1 },
    }));
    const res = await h.call(messengerPost(messengerMessage({ mid: 'm.many', text: 'see attached', attachments })));
    expect(res.statusCode).toBe(200);
    expect(h.enqueued.length).toBe(before + 1);
  });

  it('huge and numerous headers do not break the signature check', async () => {
    const body = messengerMessage({ mid: 'm.hdr', text: 'x' });
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x-h${i}`, 'v'.repeat(8_000)]));
    expect((await h.call(messengerPost(body, many))).statusCode).toBe(200);
    expect((await h.call(messengerPost(body, { 'x-hub-signature-256': `sha256=${'a'.repeat(1_000_000)}` }))).statusCode).toBe(401);
    expect((await h.call(messengerPost(body, { 'x-hub-signature-256': `sha256=${'\r\n'.repeat(1000)}` }))).statusCode).toBe(401);
  });
});

describe('Mailchimp under hostile input', () => {
  const h = hostileHarness('mailchimp', mailchimpWebhook, BODY_LIMITS.mailchimp);
  const secret = TEST_SECRETS.MAILCHIMP_WEBHOOK_SECRET;
  const post = (body: string) => httpEvent({ path: `/webhooks/mailchimp/${secret}`, pathParameters: { secret }, body });

  it('prototype keys in data[…] form fields, hostile values and invalid percent-encodings', async () => {
    const key = fc.oneof(
      fc.constantFrom(...PROTO_KEYS).map((k) => `data[${k}]`),
      fc.tuple(fc.constantFrom(...PROTO_KEYS), fc.constantFrom('x', 'polluted', 'FNAME')).map(([k, x]) => `data[${k}][${x}]`),
      fc.constantFrom(
        'data[merges][FNAME]',
        'data[merges][LNAME]',
        'data[email]',
        'data[id]',
        'data[list_id]',
        'data[new_email]',
        'data[subject]',
        'data[reason]',
        '__proto__',
        'constructor',
      ),
    );
    const form = fc.tuple(
      fc.constantFrom('subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned', 'campaign', '__proto__'),
      fc.array(fc.tuple(key, hostileString), { maxLength: 12 }),
      fc.constantFrom('', '%FF%FE', '%00', '%C0%80', '%', '%%41', '&&&', '=&='),
    );
    await fc.assert(
      fc.asyncProperty(form, async ([type, pairs, junk]) => {
        const body = `${formBody([['type', type], ['fired_at', '2026-01-05 10:00:00'], ...pairs])}&${junk}`;
        const res = await h.call(post(body));
        expect([200, 400]).toContain(res.statusCode);
      }),
      runs(200),
    );
    expect(h.enqueued.length).toBeGreaterThan(50);
    expect(h.enqueued.every((item) => item.audience !== undefined && Object.getPrototypeOf(item.audience) === Object.prototype)).toBe(true);
  });
});

describe('Mandrill under hostile input', () => {
  const h = hostileHarness('mandrill', mandrillWebhook, MANDRILL_INTAKE.maxBodyBytes);
  const url = `${URL_BASE}/webhooks/mandrill`;
  const post = (events: string) => {
    const body = formBody({ mandrill_events: events });
    return httpEvent({
      path: '/webhooks/mandrill',
      domainName: HOST,
      body,
      headers: { 'x-mandrill-signature': sortedParamsSignature(url, body, TEST_SECRETS.MANDRILL_WEBHOOK_KEY) },
    });
  };
  const inbound = (msg: Record<string, unknown>, id?: string) => ({ event: 'inbound', ts: 1767261600, ...(id ? { _id: id } : {}), msg });

  it('signed inbound events with hostile MIME, fields and prototype keys', async () => {
    const event = fc.record({
      mime: mimeParts.map(buildMime),
      id: fc.option(hostileString, { nil: undefined }),
      fromName: hostileString,
      fromEmail: fc.oneof(fc.constant('resident@example.org'), hostileString),
      subject: hostileString,
      proto: fc.constantFrom(...PROTO_KEYS),
      score: fc.constantFrom(-1e308, 1e308, 0, -0, 5),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 3 }), async (events) => {
        const json = JSON.stringify(
          events.map((e) => ({
            ...inbound(
              {
                raw_msg: e.mime.toString('latin1'),
                from_email: e.fromEmail,
                from_name: e.fromName,
                subject: e.subject,
                spam_report: { score: e.score },
                headers: { 'Message-Id': e.subject },
              },
              e.id,
            ),
            [e.proto]: { event: 'inbound' },
          })),
        );
        const res = await h.call(post(json));
        expect([200, 400]).toContain(res.statusCode);
      }),
      runs(100),
    );
    expect(h.enqueued.length).toBeGreaterThan(50);
  });

  it('mandrill_events nested 10,000 levels deep, or with __proto__ events, enqueues nothing', async () => {
    const before = h.enqueued.length;
    for (const events of [deepJson(10_000, 'array'), `[${deepJson(10_000)}]`, '[{"__proto__":{"event":"inbound","msg":{"from_email":"a@b.c"}}}]']) {
      const res = await h.call(post(events));
      expect([200, 400]).toContain(res.statusCode);
    }
    expect(h.enqueued.length).toBe(before);
  });

  it('a mail to 30,000 recipients with 2,000 path-traversal attachments still fits on the queue', async () => {
    const to = Array.from({ length: 30_000 }, (_, i) => `resident.number.${i}@example.org`).join(', ');
    let mime = `From: a@example.org\r\nTo: ${to}\r\nSubject: many\r\nMessage-ID: <big@example.org>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n`;
    for (let i = 0; i < 2_000; i++)
      mime += `--b\r\nContent-Type: application/x-${'z'.repeat(200)}\r\nContent-Disposition: attachment; filename="${'../'.repeat(60)}etc/passwd${i}"\r\n\r\nx\r\n`;
    mime += '--b--\r\n';
    const before = h.enqueued.length;
    const res = await h.call(post(JSON.stringify([inbound({ raw_msg: mime, from_email: 'a@example.org' }, 'big-1')])));
    expect(res.statusCode).toBe(200);
    expect(h.enqueued.length).toBe(before + 1);
    expect(h.enqueued.at(-1)!.recipients.length).toBeGreaterThan(0);
  });
});

describe('Twilio under hostile input', () => {
  const h = hostileHarness('twilio', twilioWebhook, BODY_LIMITS.twilio);
  const url = `${URL_BASE}/webhooks/twilio`;

  it('signed forms with hostile values, absurd NumMedia and media metadata', async () => {
    const form = fc.record({
      MessageSid: fc.oneof(
        fc.constant('SM0123'),
        hostileString.filter((s) => s.length > 0),
      ),
      From: fc.oneof(
        fc.constant('+447700900456'),
        hostileString.filter((s) => s.length > 0),
      ),
      Body: hostileString,
      NumMedia: fc.constantFrom('-1', '0', '10', '10000', '1e308', 'NaN', '0x10', '__proto__'),
      MediaUrl0: fc.oneof(fc.constant('javascript:alert(1)'), hostileString),
      MediaContentType0: hostileString,
      proto: fc.constantFrom(...PROTO_KEYS),
    });
    await fc.assert(
      fc.asyncProperty(form, async ({ proto, ...fields }) => {
        const body = formBody({ ...fields, [proto]: 'x', [`MediaUrl${fields.NumMedia}`]: 'x' });
        const event = httpEvent({
          path: '/webhooks/twilio',
          domainName: HOST,
          body,
          headers: { 'x-twilio-signature': sortedParamsSignature(url, body, TEST_SECRETS.TWILIO_AUTH_TOKEN) },
        });
        const res = await h.call(event);
        expect(res.statusCode).toBe(200);
      }),
      runs(150),
    );
    expect(h.enqueued.length).toBe(150);
    expect(Math.max(...h.enqueued.map((i) => i.attachments.length))).toBeLessThanOrEqual(10);
  });
});

describe('SES MIME path under hostile input', () => {
  const sesEvent = (messageId = 'hostile0001'): SESEvent =>
    ({
      Records: [
        {
          eventSource: 'aws:ses',
          eventVersion: '1.0',
          ses: {
            mail: { messageId, source: 'resident@example.org', timestamp: '2026-01-05T10:00:00.000Z' },
            receipt: { recipients: ['clerk@demo-parish.example.org'], spfVerdict: { status: 'PASS' } },
          },
        },
      ],
    }) as unknown as SESEvent;
  const run = async (raw: Buffer, messageId?: string) => {
    const queue = recordingQueue();
    const result = await handleSesEvent(sesEvent(messageId), { store: { get: async () => raw, put: async () => undefined }, enqueue: queue.enqueue, env: {} });
    return { result, items: queue.items };
  };

  it('hostile headers, encoded words hiding CR/LF, invalid UTF-8, NUL and absurd attachments: one valid item per mail', async () => {
    await fc.assert(
      fc.asyncProperty(mimeParts, async (parts) => {
        const { result, items } = await run(buildMime(parts));
        expect(result).toEqual({ enqueued: 1, malformed: 0 });
        // A Content-Disposition size= parameter is never believed: sizes are counted from the bytes.
        for (const a of items[0]!.attachments) if (a.sizeBytes !== undefined) expect(a.sizeBytes).toBe(5);
      }),
      runs(150),
    );
  });

  it('parseMime takes any bytes at all without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileBytes,
          fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
        ),
        async (raw) => {
          const parsed = await parseMime(raw);
          expect(Array.isArray(parsed.attachments)).toBe(true);
        },
      ),
      runs(200),
    );
  });

  it('10,000 recipients, 10,000 attachments or a 2 MB header: still one item that fits on the queue', async () => {
    const to = Array.from({ length: 10_000 }, (_, i) => `"Name ${i}" <r${i}@example.org>`).join(', ');
    let many = 'From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
    for (let i = 0; i < 10_000; i++) many += `--b\r\nContent-Disposition: attachment; filename="${'../'.repeat(20)}${i}.exe"\r\n\r\nx\r\n`;
    many += '--b--\r\n';
    for (const raw of [
      `From: a@example.org\r\nTo: ${to}\r\nCc: ${to}\r\nReply-To: ${to}\r\nSubject: x\r\n\r\nhi`,
      many,
      `From: a@example.org\r\nList-Unsubscribe: <${'u'.repeat(2_000_000)}>\r\nMessage-ID: <${'m'.repeat(500_000)}@x>\r\nReferences: ${Array.from({ length: 20_000 }, (_, i) => `<r${i}@x>`).join(' ')}\r\n\r\nhi`,
    ]) {
      const { result, items } = await run(Buffer.from(raw));
      expect(result.enqueued).toBe(1);
      expect(items).toHaveLength(1);
    }
  }, 20_000);
});

describe('EUM SMS (SNS) under hostile input', () => {
  it('hostile, deep and prototype-polluting SNS messages: valid items or skipped records, never a throw', () => {
    const message = fc.oneof(
      fc
        .record({ inboundMessageId: hostileString, originationNumber: hostileString, destinationNumber: hostileString, messageBody: hostileString })
        .map((m) => JSON.stringify(m)),
      pollutingJson,
      fc.constant(deepJson(10_000)),
      fc.constant(`{"__proto__":{"inboundMessageId":"x","originationNumber":"+44"}}`),
      hostileBytes.map((b) => b.toString('utf8')),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ Message: message, Timestamp: fc.oneof(hostileString, fc.constant('2026-01-05T10:00:00.000Z')) }), { maxLength: 4 }),
        (records) => {
          const event = { Records: records.map((Sns) => ({ EventSource: 'aws:sns', Sns })) } as unknown as SNSEvent;
          const { items, malformed } = parseEumSnsEvent(event, new Date('2026-01-05T10:00:00.000Z'));
          expect(items.length + malformed).toBe(records.length);
          for (const item of items) queueBody(item);
        },
      ),
      runs(200),
    );
  });
});
