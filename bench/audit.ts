/**
 * `npm run bench:audit`: the audit trail's two measured targets (issue 11).
 *
 * 1. Writes per appended event with 40 concurrent producers: each producer
 *    records events through the real FIFO audit queue (local-aws-sqs) while
 *    the appender links them (dynalite behind a counting proxy). Reported:
 *    PutItem calls on chain keys per event, all audit-table PutItems per
 *    event, UpdateItems per event, and that the chain verifies.
 * 2. Verify rate: a chain of --verify-events events (4 per item, with summary
 *    and content, as classify writes them) checked by `hub audit verify`'s
 *    code against dynalite; events/s and the read capacity per 10,000 events
 *    (from dynalite's consumed capacity, which follows DynamoDB's rules).
 *
 * Writes bench/audit-report.json.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildSqsEvent } from '../infra/local/poller.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../infra/local/emulators.ts';
import { eventHash, GENESIS_HASH } from '../shared/pipeline/hash.ts';
import { ChainAppender, chainPk, headMarkKey, seqKey } from '../shared/store/audit-appender.ts';
import { linkBatch } from '../shared/store/audit-link.ts';
import { SqsAuditQueue } from '../shared/store/audit-queue.ts';
import { AuditStore, contentHash, type PersonalContent } from '../shared/store/audit-store.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { verifyAudit } from '../shared/store/verify-audit.ts';
import { startCountingProxy } from './lib/counting-proxy.ts';

const { values } = parseArgs({
  options: {
    producers: { type: 'string', default: '40' },
    events: { type: 'string', default: '10' },
    'verify-events': { type: 'string', default: '40000' },
  },
});
const PRODUCERS = Number(values.producers);
const EVENTS_EACH = Number(values.events);
const VERIFY_EVENTS = Number(values['verify-events']);

const emu = await startEmulators({ prefix: 'bench-audit-' });
const proxy = await startCountingProxy(emu.dynamodbEndpoint, 'dynamodb');
const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
const counted = createDocumentClient({ ...config, endpoint: proxy.url });
const direct = createDocumentClient({ ...config, endpoint: emu.dynamodbEndpoint });
const sqs = new SQSClient({ ...config, endpoint: emu.sqsEndpoint });

try {
  const appends = await measureAppends(counted);
  const verification = await measureVerify(direct, counted);
  const report = { generatedAt: new Date().toISOString(), appends, verify: verification };
  writeFileSync('bench/audit-report.json', `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
} finally {
  await proxy.stop();
  counted.destroy();
  direct.destroy();
  sqs.destroy();
  await emu.stop();
}

async function measureAppends(client: DynamoDBDocumentClient) {
  const council = 'bench';
  proxy.reset();
  const queue = new SqsAuditQueue({ client: sqs, queueUrl: emu.queueUrls.audit });
  const producers = Array.from({ length: PRODUCERS }, () => new AuditStore({ client, tableName: emu.tableNames.audit, council, queue }));
  const total = PRODUCERS * EVENTS_EACH;
  let producing = true;
  const appender = runAppender(client, () => producing, total);
  const started = performance.now();
  await Promise.all(
    producers.map(async (store, p) => {
      for (let n = 0; n < EVENTS_EACH; n++) {
        await store.append({ ref: `BEN-2026-${String(p).padStart(6, '0')}`, itemId: `bench:${p}`, type: 'reply-sent', at: new Date().toISOString(), data: { n }, eventKey: `bench:${p}:${n}` });
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
async function runAppender(client: DynamoDBDocumentClient, producing: () => boolean, total: number): Promise<void> {
  const appender = new ChainAppender({ client, tableName: emu.tableNames.audit });
  let linked = 0;
  while (linked < total || producing()) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emu.queueUrls.audit, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'] }));
    if (Messages.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    const { batchItemFailures } = await linkBatch(buildSqsEvent(Messages, 'arn:aws:sqs:eu-west-2:123456789012:audit.fifo'), appender);
    if (batchItemFailures.length) throw new Error('the appender failed a batch');
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: emu.queueUrls.audit, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    linked += Messages.length;
  }
}

async function measureVerify(client: DynamoDBDocumentClient, countedClient: DynamoDBDocumentClient) {
  const council = 'verify';
  await writeChain(client, council, VERIFY_EVENTS);
  const store = new AuditStore({ client, tableName: emu.tableNames.audit, council });
  const runs: number[] = [];
  const cpu: number[] = [];
  let report: Awaited<ReturnType<typeof verifyAudit>> | undefined;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    report = await verifyAudit(store);
    runs.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
  }
  if (!report?.ok) throw new Error(`the bench chain does not verify: ${JSON.stringify(report?.findings.slice(0, 3))}`);
  proxy.reset();
  await verifyAudit(new AuditStore({ client: countedClient, tableName: emu.tableNames.audit, council }));
  const units = (op: string) => proxy.counts.get(op)?.capacityUnits ?? 0;
  const best = Math.min(...runs);
  const per10k = (n: number) => round((n * 10_000) / VERIFY_EVENTS, 1);
  return {
    events: report.events,
    items: report.items,
    runsMs: runs.map((ms) => Math.round(ms)),
    eventsPerSecond: Math.round(report.events / (best / 1000)),
    // dynalite runs in this process: CPU time covers the emulator's reads and verify's checks, whatever else the machine is doing.
    cpuMs: cpu.map((ms) => Math.round(ms)),
    eventsPerCpuSecond: Math.round(report.events / (Math.min(...cpu) / 1000)),
    readCapacityPer10kEvents: { query: per10k(units('Query')), scan: per10k(units('Scan')), getItem: per10k(units('GetItem')), total: per10k(units('Query') + units('Scan') + units('GetItem')) },
    requests: Object.fromEntries([...proxy.counts].map(([op, c]) => [op, c.count])),
  };
}

/** A realistic chain written directly (received, classified, routed, reply-sent per item), with summaries and content. */
async function writeChain(client: DynamoDBDocumentClient, council: string, events: number): Promise<void> {
  const items: Record<string, unknown>[] = [];
  let prevHash = GENESIS_HASH;
  let seq = 0;
  for (let n = 0; seq < events; n++) {
    const ref = `VER-2026-${String(n).padStart(6, '0')}`;
    const itemId = `ses:verify-${n}`;
    const receivedAt = new Date(Date.UTC(2026, 2, 1) + n * 60_000).toISOString();
    const content: PersonalContent = { senderHash: 'a'.repeat(64), sender: { id: `resident${n}@example.org` }, subject: 'A pothole', text: 'Dear Clerk, there is a pothole on the High Street outside number 12. '.repeat(4), attachments: [] };
    const hash = contentHash(content);
    const day = receivedAt.slice(0, 10);
    items.push({ pk: `ITEM#${ref}`, sk: 'CONTENT', itemRef: ref, council, content, contentHash: hash, retainUntil: '2032-03-01' });
    items.push({ pk: `ITEM#${ref}`, sk: 'SUMMARY', ref, council, itemId, channel: 'email', provider: 'ses', classification: 'formal', receivedAt, day, senderHash: 'a'.repeat(64), consentStatus: 'requested', retainUntil: '2032-03-01' });
    const datas: [string, Record<string, unknown>][] = [
      ['received', { channel: 'email', provider: 'ses', kind: 'email', receivedAt, contentHash: hash, attachments: 0, textTruncated: false, retainUntil: '2032-03-01' }],
      ['classified', { classification: 'formal', reasons: [{ rule: 'official-address', clause: 'stilton.txt §10' }], flags: [], actions: ['route-to-clerk', 'consent-request'], policyVersion: 'stilton@2024-06', consentStatus: 'requested' }],
      ['routed', { outboxId: `${itemId}:clerk-routing`, channel: 'email' }],
      ['consent-requested', { outboxId: `${itemId}:consent-request`, channel: 'email', remindAt: receivedAt, expiresAt: receivedAt }],
    ];
    for (const [type, data] of datas) {
      seq += 1;
      const fields = { council, seq, ref, type, at: receivedAt, itemId, data, prevHash };
      const event = { ...fields, hash: eventHash(fields) };
      items.push({ pk: chainPk(council), sk: seqKey(seq), ...event, eventKey: `${itemId}:${type}` });
      prevHash = event.hash;
    }
  }
  items.push({ ...headMarkKey(council), seq, hash: prevHash });
  for (let i = 0; i < items.length; i += 25) {
    let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = { [emu.tableNames.audit]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
    while (request && Object.keys(request).length) request = (await client.send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems as typeof request;
  }
}

function partitionOf(body: string): string {
  const json = JSON.parse(body) as { Item?: { pk?: { S?: string } }; Key?: { pk?: { S?: string } } };
  return json.Item?.pk?.S ?? json.Key?.pk?.S ?? '';
}

function round(n: number, digits: number): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

