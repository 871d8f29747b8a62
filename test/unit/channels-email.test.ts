import * as v from 'valibot';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SESEvent } from 'aws-lambda';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseMime } from '../../shared/channels/email.ts';
import { htmlToText } from '../../shared/channels/html-to-text.ts';
import { mandrillWebhook } from '../../shared/channels/mandrill.ts';
import { FileMailStore, type RawMailStore } from '../../shared/channels/raw-mail-store.ts';
import { handleSesEvent } from '../../shared/channels/ses.ts';
import { InboundItem } from '../../shared/model/inbound-item.ts';
import { MANDRILL_INTAKE } from '../../shared/topology.ts';
import { fixture, jsonFixture, TEST_SECRETS } from '../fixtures/channels/env.ts';
import { harness, useTestSecrets } from '../fixtures/channels/harness.ts';
import { formBody, httpEvent } from '../support/http-events.ts';

const sesEvent = jsonFixture<SESEvent>('ses-event.json');
const MESSAGE_ID = 'o3vrnil0e2ic28trm7dfhrc2v0cnbeccl4example';

function memoryStore(objects: Record<string, Buffer>): RawMailStore {
  return {
    bucket: 'mail-bucket',
    get: async (key) => {
      const object = objects[key];
      if (!object) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return object;
    },
    put: async (key, bytes) => {
      objects[key] = Buffer.from(bytes);
    },
  };
}

describe('SES inbound', () => {
  it('reads the raw MIME at prefix + messageId and builds one email item with envelope, headers and verdicts', async () => {
    const enqueued: InboundItem[] = [];
    const result = await handleSesEvent(sesEvent, {
      store: memoryStore({ [`inbound/${MESSAGE_ID}`]: fixture('ses-mail.eml') }),
      enqueue: async (items) => void enqueued.push(...items.map((i) => v.parse(InboundItem, i))),
      env: { MAIL_PREFIX: 'inbound/' },
    });
    expect(result).toEqual({ enqueued: 1, malformed: 0 });
    expect(enqueued[0]).toEqual({
      schemaVersion: 1,
      itemId: `ses:${MESSAGE_ID}`,
      channel: 'email',
      provider: 'ses',
      kind: 'email',
      providerMessageId: MESSAGE_ID,
      receivedAt: '2026-01-05T09:15:02.028Z',
      sender: { id: 'resident@example.co.uk', name: 'Jane Smith' },
      recipients: ['clerk@parish.example.gov.uk'],
      cc: ['cllr.brown@parish.example.gov.uk'],
      replyTo: ['jane.home@example.org'],
      subject: 'Overgrown hedge on Mill Road – café side',
      text: expect.stringContaining('Prams have to go into the road. Grüße, Jane'),
      attachments: [{ contentType: 'image/jpeg', filename: 'hedge.jpg', sizeBytes: expect.any(Number) }],
      thread: {
        messageId: '<CAF123@mail.example.co.uk>',
        inReplyTo: '<ref-77@parish.example.gov.uk>',
        references: ['<ref-70@parish.example.gov.uk>', '<ref-77@parish.example.gov.uk>'],
      },
      transport: { spf: 'PASS', dkim: 'GRAY', dmarc: 'FAIL', dmarcPolicy: 'quarantine', spam: 'PASS', virus: 'PASS', returnPath: 'resident@example.co.uk' },
      raw: { bucket: 'mail-bucket', key: `inbound/${MESSAGE_ID}` },
    });
  });

  it('keeps loop headers, the null return path and HTML-only bodies as text', async () => {
    const bounce = structuredClone(sesEvent);
    bounce.Records[0]!.ses.mail.source = '<>';
    bounce.Records[0]!.ses.mail.messageId = 'auto0001';
    const enqueued: InboundItem[] = [];
    await handleSesEvent(bounce, {
      store: memoryStore({ 'inbound/auto0001': fixture('ses-auto-reply.eml') }),
      enqueue: async (items) => void enqueued.push(...items),
      env: {},
    });
    const item = enqueued[0]!;
    expect(item.transport).toMatchObject({
      returnPath: '',
      autoSubmitted: 'auto-replied',
      precedence: 'bulk',
      listId: '<news.example.net>',
      listUnsubscribe: '<mailto:leave@example.net>',
      autoResponseSuppress: 'All',
    });
    expect(item.sender.id).toBe('mailer-daemon@mx.example.net');
    expect(item.text).toBe('I am away & back on Monday.\n\n• Urgent: call 01234');
    expect(item.text).not.toContain('alert');
  });

  it('skips malformed records, and throws when the raw mail cannot be read so Lambda retries', async () => {
    const enqueued: InboundItem[] = [];
    const malformed = { Records: [{ ses: { mail: {} } }, { nothing: 1 }, { ses: { mail: { messageId: '../../etc/passwd' } } }] } as unknown as SESEvent;
    expect(await handleSesEvent(malformed, { store: memoryStore({}), enqueue: async (i) => void enqueued.push(...i), env: {} })).toEqual({
      enqueued: 0,
      malformed: 3,
    });
    await expect(handleSesEvent(sesEvent, { store: memoryStore({}), enqueue: async () => undefined, env: {} })).rejects.toThrow('NoSuchKey');
    await expect(
      handleSesEvent(sesEvent, {
        store: memoryStore({ [`inbound/${MESSAGE_ID}`]: fixture('ses-mail.eml') }),
        enqueue: async () => Promise.reject(new Error('queue down')),
        env: {},
      }),
    ).rejects.toThrow('queue down');
  });

  describe('filesystem mail store', () => {
    const dir = mkdtempSync(join(tmpdir(), 'channels-mail-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('round-trips bytes under the directory and refuses keys that escape it', async () => {
      const store = new FileMailStore(dir);
      await store.put(`inbound/${MESSAGE_ID}`, fixture('ses-mail.eml'));
      expect(Buffer.from(await store.get(`inbound/${MESSAGE_ID}`)).equals(fixture('ses-mail.eml'))).toBe(true);
      await expect(store.get('../outside')).rejects.toThrow('outside');
    });
  });
});

describe('htmlToText', () => {
  it('drops scripts, styles and comments, keeps block structure and decodes entities', () => {
    expect(htmlToText('<style>p{}</style><p>One &amp; two</p><!-- x --><div>Three<br>Four&#160;&#x263A;</div><script>bad()</script>')).toBe(
      'One & two\n\nThree\nFour ☺',
    );
    expect(htmlToText('&bogus; &#0; &#xD800; a<b')).toBe('&bogus; a<b');
  });
});

describe('parseMime', () => {
  it('flattens address groups and lower-cases addresses', async () => {
    const mail = await parseMime('From: "X" <X@Example.org>\r\nTo: Team: A <A@x.org>, b@X.org;\r\nSubject: hi\r\n\r\nbody');
    expect(mail.to).toEqual(['a@x.org', 'b@x.org']);
    expect(mail.from).toEqual({ id: 'x@example.org', name: 'X' });
    expect(mail.text).toBe('body');
  });
});

describe('Mandrill inbound webhook', () => {
  const PATH = '/webhooks/mandrill';
  const URL_SIGNED = `https://abc123.execute-api.eu-west-2.amazonaws.com${PATH}`;
  const events = jsonFixture<unknown[]>('mandrill-events.json');
  let h: ReturnType<typeof harness>;
  beforeEach(() => {
    useTestSecrets();
    h = harness('mandrill', mandrillWebhook, MANDRILL_INTAKE.maxBodyBytes);
  });

  /** Mandrill's documented algorithm: URL + each POST key and value, keys sorted; HMAC-SHA1; base64. */
  const sign = (fields: Record<string, string>, key: string = TEST_SECRETS.MANDRILL_WEBHOOK_KEY, url = URL_SIGNED) =>
    createHmac('sha1', key)
      .update(
        Object.keys(fields)
          .sort()
          .reduce((acc, k) => acc + k + fields[k], url),
      )
      .digest('base64');
  const post = (fields: Record<string, string>, signature: string | null = sign(fields)) =>
    httpEvent({
      path: PATH,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature !== null ? { 'x-mandrill-signature': signature } : {}) },
      body: formBody(fields),
    });

  it('answers the creation check: HEAD, and an empty array signed with test-webhook', async () => {
    expect((await h.call(httpEvent({ method: 'HEAD', path: PATH }))).statusCode).toBe(200);
    const empty = { mandrill_events: '[]' };
    expect((await h.call(post(empty, sign(empty, 'test-webhook')))).statusCode).toBe(200);
    expect(h.enqueued).toEqual([]);
  });

  it('does not accept the test-webhook key for a non-empty batch', async () => {
    const fields = { mandrill_events: JSON.stringify(events) };
    expect((await h.call(post(fields, sign(fields, 'test-webhook')))).statusCode).toBe(401);
    expect((await h.call(post(fields, null))).statusCode).toBe(401);
    expect((await h.call(post(fields, sign(fields, 'wrong')))).statusCode).toBe(401);
    expect(h.enqueued).toEqual([]);
  });

  it('turns inbound events into email items and acknowledges the other events without enqueuing them', async () => {
    const res = await h.call(post({ mandrill_events: JSON.stringify(events) }));
    expect(res.statusCode).toBe(200);
    expect(h.enqueued).toHaveLength(2);
    const [first, second] = h.enqueued;
    expect(first).toMatchObject({
      itemId: 'mandrill:mandrill-inbound-0001',
      channel: 'email',
      provider: 'mandrill',
      kind: 'email',
      receivedAt: new Date(1767262500 * 1000).toISOString(),
      sender: { id: 'resident@example.co.uk', name: 'Jane Smith' },
      recipients: ['enquiries@inbound.parish.example.org.uk'],
      subject: 'Allotment waiting list',
      text: 'Please add me to the allotment waiting list.',
      thread: { messageId: '<CAF999@mail.example.co.uk>' },
      transport: { spamScore: -0.8, spf: 'PASS', dkim: 'PASS', returnPath: 'resident@example.co.uk' },
    });
    // No _id: the Message-Id identifies it; HTML-only body becomes text.
    expect(second).toMatchObject({
      itemId: 'mandrill:<bob-42@example.net>',
      text: 'There is a lot of dog fouling near the swings.',
      transport: { spf: 'FAIL', dkim: 'NONE', spamScore: 1.2, autoSubmitted: 'no' },
    });
  });

  it('answers 400 to a signed post whose mandrill_events is not a JSON array', async () => {
    for (const fields of [{ mandrill_events: '{"event":"inbound"}' }, { mandrill_events: 'nope' }, { other: '1' }] as Record<string, string>[]) {
      expect((await h.call(post(fields))).statusCode).toBe(400);
    }
  });

  it('answers 503 when the queue fails', async () => {
    const failing = harness('mandrill', mandrillWebhook, MANDRILL_INTAKE.maxBodyBytes, { failEnqueue: true });
    expect((await failing.call(post({ mandrill_events: JSON.stringify(events) }))).statusCode).toBe(503);
  });
});

describe('pathological MIME', () => {
  const pathological = (parts: number) =>
    Buffer.from(
      [
        'From: Someone <someone@example.org>',
        'To: clerk@stiltonparishcouncil.org',
        'Subject: Many parts',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        ...Array.from({ length: parts }, () => '--b\r\n'),
        '--b--',
        '',
      ].join('\r\n'),
    );

  it('200,000 empty parts: not parsed (the limits are checked first), but still recorded as a header-only item with the reason', async () => {
    await expect(parseMime(pathological(200_000))).rejects.toMatchObject({ name: 'MimeLimitError', message: 'the message has more than 5000 MIME parts' });
    const enqueued: InboundItem[] = [];
    const result = await handleSesEvent(sesEvent, {
      store: memoryStore({ [`inbound/${MESSAGE_ID}`]: pathological(200_000) }),
      enqueue: async (items) => void enqueued.push(...items.map((i) => v.parse(InboundItem, i))),
      env: { MAIL_PREFIX: 'inbound/' },
    });
    expect(result).toEqual({ enqueued: 1, malformed: 0 });
    expect(enqueued[0]!.text).toBe(
      "[The hub did not read this message's body: the message has more than 5000 MIME parts. The original message is kept in the mail store.]",
    );
    expect(enqueued[0]!.itemId).toBe(`ses:${MESSAGE_ID}`);
  });

  it('a message over the byte limit is not parsed either; an ordinary multipart message is', async () => {
    await expect(parseMime(Buffer.alloc(26 * 1024 * 1024, 0x61))).rejects.toMatchObject({
      name: 'MimeLimitError',
      message: 'the message is 26 MB, over the 25 MB the hub parses',
    });
    await expect(parseMime(pathological(20))).resolves.toMatchObject({ subject: 'Many parts' });
  });
});
