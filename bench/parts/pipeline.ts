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
  mandrillEvent,
  messengerEvent,
  whatsappEvent,
  rawEmail,
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
  mandrillWebhook: mandrillEvent,
  twilioWebhook: twilioEvent,
  smsInbound: smsInboundEvent,
  whatsappWebhook: whatsappEvent,
  // sesInbound is built per item: its raw MIME goes to the S3 fake first.
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

export async function runPipeline(root: string, opts: { cpuInvocations: number; itemsPerKind: number; log: (l: string) => void }): Promise<PipelineReport> {
  const cpuMethod =
    'process.cpuUsage() around N sequential invocations in this process; the SQS client really sends to local-aws-sqs (and DynamoDB where a handler uses it), which runs in a child process, so emulator CPU is excluded and SDK serialisation, signing and HTTP are included.';
  const have = (fn: FunctionId) => existsSync(join(root, FUNCTIONS[fn].entry));
  const ingestIds = (Object.keys(FUNCTIONS) as FunctionId[]).filter((fn) => FUNCTIONS[fn].kind !== 'sqs' && FUNCTIONS[fn].kind !== 'schedule' && fn !== 'consentForm' && fn !== 'moderationLink' && fn !== 'caseLink');
  if (!ingestIds.some(have)) {
    return {
      status: 'not-available',
      note: 'not available yet: no ingest handler in functions/',
      cpuMethod,
      ingestCpu: ingestIds.map((fn) => ({ fn, status: 'missing' as const })),
      kinds: KINDS.map((k) => ({ kind: k.kind, status: 'not-available' as const, note: 'handlers not available yet' })),
    };
  }

  const emulators = await startEmulatorProcess(root, `bench${process.pid}-`);
  const proxies: Record<'dynamodb' | 'sqs' | 'ses', CountingProxy> = {
    dynamodb: await startCountingProxy(emulators.info.dynamodbEndpoint, 'dynamodb'),
    sqs: await startCountingProxy(emulators.info.sqsEndpoint, 'sqs'),
    ses: await startCountingProxy(emulators.info.sesEndpoint, 'ses'),
  };
  // The SQS client sends to the QueueUrl's host when it differs from the endpoint, so the URLs must name the proxy too.
  const viaProxy = (url: string) => url.replace(emulators.info.sqsEndpoint, proxies.sqs.url);
  const queueUrls = { inbound: viaProxy(emulators.info.queueUrls.inbound), outbox: viaProxy(emulators.info.queueUrls.outbox) };
  const s3 = await startS3Fake();
  let fakes: { env: Record<string, string>; calls(): { channel: string }[]; reset(): void; stop(): Promise<void> } | undefined;
  const fakesFile = join(root, 'infra/local/provider-fakes.ts');
  if (existsSync(fakesFile)) {
    const mod = (await import(pathToFileURL(fakesFile).href)) as { startProviderFakes?: () => Promise<typeof fakes> };
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

  const handlers = new Map<FunctionId, Handler | string>();
  const handler = async (fn: FunctionId): Promise<Handler | string> => {
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
  const invoke = async (fn: FunctionId, event: unknown): Promise<{ ms: number; result: unknown }> => {
    const h = await handler(fn);
    if (typeof h === 'string') throw new Error(`${fn}: ${h}`);
    const t0 = performance.now();
    // Under the function's role (IAM enforcement, infra/local/iam): a missing grant fails the bench as it would fail in AWS.
    const result = await runAs(fn, () => h(event, lambdaContext(fn, FUNCTIONS[fn].memoryMb)));
    return { ms: performance.now() - t0, result };
  };
  let counter = 0;
  const sesItem = async (n: number) => {
    const messageId = `bench${n}x${Date.now().toString(36)}`;
    const raw = rawEmail(n);
    s3.objects.set(`bench-mail/inbound/${messageId}`, Buffer.from(raw));
    return { event: sesEvent(messageId, raw), rawBytes: Buffer.byteLength(raw) };
  };

  try {
    // 3. Per-item CPU of each ingest handler.
    const ingestCpu: IngestCpu[] = [];
    for (const fn of ingestIds) {
      const h = await handler(fn);
      if (typeof h === 'string') {
        ingestCpu.push({ fn, status: h === 'missing' ? 'missing' : 'failed', note: h });
        continue;
      }
      const build = async (n: number) => (fn === 'sesInbound' ? (await sesItem(n)).event : INGEST_FIXTURES[fn]!(n));
      try {
        for (let i = 0; i < 20; i++) await invoke(fn, await build(++counter)); // warm-up
        const events = [];
        for (let i = 0; i < opts.cpuInvocations; i++) events.push(await build(++counter));
        let errors = 0;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (const event of events) {
          const { result } = await invoke(fn, event);
          if (isHttpError(result)) errors++;
        }
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        ingestCpu.push({
          fn,
          status: 'ok',
          invocations: events.length,
          cpuMsPerItem: round((cpu.user + cpu.system) / 1000 / events.length, 3),
          wallMsPerItem: round(wall / events.length, 2),
          errors,
        });
      } catch (error) {
        ingestCpu.push({ fn, status: 'failed', note: (error as Error).message.split('\n')[0] });
      }
      await purge(sqs, queueUrls.inbound);
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
        kinds.push(await measureKind(k.kind, k.ingest));
      } catch (error) {
        kinds.push({ kind: k.kind, status: 'failed', note: (error as Error).message.split('\n')[0] });
      }
    }
    return { status: 'ok', cpuMethod, ingestCpu, kinds };
  } finally {
    restoreStdout.restore();
    sqs.destroy();
    await Promise.all([...Object.values(proxies).map((p) => p.stop()), s3.stop(), fakes?.stop()]);
    await emulators.stop();
  }

  async function measureKind(kind: string, ingest: FunctionId): Promise<KindUsage> {
    const durations = new Map<FunctionId, number[]>();
    let emptyReceives = 0;
    let rawEmailBytes = 0;
    const once = async () => {
      const n = ++counter;
      if (ingest === 'sesInbound') {
        const { event, rawBytes } = await sesItem(n);
        rawEmailBytes = rawBytes;
        s3.counts.set('PutObject', (s3.counts.get('PutObject') ?? 0) + 1); // the SES S3 action's write
        record(ingest, (await invoke(ingest, event)).ms);
      } else {
        const { ms, result } = await invoke(ingest, INGEST_FIXTURES[ingest]!(n));
        if (isHttpError(result)) throw new Error(`${ingest} answered ${(result as { statusCode: number }).statusCode}`);
        record(ingest, ms);
      }
      for (let round = 0; round < 4; round++) {
        const a = await drain(queueUrls.inbound, 'classify');
        const b = await drain(queueUrls.outbox, 'deliver');
        if (a + b === 0) break;
      }
    };
    const record = (fn: FunctionId, ms: number) => durations.set(fn, [...(durations.get(fn) ?? []), ms]);
    const drain = async (queueUrl: string, fn: FunctionId): Promise<number> => {
      let handled = 0;
      for (;;) {
        const received = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'], MessageAttributeNames: ['All'] }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) {
          emptyReceives++;
          return handled;
        }
        const { ms, result } = await invoke(fn, sqsEvent(queueUrl, messages));
        record(fn, ms);
        const failed = new Set(((result as { batchItemFailures?: { itemIdentifier: string }[] } | undefined)?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const done = messages.filter((m) => !failed.has(m.MessageId!));
        if (done.length > 0) {
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
        }
        if (failed.size > 0) throw new Error(`${fn} reported ${failed.size} batch item failure(s)`);
        handled += messages.length;
      }
    };

    await once(); // warm-up: module load, secrets, first connections
    for (const p of Object.values(proxies)) p.reset();
    s3.counts.clear();
    fakes?.reset();
    durations.clear();
    emptyReceives = 0;
    const logStart = captured.bytes;
    const items = opts.itemsPerKind;
    for (let i = 0; i < items; i++) await once();

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
    const ddb = [...proxies.dynamodb.counts];
    const writeUnits = ddb.filter(([op]) => /Put|Update|Delete|BatchWrite/.test(op)).reduce((s, [, c]) => s + c.capacityUnits, 0);
    const readUnits = ddb.filter(([op]) => /Get|Query|Scan/.test(op)).reduce((s, [, c]) => s + c.capacityUnits, 0);
    const gsiUnits = gsiWriteUnits(proxies.dynamodb.writes);
    const provider: Record<string, number> = {};
    for (const call of fakes?.calls() ?? []) provider[call.channel] = (provider[call.channel] ?? 0) + 1 / items;
    const invocations = [...durations.values()].reduce((s, d) => s + d.length, 0);
    return {
      kind,
      status: 'ok',
      items,
      requestsPerItem: requests,
      sqsBilledPerItem: round(sqsBilled / items, 2),
      wruPerItem: round((writeUnits + gsiUnits) / items, 2),
      rruPerItem: round(readUnits / items, 2),
      sesOutboundPerItem: round((proxies.ses.counts.get('SendEmail')?.count ?? 0) / items, 2),
      providerCallsPerItem: Object.fromEntries(Object.entries(provider).map(([k, v]) => [k, round(v, 2)])),
      s3PerItem: Object.fromEntries([...s3.counts].map(([k, v]) => [k, round(v / items, 2)])),
      lambda: [...durations].map(([fn, ds]) => ({
        fn,
        memoryMb: FUNCTIONS[fn].memoryMb,
        invocationsPerItem: round(ds.length / items, 2),
        meanMs: round(ds.reduce((s, d) => s + d, 0) / ds.length, 1),
      })),
      logBytesPerInvocation: Math.round((captured.bytes - logStart) / Math.max(1, invocations)),
      ...(rawEmailBytes ? { rawEmailBytes } : {}),
    };
  }
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
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue, dataType: v.DataType, stringListValues: [], binaryListValues: [] }]),
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
