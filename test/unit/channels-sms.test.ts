import * as v from 'valibot';
import { createHmac } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseEumSnsEvent } from '../../shared/channels/eum-sms.ts';
import { AWS_SMS_KEYWORDS, smsKeyword, TWILIO_KEYWORDS } from '../../shared/channels/sms-keywords.ts';
import { EMPTY_TWIML, twilioSignature, twilioWebhook } from '../../shared/channels/twilio.ts';
import { InboundItem } from '../../shared/model/inbound-item.ts';
import { BODY_LIMITS } from '../../shared/topology.ts';
import { jsonFixture, TEST_SECRETS } from '../fixtures/channels/env.ts';
import { harness, useTestSecrets } from '../fixtures/channels/harness.ts';
import { formBody, httpEvent } from '../support/http-events.ts';

const PATH = '/webhooks/twilio';
const params = jsonFixture<Record<string, string>>('twilio-sms.json');

/** Independent reference implementation of Twilio's documented algorithm. */
function referenceSignature(url: string, fields: Record<string, string>, token: string): string {
  const data = Object.keys(fields)
    .sort()
    .reduce((acc, key) => acc + key + fields[key], url);
  return createHmac('sha1', token).update(Buffer.from(data, 'utf8')).digest('base64');
}

describe('Twilio signature', () => {
  it("reproduces Twilio's published example", () => {
    // https://www.twilio.com/docs/usage/webhooks/webhooks-security (auth token 12345)
    const example = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    expect(twilioSignature('https://mycompany.com/myapp.php?foo=1&bar=2', Object.entries(example), '12345')).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });
});

describe('Twilio webhook', () => {
  let h: ReturnType<typeof harness>;
  beforeEach(() => {
    useTestSecrets();
    h = harness('twilio', twilioWebhook, BODY_LIMITS.twilio);
  });

  const request = (fields: Record<string, string>, opts: { url?: string; signature?: string | null; stage?: string; query?: string; host?: string } = {}) => {
    const host = opts.host ?? 'abc123.execute-api.eu-west-2.amazonaws.com';
    const url = opts.url ?? `https://${host}${opts.stage ? `/${opts.stage}` : ''}${PATH}${opts.query ? `?${opts.query}` : ''}`;
    const signature = opts.signature === undefined ? referenceSignature(url, fields, TEST_SECRETS.TWILIO_AUTH_TOKEN) : opts.signature;
    return httpEvent({
      path: PATH,
      domainName: host,
      ...(opts.stage ? { stage: opts.stage } : {}),
      ...(opts.query ? { query: opts.query } : {}),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature !== null ? { 'x-twilio-signature': signature } : {}) },
      body: formBody(fields),
      base64: true,
    });
  };

  it('answers empty TwiML as text/xml and enqueues one SMS item', async () => {
    const res = await h.call(request(params));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(EMPTY_TWIML);
    expect(res.headers?.['content-type']).toBe('text/xml');
    expect(h.enqueued).toHaveLength(1);
    expect(h.enqueued[0]).toMatchObject({
      itemId: 'twilio:SM1f0e8ae6ade43cb3c0ce4525424e404f',
      channel: 'sms',
      provider: 'twilio',
      kind: 'sms',
      sender: { id: '+447700900456' },
      recipients: ['+447700900123'],
      text: 'Bin not collected on Elm Close – again!',
      attachments: [{ contentType: 'image/jpeg', url: params.MediaUrl0 }],
    });
    expect(h.enqueued[0]?.smsKeyword).toBeUndefined();
  });

  it('rejects a missing, wrong or other-URL signature with 401 and enqueues nothing', async () => {
    for (const signature of [null, '', 'AAAA', referenceSignature('https://evil.example/webhooks/twilio', params, TEST_SECRETS.TWILIO_AUTH_TOKEN)]) {
      expect((await h.call(request(params, { signature }))).statusCode).toBe(401);
    }
    const tampered = request(params);
    tampered.body = Buffer.from(formBody({ ...params, Body: 'changed' })).toString('base64');
    expect((await h.call(tampered)).statusCode).toBe(401);
    expect(h.enqueued).toEqual([]);
  });

  it('verifies against PUBLIC_BASE_URL behind a custom domain, with the stage removed from the path', async () => {
    process.env.PUBLIC_BASE_URL = 'https://hub.stilton-pc.gov.uk/';
    const event = request(params, { stage: 'prod', query: 'tenant=stilton', url: 'https://hub.stilton-pc.gov.uk/webhooks/twilio?tenant=stilton' });
    expect(event.rawPath).toBe('/prod/webhooks/twilio');
    expect((await h.call(event)).statusCode).toBe(200);
    // The execute-api URL is not what Twilio signed.
    const direct = request(params, { stage: 'prod' });
    expect((await h.call(direct)).statusCode).toBe(401);
  });

  it('locally verifies against the Host header and scheme the request used', async () => {
    const url = `http://localhost:3000${PATH}`;
    const event = httpEvent({
      path: PATH,
      headers: { host: 'localhost:3000', 'x-forwarded-proto': 'http', 'x-twilio-signature': referenceSignature(url, params, TEST_SECRETS.TWILIO_AUTH_TOKEN) },
      body: formBody(params),
    });
    expect((await h.call(event)).statusCode).toBe(200);
  });

  it('gives a retry the same item id', async () => {
    await h.call(request(params));
    await h.call(request(params));
    expect(h.enqueued.map((i) => i.itemId)).toEqual([h.enqueued[0]?.itemId, h.enqueued[0]?.itemId]);
  });

  it('marks single-word STOP/START/HELP messages with their keyword', async () => {
    const cases: [string, string | undefined][] = [
      ['stop', 'STOP'],
      [' Unsubscribe \n', 'STOP'],
      ['STOPALL', 'STOP'],
      ['unstop', 'START'],
      ['Yes', 'START'],
      ['info', 'HELP'],
      ['stop the roadworks', undefined],
      ['STOP!', undefined],
    ];
    for (const [body, keyword] of cases) {
      const fields = { ...params, Body: body, MessageSid: `SM${Buffer.from(body).toString('hex')}` };
      expect((await h.call(request(fields))).statusCode).toBe(200);
      expect(h.enqueued.at(-1)?.smsKeyword).toBe(keyword);
    }
  });

  it('answers 400 to a signed form that is not a message', async () => {
    expect((await h.call(request({ Foo: 'bar' }))).statusCode).toBe(400);
    expect(h.enqueued).toEqual([]);
  });

  it('answers 413 over the limit and 503 when the queue fails', async () => {
    expect((await h.call(request({ ...params, Body: 'x'.repeat(BODY_LIMITS.twilio) }))).statusCode).toBe(413);
    const failing = harness('twilio', twilioWebhook, BODY_LIMITS.twilio, { failEnqueue: true });
    expect((await failing.call(request(params))).statusCode).toBe(503);
  });
});

describe('SMS keyword lists', () => {
  it("cover Twilio's and AWS's documented keywords", () => {
    for (const word of ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']) expect(smsKeyword(word, TWILIO_KEYWORDS)).toBe('STOP');
    for (const word of ['ARRET', 'CANCEL', 'END', 'OPT-OUT', 'OPTOUT', 'QUIT', 'REMOVE', 'STOP', 'TD', 'UNSUBSCRIBE'])
      expect(smsKeyword(word.toLowerCase(), AWS_SMS_KEYWORDS)).toBe('STOP');
    expect(smsKeyword('help', AWS_SMS_KEYWORDS)).toBe('HELP');
    expect(smsKeyword('constructor', TWILIO_KEYWORDS)).toBeUndefined();
  });
});

describe('AWS End User Messaging SMS via SNS', () => {
  const event = jsonFixture<SNSEvent>('eum-sns.json');

  it('turns the SNS message into one item, using the SNS timestamp', () => {
    const { items, malformed } = parseEumSnsEvent(event, new Date('2030-01-01T00:00:00Z'));
    expect(malformed).toBe(0);
    expect(items.map((i) => v.parse(InboundItem, i))).toEqual([
      {
        schemaVersion: 1,
        itemId: 'aws-sms:cae173d2-66b9-564c-8309-21f858e9fb84',
        channel: 'sms',
        provider: 'aws-sms',
        kind: 'sms',
        providerMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
        receivedAt: '2026-01-05T11:00:00.123Z',
        sender: { id: '+447700900456' },
        recipients: ['+447700900123'],
        text: 'Street light out at the bus stop on High St',
        attachments: [],
        thread: {},
        transport: {},
      },
    ]);
  });

  it('skips malformed records and keeps the good ones', () => {
    const good = event.Records[0]!;
    const bad = [
      { ...good, Sns: { ...good.Sns, Message: 'not json' } },
      { ...good, Sns: { ...good.Sns, Message: '{"messageBody":"no id"}' } },
      { ...good, Sns: { ...good.Sns, Message: '[1,2]' } },
      { nothing: true },
    ];
    const { items, malformed } = parseEumSnsEvent({ Records: [...bad, good] } as unknown as SNSEvent, new Date());
    expect(items).toHaveLength(1);
    expect(malformed).toBe(4);
  });

  it("sets AWS's keywords", () => {
    const good = event.Records[0]!;
    const message = JSON.parse(good.Sns.Message);
    const withBody = (messageBody: string) =>
      ({ Records: [{ ...good, Sns: { ...good.Sns, Message: JSON.stringify({ ...message, messageBody }) } }] }) as SNSEvent;
    expect(parseEumSnsEvent(withBody('Arret'), new Date()).items[0]?.smsKeyword).toBe('STOP');
    expect(parseEumSnsEvent(withBody('HELP'), new Date()).items[0]?.smsKeyword).toBe('HELP');
    expect(parseEumSnsEvent(withBody('help me please'), new Date()).items[0]?.smsKeyword).toBeUndefined();
  });
});
