import { createHmac } from 'node:crypto';
import { buildSesEvent } from '../../infra/local/smtp.ts';

/**
 * Realistic, correctly signed provider requests for the Stilton preset, one
 * builder per ingest function; `n` makes every provider id unique so dedupe
 * never short-circuits a measured invocation. Secrets are fixed bench values.
 */

export const BENCH_SECRETS = {
  MESSENGER_APP_SECRET: 'bench-messenger-app-secret',
  MESSENGER_VERIFY_TOKEN: 'bench-verify-token',
  MESSENGER_PAGE_TOKEN: 'bench-page-token',
  MAILCHIMP_WEBHOOK_SECRET: 'bench-mailchimp-path-secret',
  MANDRILL_WEBHOOK_KEY: 'bench-mandrill-key',
  TWILIO_AUTH_TOKEN: 'bench-twilio-token',
  WHATSAPP_APP_SECRET: 'bench-whatsapp-app-secret',
  WHATSAPP_VERIFY_TOKEN: 'bench-whatsapp-verify-token',
  WHATSAPP_ACCESS_TOKEN: 'bench-whatsapp-access-token',
  CONSENT_SIGNING_KEY: 'bench-consent-signing-key-0123456789abcdef',
} as const;

export const BENCH_BASE_URL = 'https://hub.stilton.example';
export const STILTON = {
  council: 'stilton',
  clerk: 'clerk@stiltonparishcouncil.org',
  hubAddress: 'hub@notify.stiltonparishcouncil.org',
  pageId: '100000000000101',
  smsNumber: '+447700900101',
  twilioAccountSid: 'AC00000000000000000000000000000001',
} as const;

export interface HttpEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: Record<string, unknown>;
  pathParameters?: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

function httpEvent(
  method: string,
  routePath: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  pathParameters?: Record<string, string>,
): HttpEvent {
  const host = new URL(BENCH_BASE_URL).host;
  return {
    version: '2.0',
    routeKey: `${method} ${routePath}`,
    rawPath: path,
    rawQueryString: '',
    headers: { host, 'x-forwarded-proto': 'https', 'content-length': String(Buffer.byteLength(body)), ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: host,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'bench' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: `${method} ${routePath}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(pathParameters ? { pathParameters } : {}),
    body,
    isBase64Encoded: false,
  };
}

const RESIDENT_TEXT = 'Hello, just wondering when the village hall car park will reopen? Thanks, and have a good weekend.';

export function messengerEvent(n: number): HttpEvent {
  const now = Date.now();
  const body = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: STILTON.pageId,
        time: now,
        messaging: [
          {
            sender: { id: `61550000${String(n).padStart(7, '0')}` },
            recipient: { id: STILTON.pageId },
            timestamp: now,
            message: { mid: `m_bench_${n}_${now}`, text: RESIDENT_TEXT },
          },
        ],
      },
    ],
  });
  const signature = `sha256=${createHmac('sha256', BENCH_SECRETS.MESSENGER_APP_SECRET).update(body).digest('hex')}`;
  return httpEvent('POST', '/webhooks/messenger', '/webhooks/messenger', { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body);
}

export function whatsappEvent(n: number): HttpEvent {
  const waId = `4477009${String(n).padStart(5, '0')}`;
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '447700900123', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Bench Resident' }, wa_id: waId }],
    messages: [
      { from: waId, id: `wamid.bench_${n}_${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: RESIDENT_TEXT } },
    ],
  };
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value }] }] });
  const signature = `sha256=${createHmac('sha256', BENCH_SECRETS.WHATSAPP_APP_SECRET).update(body).digest('hex')}`;
  return httpEvent('POST', '/webhooks/whatsapp', '/webhooks/whatsapp', { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body);
}

function formSignature(key: string, url: string, params: Record<string, string>, algorithm: 'sha1'): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join('');
  return createHmac(algorithm, key).update(data, 'utf8').digest('base64');
}

export function twilioEvent(n: number): HttpEvent {
  const params: Record<string, string> = {
    ToCountry: 'GB',
    SmsMessageSid: `SMbench${String(n).padStart(27, '0')}`,
    NumMedia: '0',
    From: `+4477009${String(n % 100000).padStart(5, '0')}`,
    To: STILTON.smsNumber,
    Body: 'Is the bin collection still on Tuesday this week?',
    MessageSid: `SMbench${String(n).padStart(27, '0')}`,
    AccountSid: STILTON.twilioAccountSid,
    NumSegments: '1',
    ApiVersion: '2010-04-01',
  };
  const body = new URLSearchParams(params).toString();
  const signature = formSignature(BENCH_SECRETS.TWILIO_AUTH_TOKEN, `${BENCH_BASE_URL}/webhooks/twilio`, params, 'sha1');
  return httpEvent(
    'POST',
    '/webhooks/twilio',
    '/webhooks/twilio',
    { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body,
  );
}

export function mailchimpEvent(n: number): HttpEvent {
  const params: Record<string, string> = {
    type: 'unsubscribe',
    fired_at: new Date(Date.now() + n * 1000).toISOString().replace('T', ' ').slice(0, 19),
    'data[action]': 'unsub',
    'data[reason]': 'manual',
    'data[id]': `bench${n}`,
    'data[list_id]': 'a6b5da1054',
    'data[email]': `resident${n}@example.co.uk`,
    'data[email_type]': 'html',
    'data[ip_opt]': '203.0.113.9',
    'data[web_id]': String(100000 + n),
  };
  const body = new URLSearchParams(params).toString();
  const secret = BENCH_SECRETS.MAILCHIMP_WEBHOOK_SECRET;
  return httpEvent('POST', '/webhooks/mailchimp/{secret}', `/webhooks/mailchimp/${secret}`, { 'content-type': 'application/x-www-form-urlencoded' }, body, {
    secret,
  });
}

export function rawEmail(n: number, to: string = STILTON.clerk): string {
  return [
    'Return-Path: <resident@example.co.uk>',
    'From: A Resident <resident@example.co.uk>',
    `To: ${to}`,
    'Subject: Overgrown hedge on Mill Road blocking the footpath',
    `Message-ID: <bench-${n}-${Date.now()}@mail.example.co.uk>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    'Dear Clerk,',
    '',
    'The hedge outside 14 Mill Road has grown across the footpath and pushchairs have to go into the road.',
    'Could the council please ask the owner to cut it back, or arrange for it to be cut?',
    '',
    'Kind regards,',
    'A Resident',
    '',
  ].join('\r\n');
}

/** One Mandrill POST of one inbound mail, as Mandrill signs it for the intake URL. */
export function mandrillPost(n: number): { body: string; signature: string } {
  const raw = rawEmail(n);
  const events = [
    {
      event: 'inbound',
      ts: Math.floor(Date.now() / 1000),
      _id: `bench-mandrill-${n}-${Date.now()}`,
      msg: {
        raw_msg: raw,
        headers: {},
        text: raw.split('\r\n\r\n').slice(1).join('\r\n\r\n'),
        from_email: 'resident@example.co.uk',
        from_name: 'A Resident',
        to: [[STILTON.clerk, null]],
        email: STILTON.clerk,
        subject: 'Overgrown hedge on Mill Road blocking the footpath',
        spam_report: { score: 0.1, matched_rules: [] },
        spf: { result: 'pass', detail: '' },
        dkim: { signed: true, valid: true },
        tags: [],
        sender: null,
      },
    },
  ];
  const params = { mandrill_events: JSON.stringify(events) };
  const body = new URLSearchParams(params).toString();
  const signature = formSignature(BENCH_SECRETS.MANDRILL_WEBHOOK_KEY, `${BENCH_BASE_URL}/webhooks/mandrill`, params, 'sha1');
  return { body, signature };
}

/** S3's ObjectCreated notification for one stored object. */
export function s3ObjectCreatedEvent(bucket: string, key: string): unknown {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'eu-west-2',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key, size: 0 } },
      },
    ],
  };
}

export function smsInboundEvent(n: number): unknown {
  const message = {
    originationNumber: `+4477009${String(n % 100000).padStart(5, '0')}`,
    destinationNumber: STILTON.smsNumber,
    messageKeyword: 'KEYWORD_123456789012',
    messageBody: 'Is the bin collection still on Tuesday this week?',
    inboundMessageId: `bench-sms-${n}-${Date.now()}`,
    previousPublishedMessageId: '',
  };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-west-2:123456789012:inbound-sms:bench',
        Sns: {
          Type: 'Notification',
          MessageId: `sns-${n}-${Date.now()}`,
          TopicArn: 'arn:aws:sns:eu-west-2:123456789012:inbound-sms',
          Subject: null,
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'bench',
          SigningCertUrl: 'https://sns.eu-west-2.amazonaws.com/bench.pem',
          UnsubscribeUrl: 'https://sns.eu-west-2.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** SES Lambda-action event (authenticated mail) for the raw MIME the S3 action stored under `prefix + messageId`. */
export function sesEvent(messageId: string, raw: string, to: string = STILTON.clerk): unknown {
  return buildSesEvent({ raw: Buffer.from(raw), messageId, envelopeFrom: 'resident@example.co.uk', recipients: [to], authVerdict: 'PASS' });
}

/** A Lambda context good enough for middy and Powertools. */
export function lambdaContext(name: string, memoryMb: number): Record<string, unknown> {
  return {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-2:123456789012:function:${name}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: `bench-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 10_000,
    done() {},
    fail() {},
    succeed() {},
  };
}
