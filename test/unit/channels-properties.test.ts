import * as v from 'valibot';
import { createHmac } from 'node:crypto';
import type { SESEvent, SNSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEumSnsEvent } from '../../shared/channels/eum-sms.ts';
import { mailchimpWebhook } from '../../shared/channels/mailchimp.ts';
import { mandrillWebhook } from '../../shared/channels/mandrill.ts';
import { messengerWebhook } from '../../shared/channels/messenger.ts';
import { handleSesEvent } from '../../shared/channels/ses.ts';
import { twilioWebhook } from '../../shared/channels/twilio.ts';
import { InboundItem } from '../../shared/model/inbound-item.ts';
import { BODY_LIMITS, MANDRILL_INTAKE } from '../../shared/topology.ts';
import { TEST_SECRETS } from '../fixtures/channels/env.ts';
import { harness, useTestSecrets } from '../fixtures/channels/harness.ts';
import { formBody, httpEvent } from '../support/http-events.ts';

/**
 * No input makes a handler throw or answer 5xx; only a genuine enqueue failure
 * may do that (tested elsewhere). Every item that does come out satisfies the
 * InboundItem schema (the harness parses it).
 */

const RUNS = { numRuns: 200 };
const HOST = 'abc123.execute-api.eu-west-2.amazonaws.com';

const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ unit: 'binary' }));
/** Mostly the documented shape, sometimes anything at all. */
const loose = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: arb, weight: 8 },
    { arbitrary: scalar, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.jsonValue(), weight: 1 },
  );

const messagingEvent = fc.record(
  {
    sender: loose(fc.record({ id: loose(fc.string()) })),
    recipient: loose(fc.record({ id: loose(fc.string()) })),
    timestamp: loose(fc.integer()),
    message: loose(
      fc.record(
        {
          mid: loose(fc.string()),
          text: loose(fc.string({ unit: 'binary' })),
          is_echo: loose(fc.boolean()),
          app_id: loose(fc.integer()),
          attachments: loose(fc.array(fc.record({ type: loose(fc.string()), payload: loose(fc.record({ url: loose(fc.string()) })) }))),
          quick_reply: loose(fc.record({ payload: loose(fc.string()) })),
          reply_to: loose(fc.record({ mid: loose(fc.string()) })),
        },
        { requiredKeys: [] },
      ),
    ),
    postback: loose(fc.record({ mid: loose(fc.string()), title: loose(fc.string()), payload: loose(fc.string()) }, { requiredKeys: [] })),
    read: loose(fc.record({ watermark: fc.integer() })),
  },
  { requiredKeys: [] },
);
const change = fc.record(
  {
    field: loose(fc.constantFrom('feed', 'mention')),
    value: loose(
      fc.record(
        {
          item: loose(fc.constantFrom('comment', 'post', 'reaction')),
          verb: loose(fc.constantFrom('add', 'edited', 'remove')),
          comment_id: loose(fc.string()),
          post_id: loose(fc.string()),
          parent_id: loose(fc.string()),
          from: loose(fc.record({ id: loose(fc.string()), name: loose(fc.string()) }, { requiredKeys: [] })),
          message: loose(fc.string({ unit: 'binary' })),
          created_time: loose(fc.integer()),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);
/** A well-formed message with arbitrary ids and text (including any Unicode, escaped or not). */
const validMessage = fc
  .record({ sender: fc.string({ minLength: 1 }), mid: fc.string({ minLength: 1 }), text: fc.string({ unit: 'binary' }), timestamp: fc.integer({ min: 0 }) })
  .map((m) => ({
    object: 'page',
    entry: [
      {
        id: '104123456789012',
        time: 1,
        messaging: [{ sender: { id: m.sender }, recipient: { id: '104123456789012' }, timestamp: m.timestamp, message: { mid: m.mid, text: m.text } }],
      },
    ],
  }));
const messengerPayload = fc.oneof(
  validMessage,
  fc.record({
    object: loose(fc.constant('page')),
    entry: loose(
      fc.array(
        loose(
          fc.record(
            { id: loose(fc.string()), time: loose(fc.integer()), messaging: loose(fc.array(loose(messagingEvent))), changes: loose(fc.array(loose(change))) },
            { requiredKeys: [] },
          ),
        ),
        { maxLength: 5 },
      ),
    ),
  }),
  fc.jsonValue(),
);

describe('properties: no input makes an ingest handler fail', () => {
  beforeAll(() => useTestSecrets());

  it('Messenger: arbitrary signed payloads, raw bytes and headers', async () => {
    const h = harness('messenger', messengerWebhook, BODY_LIMITS.messenger);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          messengerPayload.map((p) => JSON.stringify(p) ?? ''),
          fc.string({ unit: 'binary' }),
          fc.uint8Array().map((b) => Buffer.from(b).toString('latin1')),
        ),
        fc.constantFrom('GET', 'POST', 'POST', 'POST', 'HEAD', 'PUT'),
        fc.boolean(),
        fc.boolean(),
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
        async (body, method, signed, base64, query) => {
          const signature = signed ? `sha256=${createHmac('sha256', TEST_SECRETS.MESSENGER_APP_SECRET).update(body).digest('hex')}` : 'sha256=00';
          const res = await h.call(httpEvent({ method, path: '/webhooks/messenger', query, body, base64, headers: { 'x-hub-signature-256': signature } }));
          expect(res.statusCode).toBeLessThan(500);
        },
      ),
      RUNS,
    );
    // The generators reach the enqueue path, so the property is not vacuous.
    expect(h.enqueued.length).toBeGreaterThan(0);
  });

  it('Mailchimp: arbitrary forms, paths and methods', async () => {
    const h = harness('mailchimp', mailchimpWebhook, BODY_LIMITS.mailchimp);
    const fields = fc
      .tuple(
        fc.record(
          {
            type: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned', 'campaign'), fc.string()),
            fired_at: fc.oneof(fc.constant('2026-01-05 10:00:00'), fc.string()),
          },
          { requiredKeys: [] },
        ),
        fc.dictionary(
          fc.oneof(fc.constantFrom('data[id]', 'data[email]', 'data[list_id]', 'data[new_id]', 'data[old_email]', 'data[merges][FNAME]'), fc.string()),
          fc.string({ unit: 'binary' }),
        ),
      )
      .map(([known, data]) => ({ ...data, ...known }));
    await fc.assert(
      fc.asyncProperty(
        fields,
        fc.oneof(fc.constant(TEST_SECRETS.MAILCHIMP_WEBHOOK_SECRET), fc.string()),
        fc.constantFrom('GET', 'HEAD', 'POST'),
        fc.string({ unit: 'binary' }),
        fc.boolean(),
        async (form, secret, method, junk, useJunk) => {
          const res = await h.call(
            httpEvent({ method, path: `/webhooks/mailchimp/${secret}`, pathParameters: { secret }, body: useJunk ? junk : formBody(form) }),
          );
          expect(res.statusCode).toBeLessThan(500);
        },
      ),
      RUNS,
    );
    expect(h.enqueued.length).toBeGreaterThan(0);
  });

  it('Mandrill: arbitrary signed event arrays', async () => {
    const h = harness('mandrill', mandrillWebhook, MANDRILL_INTAKE.maxBodyBytes);
    const event = fc.record(
      {
        event: loose(fc.constantFrom('inbound', 'send', 'hard_bounce')),
        _id: loose(fc.string()),
        ts: loose(fc.integer()),
        msg: loose(
          fc.record(
            {
              raw_msg: loose(fc.oneof(fc.string({ unit: 'binary' }), fc.constant('From: a@b.c\nSubject: x\n\nhello'))),
              from_email: loose(fc.string()),
              from_name: loose(fc.string()),
              email: loose(fc.string()),
              text: loose(fc.string()),
              html: loose(fc.string()),
              headers: loose(fc.dictionary(fc.string(), fc.string())),
              spam_report: loose(fc.record({ score: loose(fc.double()) })),
              dkim: loose(fc.record({ signed: loose(fc.boolean()), valid: loose(fc.boolean()) })),
              spf: loose(fc.record({ result: loose(fc.string()) })),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(loose(event), { maxLength: 5 }).map((e) => JSON.stringify(e)),
          fc.string({ unit: 'binary' }),
        ),
        fc.boolean(),
        async (eventsJson, signed) => {
          const fields = { mandrill_events: eventsJson };
          const url = `https://${HOST}/webhooks/mandrill`;
          const signature = signed ? createHmac('sha1', TEST_SECRETS.MANDRILL_WEBHOOK_KEY).update(`${url}mandrill_events${eventsJson}`).digest('base64') : 'x';
          const res = await h.call(
            httpEvent({ path: '/webhooks/mandrill', domainName: HOST, headers: { 'x-mandrill-signature': signature }, body: formBody(fields) }),
          );
          expect(res.statusCode).toBeLessThan(500);
        },
      ),
      RUNS,
    );
    expect(h.enqueued.length).toBeGreaterThan(0);
  });

  it('Twilio: arbitrary signed forms', async () => {
    const h = harness('twilio', twilioWebhook, BODY_LIMITS.twilio);
    const form = fc.dictionary(
      fc.oneof(fc.constantFrom('MessageSid', 'From', 'To', 'Body', 'NumMedia', 'MediaUrl0', 'MediaContentType0'), fc.string()),
      fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('STOP', '3', '-1', '99999999999')),
    );
    await fc.assert(
      fc.asyncProperty(form, fc.boolean(), async (fields, signed) => {
        const url = `https://${HOST}/webhooks/twilio`;
        const data = [...new URLSearchParams(formBody(fields))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).reduce((acc, [k, v]) => acc + k + v, url);
        const signature = signed ? createHmac('sha1', TEST_SECRETS.TWILIO_AUTH_TOKEN).update(data).digest('base64') : 'x';
        const res = await h.call(
          httpEvent({ path: '/webhooks/twilio', domainName: HOST, headers: { 'x-twilio-signature': signature }, body: formBody(fields) }),
        );
        expect(res.statusCode).toBeLessThan(500);
        if (signed && fields.MessageSid && fields.From) expect(res.statusCode).toBe(200);
      }),
      RUNS,
    );
    expect(h.enqueued.length).toBeGreaterThan(0);
  });

  it('EUM SMS: arbitrary SNS records never throw and only yield valid items', () => {
    const record = fc.record({
      Sns: loose(
        fc.record(
          {
            Message: loose(
              fc.oneof(
                fc.jsonValue().map((v) => JSON.stringify(v)),
                fc
                  .record({ inboundMessageId: loose(fc.string()), originationNumber: loose(fc.string()), messageBody: loose(fc.string({ unit: 'binary' })) })
                  .map((v) => JSON.stringify(v)),
              ),
            ),
            Timestamp: loose(fc.string()),
          },
          { requiredKeys: [] },
        ),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(fc.record({ Records: loose(fc.array(loose(record), { maxLength: 5 })) }), fc.jsonValue()), (event) => {
        const { items } = parseEumSnsEvent(event as unknown as SNSEvent, new Date());
        for (const item of items) v.parse(InboundItem, JSON.parse(JSON.stringify(item)));
      }),
      RUNS,
    );
  });

  it('SES: arbitrary records and arbitrary MIME never throw and only yield valid items', async () => {
    const record = fc.record({
      ses: loose(
        fc.record(
          {
            mail: loose(
              fc.record(
                { messageId: loose(fc.constantFrom('m1', 'm2', 'bad/../id')), source: loose(fc.string()), timestamp: loose(fc.string()) },
                { requiredKeys: [] },
              ),
            ),
            receipt: loose(
              fc.record(
                { spfVerdict: loose(fc.record({ status: loose(fc.string()) })), recipients: loose(fc.array(loose(fc.string()))) },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.record({ Records: loose(fc.array(loose(record), { maxLength: 3 })) }), fc.jsonValue()),
        fc.string({ unit: 'binary' }),
        async (event, mime) => {
          const items: InboundItem[] = [];
          await handleSesEvent(event as unknown as SESEvent, {
            store: { get: async () => Buffer.from(mime), put: async () => undefined },
            enqueue: async (batch) => void items.push(...batch),
            env: {},
          });
          for (const item of items) v.parse(InboundItem, JSON.parse(JSON.stringify(item)));
        },
      ),
      RUNS,
    );
  });
});
