import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildHttpEvent, matchRoute, toHttpResponse, type RouteMatch } from '../../infra/local/router.ts';
import { buildSesEvent, splitAddressList } from '../../infra/local/smtp.ts';
import { esc, renderHomePage } from '../../infra/local/home.ts';
import { buildSqsEvent } from '../../infra/local/poller.ts';
import { ROUTES } from '../../shared/topology.ts';

function routed(method: string, url: string): RouteMatch {
  const match = matchRoute(ROUTES, method, url.split('?')[0]!);
  if (!match || !('route' in match)) throw new Error(`no route for ${method} ${url}`);
  return match;
}

const now = new Date('2026-03-12T19:03:58.123Z');

describe('local API Gateway: routes', () => {
  it('matches the production routes with path parameters, decoded', () => {
    const match = routed('POST', '/webhooks/mailchimp/s3cr%2Ft');
    expect(match.route.fn).toBe('mailchimpWebhook');
    expect(match.pathParameters).toEqual({ secret: 's3cr/t' });
  });

  it('matches HEAD only where a HEAD route exists, as HTTP APIs do', () => {
    expect(routed('HEAD', '/webhooks/mailchimp/s3cret').route.fn).toBe('mailchimpWebhook');
    expect(matchRoute(ROUTES, 'HEAD', '/webhooks/twilio')).toEqual({ allowed: ['POST'] });
    expect(matchRoute(ROUTES, 'GET', '/webhooks/nowhere')).toBeUndefined();
    expect(matchRoute(ROUTES, 'GET', '/consent/')).toBeUndefined();
  });
});

describe('local API Gateway: payload 2.0 events', () => {
  it('passes a JSON body through as text, byte for byte (Meta signs the escaped bytes)', () => {
    const raw = '{"object":"page","entry":[{"messaging":[{"message":{"text":"caf\\u00e9  \\ud83d\\ude00"}}]}]}';
    const event = buildHttpEvent(
      {
        method: 'POST',
        url: '/webhooks/messenger',
        headers: { host: 'localhost:3000', 'content-type': 'application/json' },
        body: Buffer.from(raw),
        sourceIp: '127.0.0.1',
        now,
      },
      routed('POST', '/webhooks/messenger'),
    );
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe(raw);
    expect(event.routeKey).toBe('POST /webhooks/messenger');
    expect(event.requestContext.http.method).toBe('POST');
    expect(event.requestContext.time).toBe('12/Mar/2026:19:03:58 +0000');
    expect(event.requestContext.timeEpoch).toBe(now.getTime());
  });

  it('base64-encodes form posts and binary bodies, preserving every byte', () => {
    const form = Buffer.from('Body=Bin+not+collected%21&From=%2B447700900456');
    const event = buildHttpEvent(
      { method: 'POST', url: '/webhooks/twilio', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, sourceIp: '10.0.0.1' },
      routed('POST', '/webhooks/twilio'),
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').equals(form)).toBe(true);

    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]);
    const bin = buildHttpEvent(
      { method: 'POST', url: '/webhooks/messenger', headers: { 'content-type': 'application/json' }, body: binary, sourceIp: '10.0.0.1' },
      routed('POST', '/webhooks/messenger'),
    );
    expect(bin.isBase64Encoded).toBe(true); // not valid UTF-8: never mangled into text
    expect(Buffer.from(bin.body!, 'base64').equals(binary)).toBe(true);
  });

  it('keeps the raw query string and decodes parameters, joining repeats with commas', () => {
    const event = buildHttpEvent(
      {
        method: 'GET',
        url: '/webhooks/messenger?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=a%20b&x=1&x=2',
        headers: { host: 'localhost:3000', cookie: 'a=1; b=2' },
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
      },
      routed('GET', '/webhooks/messenger'),
    );
    expect(event.rawPath).toBe('/webhooks/messenger');
    expect(event.rawQueryString).toBe('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=a%20b&x=1&x=2');
    expect(event.queryStringParameters).toEqual({ 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'a b', x: '1,2' });
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    // What a signature check rebuilds the called URL from.
    expect(event.headers.host).toBe('localhost:3000');
    expect(event.headers['x-forwarded-proto']).toBe('http');
  });

  it('lower-cases header names and joins repeated headers', () => {
    const event = buildHttpEvent(
      {
        method: 'HEAD',
        url: '/webhooks/mailchimp/s3cret',
        headers: { 'X-Custom': ['a', 'b'], Host: 'hub.local' },
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
      },
      routed('HEAD', '/webhooks/mailchimp/s3cret'),
    );
    expect(event.headers['x-custom']).toBe('a,b');
    expect(event.requestContext.http.method).toBe('HEAD');
    expect(event.routeKey).toBe('HEAD /webhooks/mailchimp/{secret}');
  });
});

describe('local API Gateway: results', () => {
  it('turns a structured result into status, headers and decoded body', () => {
    const response = toHttpResponse({
      statusCode: 200,
      headers: { 'Content-Type': 'text/xml' },
      body: Buffer.from('<Response/>').toString('base64'),
      isBase64Encoded: true,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/xml');
    expect(response.body.toString()).toBe('<Response/>');
  });

  it('treats a bare value as a 200 JSON answer, as API Gateway does', () => {
    const response = toHttpResponse({ ok: true });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body.toString())).toEqual({ ok: true });
  });
});

describe('local SES receiving', () => {
  const raw = Buffer.from(
    [
      'Return-Path: <resident@example.co.uk>',
      'From: "Smith, Jane" <resident@example.co.uk>',
      'To: clerk@parish.example, "Deputy" <deputy@parish.example>',
      'Cc: enquiries@parish.example',
      'Subject: Overgrown hedge',
      '  on Mill Road',
      'Message-ID: <CAF123@mail.example.co.uk>',
      'Date: Mon, 5 Jan 2026 09:14:57 +0000',
      '',
      'Body text',
    ].join('\r\n'),
  );

  it('builds the receipt-rule event: envelope, headers, common headers and local verdicts', () => {
    const event = buildSesEvent({ raw, messageId: 'abc123', envelopeFrom: 'resident@example.co.uk', recipients: ['clerk@parish.example'], now });
    const { mail, receipt } = event.Records[0]!.ses;
    expect(mail.source).toBe('resident@example.co.uk');
    expect(mail.messageId).toBe('abc123');
    expect(mail.destination).toEqual(['clerk@parish.example', 'deputy@parish.example', 'enquiries@parish.example']);
    expect(mail.commonHeaders.from).toEqual(['"Smith, Jane" <resident@example.co.uk>']);
    expect(mail.commonHeaders.subject).toBe('Overgrown hedge on Mill Road');
    expect(mail.commonHeaders.messageId).toBe('<CAF123@mail.example.co.uk>');
    expect(mail.headers.map((h) => h.name)).toEqual(['Return-Path', 'From', 'To', 'Cc', 'Subject', 'Message-ID', 'Date']);
    expect(receipt.recipients).toEqual(['clerk@parish.example']);
    expect([receipt.spfVerdict.status, receipt.dkimVerdict.status, receipt.dmarcVerdict.status]).toEqual(['GRAY', 'GRAY', 'GRAY']);
    expect([receipt.spamVerdict.status, receipt.virusVerdict.status]).toEqual(['PASS', 'PASS']);
  });

  it('keeps the null reverse-path of a bounce as an empty source', () => {
    const event = buildSesEvent({ raw, messageId: 'b', envelopeFrom: '', recipients: ['clerk@parish.example'] });
    expect(event.Records[0]!.ses.mail.source).toBe('');
  });

  it('splits address lists only outside quotes and angle brackets', () => {
    expect(splitAddressList('"Smith, Jane" <a@x>, b@y,<c,d@z>')).toEqual(['"Smith, Jane" <a@x>', 'b@y', '<c,d@z>']);
  });
});

describe('local SQS event source mapping', () => {
  it('builds Lambda SQS records with the receive count and camel-cased attributes', () => {
    const event = buildSqsEvent(
      [
        {
          MessageId: 'm1',
          ReceiptHandle: 'r1',
          Body: '{"a":1}',
          Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1767261600000' },
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'auto-reply' } },
        },
      ],
      'arn:aws:sqs:eu-west-2:123456789012:outbox',
    );
    const record = event.Records[0]!;
    expect(record.attributes.ApproximateReceiveCount).toBe('3');
    expect(record.messageAttributes.kind).toEqual({ dataType: 'String', stringValue: 'auto-reply', stringListValues: [], binaryListValues: [] });
    expect(record.eventSource).toBe('aws:sqs');
    expect(record.md5OfBody).toBe(createHash('md5').update('{"a":1}').digest('hex'));
    expect(record.eventSourceARN).toBe('arn:aws:sqs:eu-west-2:123456789012:outbox');
  });
});

describe('local home page', () => {
  it('escapes every resident value', () => {
    const hostile = '<script>alert(1)</script>"\'&';
    const html = renderHomePage({
      councilName: 'Demo Parish Council',
      httpUrl: 'http://localhost:3000',
      smtpPort: 2525,
      outbox: [{ id: 'o1', channel: 'email', provider: 'ses', to: hostile, kind: 'auto-reply', subject: hostile, text: hostile, at: '2026-01-05T09:00:00Z' }],
      items: [
        {
          itemId: 'i1',
          ref: 'DEM-2026-000001',
          channel: 'email',
          classification: 'formal',
          receivedAt: '2026-01-05T09:00:00Z',
          consentStatus: 'requested',
          reasons: [{ rule: 'official-address', clause: 'demo §10' }],
          flags: [],
          actions: ['audit'],
          sender: hostile,
          subject: hostile,
          text: hostile,
          events: [{ type: 'received', at: '2026-01-05T09:00:00Z' }],
          outbox: [],
        },
      ],
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain(esc(hostile));
    expect(html).toContain('DEM-2026-000001');
    expect(html).toContain('demo §10');
  });
});
