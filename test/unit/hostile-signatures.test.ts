import { createHmac } from 'node:crypto';
import type { SESEvent, SNSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEumSnsEvent } from '../../shared/channels/eum-sms.ts';
import { mailchimpWebhook } from '../../shared/channels/mailchimp.ts';
import { MANDRILL_TEST_KEY, mandrillWebhook } from '../../shared/channels/mandrill.ts';
import { messengerWebhook } from '../../shared/channels/messenger.ts';
import { handleSesEvent } from '../../shared/channels/ses.ts';
import { twilioWebhook } from '../../shared/channels/twilio.ts';
import { BODY_LIMITS, MANDRILL_INTAKE } from '../../shared/topology.ts';
import { fixture, jsonFixture, TEST_SECRETS } from '../fixtures/channels/env.ts';
import { useTestSecrets } from '../fixtures/channels/harness.ts';
import { formBody, httpEvent } from '../support/http-events.ts';
import { HOST, hostileHarness, hostileString, messengerSignature, recordingQueue, runs, SEED, sortedParamsSignature } from '../support/hostile.ts';

/**
 * Signature and path-secret bypass attempts: every one is 401 (404 for the
 * Mailchimp path secret) and enqueues nothing; a replayed accepted request is
 * accepted again with the same itemIds, so the classify dedupe drops it.
 *
 * Decision on hex case (Messenger): Meta sends lowercase hex; the verifier
 * deliberately lower-cases the received digest before the constant-time
 * comparison, so an upper- or mixed-case rendering of the SAME digest is
 * accepted (it is the same HMAC value). Any other change is refused.
 */

beforeAll(() => {
  useTestSecrets();
  console.info(`hostile-signatures: fast-check seed ${SEED}`);
});

const PAGE = TEST_SECRETS.MESSENGER_PAGE_ID;
const messengerBody = JSON.stringify({
  object: 'page',
  entry: [
    {
      id: PAGE,
      time: 1,
      messaging: [
        {
          sender: { id: 'psid-9' },
          recipient: { id: PAGE },
          timestamp: 1767261600000,
          message: { mid: 'm_sig_1', text: 'The streetlight on Church Lane is out' },
        },
      ],
    },
  ],
});

describe('Messenger X-Hub-Signature-256 bypass attempts', () => {
  const h = hostileHarness('messenger', messengerWebhook, BODY_LIMITS.messenger);
  const post = (body: string | Buffer, signature?: string) =>
    h.call(httpEvent({ path: '/webhooks/messenger', domainName: HOST, body, headers: signature === undefined ? {} : { 'x-hub-signature-256': signature } }));
  const valid = messengerSignature(messengerBody);
  const digest = valid.slice('sha256='.length);
  const sha1 = `sha1=${createHmac('sha1', TEST_SECRETS.MESSENGER_APP_SECRET).update(messengerBody).digest('hex')}`;

  it('refuses every malformed or misplaced signature with 401 and enqueues nothing', async () => {
    const attempts: [string, string | undefined, string | Buffer][] = [
      ['missing header', undefined, messengerBody],
      ['empty header', '', messengerBody],
      ['prefix only', 'sha256=', messengerBody],
      ['sha1 prefix with a valid SHA-1', sha1, messengerBody],
      ['sha1 prefix with the SHA-256 digest', `sha1=${digest}`, messengerBody],
      ['upper-case algorithm prefix', `SHA256=${digest}`, messengerBody],
      ['space before =', `sha256 =${digest}`, messengerBody],
      ['leading space', ` ${valid}`, messengerBody],
      ['trailing space', `${valid} `, messengerBody],
      ['truncated digest', valid.slice(0, -1), messengerBody],
      ['half digest', valid.slice(0, 7 + 32), messengerBody],
      ['digest with an extra character', `${valid}0`, messengerBody],
      ['base64 of the right HMAC', `sha256=${Buffer.from(digest, 'hex').toString('base64')}`, messengerBody],
      ['raw digest without a prefix', digest, messengerBody],
      ['two signatures joined by a comma', `sha256=${'0'.repeat(64)},${valid}`, messengerBody],
      ['signed with an empty secret', messengerSignature(messengerBody, ''), messengerBody],
      ['valid signature over a different body', valid, messengerBody.replace('Church', 'Chapel')],
      ['body with a trailing newline', valid, `${messengerBody}\n`],
      ['body with trailing whitespace', valid, `${messengerBody} `],
      ['body re-serialised with other spacing', valid, JSON.stringify(JSON.parse(messengerBody), null, 1)],
      ['body with a NUL appended', valid, Buffer.concat([Buffer.from(messengerBody), Buffer.from([0])])],
    ];
    for (const [name, signature, body] of attempts) {
      const res = await post(body, signature);
      expect({ name, status: res.statusCode }).toEqual({ name, status: 401 });
    }
    expect(h.enqueued).toEqual([]);
  });

  it('accepts the same digest in upper or mixed case (deliberate normalisation), nothing else', async () => {
    for (const signature of [`sha256=${digest.toUpperCase()}`, `sha256=${[...digest].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('')}`]) {
      expect((await post(messengerBody, signature)).statusCode).toBe(200);
    }
  });

  it('property: any other edit of a valid header is refused', async () => {
    const before = h.enqueued.length;
    const edit = fc.oneof(
      fc.nat({ max: valid.length - 1 }).chain((i) => fc.string({ minLength: 1, maxLength: 3 }).map((s) => valid.slice(0, i) + s + valid.slice(i + 1))),
      fc.nat({ max: valid.length - 1 }).map((i) => valid.slice(0, i) + valid.slice(i + 1)),
      fc.string({ minLength: 1, maxLength: 4 }).map((s) => valid + s),
      fc.string({ minLength: 1, maxLength: 4 }).map((s) => s + valid),
    );
    await fc.assert(
      fc.asyncProperty(edit, async (signature) => {
        fc.pre(signature.toLowerCase() !== valid);
        expect((await post(messengerBody, signature)).statusCode).toBe(401);
      }),
      runs(300),
    );
    expect(h.enqueued.length).toBe(before);
  });

  it('property: a valid signature never covers a different body', async () => {
    const before = h.enqueued.length;
    await fc.assert(
      fc.asyncProperty(hostileString, fc.nat(), async (insert, at) => {
        const i = at % (messengerBody.length + 1);
        const other = messengerBody.slice(0, i) + insert + messengerBody.slice(i);
        fc.pre(insert.length > 0 && Buffer.compare(Buffer.from(other), Buffer.from(messengerBody)) !== 0);
        expect((await post(other, valid)).statusCode).toBe(401);
      }),
      runs(200),
    );
    expect(h.enqueued.length).toBe(before);
  });
});

describe('Twilio X-Twilio-Signature bypass attempts', () => {
  const h = hostileHarness('twilio', twilioWebhook, BODY_LIMITS.twilio);
  const body = formBody({ MessageSid: 'SMsig1', AccountSid: 'AC1', From: '+447700900456', To: '+447700900123', Body: 'Bin not collected', NumMedia: '0' });
  const url = `https://${HOST}/webhooks/twilio`;
  const post = (form: string, signature: string | undefined, query?: string) =>
    h.call(
      httpEvent({
        path: '/webhooks/twilio',
        domainName: HOST,
        body: form,
        ...(query ? { query } : {}),
        headers: signature === undefined ? {} : { 'x-twilio-signature': signature },
      }),
    );

  it('refuses signatures over another URL, another form or with the wrong key', async () => {
    const sign = (u: string, b = body, key: string = TEST_SECRETS.TWILIO_AUTH_TOKEN) => sortedParamsSignature(u, b, key);
    const attempts: [string, string | undefined, string][] = [
      ['missing header', undefined, body],
      ['empty header', '', body],
      ['http instead of https', sign(`http://${HOST}/webhooks/twilio`), body],
      ['another host', sign('https://evil.example.com/webhooks/twilio'), body],
      ['trailing slash', sign(`${url}/`), body],
      ['extra query string', sign(`${url}?x=1`), body],
      ['path case changed', sign(url.replace('twilio', 'Twilio')), body],
      ['a non-default port', sign(`https://${HOST}:8443/webhooks/twilio`), body],
      ['wrong auth token', sign(url, body, 'not-the-token'), body],
      ['signed form, different Body', sign(url), body.replace('Bin', 'Bins')],
      ['signed form plus an extra field', sign(url), `${body}&Extra=1`],
      ['signed form, one field removed', sign(url), body.replace('&NumMedia=0', '')],
      ['HMAC-SHA256 instead of SHA-1', createHmac('sha256', TEST_SECRETS.TWILIO_AUTH_TOKEN).update(url).digest('base64'), body],
      ['hex instead of base64', Buffer.from(sign(url), 'base64').toString('hex'), body],
      ['truncated', sign(url).slice(0, -2), body],
    ];
    for (const [name, signature, form] of attempts) {
      const res = await post(form, signature);
      expect({ name, status: res.statusCode }).toEqual({ name, status: 401 });
    }
    expect(h.enqueued).toEqual([]);
  });

  it('a signature for the URL without its query string does not cover a request that has one', async () => {
    expect((await post(body, sortedParamsSignature(url, body, TEST_SECRETS.TWILIO_AUTH_TOKEN), 'x=1')).statusCode).toBe(401);
    expect((await post(body, sortedParamsSignature(`${url}?x=1`, body, TEST_SECRETS.TWILIO_AUTH_TOKEN), 'x=1')).statusCode).toBe(200);
  });
});

describe('Mandrill X-Mandrill-Signature bypass attempts', () => {
  const h = hostileHarness('mandrill', mandrillWebhook, MANDRILL_INTAKE.maxBodyBytes);
  const url = `https://${HOST}/webhooks/mandrill`;
  const fixtureEvents = jsonFixture<unknown[]>('mandrill-events.json');
  const post = (form: string, signature: string | undefined) =>
    h.call(
      httpEvent({ path: '/webhooks/mandrill', domainName: HOST, body: form, headers: signature === undefined ? {} : { 'x-mandrill-signature': signature } }),
    );

  it('property: the test-webhook key never signs a non-empty event array', async () => {
    const event = fc.oneof(
      fc.constantFrom(...fixtureEvents),
      fc.record({
        event: fc.constantFrom('inbound', 'send', 'hard_bounce'),
        _id: fc.string(),
        msg: fc.record({ from_email: fc.emailAddress(), text: hostileString }),
      }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 3 }), async (events) => {
        const form = formBody({ mandrill_events: JSON.stringify(events) });
        expect((await post(form, sortedParamsSignature(url, form, MANDRILL_TEST_KEY))).statusCode).toBe(401);
      }),
      runs(150),
    );
    expect(h.enqueued).toEqual([]);
  });

  it('the test key with an empty array first and real events in a repeated field enqueues nothing', async () => {
    const form = formBody([
      ['mandrill_events', '[]'],
      ['mandrill_events', JSON.stringify(fixtureEvents)],
    ]);
    const res = await post(form, sortedParamsSignature(url, form, MANDRILL_TEST_KEY));
    expect(h.enqueued).toEqual([]);
    expect([200, 401]).toContain(res.statusCode);
  });

  it('refuses missing, empty, other-URL and other-body signatures', async () => {
    const form = formBody({ mandrill_events: JSON.stringify(fixtureEvents) });
    const key = TEST_SECRETS.MANDRILL_WEBHOOK_KEY;
    for (const [signature, sent] of [
      [undefined, form],
      ['', form],
      [sortedParamsSignature(`http://${HOST}/webhooks/mandrill`, form, key), form],
      [sortedParamsSignature(`${url}/`, form, key), form],
      [sortedParamsSignature(url, form, key), `${form}%20`],
      [sortedParamsSignature(url, form, key), `${form}&x=1`],
      [sortedParamsSignature(url, form, key).toLowerCase(), form],
    ] as [string | undefined, string][]) {
      expect((await post(sent, signature)).statusCode).toBe(401);
    }
    expect(h.enqueued).toEqual([]);
    // The right key over the same form is accepted: the refusals above are about the signature, not the payload.
    expect((await post(form, sortedParamsSignature(url, form, key))).statusCode).toBe(200);
    expect(h.enqueued.length).toBeGreaterThan(0);
  });
});

describe('Mailchimp path-secret tricks', () => {
  const h = hostileHarness('mailchimp', mailchimpWebhook, BODY_LIMITS.mailchimp);
  const secret = TEST_SECRETS.MAILCHIMP_WEBHOOK_SECRET;
  const form = formBody({
    type: 'unsubscribe',
    fired_at: '2026-01-05 10:00:00',
    'data[id]': 'abc',
    'data[email]': 'resident@example.org',
    'data[list_id]': 'L1',
  });
  const call = (candidate: string, method = 'POST') =>
    h.call(httpEvent({ method, path: `/webhooks/mailchimp/${candidate}`, pathParameters: { secret: candidate }, body: form }));

  const tricks = [
    'wrong',
    '',
    secret.slice(0, -1),
    secret.slice(1),
    `${secret}x`,
    `x${secret}`,
    `${secret}/`,
    `/${secret}`,
    `${secret}//`,
    `..%2F${secret}`,
    `../${secret}`,
    `${secret}/..`,
    `${secret}/../${secret}`,
    encodeURIComponent(secret).replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
    [...secret].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    secret.toUpperCase(),
    secret[0]!.toUpperCase() + secret.slice(1),
    ` ${secret}`,
    `${secret} `,
    `${secret}\u0000`,
    `${secret}\n`,
    `${secret};`,
    `${secret}?x=1`,
    `${secret}#`,
    secret.repeat(2),
    'x'.repeat(1_000_000),
    secret + 'x'.repeat(100_000),
  ];

  it('every trick is 404 on every method and enqueues nothing; the right secret works', async () => {
    for (const candidate of tricks) {
      for (const method of ['POST', 'GET', 'HEAD', 'PUT']) {
        const res = await call(candidate, method);
        expect({ candidate: candidate.slice(0, 60), method, status: res.statusCode }).toEqual({ candidate: candidate.slice(0, 60), method, status: 404 });
      }
    }
    expect(h.enqueued).toEqual([]);
    expect((await call(secret)).statusCode).toBe(200);
    expect(h.enqueued).toHaveLength(1);
  });

  it('property: any other path segment is 404', async () => {
    const before = h.enqueued.length;
    const candidate = fc.oneof(
      fc.string(),
      hostileString,
      fc.string({ unit: 'binary' }),
      fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([i, s]) => secret.slice(0, i % secret.length) + s + secret.slice(i % secret.length)),
    );
    await fc.assert(
      fc.asyncProperty(candidate, async (c) => {
        fc.pre(c !== secret);
        expect((await call(c)).statusCode).toBe(404);
      }),
      runs(300),
    );
    expect(h.enqueued.length).toBe(before);
  });
});

describe('replayed requests: accepted again, same itemIds', () => {
  it('Messenger, Twilio, Mandrill and Mailchimp give a replay the same itemIds', async () => {
    const cases = [
      {
        h: hostileHarness('messenger', messengerWebhook, BODY_LIMITS.messenger),
        event: () => httpEvent({ path: '/webhooks/messenger', body: messengerBody, headers: { 'x-hub-signature-256': messengerSignature(messengerBody) } }),
      },
      (() => {
        const body = formBody({ MessageSid: 'SMreplay', From: '+447700900456', To: '+447700900123', Body: 'hello' });
        const signature = sortedParamsSignature(`https://${HOST}/webhooks/twilio`, body, TEST_SECRETS.TWILIO_AUTH_TOKEN);
        return {
          h: hostileHarness('twilio', twilioWebhook, BODY_LIMITS.twilio),
          event: () => httpEvent({ path: '/webhooks/twilio', domainName: HOST, body, headers: { 'x-twilio-signature': signature } }),
        };
      })(),
      (() => {
        const body = formBody({ mandrill_events: JSON.stringify(jsonFixture<unknown[]>('mandrill-events.json')) });
        const signature = sortedParamsSignature(`https://${HOST}/webhooks/mandrill`, body, TEST_SECRETS.MANDRILL_WEBHOOK_KEY);
        return {
          h: hostileHarness('mandrill', mandrillWebhook, MANDRILL_INTAKE.maxBodyBytes),
          event: () => httpEvent({ path: '/webhooks/mandrill', domainName: HOST, body, headers: { 'x-mandrill-signature': signature } }),
        };
      })(),
      (() => {
        const secret = TEST_SECRETS.MAILCHIMP_WEBHOOK_SECRET;
        const body = formBody({ type: 'subscribe', fired_at: '2026-01-05 10:00:00', 'data[id]': 'm1', 'data[email]': 'a@example.org', 'data[list_id]': 'L1' });
        return {
          h: hostileHarness('mailchimp', mailchimpWebhook, BODY_LIMITS.mailchimp),
          event: () => httpEvent({ path: `/webhooks/mailchimp/${secret}`, pathParameters: { secret }, body }),
        };
      })(),
    ];
    for (const { h, event } of cases) {
      expect((await h.call(event())).statusCode).toBe(200);
      const first = h.enqueued.map((i) => i.itemId);
      expect(first.length).toBeGreaterThan(0);
      expect((await h.call(event())).statusCode).toBe(200);
      expect(h.enqueued.slice(first.length).map((i) => i.itemId)).toEqual(first);
    }
  });

  it('SES and EUM SNS redeliveries give the same itemIds', async () => {
    const sesEvent = jsonFixture<SESEvent>('ses-event.json');
    const raw = fixture('ses-mail.eml');
    const sesIds: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const queue = recordingQueue();
      await handleSesEvent(sesEvent, { store: { get: async () => raw, put: async () => undefined }, enqueue: queue.enqueue, env: {} });
      sesIds.push(queue.items.map((item) => item.itemId));
    }
    expect(sesIds[0]!.length).toBe(1);
    expect(sesIds[1]).toEqual(sesIds[0]);
    const sns = jsonFixture<SNSEvent>('eum-sns.json');
    const a = parseEumSnsEvent(sns, new Date('2026-01-05T10:00:00Z')).items.map((item) => item.itemId);
    const b = parseEumSnsEvent(sns, new Date('2026-01-06T10:00:00Z')).items.map((item) => item.itemId);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});
