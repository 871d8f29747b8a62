import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { messengerWebhook, verifyMessengerSignature } from '../../shared/channels/messenger.ts';
import { BODY_LIMITS } from '../../shared/topology.ts';
import { fixture, TEST_SECRETS } from '../fixtures/channels/env.ts';
import { harness, useTestSecrets } from '../fixtures/channels/harness.ts';
import { httpEvent } from '../support/http-events.ts';

const PATH = '/webhooks/messenger';
const sign = (body: string | Buffer, secret: string = TEST_SECRETS.MESSENGER_APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const post = (body: string | Buffer, signature: string | null = sign(body), base64 = false) =>
  httpEvent({ path: PATH, body, base64, headers: { 'content-type': 'application/json', ...(signature !== null ? { 'x-hub-signature-256': signature } : {}) } });

describe('Messenger webhook', () => {
  let h: ReturnType<typeof harness>;
  beforeEach(() => {
    useTestSecrets();
    h = harness('messenger', messengerWebhook, BODY_LIMITS.messenger);
  });

  describe('verification handshake', () => {
    it('echoes the challenge for the configured verify token', async () => {
      const res = await h.call(
        httpEvent({
          method: 'GET',
          path: PATH,
          query: { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': TEST_SECRETS.MESSENGER_VERIFY_TOKEN },
        }),
      );
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('1158201444');
    });

    it('answers 403 to a wrong or missing token', async () => {
      const wrong = await h.call(
        httpEvent({ method: 'GET', path: PATH, query: { 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': 'guess' } }),
      );
      const missing = await h.call(httpEvent({ method: 'GET', path: PATH, query: { 'hub.mode': 'subscribe', 'hub.challenge': '1' } }));
      expect(wrong.statusCode).toBe(403);
      expect(missing.statusCode).toBe(403);
      expect(wrong.body).not.toBe('1');
    });
  });

  describe('signature', () => {
    it('accepts the HMAC-SHA256 of the raw bytes and rejects anything else with 401, enqueuing nothing', async () => {
      const body = fixture('messenger-text.json').toString('utf8');
      expect((await h.call(post(body))).statusCode).toBe(200);
      expect(h.enqueued).toHaveLength(1);
      for (const bad of [
        null,
        '',
        sign(body, 'other-secret'),
        `sha1=${createHmac('sha1', TEST_SECRETS.MESSENGER_APP_SECRET).update(body).digest('hex')}`,
        'sha256=',
        'sha256=zz',
      ]) {
        expect((await h.call(post(body, bad))).statusCode).toBe(401);
      }
      expect(h.enqueued).toHaveLength(1);
    });

    it('hashes the escaped-unicode bytes as sent, never a re-serialisation', async () => {
      const raw = fixture('messenger-nonascii.json');
      expect(raw.toString('utf8')).toContain('\\u00e4');
      const reserialised = JSON.stringify(JSON.parse(raw.toString('utf8')));
      expect(verifyMessengerSignature(raw, sign(raw), TEST_SECRETS.MESSENGER_APP_SECRET)).toBe(true);
      expect(verifyMessengerSignature(Buffer.from(reserialised), sign(raw), TEST_SECRETS.MESSENGER_APP_SECRET)).toBe(false);
      const res = await h.call(post(raw, sign(raw)));
      expect(res.statusCode).toBe(200);
      expect(h.enqueued[0]?.text).toBe('Grüße! The café sign äöå fell down 😀 — "urgent"/please');
    });

    it('accepts a base64-encoded body signed over its decoded bytes', async () => {
      const raw = fixture('messenger-nonascii.json');
      expect((await h.call(post(raw, sign(raw), true))).statusCode).toBe(200);
      expect(h.enqueued).toHaveLength(1);
    });

    it('accepts an upper-case hex digest', async () => {
      const raw = fixture('messenger-text.json');
      expect(verifyMessengerSignature(raw, `sha256=${sign(raw).slice(7).toUpperCase()}`, TEST_SECRETS.MESSENGER_APP_SECRET)).toBe(true);
    });
  });

  it('turns a resident message into one item with its fields', async () => {
    const body = fixture('messenger-text.json');
    const res = await h.call(post(body));
    expect(res.statusCode).toBe(200);
    expect(h.enqueued).toEqual([
      {
        schemaVersion: 1,
        itemId: 'meta:m_AbC123xyz',
        channel: 'messenger',
        provider: 'meta',
        kind: 'message',
        providerMessageId: 'm_AbC123xyz',
        receivedAt: new Date(1767261599876).toISOString(),
        sender: { id: '6543210987654321' },
        recipients: ['104123456789012'],
        text: 'The streetlight on Church Lane is out again',
        attachments: [{ contentType: 'image', url: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/streetlight.jpg' }],
        thread: { replyToMid: 'm_Prev001' },
        transport: {},
        payload: 'LIGHTS',
      },
    ]);
  });

  it('skips echoes from our own app and from Page Inbox', async () => {
    const res = await h.call(post(fixture('messenger-echoes.json')));
    expect(res.statusCode).toBe(200);
    expect(h.enqueued).toEqual([]);
  });

  it('enqueues postbacks and skips read and delivery events', async () => {
    await h.call(post(fixture('messenger-postback-read-delivery.json')));
    expect(h.enqueued.map((i) => [i.itemId, i.kind, i.text, i.payload])).toEqual([['meta:m_GhI789', 'postback', 'Report a problem', 'REPORT_PROBLEM']]);
  });

  it("enqueues a resident's new feed comment and skips the Page's own comment, edits and reactions", async () => {
    await h.call(post(fixture('messenger-feed.json')));
    expect(h.enqueued).toHaveLength(1);
    const [comment] = h.enqueued;
    expect(comment).toMatchObject({
      itemId: 'meta:987654321098765_112233445566778:add',
      channel: 'facebook-comment',
      kind: 'comment',
      sender: { id: '7788990011223344', name: 'Jane Smith' },
      recipients: ['104123456789012'],
      text: 'When is the next council meeting?',
      receivedAt: new Date(1767261999000).toISOString(),
      thread: { postId: '104123456789012_987654321098765', parentId: '104123456789012_987654321098765' },
    });
  });

  it('iterates every entry and every messaging event of a batch', async () => {
    const entries = Array.from({ length: 5 }, (_, e) => ({
      id: '104123456789012',
      time: 1767261600000 + e,
      messaging: Array.from({ length: 10 }, (_, m) => ({
        sender: { id: `psid-${e}-${m}` },
        recipient: { id: '104123456789012' },
        timestamp: 1767261600000 + e * 10 + m,
        message: { mid: `m_${e}_${m}`, text: `message ${e}/${m}` },
      })),
    }));
    const body = JSON.stringify({ object: 'page', entry: entries });
    expect((await h.call(post(body))).statusCode).toBe(200);
    expect(h.enqueued).toHaveLength(50);
    expect(new Set(h.enqueued.map((i) => i.itemId)).size).toBe(50);
  });

  it('gives a retried delivery the same item ids', async () => {
    const body = fixture('messenger-text.json');
    await h.call(post(body));
    await h.call(post(body));
    expect(h.enqueued.map((i) => i.itemId)).toEqual(['meta:m_AbC123xyz', 'meta:m_AbC123xyz']);
  });

  it('answers 400 to a signed body that is not a webhook payload', async () => {
    for (const body of ['not json', '[]', '{"object":"page"}', '{"entry":3}']) {
      expect((await h.call(post(body))).statusCode).toBe(400);
    }
    expect(h.enqueued).toEqual([]);
  });

  it('answers 200 and enqueues nothing for an object it does not handle', async () => {
    const res = await h.call(post('{"object":"instagram","entry":[{"id":"1","time":1,"messaging":[{"message":{"mid":"x"}}]}]}'));
    expect(res.statusCode).toBe(200);
    expect(h.enqueued).toEqual([]);
  });

  it('answers 413 to a body over the limit, before checking anything else', async () => {
    const small = harness('messenger', messengerWebhook, 1024);
    const body = JSON.stringify({ object: 'page', entry: [{ id: '1', messaging: [{ message: { mid: 'm', text: 'x'.repeat(2000) } }] }] });
    expect((await small.call(post(body))).statusCode).toBe(413);
    expect((await small.call(post(body, sign(body), true))).statusCode).toBe(413);
    expect(small.enqueued).toEqual([]);
  });

  it('answers 503 when the queue refuses the items, so Meta retries', async () => {
    const failing = harness('messenger', messengerWebhook, BODY_LIMITS.messenger, { failEnqueue: true });
    expect((await failing.call(post(fixture('messenger-text.json')))).statusCode).toBe(503);
  });
});
