import { createServer, type Server } from 'node:http';
import { runAs } from '../../infra/local/iam/enforce.ts';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { DeleteMessageCommand, GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { applyEnv, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { startProviderFakes, type ProviderFakes } from '../../infra/local/provider-fakes.ts';
import { deliverDepsFromEnv, outboxConsumer } from '../../shared/delivery/consumer.ts';
import { OutboxPublisher } from '../../shared/queue/outbox.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { linkAuditQueue } from '../support/audit-queue.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import type { AuditSummary, OutboxMessage } from '../../shared/model/index.ts';
import { QUEUES } from '../../shared/topology.ts';
import { lambdaContext } from '../support/http-events.ts';

/**
 * The deliver function end to end: outbox queue (local-aws-sqs) → functions/deliver.ts
 * → provider fakes / SES emulator, with the audit and ops tables on dynalite.
 */

const SECRETS = {
  MESSENGER_APP_SECRET: 'app-secret',
  MESSENGER_VERIFY_TOKEN: 'verify',
  MESSENGER_PAGE_TOKEN: 'page-token',
  MAILCHIMP_WEBHOOK_SECRET: 'mc',
  MANDRILL_WEBHOOK_KEY: 'md',
  TWILIO_AUTH_TOKEN: 'twilio-token',
  WHATSAPP_APP_SECRET: 'wa-secret',
  WHATSAPP_VERIFY_TOKEN: 'wa-verify',
  WHATSAPP_ACCESS_TOKEN: 'wa-token',
  CONSENT_SIGNING_KEY: 'consent-key',
};

let emu: Emulators;
let fakes: ProviderFakes;
let restoreEnv: () => void;
let sesProxy: Server;
const rawMails: string[] = [];
let handler: (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;
let publisher: OutboxPublisher;
let sqs: SQSClient;
let audit: AuditStore;

const now = () => new Date();
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function message(over: Partial<OutboxMessage> & Pick<OutboxMessage, 'id' | 'channel' | 'to'>): OutboxMessage {
  return {
    schemaVersion: 1,
    kind: 'auto-reply',
    council: 'demo',
    itemId: over.id.replace(/:[^:]+$/, ''),
    text: 'Sending a message via Facebook is not official contact. Please email the Clerk.',
    createdAt: now().toISOString(),
    ...over,
  };
}

async function summary(ref: string, itemId: string, channel: AuditSummary['channel']): Promise<void> {
  const receivedAt = now().toISOString();
  await audit.putSummary({
    ref,
    council: 'demo',
    itemId,
    channel,
    provider: channel === 'email' ? 'ses' : channel === 'sms' ? 'twilio' : 'meta',
    classification: 'formal',
    receivedAt,
    day: receivedAt.slice(0, 10),
    senderHash: 'h'.repeat(64),
    consentStatus: 'not-needed',
    retainUntil: '2033-01-01',
  });
}

// deliver records its events through the FIFO audit queue: run the appender over it after each drain.
const drain = async (rounds?: number, consume: (event: SQSEvent) => Promise<SQSBatchResponse> = (e) => handler(e, lambdaContext('deliver'))) => {
  const result = await drainQueue({
    sqs,
    queueUrl: emu.queueUrls.outbox,
    handler: (e) => runAs('deliver', () => consume(e)),
    rounds,
  });
  await runAs('auditAppender', () => linkAuditQueue(sqs, emu.queueUrls.audit, createDocumentClient(), emu.tableNames.audit));
  return result;
};

async function queueDepth(url: string): Promise<number> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'dlv-' });
  fakes = await startProviderFakes();
  // A recording proxy in front of the SES emulator: it keeps the raw MIME exactly as the hub sent it.
  sesProxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      if (req.url?.startsWith('/v2/email/outbound-emails')) {
        const data = (JSON.parse(body.toString('utf8')) as { Content?: { Raw?: { Data?: string } } }).Content?.Raw?.Data;
        if (data) rawMails.push(Buffer.from(data, 'base64').toString('utf8'));
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<
        string,
        string
      >;
      const answer = await fetch(`${emu.sesEndpoint}${req.url}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
      res.statusCode = answer.status;
      answer.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') res.setHeader(k, v);
      });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => sesProxy.listen(0, '127.0.0.1', () => r()));
  restoreEnv = applyEnv({
    ...emu.env,
    ...fakes.env,
    ...SECRETS,
    AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${(sesProxy.address() as AddressInfo).port}`,
    MESSENGER_PAGE_ID: '104123456789012',
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef',
    SES_FROM_ADDRESS: 'Demo Parish Council <hub@demo-parish.example.org>',
    SMS_ORIGINATION_IDENTITY: 'pool-demo',
    HUB_COUNCIL: 'demo',
    OUTBOX_RETRY_BASE_SECONDS: '0',
  });
  sqs = new SQSClient({});
  publisher = new OutboxPublisher({ client: sqs, queueUrl: emu.queueUrls.outbox });
  audit = new AuditStore({ client: createDocumentClient(), tableName: emu.tableNames.audit, council: 'demo' });
  handler = (await import('../../functions/deliver.ts')).handler as unknown as typeof handler;
});

afterAll(async () => {
  restoreEnv?.();
  sqs?.destroy();
  await fakes?.stop();
  await new Promise((r) => sesProxy?.close(r));
  await emu?.stop();
});

beforeEach(() => {
  fakes.reset();
  rawMails.length = 0;
});

describe('deliver: each channel', () => {
  it('sends each message once, in the shape each provider expects, and audits formal items', async () => {
    await summary('DEM-2026-000001', 'ses:mail-1', 'email');
    const messages = [
      message({ id: 'meta:m_1:auto-reply', channel: 'messenger', to: '6543210987654321', lastUserMessageAt: minutesAgo(5) }),
      message({ id: 'meta:c_1:auto-reply', channel: 'facebook-comment', to: '987654321098765_112233445566778', lastUserMessageAt: minutesAgo(60) }),
      message({
        id: 'twilio:SM1:auto-reply',
        channel: 'sms',
        provider: 'twilio',
        to: '+447700900456',
        from: '+447700900123',
        text: 'Not official contact. Email the Clerk.',
      }),
      message({ id: 'aws-sms:in-1:auto-reply', channel: 'sms', provider: 'aws-sms', to: '+447700900457', text: 'Not official contact. Email the Clerk.' }),
      message({
        id: 'ses:mail-1:auto-reply',
        channel: 'email',
        to: 'resident@example.co.uk',
        ref: 'DEM-2026-000001',
        itemId: 'ses:mail-1',
        subject: 'Auto: Overgrown hedge on Mill Road',
        autoSubmitted: true,
        inReplyTo: '<CAF123@mail.example.co.uk>',
        references: ['<CAF123@mail.example.co.uk>'],
        text: 'Thank you. Your reference is DEM-2026-000001.',
      }),
      message({
        id: 'ses:mail-1:clerk-routing',
        kind: 'clerk-routing',
        channel: 'email',
        to: 'clerk@demo-parish.example.org',
        ref: 'DEM-2026-000001',
        itemId: 'ses:mail-1',
        subject: 'DEM-2026-000001: Overgrown hedge on Mill Road',
        replyTo: 'resident@example.co.uk',
        text: 'A formal item for you.',
      }),
    ];
    await publisher.publish(messages);
    await drain();

    const messenger = fakes.delivered('messenger');
    expect(messenger).toHaveLength(2);
    const dm = messenger.find((c) => c.to === '6543210987654321')!;
    expect(dm.body).toEqual({
      recipient: { id: '6543210987654321' },
      messaging_type: 'RESPONSE',
      message: { text: messages[0]!.text },
      metadata: 'hub:meta:m_1:auto-reply',
    });
    expect(dm.headers.authorization).toBe('Bearer page-token');
    const privateReply = messenger.find((c) => c.to.startsWith('comment:'))!;
    expect(privateReply.body.recipient).toEqual({ comment_id: '987654321098765_112233445566778' });

    const [twilio] = fakes.delivered('twilio');
    expect(twilio?.body).toEqual({ To: '+447700900456', From: '+447700900123', Body: 'Not official contact. Email the Clerk.' });
    expect(twilio?.headers.authorization).toBe(`Basic ${Buffer.from('AC0123456789abcdef:twilio-token').toString('base64')}`);
    expect(twilio?.headers['content-type']).toBe('application/x-www-form-urlencoded');

    const [eum] = fakes.delivered('eum');
    expect(eum?.body).toMatchObject({
      DestinationPhoneNumber: '+447700900457',
      OriginationIdentity: 'pool-demo',
      MessageType: 'TRANSACTIONAL',
      MessageBody: 'Not official contact. Email the Clerk.',
      Context: { outboxId: 'aws-sms:in-1:auto-reply' },
    });

    expect(rawMails).toHaveLength(2);
    const mails = await Promise.all(rawMails.map((raw) => PostalMime.parse(raw)));
    const header = (m: (typeof mails)[number], name: string) => m.headers.find((h) => h.key === name)?.value;
    const reply = mails.find((m) => header(m, 'x-hub-kind') === 'auto-reply')!;
    expect(reply.subject).toBe('Auto: Overgrown hedge on Mill Road');
    expect(header(reply, 'auto-submitted')).toBe('auto-replied');
    expect(header(reply, 'in-reply-to')).toBe('<CAF123@mail.example.co.uk>');
    expect(header(reply, 'references')).toBe('<CAF123@mail.example.co.uk>');
    expect(header(reply, 'x-hub-outbox-id')).toBe('ses:mail-1:auto-reply');
    expect(header(reply, 'x-hub-ref')).toBe('DEM-2026-000001');
    const routed = mails.find((m) => header(m, 'x-hub-kind') === 'clerk-routing')!;
    expect(routed.replyTo?.[0]?.address).toBe('resident@example.co.uk');
    expect(routed.to?.[0]?.address).toBe('clerk@demo-parish.example.org');
    expect(header(routed, 'auto-submitted')).toBe('auto-generated');

    // The SES emulator accepted both, addressed as the hub meant.
    const store = (await (await fetch(`${emu.sesEndpoint}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string }[] };
    expect(store.emails.map((e) => e.destination.to.join()).sort()).toEqual(['clerk@demo-parish.example.org', 'resident@example.co.uk']);

    const events = await audit.eventsFor('DEM-2026-000001');
    expect(events.map((e) => [e.type, e.data.kind, e.data.outboxId]).sort()).toEqual([
      ['reply-sent', 'auto-reply', 'ses:mail-1:auto-reply'],
      ['reply-sent', 'clerk-routing', 'ses:mail-1:clerk-routing'],
    ]);
    expect(JSON.stringify(events)).not.toContain('resident@example.co.uk');
    expect(await queueDepth(emu.queueUrls.outbox)).toBe(0);
  });

  it('sends a message delivered twice (and published twice) only once', async () => {
    const msg = message({ id: 'meta:m_dup:auto-reply', channel: 'messenger', to: '111', lastUserMessageAt: minutesAgo(1) });
    await publisher.publish([msg, msg]);
    await drain();
    await publisher.publish([msg]);
    await drain();
    expect(fakes.calls('messenger').filter((c) => c.outboxId === msg.id)).toHaveLength(1);
  });
});

describe('deliver: failures', () => {
  it('retries 500, 429 and timeouts through the queue and delivers after recovery, losing nothing', async () => {
    const messages = [
      message({ id: 'meta:m_f1:auto-reply', channel: 'messenger', to: '201', lastUserMessageAt: minutesAgo(1) }),
      message({ id: 'twilio:SMf2:auto-reply', channel: 'sms', provider: 'twilio', to: '+447700900202', from: '+447700900123' }),
      message({ id: 'aws-sms:f3:auto-reply', channel: 'sms', provider: 'aws-sms', to: '+447700900203' }),
    ];
    // local-aws-sqs counts a ChangeMessageVisibility as a receive, so each failure here costs two of the
    // queue's eight receives (real SQS counts one): three failures stay clear of the DLQ in both.
    fakes.setMode('500');
    await publisher.publish(messages);
    await drain(1);
    expect(fakes.delivered()).toHaveLength(0);
    fakes.setMode('429');
    await drain(1);
    fakes.setMode('timeout');
    // Hung providers: the consumer functions/deliver.ts builds, with a short provider timeout instead of the
    // production 10 s. Only here: where a provider answers, a short timeout would let a stall on a loaded
    // machine time out a send the provider had accepted, and the retry would send it twice.
    await drain(1, outboxConsumer(deliverDepsFromEnv({ ...process.env, PROVIDER_TIMEOUT_MS: '400' })));
    expect(fakes.calls().filter((c) => c.status === 0).length).toBeGreaterThan(0);
    fakes.setMode('ok');
    await drain();

    expect(
      fakes
        .delivered()
        .map((c) => c.to)
        .sort(),
    ).toEqual(['+447700900202', '+447700900203', '201']);
    const statuses = new Set(fakes.calls().map((c) => c.status));
    expect([...statuses]).toEqual(expect.arrayContaining([500, 429, 0]));
    expect(await queueDepth(emu.queueUrls.outbox)).toBe(0);
    expect(await queueDepth(emu.dlqUrls.outbox)).toBe(0);
  });

  it('records a permanent 4xx as delivery-failed and does not retry it', async () => {
    await summary('DEM-2026-000002', 'twilio:SMp1', 'sms');
    fakes.failNext(1, 400, 21610);
    await publisher.publish([
      message({
        id: 'twilio:SMp1:consent-request',
        kind: 'consent-request',
        channel: 'sms',
        provider: 'twilio',
        to: '+447700900300',
        from: '+447700900123',
        ref: 'DEM-2026-000002',
        itemId: 'twilio:SMp1',
      }),
    ]);
    const dlqBefore = await queueDepth(emu.dlqUrls.outbox);
    await drain();
    expect(fakes.calls('twilio')).toHaveLength(1);
    const events = await audit.eventsFor('DEM-2026-000002');
    expect(events.map((e) => [e.type, e.data.reason])).toEqual([['delivery-failed', 'recipient-opted-out']]);
    expect(await queueDepth(emu.queueUrls.outbox)).toBe(0);
    expect(await queueDepth(emu.dlqUrls.outbox)).toBe(dlqBefore);
  });

  it('does not send Messenger text outside the 24-hour window, and records why', async () => {
    await summary('DEM-2026-000003', 'meta:m_old', 'messenger');
    await publisher.publish([
      message({
        id: 'meta:m_old:auto-reply',
        channel: 'messenger',
        to: '301',
        ref: 'DEM-2026-000003',
        itemId: 'meta:m_old',
        lastUserMessageAt: minutesAgo(25 * 60),
      }),
    ]);
    await drain();
    expect(fakes.calls()).toHaveLength(0);
    const events = await audit.eventsFor('DEM-2026-000003');
    expect(events.map((e) => [e.type, e.data.reason])).toEqual([['reply-skipped', 'outside-24h-window']]);
  });

  it('moves a message that never gets through to the DLQ after the maximum receives', async () => {
    const dlqBefore = await queueDepth(emu.dlqUrls.outbox);
    fakes.setMode('500');
    await publisher.publish([message({ id: 'meta:m_dlq:auto-reply', channel: 'messenger', to: '401', lastUserMessageAt: minutesAgo(1) })]);
    await drain(QUEUES.outbox.maxReceiveCount + 3);
    // Real SQS: maxReceiveCount attempts; local-aws-sqs counts each backoff as a receive too (half as many).
    expect(fakes.calls().length).toBeGreaterThanOrEqual(QUEUES.outbox.maxReceiveCount / 2);
    expect(fakes.calls().length).toBeLessThanOrEqual(QUEUES.outbox.maxReceiveCount);
    expect(fakes.delivered()).toHaveLength(0);
    expect(await queueDepth(emu.queueUrls.outbox)).toBe(0);
    expect(await queueDepth(emu.dlqUrls.outbox)).toBe(dlqBefore + 1);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: emu.dlqUrls.outbox }));
  });
});

/**
 * What a Lambda SQS event source mapping does: receive, call the handler,
 * delete what did not fail; failures come back when their visibility
 * (set by deliver's backoff, 0 s here) runs out. Stops when the queue is empty.
 */
async function drainQueue(options: {
  sqs: SQSClient;
  queueUrl: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  rounds?: number | undefined;
}): Promise<void> {
  for (let round = 0; round < (options.rounds ?? 20); round++) {
    const out = await options.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'] }),
    );
    const received = out.Messages ?? [];
    if (received.length === 0) return;
    const event: SQSEvent = {
      Records: received.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-2:123456789012:outbox',
        awsRegion: 'eu-west-2',
      })),
    };
    const response = await options.handler(event);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of received) {
      if (!failed.has(m.MessageId!)) await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}
