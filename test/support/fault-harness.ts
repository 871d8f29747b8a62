import { bindPrincipal, runAs } from '../../infra/local/iam/enforce.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SESEvent, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startPoller, type Poller } from '../../infra/local/poller.ts';
import { buildSesEvent } from '../../infra/local/smtp.ts';
import { deliverDepsFromEnv, outboxConsumer } from '../../shared/delivery/consumer.ts';
import { DEFAULT_PROVIDER_TIMEOUT_MS } from '../../shared/delivery/deliver.ts';
import { FileMailStore, resetRawMailStore } from '../../shared/channels/raw-mail-store.ts';
import { applyEnv, createTableInput, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { startProviderFakes, type ProviderFakes } from '../../infra/local/provider-fakes.ts';
import { InboundItem, type AuditEvent, type AuditSummary } from '../../shared/model/index.ts';
import { processInboundItem, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { sqsBatchHandler } from '../../shared/queue/consume.ts';
import { OutboxPublisher, type OutboxSink } from '../../shared/queue/outbox.ts';
import { resetSecretsCache } from '../../shared/runtime/secrets.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { QUEUES, TABLES, type FunctionId } from '../../shared/topology.ts';
import { TEST_SECRETS } from '../fixtures/channels/env.ts';
import { messengerSignature, sortedParamsSignature } from './hostile.ts';
import { formBody, httpEvent, lambdaContext } from './http-events.ts';

/**
 * The whole pipeline in one process, for the fault tests: the real ingest
 * handlers (functions/*.ts), classify and deliver consumers fed by the local
 * hub's event source mapping (infra/local/poller.ts), on the emulators and
 * provider fakes, with three ways to break things:
 *
 * - DynamoDB is a dynalite of its own with a `path`, so it can really be
 *   stopped (connections refused) and restarted on the same port with its
 *   state intact;
 * - SQS (optionally) and SES sit behind a FaultProxy: refuse connections (down/up, the
 *   emulator keeps its state), or answer chosen requests with 500/429, or
 *   hang them (timeout);
 * - the provider fakes' own setMode/failNext.
 *
 * Time is compressed: the queues' visibility timeouts (180 s) become 2 s
 * (inbound) and 1 s (outbox). deliver keeps the production provider timeout
 * (10 s) unless a test hangs the providers (providerTimeout). Waits end the
 * moment their condition holds; their ceilings (CEILING) only decide when a
 * test is broken, so they hold on a machine many times slower than a quiet
 * one, and a test's own timeout is the sum of its waits (testTimeout).
 * Audit events are linked into the chain in-process
 * (the appender's own code, serialised as the FIFO group serialises it).
 * classify is wired from the same parts as functions/classify.ts
 * (sqsBatchHandler + processInboundItem), and deliver from outboxConsumer and
 * deliverDepsFromEnv as functions/deliver.ts is, without ChangeMessageVisibility:
 * local-aws-sqs counts each one as a receive, so with it the consumer never
 * sees the receive count real SQS would show (and the DLQ comes early).
 */

export const COUNCIL = 'demo';
export const PAGE_ID = TEST_SECRETS.MESSENGER_PAGE_ID;
export const SMS_NUMBER = '+447700900123';
export const CLERK = 'clerk@demo-parish.example.org.uk';
const HOST = 'localhost:3000';
export const INBOUND_VISIBILITY_SECONDS = 2;
export const OUTBOX_VISIBILITY_SECONDS = 1;

type HttpHandler = (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;

// ---------------------------------------------------------------------------
// A proxy that can be stopped and started on the same port, and can fail or hang chosen requests.

export type FaultAnswer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  /** Close the port (new connections are refused) and cut every open connection. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Decide per request: an answer to fail it with, or undefined to forward it. */
  intercept(rule: ((req: IncomingMessage, body: Buffer) => FaultAnswer | undefined) | undefined): void;
  /** Called with every request the target answered 2xx. */
  onForwarded(listener: (req: IncomingMessage, body: Buffer) => void): void;
  /** Resolves once no request is being forwarded to the target (after down(), none starts). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let rule: ((req: IncomingMessage, body: Buffer) => FaultAnswer | undefined) | undefined;
  const listeners: ((req: IncomingMessage, body: Buffer) => void)[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const forwarding = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const handled = handle(req, res, Buffer.concat(chunks));
      forwarding.add(handled);
      void handled.finally(() => forwarding.delete(handled));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const answer = rule?.(req, body);
    if (answer === 'hang') {
      hanging.add(res);
      return;
    }
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '{}');
      return;
    }
    try {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<
        string,
        string
      >;
      const out = await fetch(`${target}${req.url}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
      const payload = Buffer.from(await out.arrayBuffer());
      if (out.ok) for (const listener of listeners) listener(req, body);
      const outHeaders: Record<string, string> = {};
      out.headers.forEach((v, k) => {
        if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) outHeaders[k] = v;
      });
      res.writeHead(out.status, outHeaders);
      res.end(payload);
    } catch {
      res.destroy();
    }
  }

  const port = await listenOn(server, 0);
  const cut = () => {
    for (const res of hanging) res.destroy();
    hanging.clear();
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async down() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      cut();
      await closed;
    },
    async up() {
      await listenOn(server, port);
    },
    intercept(next) {
      rule = next;
      if (!next) cut();
    },
    onForwarded(listener) {
      listeners.push(listener);
    },
    async idle() {
      while (forwarding.size > 0) await Promise.allSettled([...forwarding]);
    },
    async stop() {
      cut();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------
// dynalite on disk, stoppable and restartable on the same port.

export interface RestartableDynamo {
  readonly endpoint: string;
  readonly tableNames: Record<keyof typeof TABLES, string>;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startRestartableDynamo(prefix: string): Promise<RestartableDynamo> {
  const path = mkdtempSync(join(tmpdir(), 'fault-dynamo-'));
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  let inside = 0;
  const start = async () => {
    const next = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path }) as Server;
    next.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    next.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      inside++;
      res.once('close', () => inside--);
    });
    port = await listenOn(next, port);
    server = next;
    await front?.up();
  };
  // The pipeline talks to dynalite through a proxy. A stop first takes the proxy down
  // (connections refused, as when DynamoDB is unreachable), waits until the proxy forwards
  // nothing and every request inside dynalite has been answered (however slow the machine),
  // and only then closes dynalite and its LevelDB: dynalite throws an uncaught
  // "Database is closed" when a request reaches it while it is closing.
  const stop = async () => {
    const current = server;
    server = undefined;
    if (!current) return;
    await front?.down();
    await front?.idle();
    await waitFor(() => inside === 0, CEILING.step, 'requests inside dynalite to finish');
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed; // dynalite closes its LevelDB too, so the next start can open it
  };
  let front: FaultProxy | undefined;
  await start();
  front = await startFaultProxy(`http://127.0.0.1:${port}`);
  const endpoint = front.url;
  const ddb = new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint });
  const tableNames = {} as Record<keyof typeof TABLES, string>;
  for (const table of Object.values(TABLES)) {
    tableNames[table.id] = `${prefix}${table.id}`;
    await ddb.send(new CreateTableCommand(createTableInput(table, tableNames[table.id])));
  }
  ddb.destroy();
  return {
    endpoint,
    tableNames,
    start,
    stop,
    async dispose() {
      await stop();
      await front?.stop();
      rmSync(path, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// Signed provider traffic for the demo council, one builder per channel.

export interface Traffic {
  /** The item id classify will see. */
  readonly itemId: string;
  readonly channel: 'messenger' | 'twilio' | 'eum' | 'email';
  /** Where the resident's reply goes (PSID, phone number or email address). */
  readonly resident: string;
  /** Deliver it once, as the provider would: true when the hub acknowledged it (2xx / no throw). */
  send(): Promise<boolean>;
}

// ---------------------------------------------------------------------------

export interface PipelineOptions {
  prefix: string;
  /** Route SQS through a FaultProxy (for SQS outages). */
  sqsProxy?: boolean;
  /** Wrap classify's outbox publisher (to inject a crash). */
  wrapOutbox?: (publisher: OutboxSink) => OutboxSink;
}

export interface OutboundCount {
  /** Accepted by a provider fake (2xx) or by the SES emulator, per outbox id. */
  readonly byOutboxId: Map<string, number>;
  readonly total: number;
}

export interface Pipeline {
  readonly emu: Emulators;
  readonly fakes: ProviderFakes;
  readonly dynamo: RestartableDynamo;
  readonly sqsProxy?: FaultProxy;
  readonly sesProxy: FaultProxy;
  readonly audit: AuditStore;
  readonly ops: OpsStore;
  messenger(n: number): Traffic;
  twilio(n: number): Traffic;
  eum(n: number): Traffic;
  email(n: number): Promise<Traffic>;
  /** Start (or resume) the event source mappings. */
  startPollers(which?: readonly ('inbound' | 'outbox')[]): void;
  stopPollers(which?: readonly ('inbound' | 'outbox')[]): Promise<void>;
  /**
   * deliver's provider timeout for the sends that start from now on; no argument: the production 10 s.
   * A short one is only for providers that hang: a provider that answers after a short timeout has
   * run out (a stall on a loaded machine) has accepted a message deliver will send again.
   */
  providerTimeout(ms?: number): void;
  /** Wait until the inbound and outbox queues are empty (nothing visible or in flight) twice in a row. */
  settle(ceilingMs: number, queues?: readonly ('inbound' | 'outbox')[]): Promise<void>;
  depth(queue: 'inbound' | 'outbox' | 'inbound-dlq' | 'outbox-dlq'): Promise<number>;
  /** The messages in a DLQ, parsed (received with a long visibility, so they stay put for the test). */
  dlqBodies(queue: 'inbound' | 'outbox'): Promise<unknown[]>;
  summaries(): Promise<AuditSummary[]>;
  events(): Promise<AuditEvent[]>;
  /** Every message the hub got out: provider fakes (2xx) plus emails the SES emulator accepted. */
  outbound(): Promise<OutboundCount>;
  /** Emails in the SES emulator's store (GET /store). */
  sesStored(): Promise<number>;
  /** Raw emails the SES emulator accepted, by the X-Hub-Outbox-Id header. */
  readonly sesAccepted: Map<string, number>;
  readonly errors: unknown[];
  /** Records each consumer reported failed (they went back to the queue). */
  readonly failures: { classify: number; deliver: number };
  stop(): Promise<void>;
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const emu = await startEmulators({ prefix: options.prefix });
  const dynamo = await startRestartableDynamo(options.prefix);
  const fakes = await startProviderFakes();
  const sqsProxy = options.sqsProxy ? await startFaultProxy(emu.sqsEndpoint) : undefined;
  const sesProxy = await startFaultProxy(emu.sesEndpoint);
  const mailDir = mkdtempSync(join(tmpdir(), 'fault-mail-'));
  const viaProxy = (url: string) => (sqsProxy ? url.replace(emu.sqsEndpoint, sqsProxy.url) : url);
  const inboundUrl = viaProxy(emu.queueUrls.inbound);
  const outboxUrl = viaProxy(emu.queueUrls.outbox);

  const restoreEnv = applyEnv({
    ...emu.env,
    ...fakes.env,
    ...TEST_SECRETS,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AUDIT_TABLE: dynamo.tableNames.audit,
    OPS_TABLE: dynamo.tableNames.ops,
    AWS_ENDPOINT_URL_SQS: sqsProxy?.url ?? emu.sqsEndpoint,
    INBOUND_QUEUE_URL: inboundUrl,
    OUTBOX_QUEUE_URL: outboxUrl,
    AWS_ENDPOINT_URL_SESV2: sesProxy.url,
    HUB_COUNCIL: COUNCIL,
    MAIL_DIR: mailDir,
    MAIL_PREFIX: 'inbound/',
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    SES_FROM_ADDRESS: 'Demo Parish Council <hub@demo-parish.example.org.uk>',
    SMS_ORIGINATION_IDENTITY: SMS_NUMBER,
    OUTBOX_RETRY_BASE_SECONDS: '0',
  });
  delete process.env.SECRETS_ARN;
  delete process.env.PUBLIC_BASE_URL;
  resetSecretsCache();
  resetRawMailStore();

  // Each handler runs as its function's role (IAM enforcement, infra/local/iam).
  const as =
    <E, R>(fn: FunctionId, handler: (event: E, context: ReturnType<typeof lambdaContext>) => Promise<R>) =>
    (event: E, context: ReturnType<typeof lambdaContext>) =>
      runAs(fn, () => handler(event, context));
  const handlers = {
    messenger: as('messengerWebhook', (await import('../../functions/messenger-webhook.ts')).handler as unknown as HttpHandler),
    twilio: as('twilioWebhook', (await import('../../functions/twilio-webhook.ts')).handler as unknown as HttpHandler),
    ses: as(
      'sesInbound',
      (await import('../../functions/ses-inbound.ts')).handler as unknown as (event: SESEvent, context: ReturnType<typeof lambdaContext>) => Promise<void>,
    ),
    sms: as(
      'smsInbound',
      (await import('../../functions/sms-inbound.ts')).handler as unknown as (event: SNSEvent, context: ReturnType<typeof lambdaContext>) => Promise<void>,
    ),
  };

  const documents = createDocumentClient();
  const sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: sqsProxy?.url ?? emu.sqsEndpoint });
  const direct = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.sqsEndpoint });
  const policy = loadPolicy(COUNCIL);
  const audit = new AuditStore({ client: documents, tableName: dynamo.tableNames.audit, council: policy.council.id });
  const ops = new OpsStore({ client: documents, tableName: dynamo.tableNames.ops });
  const publisher: OutboxSink = new OutboxPublisher({ client: sqs, queueUrl: outboxUrl });
  const classifyDeps: ClassifyDeps = {
    audit,
    ops,
    outbox: options.wrapOutbox ? options.wrapOutbox(publisher) : publisher,
    policy,
    secrets: { CONSENT_SIGNING_KEY: TEST_SECRETS.CONSENT_SIGNING_KEY },
    now: () => new Date(),
    publicBaseUrl: 'https://hub.demo-parish.example.org.uk',
  };
  const failures = { classify: 0, deliver: 0 };
  const counted = (name: keyof typeof failures, consume: (event: SQSEvent) => Promise<SQSBatchResponse>) => async (event: SQSEvent) => {
    const out = await consume(event);
    failures[name] += out.batchItemFailures.length;
    return out;
  };
  const classifyBatch = sqsBatchHandler(InboundItem, async (item) => void (await processInboundItem(item, classifyDeps)), { name: 'classify' });
  let providerTimeoutMs = DEFAULT_PROVIDER_TIMEOUT_MS;
  const deliverBatch = outboxConsumer({
    ...deliverDepsFromEnv(),
    audit: () => audit,
    changeVisibility: undefined,
    // Read on each send, so a test can shorten it while the providers hang.
    get timeoutMs() {
      return providerTimeoutMs;
    },
  });
  const classify = counted('classify', (event) => runAs('classify', () => classifyBatch(event)));
  const deliver = counted('deliver', (event) => runAs('deliver', () => deliverBatch(event)));

  const errors: unknown[] = [];
  const pollers = new Map<'inbound' | 'outbox', Poller>();
  const startPollers = (which: readonly ('inbound' | 'outbox')[] = ['inbound', 'outbox']) => {
    for (const id of which) {
      if (pollers.has(id)) continue;
      pollers.set(
        id,
        startPoller({
          // The event source mapping polls with the consumer's role.
          sqs: bindPrincipal(
            new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: sqsProxy?.url ?? emu.sqsEndpoint }),
            QUEUES[id].consumer,
          ),
          queue: { ...QUEUES[id], visibilityTimeoutSeconds: id === 'inbound' ? INBOUND_VISIBILITY_SECONDS : OUTBOX_VISIBILITY_SECONDS },
          queueUrl: id === 'inbound' ? inboundUrl : outboxUrl,
          queueArn: `arn:aws:sqs:${LOCAL_REGION}:123456789012:${options.prefix}${id}`,
          consume: id === 'inbound' ? classify : deliver,
          idleMs: 50,
          // One batch at a time: with the harness's 1-2 s visibility timeouts (180 s in AWS) a second
          // loop could take a message back while its first delivery is still running.
          concurrency: 1,
          onError: (error) => errors.push(error),
        }),
      );
    }
  };
  const stopPollers = async (which: readonly ('inbound' | 'outbox')[] = ['inbound', 'outbox']) => {
    await Promise.all(which.map((id) => pollers.get(id)?.stop()));
    for (const id of which) pollers.delete(id);
  };

  const depth = async (queue: 'inbound' | 'outbox' | 'inbound-dlq' | 'outbox-dlq') => {
    const url = queue.endsWith('-dlq') ? emu.dlqUrls[queue.replace('-dlq', '') as 'inbound' | 'outbox'] : emu.queueUrls[queue as 'inbound' | 'outbox'];
    const out = await direct.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  };

  const sesAccepted = new Map<string, number>();
  const sesStore = async () => ((await (await fetch(`${emu.sesEndpoint}/store`)).json()) as { emails: unknown[] }).emails;
  sesProxy.onForwarded((req, body) => {
    if (!req.url?.startsWith('/v2/email/outbound-emails')) return;
    const raw = (JSON.parse(body.toString('utf8')) as { Content?: { Raw?: { Data?: string } } }).Content?.Raw?.Data;
    const id = raw ? /^X-Hub-Outbox-Id:\s*(.+)$/im.exec(Buffer.from(raw, 'base64').toString('utf8'))?.[1]?.trim() : undefined;
    if (id) sesAccepted.set(id, (sesAccepted.get(id) ?? 0) + 1);
  });

  const signedTwilio = (params: Record<string, string>) => {
    const signature = sortedParamsSignature(`http://${HOST}/webhooks/twilio`, formBody(params), TEST_SECRETS.TWILIO_AUTH_TOKEN);
    return httpEvent({
      path: '/webhooks/twilio',
      headers: { host: HOST, 'x-forwarded-proto': 'http', 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody(params),
    });
  };
  const acknowledged = async (call: () => Promise<unknown>): Promise<boolean> => {
    try {
      const out = (await call()) as APIGatewayProxyStructuredResultV2 | undefined;
      return out === undefined || (out.statusCode ?? 200) < 300;
    } catch {
      return false; // Lambda retries an event invocation that threw
    }
  };

  return {
    emu,
    fakes,
    dynamo,
    ...(sqsProxy ? { sqsProxy } : {}),
    sesProxy,
    audit,
    ops,
    sesAccepted,
    sesStored: async () => (await sesStore()).length,
    errors,
    failures,
    messenger(n) {
      const psid = `7100000000${String(n).padStart(6, '0')}`;
      const mid = `m_fault_${options.prefix}${n}`;
      const body = JSON.stringify({
        object: 'page',
        entry: [
          {
            id: PAGE_ID,
            time: Date.now(),
            messaging: [
              { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), message: { mid, text: `When is the next parish meeting? (${n})` } },
            ],
          },
        ],
      });
      const signature = messengerSignature(body);
      const event = () =>
        httpEvent({
          path: '/webhooks/messenger',
          headers: { host: HOST, 'x-forwarded-proto': 'http', 'content-type': 'application/json', 'x-hub-signature-256': signature },
          body,
        });
      return {
        itemId: `meta:${mid}`,
        channel: 'messenger',
        resident: psid,
        send: () => acknowledged(() => handlers.messenger(event(), lambdaContext('messenger'))),
      };
    },
    twilio(n) {
      const sid = `SMfault${options.prefix.replace(/[^a-z0-9]/gi, '')}${String(n).padStart(6, '0')}`;
      const from = `+4477009${String(10_000 + n).slice(-5)}`;
      const params = {
        ToCountry: 'GB',
        SmsMessageSid: sid,
        SmsSid: sid,
        MessageSid: sid,
        NumMedia: '0',
        SmsStatus: 'received',
        From: from,
        To: SMS_NUMBER,
        Body: `The street light on Elm Close is out (${n})`,
        AccountSid: 'AC0123456789abcdef0123456789abcdef',
        NumSegments: '1',
        ApiVersion: '2010-04-01',
      };
      return {
        itemId: `twilio:${sid}`,
        channel: 'twilio',
        resident: from,
        send: () => acknowledged(() => handlers.twilio(signedTwilio(params), lambdaContext('twilio'))),
      };
    },
    eum(n) {
      const id = `fault-${options.prefix}${n}`;
      const from = `+4477009${String(20_000 + n).slice(-5)}`;
      const message = {
        originationNumber: from,
        destinationNumber: SMS_NUMBER,
        messageKeyword: 'KEYWORD_123456789012',
        messageBody: `Pothole on Church Lane (${n})`,
        inboundMessageId: id,
        previousPublishedMessageId: '',
      };
      const event: SNSEvent = {
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: 'arn:aws:sns:eu-west-2:123456789012:inbound-sms:fault',
            Sns: {
              Type: 'Notification',
              MessageId: `sns-${id}`,
              TopicArn: 'arn:aws:sns:eu-west-2:123456789012:inbound-sms',
              Subject: '',
              Message: JSON.stringify(message),
              Timestamp: new Date().toISOString(),
              SignatureVersion: '1',
              Signature: 'EXAMPLE',
              SigningCertUrl: 'https://sns.eu-west-2.amazonaws.com/cert.pem',
              UnsubscribeUrl: 'https://sns.eu-west-2.amazonaws.com/?Action=Unsubscribe',
              MessageAttributes: {},
            },
          },
        ],
      };
      return { itemId: `aws-sms:${id}`, channel: 'eum', resident: from, send: () => acknowledged(() => handlers.sms(event, lambdaContext('sms'))) };
    },
    async email(n) {
      const messageId = `fault${options.prefix.replace(/[^a-z0-9]/gi, '')}${String(n).padStart(6, '0')}`;
      const sender = `resident${n}@example.co.uk`;
      const raw = [
        `Return-Path: <${sender}>`,
        'X-SES-Spam-Verdict: PASS',
        'X-SES-Virus-Verdict: PASS',
        `From: A Resident <${sender}>`,
        `To: Parish Clerk <${CLERK}>`,
        `Subject: Overgrown hedge on Mill Road (${n})`,
        `Message-ID: <${messageId}@mail.example.co.uk>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Dear Clerk, the hedge outside 14 Mill Road is blocking the footpath again.',
        '',
      ].join('\r\n');
      await new FileMailStore(mailDir).put(`inbound/${messageId}`, Buffer.from(raw));
      const event = buildSesEvent({ raw: Buffer.from(raw), messageId, envelopeFrom: sender, recipients: [CLERK], authVerdict: 'PASS' });
      return { itemId: `ses:${messageId}`, channel: 'email', resident: sender, send: () => acknowledged(() => handlers.ses(event, lambdaContext('ses'))) };
    },
    startPollers,
    stopPollers,
    depth,
    providerTimeout(ms) {
      providerTimeoutMs = ms ?? DEFAULT_PROVIDER_TIMEOUT_MS;
    },
    async settle(ceilingMs, queues = ['inbound', 'outbox'] as const) {
      const deadline = Date.now() + ceilingMs;
      let quiet = 0;
      while (quiet < 2) {
        if (Date.now() > deadline)
          throw new Error(`pipeline did not settle in ${ceilingMs} ms: inbound ${await depth('inbound')}, outbox ${await depth('outbox')}`);
        let pending = 0;
        for (const queue of queues) pending += await depth(queue);
        quiet = pending === 0 ? quiet + 1 : 0;
        await sleep(150);
      }
    },
    async dlqBodies(queue) {
      const bodies: unknown[] = [];
      for (;;) {
        const out = await direct.send(
          new ReceiveMessageCommand({ QueueUrl: emu.dlqUrls[queue], MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 600 }),
        );
        if (!out.Messages?.length) return bodies;
        bodies.push(...out.Messages.map((m) => JSON.parse(m.Body!) as unknown));
      }
    },
    async summaries() {
      const all: AuditSummary[] = [];
      for await (const s of audit.listSummaries({})) all.push(s);
      return all;
    },
    async events() {
      const all: AuditEvent[] = [];
      for await (const e of audit.chainEvents()) all.push(e);
      return all;
    },
    async outbound() {
      const byOutboxId = new Map<string, number>();
      const add = (id: string) => byOutboxId.set(id, (byOutboxId.get(id) ?? 0) + 1);
      // Twilio requests carry no outbox id: they are counted by recipient (one resident each in these tests).
      for (const call of fakes.delivered()) add(call.outboxId ?? `twilio-to:${call.to}`);
      for (const [id, count] of sesAccepted) for (let i = 0; i < count; i++) add(id);
      return { byOutboxId, total: fakes.delivered().length + (await sesStore()).length };
    },
    async stop() {
      await stopPollers();
      sqs.destroy();
      direct.destroy();
      documents.destroy();
      restoreEnv();
      await sqsProxy?.stop();
      await sesProxy.stop();
      await fakes.stop();
      await dynamo.dispose();
      await emu.stop();
      rmSync(mailDir, { recursive: true, force: true });
    },
  };
}

/** The provider's side: deliver until acknowledged, waiting between tries (Meta, Twilio and Lambda all retry). */
export async function sendUntilAcknowledged(
  traffic: Traffic,
  options: { delayMs?: number; attempts?: number; onRefused?: (traffic: Traffic) => void } = {},
): Promise<number> {
  const attempts = options.attempts ?? 40;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (await traffic.send()) return attempt;
    options.onRefused?.(traffic);
    await sleep(options.delayMs ?? 250);
  }
  throw new Error(`${traffic.itemId} was never acknowledged`);
}

/**
 * How long a wait may take before the test is called broken. A wait returns as
 * soon as its condition holds, so these cost nothing on a healthy run; they are
 * sized for a machine ten times slower than a quiet 2-core one (a full suite
 * beside other work), never from the machine's load at the time.
 */
export const CEILING = {
  /** One step: an outage phase, a crash observed, a server drained. */
  step: 60_000,
  /** The pipeline drained after a fault (at most 32 items, about 70 outbound messages). */
  settle: 120_000,
  /** Sends, assertions and the slack vitest needs around them. */
  rest: 60_000,
} as const;

/** A test's own timeout: every wait it makes at its ceiling, plus the rest. */
export function testTimeout(...ceilings: number[]): number {
  return ceilings.reduce((sum, ms) => sum + ms, CEILING.rest);
}

export async function waitFor(condition: () => boolean | Promise<boolean>, ceilingMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ceilingMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ceilingMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What one item should make leave the hub (demo council), keyed as Pipeline.outbound() counts it. */
export function expectedOutbound(traffic: Traffic): string[] {
  switch (traffic.channel) {
    case 'messenger':
      return [`${traffic.itemId}:auto-reply`];
    case 'twilio':
      return [`${traffic.itemId}:clerk-routing`, `twilio-to:${traffic.resident}`];
    case 'eum':
      return [`${traffic.itemId}:clerk-routing`, `${traffic.itemId}:consent-request`];
    case 'email':
      return [`${traffic.itemId}:auto-reply`, `${traffic.itemId}:clerk-routing`, `${traffic.itemId}:consent-request`];
  }
}

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
