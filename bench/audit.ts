/**
 * `npm run bench:audit`: the audit trail's two measured targets (issue 11).
 *
 * 1. Writes per appended event with 40 concurrent producers: each producer
 *    records events through the real FIFO audit queue (local-aws-sqs) while
 *    the appender links them (dynalite behind a counting proxy). Reported:
 *    PutItem calls on chain keys per event, all audit-table PutItems per
 *    event, UpdateItems per event, and that the chain verifies.
 * 2. Verify rate (parts/audit-verify.ts): a chain of --verify-events events
 *    (4 per item, with summary and content, as classify writes them) checked
 *    by `hub audit verify`'s code against the local hub's DynamoDB in its own
 *    process; events/s, events per CPU-second, and the read capacity and
 *    price per 10,000 events under DynamoDB's rules.
 *
 * `--only appends|verify` runs one and keeps the other's last figures.
 * Writes bench/audit-report.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildSqsEvent } from '../infra/local/poller.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../infra/local/emulators.ts';
import { ChainAppender } from '../shared/store/audit-appender.ts';
import { linkBatch } from '../shared/store/audit-link.ts';
import { batchSender } from '../shared/queue/batch.ts';
import { SqsAuditQueue } from '../shared/store/audit-queue.ts';
import { AuditStore } from '../shared/store/audit-store.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { startCountingProxy, type CountingProxy } from './lib/counting-proxy.ts';
import { round } from './lib/stats.ts';
import { measureVerify } from './parts/audit-verify.ts';

const { values } = parseArgs({
  options: {
    producers: { type: 'string', default: '40' },
    events: { type: 'string', default: '10' },
    'verify-events': { type: 'string', default: '40000' },
    'verify-runs': { type: 'string', default: '5' },
    only: { type: 'string' },
    // The local hub keeps DynamoDB on disk (dynalite's LevelDB under HUB_DATA_DIR); 'memory' is the tests' setup.
    storage: { type: 'string', default: 'disk' },
    // A V8 CPU profile of the verify runs (verify's process) is written here.
    'cpu-prof': { type: 'string' },
  },
});
const PRODUCERS = Number(values.producers);
const EVENTS_EACH = Number(values.events);
const REPORT = 'bench/audit-report.json';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const last = existsSync(REPORT) ? (JSON.parse(readFileSync(REPORT, 'utf8')) as Record<string, unknown>) : {};
const appends = values.only === 'verify' ? last.appends : await withEmulators(measureAppends);
const verify =
  values.only === 'appends'
    ? last.verify
    : await measureVerify({
        root: ROOT,
        events: Number(values['verify-events']),
        runs: Number(values['verify-runs']),
        storage: values.storage === 'memory' ? 'memory' : 'disk',
        ...(values['cpu-prof'] ? { cpuProfile: values['cpu-prof'] } : {}),
      });
const report = { generatedAt: new Date().toISOString(), appends, verify };
writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));

interface AppendsBench {
  readonly emu: Emulators;
  readonly proxy: CountingProxy;
  readonly sqs: SQSClient;
  readonly client: DynamoDBDocumentClient;
  readonly direct: DynamoDBDocumentClient;
}

async function withEmulators<T>(measure: (bench: AppendsBench) => Promise<T>): Promise<T> {
  const emu = await startEmulators({ prefix: 'bench-audit-' });
  const proxy = await startCountingProxy(emu.dynamodbEndpoint, 'dynamodb');
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const client = createDocumentClient({ ...config, endpoint: proxy.url });
  const direct = createDocumentClient({ ...config, endpoint: emu.dynamodbEndpoint });
  const sqs = new SQSClient({ ...config, endpoint: emu.sqsEndpoint });
  try {
    return await measure({ emu, proxy, sqs, client, direct });
  } finally {
    await proxy.stop();
    client.destroy();
    direct.destroy();
    sqs.destroy();
    await emu.stop();
  }
}

async function measureAppends({ emu, proxy, sqs, client, direct }: AppendsBench) {
  const council = 'bench';
  proxy.reset();
  const queue = new SqsAuditQueue({ sender: batchSender(sqs), queueUrl: emu.queueUrls.audit });
  const producers = Array.from({ length: PRODUCERS }, () => new AuditStore({ client, tableName: emu.tableNames.audit, council, queue }));
  const total = PRODUCERS * EVENTS_EACH;
  let producing = true;
  const appender = runAppender({ emu, sqs, client }, () => producing, total);
  const started = performance.now();
  await Promise.all(
    producers.map(async (store, p) => {
      for (let n = 0; n < EVENTS_EACH; n++) {
        await store.append({
          ref: `BEN-2026-${String(p).padStart(6, '0')}`,
          itemId: `bench:${p}`,
          type: 'reply-sent',
          at: new Date().toISOString(),
          data: { n },
          eventKey: `bench:${p}:${n}`,
        });
      }
    }),
  );
  producing = false;
  await appender;
  const ms = performance.now() - started;
  const writes = proxy.writes.map((w) => ({ op: w.op, pk: partitionOf(w.body) }));
  const count = (op: string, prefix?: string) => writes.filter((w) => w.op === op && (!prefix || w.pk.startsWith(prefix))).length;
  const check = await new AuditStore({ client: direct, tableName: emu.tableNames.audit, council }).verify();
  return {
    producers: PRODUCERS,
    events: total,
    chained: check.ok ? check.count : -1,
    verifies: check.ok,
    seconds: round(ms / 1000, 2),
    putItemOnChainKeysPerEvent: round(count('PutItem', 'CHAIN#') / total, 3),
    putItemAllPerEvent: round(count('PutItem') / total, 3),
    putItemPendingPerEvent: round(count('PutItem', 'EVENTKEY#') / total, 3),
    updateItemPerEvent: round(count('UpdateItem') / total, 3),
    failedConditionalWrites: [...proxy.counts.values()].reduce((n, c) => n + c.errors, 0),
  };
}

/** The event source mapping in small: receive from the FIFO queue, link, delete; until every event is linked. */
async function runAppender({ emu, sqs, client }: Pick<AppendsBench, 'emu' | 'sqs' | 'client'>, producing: () => boolean, total: number): Promise<void> {
  const appender = new ChainAppender({ client, tableName: emu.tableNames.audit });
  let linked = 0;
  while (linked < total || producing()) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: emu.queueUrls.audit, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'] }),
    );
    if (Messages.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    const { batchItemFailures } = await linkBatch(buildSqsEvent(Messages, 'arn:aws:sqs:eu-west-2:123456789012:audit.fifo'), appender);
    if (batchItemFailures.length) throw new Error('the appender failed a batch');
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: emu.queueUrls.audit, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
    linked += Messages.length;
  }
}

function partitionOf(body: string): string {
  const json = JSON.parse(body) as { Item?: { pk?: { S?: string } }; Key?: { pk?: { S?: string } } };
  return json.Item?.pk?.S ?? json.Key?.pk?.S ?? '';
}
