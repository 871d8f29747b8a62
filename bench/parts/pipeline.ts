import { existsSync } from 'node:fs';
import { describeDenial, installIamEnforcement, runAs } from '../../infra/local/iam/enforce.ts';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeleteMessageBatchCommand, PurgeQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { FUNCTIONS, TABLES, type FunctionId } from '../../shared/topology.ts';
import { startCountingProxy, startEmulatorProcess, type CountingProxy } from '../lib/counting-proxy.ts';
import {
  BENCH_BASE_URL,
  BENCH_SECRETS,
  STILTON,
  lambdaContext,
  mailchimpEvent,
  mandrillPost,
  messengerEvent,
  whatsappEvent,
  rawEmail,
  s3ObjectCreatedEvent,
  sesEvent,
  smsInboundEvent,
  twilioEvent,
} from '../lib/fixtures.ts';
import { startS3Fake } from '../lib/s3-fake.ts';
import { round } from '../lib/stats.ts';

/**
 * Drives the real handlers in-process: ingest handler -> inbound queue ->
 * classify -> outbox queue -> deliver, with a small driver standing in for the
 * Lambda event source mapping (receive, SQSEvent, partial batch failures,
 * delete). The emulators run in a child process behind counting proxies, so
 * (a) every AWS request is counted where it arrives and (b) process.cpuUsage()
 * in this process is the handlers' (and their SDK clients') CPU only.
 */

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export const INGEST_FIXTURES: Partial<Record<FunctionId, (n: number) => unknown>> = {
  messengerWebhook: messengerEvent,
  mailchimpWebhook: mailchimpEvent,
  twilioWebhook: twilioEvent,
  smsInbound: smsInboundEvent,
  whatsappWebhook: whatsappEvent,
  // sesInbound and mandrillIntake are built per item: their raw MIME or POST goes to the S3 fake first.
};

export interface IngestCpu {
  fn: FunctionId;
  status: 'ok' | 'missing' | 'failed';
  note?: string;
  invocations?: number;
  cpuMsPerItem?: number;
  wallMsPerItem?: number;
  errors?: number;
}

export interface KindUsage {
  kind: string;
  status: 'ok' | 'not-available' | 'failed';
  note?: string;
  items?: number;
  /** Per item: AWS requests counted at the emulators, by service and operation. */
  requestsPerItem?: Record<string, number>;
  /** Per item: SQS requests in 64 KB chunk units (what SQS bills). */
  sqsBilledPerItem?: number;
  wruPerItem?: number;
  rruPerItem?: number;
  sesOutboundPerItem?: number;
  providerCallsPerItem?: Record<string, number>;
  s3PerItem?: Record<string, number>;
  /** Per item: Lambda invocations and mean wall time per invocation, by function. */
  lambda?: { fn: FunctionId; memoryMb: number; invocationsPerItem: number; meanMs: number }[];
  logBytesPerInvocation?: number;
  rawEmailBytes?: number;
}

export interface PipelineReport {
  status: 'ok' | 'not-available' | 'failed';
  note?: string;
  cpuMethod: string;
  ingestCpu: IngestCpu[];
  kinds: KindUsage[];
}

const KINDS = [
  { kind: 'formal email (SES)', ingest: 'sesInbound' as FunctionId },
  { kind: 'informal Messenger message', ingest: 'messengerWebhook' as FunctionId },
  { kind: 'SMS (End User Messaging)', ingest: 'smsInbound' as FunctionId },
  { kind: 'informal WhatsApp message', ingest: 'whatsappWebhook' as FunctionId },
];

const CPU_METHOD =
  'process.cpuUsage() around N sequential invocations in this process; the SQS client really sends to local-aws-sqs (and DynamoDB where a handler uses it), which runs in a child process, so emulator CPU is excluded and SDK serialisation, signing and HTTP are included.';

export async function runPipeline(root: string, opts: { cpuInvocations: number; itemsPerKind: number; log: (l: string) => void }): Promise<PipelineReport> {
  const have = (fn: FunctionId) => existsSync(join(root, FUNCTIONS[fn].entry));
  const ingestIds = (Object.keys(FUNCTIONS) as FunctionId[]).filter(
    (fn) => FUNCTIONS[fn].kind !== 'sqs' && FUNCTIONS[fn].kind !== 'schedule' && fn !== 'consentForm' && fn !== 'moderationLink' && fn !== 'caseLink',
  );
  if (!ingestIds.some(have)) {
    return {
      status: 'not-available',
      note: 'not available yet: no ingest handler in functions/',
      cpuMethod: CPU_METHOD,
      ingestCpu: ingestIds.map((fn) => ({ fn, status: 'missing' as const })),
      kinds: KINDS.map((k) => ({ kind: k.kind, status: 'not-available' as const, note: 'handlers not available yet' })),
    };
  }
  const rig = await startRig(root, have);
  try {
    // 3. Per-item CPU of each ingest handler.
    const ingestCpu: IngestCpu[] = [];
    for (const fn of ingestIds) {
      ingestCpu.push(await measureIngestCpu(rig, fn, opts.cpuInvocations));
    }
    opts.log('ingest CPU measured');

    // 4. Requests per item through the whole pipeline.
    const kinds: KindUsage[] = [];
    for (const k of KINDS) {
      const missing = [k.ingest, 'classify', 'deliver'].filter((fn) => !have(fn as FunctionId));
      if (missing.length > 0) {
        kinds.push({ kind: k.kind, status: 'not-available', note: `not available yet: ${missing.map((m) => FUNCTIONS[m as FunctionId].entry).join(', ')}` });
        continue;
      }
      try {
        kinds.push(await measureKind(rig, k.kind, k.ingest, opts.itemsPerKind));
      } catch (error) {
        kinds.push({ kind: k.kind, status: 'failed', note: (error as Error).message.split('\n')[0] });
      }
    }
    return { status: 'ok', cpuMethod: CPU_METHOD, ingestCpu, kinds };
  } finally {
    await rig.stop();
  }
}

type Fakes = { env: Record<string, string>; calls(): { channel: string }[]; reset(): void; stop(): Promise<void> };

/** The emulators (child process) behind counting proxies, the S3 and provider fakes, and the handlers loaded in this process. */
interface Rig {
  readonly proxies: Record<'dynamodb' | 'sqs' | 'ses', CountingProxy>;
  readonly queueUrls: { inbound: string; outbox: string };
  readonly s3: Awaited<ReturnType<typeof startS3Fake>>;
  readonly fakes: Fakes | undefined;
  readonly sqs: SQSClient;
  handler(fn: FunctionId): Promise<Handler | string>;
  invoke(fn: FunctionId, event: unknown): Promise<{ ms: number; result: unknown }>;
  /** The next item number (unique across the run). */
  next(): number;
  /** An SES event whose raw MIME is already in the S3 fake, as SES's S3 action leaves it. */
  sesItem(n: number): Promise<{ event: unknown; rawBytes: number }>;
  /** An S3 notification for a Mandrill POST already in the S3 fake, as the REST API's S3 integration leaves it. */
  mandrillItem(n: number): unknown;
  stop(): Promise<void>;
}

async function startRig(root: string, have: (fn: FunctionId) => boolean): Promise<Rig> {
  const emulators = await startEmulatorProcess(root, `bench${process.pid}-`);
  const proxies: Rig['proxies'] = {
    dynamodb: await startCountingProxy(emulators.info.dynamodbEndpoint, 'dynamodb'),
    sqs: await startCountingProxy(emulators.info.sqsEndpoint, 'sqs'),
    ses: await startCountingProxy(emulators.info.sesEndpoint, 'ses'),
  };
  // The SQS client sends to the QueueUrl's host when it differs from the endpoint, so the URLs must name the proxy too.
  const viaProxy = (url: string) => url.replace(emulators.info.sqsEndpoint, proxies.sqs.url);
  const queueUrls = { inbound: viaProxy(emulators.info.queueUrls.inbound), outbox: viaProxy(emulators.info.queueUrls.outbox) };
  const s3 = await startS3Fake();
  let fakes: Fakes | undefined;
  const fakesFile = join(root, 'infra/local/provider-fakes.ts');
  if (existsSync(fakesFile)) {
    const mod = (await import(pathToFileURL(fakesFile).href)) as { startProviderFakes?: () => Promise<Fakes | undefined> };
    fakes = await mod.startProviderFakes?.();
  }

  Object.assign(process.env, emulators.info.env, BENCH_SECRETS, fakes?.env ?? {}, {
    AWS_ENDPOINT_URL_DYNAMODB: proxies.dynamodb.url,
    AWS_ENDPOINT_URL_SQS: proxies.sqs.url,
    AWS_ENDPOINT_URL_SESV2: proxies.ses.url,
    AWS_ENDPOINT_URL_S3: s3.url,
    HUB_COUNCIL: STILTON.council,
    PUBLIC_BASE_URL: BENCH_BASE_URL,
    MAIL_BUCKET: 'bench-mail',
    MAIL_PREFIX: 'inbound/',
    MANDRILL_WEBHOOK_URL: `${BENCH_BASE_URL}/webhooks/mandrill`,
    SES_FROM_ADDRESS: STILTON.hubAddress,
    MESSENGER_PAGE_ID: STILTON.pageId,
    TWILIO_ACCOUNT_SID: STILTON.twilioAccountSid,
    SMS_ORIGINATION_IDENTITY: STILTON.smsNumber,
    INBOUND_QUEUE_URL: queueUrls.inbound,
    OUTBOX_QUEUE_URL: queueUrls.outbox,
  });
  const sqs = new SQSClient({ endpoint: proxies.sqs.url, region: 'eu-west-2' });
  installIamEnforcement({ onDenial: (d) => process.stderr.write(`${describeDenial(d)}\n`) });
  const restoreStdout = captureStdout();

  const handler = handlerLoader(root, have);
  let counter = 0;
  return {
    proxies,
    queueUrls,
    s3,
    fakes,
    sqs,
    handler,
    async invoke(fn, event) {
      const h = await handler(fn);
      if (typeof h === 'string') throw new Error(`${fn}: ${h}`);
      const t0 = performance.now();
      // Under the function's role (IAM enforcement, infra/local/iam): a missing grant fails the bench as it would fail in AWS.
      const result = await runAs(fn, () => h(event, lambdaContext(fn, FUNCTIONS[fn].memoryMb)));
      return { ms: performance.now() - t0, result };
    },
    next: () => ++counter,
    async sesItem(n) {
      const messageId = `bench${n}x${Date.now().toString(36)}`;
      const raw = rawEmail(n);
      s3.objects.set(`bench-mail/inbound/${messageId}`, Buffer.from(raw));
      return { event: sesEvent(messageId, raw), rawBytes: Buffer.byteLength(raw) };
    },
    mandrillItem(n) {
      const key = `mandrill-intake/bench${n}x${Date.now().toString(36)}`;
      const { body, signature } = mandrillPost(n);
      s3.objects.set(`bench-mail/${key}`, Buffer.from(body));
      s3.metadata.set(`bench-mail/${key}`, { 'x-amz-meta-mandrill-signature': signature });
      return s3ObjectCreatedEvent('bench-mail', key);
    },
    async stop() {
      restoreStdout.restore();
      sqs.destroy();
      await Promise.all([...Object.values(proxies).map((p) => p.stop()), s3.stop(), fakes?.stop()]);
      await emulators.stop();
    },
  };
}

/** Each function's handler, imported once; a string says why there is none. */
function handlerLoader(root: string, have: (fn: FunctionId) => boolean): (fn: FunctionId) => Promise<Handler | string> {
  const handlers = new Map<FunctionId, Handler | string>();
  return async (fn) => {
    if (!handlers.has(fn)) {
      if (!have(fn)) handlers.set(fn, 'missing');
      else {
        try {
          const mod = (await import(pathToFileURL(join(root, FUNCTIONS[fn].entry)).href)) as { handler?: Handler };
          handlers.set(fn, typeof mod.handler === 'function' ? mod.handler : 'no handler export');
        } catch (error) {
          handlers.set(fn, `import failed: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    }
    return handlers.get(fn)!;
  };
}

async function measureIngestCpu(rig: Rig, fn: FunctionId, invocations: number): Promise<IngestCpu> {
  const h = await rig.handler(fn);
  if (typeof h === 'string') return { fn, status: h === 'missing' ? 'missing' : 'failed', note: h };
  const build = async (n: number) =>
    fn === 'sesInbound' ? (await rig.sesItem(n)).event : fn === 'mandrillIntake' ? rig.mandrillItem(n) : INGEST_FIXTURES[fn]!(n);
  try {
    for (let i = 0; i < 20; i++) await rig.invoke(fn, await build(rig.next())); // warm-up
    const events = [];
    for (let i = 0; i < invocations; i++) events.push(await build(rig.next()));
    let errors = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const event of events) {
      const { result } = await rig.invoke(fn, event);
      if (isHttpError(result)) errors++;
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
      fn,
      status: 'ok',
      invocations: events.length,
      cpuMsPerItem: round((cpu.user + cpu.system) / 1000 / events.length, 3),
      wallMsPerItem: round(wall / events.length, 2),
      errors,
    };
  } catch (error) {
    return { fn, status: 'failed', note: (error as Error).message.split('\n')[0] };
  } finally {
    await purge(rig.sqs, rig.queueUrls.inbound);
  }
}

/**
 * Drives one item at a time through ingest -> inbound queue -> classify ->
 * outbox queue -> deliver, standing in for the event source mappings, and
 * records each invocation's wall time.
 */
class ItemDriver {
  readonly durations = new Map<FunctionId, number[]>();
  /** The driver's own "queue is empty" receives: not the item's requests. */
  emptyReceives = 0;
  rawEmailBytes = 0;

  private readonly rig: Rig;
  private readonly ingest: FunctionId;

  constructor(rig: Rig, ingest: FunctionId) {
    this.rig = rig;
    this.ingest = ingest;
  }

  async once(): Promise<void> {
    const { rig, ingest } = this;
    const n = rig.next();
    if (ingest === 'sesInbound') {
      const { event, rawBytes } = await rig.sesItem(n);
      this.rawEmailBytes = rawBytes;
      rig.s3.counts.set('PutObject', (rig.s3.counts.get('PutObject') ?? 0) + 1); // the SES S3 action's write
      this.record(ingest, (await rig.invoke(ingest, event)).ms);
    } else {
      const { ms, result } = await rig.invoke(ingest, INGEST_FIXTURES[ingest]!(n));
      if (isHttpError(result)) throw new Error(`${ingest} answered ${(result as { statusCode: number }).statusCode}`);
      this.record(ingest, ms);
    }
    for (let round = 0; round < 4; round++) {
      const a = await this.drain(rig.queueUrls.inbound, 'classify');
      const b = await this.drain(rig.queueUrls.outbox, 'deliver');
      if (a + b === 0) break;
    }
  }

  reset(): void {
    this.durations.clear();
    this.emptyReceives = 0;
  }

  private record(fn: FunctionId, ms: number): void {
    this.durations.set(fn, [...(this.durations.get(fn) ?? []), ms]);
  }

  /** Receive, invoke with an SQSEvent, delete what succeeded; until the queue is empty. */
  private async drain(queueUrl: string, fn: FunctionId): Promise<number> {
    const { sqs } = this.rig;
    let handled = 0;
    for (;;) {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'], MessageAttributeNames: ['All'] }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) {
        this.emptyReceives++;
        return handled;
      }
      const { ms, result } = await this.rig.invoke(fn, sqsEvent(queueUrl, messages));
      this.record(fn, ms);
      const failed = new Set(
        ((result as { batchItemFailures?: { itemIdentifier: string }[] } | undefined)?.batchItemFailures ?? []).map((f) => f.itemIdentifier),
      );
      const done = messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
        );
      }
      if (failed.size > 0) throw new Error(`${fn} reported ${failed.size} batch item failure(s)`);
      handled += messages.length;
    }
  }
}

async function measureKind(rig: Rig, kind: string, ingest: FunctionId, items: number): Promise<KindUsage> {
  const driver = new ItemDriver(rig, ingest);
  await driver.once(); // warm-up: module load, secrets, first connections
  for (const p of Object.values(rig.proxies)) p.reset();
  rig.s3.counts.clear();
  rig.fakes?.reset();
  driver.reset();
  const logStart = captured.bytes;
  for (let i = 0; i < items; i++) await driver.once();

  const { requests, sqsBilled } = requestsPerItem(rig.proxies, driver.emptyReceives, items);
  const ddb = [...rig.proxies.dynamodb.counts];
  const writeUnits = ddb.filter(([op]) => /Put|Update|Delete|BatchWrite/.test(op)).reduce((s, [, c]) => s + c.capacityUnits, 0);
  const readUnits = ddb.filter(([op]) => /Get|Query|Scan/.test(op)).reduce((s, [, c]) => s + c.capacityUnits, 0);
  const gsiUnits = gsiWriteUnits(rig.proxies.dynamodb.writes);
  const provider: Record<string, number> = {};
  for (const call of rig.fakes?.calls() ?? []) provider[call.channel] = (provider[call.channel] ?? 0) + 1 / items;
  const invocations = [...driver.durations.values()].reduce((s, d) => s + d.length, 0);
  return {
    kind,
    status: 'ok',
    items,
    requestsPerItem: requests,
    sqsBilledPerItem: round(sqsBilled / items, 2),
    wruPerItem: round((writeUnits + gsiUnits) / items, 2),
    rruPerItem: round(readUnits / items, 2),
    sesOutboundPerItem: round((rig.proxies.ses.counts.get('SendEmail')?.count ?? 0) / items, 2),
    providerCallsPerItem: Object.fromEntries(Object.entries(provider).map(([k, v]) => [k, round(v, 2)])),
    s3PerItem: Object.fromEntries([...rig.s3.counts].map(([k, v]) => [k, round(v / items, 2)])),
    lambda: [...driver.durations].map(([fn, ds]) => ({
      fn,
      memoryMb: FUNCTIONS[fn].memoryMb,
      invocationsPerItem: round(ds.length / items, 2),
      meanMs: round(ds.reduce((s, d) => s + d, 0) / ds.length, 1),
    })),
    logBytesPerInvocation: Math.round((captured.bytes - logStart) / Math.max(1, invocations)),
    ...(driver.rawEmailBytes ? { rawEmailBytes: driver.rawEmailBytes } : {}),
  };
}

/** Requests counted at the proxies, per item by `service:operation`, and SQS requests in billed 64 KB units. */
function requestsPerItem(proxies: Rig['proxies'], emptyReceives: number, items: number): { requests: Record<string, number>; sqsBilled: number } {
  const requests: Record<string, number> = {};
  let sqsBilled = 0;
  for (const [service, proxy] of Object.entries(proxies)) {
    for (const [op, c] of proxy.counts) {
      let count = c.count;
      if (service === 'sqs' && op === 'ReceiveMessage') count -= emptyReceives; // the driver's "queue is empty" probes, not the item's
      if (count <= 0) continue;
      requests[`${service}:${op}`] = round(count / items, 2);
      if (service === 'sqs') sqsBilled += count * Math.max(1, Math.ceil(Math.max(c.requestBytes, c.responseBytes) / c.count / 65536));
    }
  }
  return { requests, sqsBilled };
}

/** Writes to a GSI cost write units too; dynalite reports the table's only. Count each index whose keys the write names. */
function gsiWriteUnits(writes: readonly { op: string; body: string; units: number }[]): number {
  let units = 0;
  for (const w of writes) {
    const table = Object.values(TABLES).find((t) => w.body.includes(`"TableName":"`) && new RegExp(`"TableName":"[^"]*${t.id}"`).test(w.body));
    if (!table) continue;
    for (const index of table.indexes) {
      if (w.body.includes(`"${index.partitionKey.name}"`)) units += Math.max(1, w.units);
    }
  }
  return units;
}

function sqsEvent(queueUrl: string, messages: readonly Message[]): unknown {
  const name = queueUrl.split('/').pop()!;
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId,
      receiptHandle: m.ReceiptHandle,
      body: m.Body,
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'AIDABENCH',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          { stringValue: v.StringValue, dataType: v.DataType, stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: m.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:eu-west-2:123456789012:${name}`,
      awsRegion: 'eu-west-2',
    })),
  };
}

function isHttpError(result: unknown): boolean {
  const status = (result as { statusCode?: number } | undefined)?.statusCode;
  return typeof status === 'number' && status >= 400;
}

async function purge(sqs: SQSClient, url: string): Promise<void> {
  try {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  } catch {
    // best effort: ingest-CPU messages are never consumed anyway
  }
}

const captured = { bytes: 0 };

/** Handlers log JSON to stdout as in Lambda; count the bytes (CloudWatch Logs ingestion) and keep them off the bench table. */
function captureStdout(): { restore(): void } {
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    captured.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  return { restore: () => void (process.stdout.write = original) };
}
