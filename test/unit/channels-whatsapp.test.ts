import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseWhatsappPayload, whatsappWebhook } from '../../shared/channels/whatsapp.ts';
import { BODY_LIMITS } from '../../shared/topology.ts';
import { TEST_SECRETS } from '../fixtures/channels/env.ts';
import { harness, useTestSecrets } from '../fixtures/channels/harness.ts';
import { httpEvent } from '../support/http-events.ts';

const PATH = '/webhooks/whatsapp';
const PHONE_NUMBER_ID = '106540352242922';
const sign = (body: string | Buffer, secret: string = TEST_SECRETS.WHATSAPP_APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const post = (body: string | Buffer, signature: string | null = sign(body)) =>
  httpEvent({ path: PATH, body, headers: { 'content-type': 'application/json', ...(signature !== null ? { 'x-hub-signature-256': signature } : {}) } });

/** A Cloud API webhook body with one `messages` change. */
function payload(value: Record<string, unknown>, object = 'whatsapp_business_account'): string {
  return JSON.stringify({
    object,
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '44 7700 900123', phone_number_id: PHONE_NUMBER_ID }, ...value },
          },
        ],
      },
    ],
  });
}
const contact = { profile: { name: 'Sam Resident' }, wa_id: '447700900654' };
const message = (over: Record<string, unknown>) => ({ from: '447700900654', id: 'wamid.HBgMNDQ3NzAwOTAwNjU0FQIAEhggQ0E', timestamp: '1767261600', ...over });
const text = (body: string, id?: string) => payload({ contacts: [contact], messages: [message({ type: 'text', text: { body }, ...(id ? { id } : {}) })] });

describe('WhatsApp webhook', () => {
  let h: ReturnType<typeof harness>;
  beforeEach(() => {
    useTestSecrets();
    process.env.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID;
    h = harness('whatsapp', whatsappWebhook, BODY_LIMITS.whatsapp);
  });

  describe('verification handshake', () => {
    it('echoes the challenge for the WhatsApp verify token and answers 403 to any other token', async () => {
      const query = (token: string) => ({ 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': token });
      const ok = await h.call(httpEvent({ method: 'GET', path: PATH, query: query(TEST_SECRETS.WHATSAPP_VERIFY_TOKEN) }));
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toBe('1158201444');
      // The Messenger token is a different secret: it must not open the WhatsApp webhook.
      for (const token of [TEST_SECRETS.MESSENGER_VERIFY_TOKEN, '', 'guess']) {
        const res = await h.call(httpEvent({ method: 'GET', path: PATH, query: query(token) }));
        expect(res.statusCode).toBe(403);
        expect(res.body).not.toBe('1158201444');
      }
    });
  });

  describe('signature', () => {
    it('accepts X-Hub-Signature-256 over the raw bytes with the WhatsApp app secret; anything else is 401 and nothing is enqueued', async () => {
      const body = text('The footpath by the hall is flooded');
      expect((await h.call(post(body))).statusCode).toBe(200);
      expect(h.enqueued).toHaveLength(1);
      const sha1 = `sha1=${createHmac('sha1', TEST_SECRETS.WHATSAPP_APP_SECRET).update(body).digest('hex')}`;
      for (const bad of [null, '', sign(body, TEST_SECRETS.MESSENGER_APP_SECRET), sign(body, 'other'), sha1, 'sha256=', 'sha256=zz', sign(`${body} `)]) {
        expect((await h.call(post(body, bad))).statusCode).toBe(401);
      }
      expect(h.enqueued).toHaveLength(1);
    });

    it('hashes the bytes as sent: a re-serialised body with the original signature is refused', async () => {
      // Meta sends non-ASCII escaped and signs those bytes.
      const raw = text('Café sign fell down').replace('é', '\\u00e9');
      const reserialised = JSON.stringify(JSON.parse(raw));
      expect(reserialised).not.toBe(raw);
      expect((await h.call(post(reserialised, sign(raw)))).statusCode).toBe(401);
      expect((await h.call(post(raw))).statusCode).toBe(200);
      expect(h.enqueued[0]?.text).toBe('Café sign fell down');
    });

    it('any change to a signed body is refused (property)', async () => {
      const body = text('Bin not collected');
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: body.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, delta) => {
          const tampered = Buffer.from(body);
          tampered[at] = (tampered[at]! + delta) % 256;
          const res = await h.call(post(tampered, sign(body)));
          expect(res.statusCode).toBe(401);
        }),
        { numRuns: 100 },
      );
      expect(h.enqueued).toHaveLength(0);
    });
  });

  describe('messages', () => {
    it('a text becomes one item keyed on the wamid, with the resident’s profile name and our phone number id', async () => {
      await h.call(post(text('A tree is down on Mill Lane')));
      expect(h.enqueued[0]).toMatchObject({
        itemId: 'whatsapp:wamid.HBgMNDQ3NzAwOTAwNjU0FQIAEhggQ0E',
        channel: 'whatsapp',
        provider: 'whatsapp',
        kind: 'message',
        sender: { id: '447700900654', name: 'Sam Resident' },
        recipients: [PHONE_NUMBER_ID],
        text: 'A tree is down on Mill Lane',
        receivedAt: '2026-01-01T10:00:00.000Z',
      });
    });

    it('the same message delivered twice gives the same item id (dedupe downstream is on it)', async () => {
      await h.call(post(text('Hello')));
      await h.call(post(text('Hello')));
      expect(h.enqueued.map((i) => i.itemId)).toEqual(['whatsapp:wamid.HBgMNDQ3NzAwOTAwNjU0FQIAEhggQ0E', 'whatsapp:wamid.HBgMNDQ3NzAwOTAwNjU0FQIAEhggQ0E']);
    });

    it('keeps image and document metadata and captions, never fetching the media', async () => {
      const body = payload({
        messages: [
          message({ id: 'wamid.img', type: 'image', image: { id: '1234', mime_type: 'image/jpeg', sha256: 'abc', caption: 'Pothole outside no. 4' } }),
          message({ id: 'wamid.doc', type: 'document', document: { id: '5678', mime_type: 'application/pdf', filename: 'planning-objection.pdf' } }),
        ],
      });
      await h.call(post(body));
      expect(h.enqueued.map((i) => [i.text, i.attachments])).toEqual([
        ['Pothole outside no. 4', [{ contentType: 'image/jpeg' }]],
        ['', [{ contentType: 'application/pdf', filename: 'planning-objection.pdf' }]],
      ]);
    });

    it('reads a shared location, a template button reply and an interactive reply', async () => {
      const body = payload({
        messages: [
          message({ id: 'wamid.loc', type: 'location', location: { latitude: 51.1, longitude: 0.12, name: 'Village hall', address: 'Church Lane' } }),
          message({
            id: 'wamid.btn',
            type: 'button',
            button: { text: 'Yes please', payload: 'CONSENT_YES' },
            context: { from: '447700900123', id: 'wamid.ours' },
          }),
          message({
            id: 'wamid.int',
            type: 'interactive',
            interactive: { type: 'list_reply', list_reply: { id: 'bins', title: 'Bins', description: 'Missed collection' } },
          }),
        ],
      });
      await h.call(post(body));
      expect(h.enqueued.map((i) => ({ kind: i.kind, text: i.text, payload: i.payload }))).toEqual([
        { kind: 'message', text: 'Location shared: Village hall, Church Lane (51.1, 0.12)', payload: undefined },
        { kind: 'postback', text: 'Yes please', payload: 'CONSENT_YES' },
        { kind: 'postback', text: 'Bins: Missed collection', payload: 'bins' },
      ]);
      expect(h.enqueued[1]?.thread).toEqual({ replyToMid: 'wamid.ours' });
    });

    it('acknowledges reactions, statuses, unsupported types and our own number without enqueuing them', async () => {
      const body = payload({
        messages: [
          message({ id: 'wamid.r', type: 'reaction', reaction: { message_id: 'wamid.ours', emoji: '👍' } }),
          message({ id: 'wamid.u', type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] }),
          message({ id: 'wamid.own', from: '447700900123', type: 'text', text: { body: 'from us' } }),
        ],
        statuses: [
          { id: 'wamid.a', status: 'delivered', timestamp: '1767261600', recipient_id: '447700900654' },
          { id: 'wamid.b', status: 'read', timestamp: '1767261600', recipient_id: '447700900654' },
          {
            id: 'wamid.c',
            status: 'failed',
            timestamp: '1767261600',
            recipient_id: '447700900654',
            errors: [{ code: 131047, title: 'Re-engagement message' }],
          },
        ],
      });
      const res = await h.call(post(body));
      expect(res.statusCode).toBe(200);
      expect(h.enqueued).toHaveLength(0);
    });

    it('statuses are delivery facts and errors are reported by code and message id, never by number', () => {
      const parsed = parseWhatsappPayload(
        JSON.parse(
          payload({
            statuses: [
              { id: 'wamid.c', status: 'failed', recipient_id: '447700900654', errors: [{ code: 131047 }] },
              { id: 'wamid.d', status: 'sent', recipient_id: '447700900654' },
            ],
            errors: [{ code: 131000, title: 'Something went wrong' }],
          }),
        ),
        { now: new Date() },
      );
      expect(parsed?.skipped).toEqual({ skipped_status_failed: 1, skipped_status_sent: 1 });
      expect(parsed?.failures).toEqual([
        { kind: 'status-failed', messageId: 'wamid.c', codes: [131047] },
        { kind: 'webhook-error', codes: [131000] },
      ]);
      expect(JSON.stringify(parsed?.failures)).not.toContain('447700900654');
    });

    it('skips changes for another phone number of the same business account', async () => {
      const other = text('hello').replace(PHONE_NUMBER_ID, '999999999999999');
      expect((await h.call(post(other))).statusCode).toBe(200);
      expect(h.enqueued).toHaveLength(0);
    });

    it('acknowledges another object, refuses malformed JSON (400) and an oversized body (413)', async () => {
      expect((await h.call(post(text('x').replace('whatsapp_business_account', 'page')))).statusCode).toBe(200);
      expect((await h.call(post('{"object":'))).statusCode).toBe(400);
      expect((await h.call(post('"just a string"'))).statusCode).toBe(400);
      expect((await h.call(post(text('x'.repeat(BODY_LIMITS.whatsapp))))).statusCode).toBe(413);
      expect(h.enqueued).toHaveLength(0);
    });

    it('never fails on any signed payload shape and every item satisfies the schema (property)', async () => {
      const loose = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: a, weight: 6 }, fc.jsonValue(), fc.constant(undefined));
      const msg = fc.record(
        {
          from: loose(fc.string()),
          id: loose(fc.string()),
          timestamp: loose(fc.oneof(fc.string(), fc.integer())),
          type: loose(fc.constantFrom('text', 'image', 'document', 'location', 'button', 'interactive', 'reaction', 'sticker', 'order', 'unknown')),
          text: loose(fc.record({ body: loose(fc.string({ unit: 'binary' })) })),
          image: loose(fc.record({ mime_type: loose(fc.string()), caption: loose(fc.string()) })),
          location: loose(fc.record({ latitude: loose(fc.double()), longitude: loose(fc.double()), name: loose(fc.string()) })),
          interactive: loose(fc.record({ button_reply: loose(fc.record({ id: loose(fc.string()), title: loose(fc.string()) })) })),
          context: loose(fc.record({ id: loose(fc.string()) })),
        },
        { requiredKeys: [] },
      );
      const value = fc.record(
        {
          metadata: loose(fc.record({ phone_number_id: loose(fc.string()) })),
          messages: loose(fc.array(msg, { maxLength: 4 })),
          statuses: loose(fc.array(fc.jsonValue(), { maxLength: 3 })),
        },
        { requiredKeys: [] },
      );
      const body = fc.record({
        object: loose(fc.constant('whatsapp_business_account')),
        entry: loose(
          fc.array(fc.record({ changes: loose(fc.array(fc.record({ field: loose(fc.constant('messages')), value }), { maxLength: 3 })) }), { maxLength: 3 }),
        ),
      });
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const raw = JSON.stringify(b) ?? 'null';
          const res = await h.call(post(raw));
          expect([200, 400]).toContain(res.statusCode);
        }),
        { numRuns: 200 },
      );
    });
  });
});
