import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bindPrincipal, describeDenial, installIamEnforcement } from '../../infra/local/iam/enforce.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators.ts';
import { eventHash, GENESIS_HASH } from '../../shared/store/hash.ts';
import { chainPk, headMarkKey, pendingKey, seqKey } from '../../shared/store/audit-appender.ts';
import { AuditStore, contentHash, type PersonalContent } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { verifyAudit, type VerifyReport } from '../../shared/store/verify-audit.ts';
import { PRICES } from '../lib/cost.ts';
import { startCountingProxy, startEmulatorProcess } from '../lib/counting-proxy.ts';
import { median, round } from '../lib/stats.ts';

/**
 * The verify rate as an auditor meets it on the local hub: DynamoDB (dynalite,
 * on disk as `hub start` keeps it) in its own process, and `hub audit verify
 * --local`'s reads and checks in this one, through a client made as the CLI
 * makes it (the auditor role under IAM enforcement). Reported: wall-clock,
 * CPU seconds of both processes (which do not depend on what else the
 * machine runs), and the read capacity DynamoDB would charge.
 */

export interface VerifyBenchOptions {
  readonly root: string;
  readonly events: number;
  /** 'disk' as the local hub; 'memory' as the tests. */
  readonly storage: 'disk' | 'memory';
  readonly runs: number;
  /** Write a V8 CPU profile of the verify runs (this process only) here. */
  readonly cpuProfile?: string;
}

export async function measureVerify(options: VerifyBenchOptions) {
  const council = 'verify';
  const dataDir = options.storage === 'disk' ? mkdtempSync(join(tmpdir(), 'bench-verify-')) : undefined;
  const hub = await startEmulatorProcess(options.root, 'bench-verify-', dataDir && join(dataDir, 'dynamodb'));
  const endpoint = hub.info.dynamodbEndpoint;
  const tableName = hub.info.tableNames.audit;
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const writer = createDocumentClient({ ...config, endpoint });
  // As shared/cli/main.ts opens the store for --local.
  const client = createDocumentClient({ ...config, endpoint, maxAttempts: 1 });
  const enforced = installIamEnforcement({ onDenial: (d) => process.stderr.write(`${describeDenial(d)}\n`) });
  if (enforced) bindPrincipal(client, 'auditor');
  try {
    await writeChain(writer, tableName, council, options.events);
    const store = new AuditStore({ client, tableName, council });
    await verifyAudit(store); // warm-up: module loading, JIT, the IAM model
    const profiler = options.cpuProfile ? await startProfile() : undefined;
    const runs: { wallMs: number; verifyCpuMs: number; hubCpuMs: number }[] = [];
    let report: VerifyReport | undefined;
    for (let i = 0; i < options.runs; i++) {
      const hubBefore = await hub.cpuMs();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      report = await verifyAudit(store);
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpuBefore);
      runs.push({ wallMs, verifyCpuMs: (used.user + used.system) / 1000, hubCpuMs: (await hub.cpuMs()) - hubBefore });
    }
    if (profiler) writeFileSync(options.cpuProfile!, JSON.stringify(await profiler.stop()));
    if (!report?.ok) throw new Error(`the bench chain does not verify: ${JSON.stringify(report?.findings.slice(0, 3))}`);
    return { ...rates(report, runs, options, enforced), readCost: await readCost(endpoint, tableName, council, options.events) };
  } finally {
    writer.destroy();
    client.destroy();
    await hub.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

function rates(report: VerifyReport, runs: { wallMs: number; verifyCpuMs: number; hubCpuMs: number }[], options: VerifyBenchOptions, enforced: boolean) {
  const best = (pick: (r: (typeof runs)[number]) => number) => Math.min(...runs.map(pick));
  const cpuSeconds = best((r) => r.verifyCpuMs + r.hubCpuMs) / 1000;
  return {
    events: report.events,
    items: report.items,
    storage: options.storage,
    iamEnforcement: enforced,
    runsMs: runs.map((r) => Math.round(r.wallMs)),
    verifyCpuMs: runs.map((r) => Math.round(r.verifyCpuMs)),
    hubCpuMs: runs.map((r) => Math.round(r.hubCpuMs)),
    eventsPerSecond: Math.round(report.events / (best((r) => r.wallMs) / 1000)),
    medianEventsPerSecond: Math.round(report.events / (median(runs.map((r) => r.wallMs)) / 1000)),
    // Both processes' CPU: the rate a machine with nothing else to do gets if the two run one after the other.
    eventsPerCpuSecond: Math.round(report.events / cpuSeconds),
    // Each process alone: with a core each, the busier one bounds the wall-clock rate.
    eventsPerVerifyCpuSecond: Math.round(report.events / (best((r) => r.verifyCpuMs) / 1000)),
    eventsPerHubCpuSecond: Math.round(report.events / (best((r) => r.hubCpuMs) / 1000)),
  };
}

/** Read capacity under DynamoDB's rules (dynalite computes ConsumedCapacity as DynamoDB does: strongly consistent, 4 KB units, Query/Scan by the size of all items read). */
async function readCost(endpoint: string, tableName: string, council: string, events: number) {
  const proxy = await startCountingProxy(endpoint, 'dynamodb');
  const counted = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: proxy.url });
  try {
    await verifyAudit(new AuditStore({ client: counted, tableName, council }));
    const units = (op: string) => proxy.counts.get(op)?.capacityUnits ?? 0;
    const per10k = (n: number) => round((n * 10_000) / events, 1);
    const total = units('Query') + units('Scan') + units('GetItem');
    return {
      rcuPer10kEvents: { query: per10k(units('Query')), scan: per10k(units('Scan')), getItem: per10k(units('GetItem')), total: per10k(total) },
      usdPer10kEvents: round(((total * 10_000) / events) * PRICES.dynamodbPerRru, 6),
      requests: Object.fromEntries([...proxy.counts].map(([op, c]) => [op, c.count])),
    };
  } finally {
    counted.destroy();
    await proxy.stop();
  }
}

/**
 * A realistic table written directly: per item a chain of received,
 * classified, routed and consent-requested, each with the producer's record
 * (EVENTKEY#, noted with its seq, as the appender leaves it), and the item's
 * summary and content.
 */
async function writeChain(client: DynamoDBDocumentClient, tableName: string, council: string, events: number): Promise<void> {
  const items: Record<string, unknown>[] = [];
  let prevHash = GENESIS_HASH;
  let seq = 0;
  for (let n = 0; seq < events; n++) {
    const ref = `VER-2026-${String(n).padStart(6, '0')}`;
    const itemId = `ses:verify-${n}`;
    const receivedAt = new Date(Date.UTC(2026, 2, 1) + n * 60_000).toISOString();
    const content: PersonalContent = {
      senderHash: 'a'.repeat(64),
      sender: { id: `resident${n}@example.org` },
      subject: 'A pothole',
      text: 'Dear Clerk, there is a pothole on the High Street outside number 12. '.repeat(4),
      attachments: [],
    };
    const hash = contentHash(content);
    const day = receivedAt.slice(0, 10);
    items.push({ pk: `ITEM#${ref}`, sk: 'CONTENT', itemRef: ref, council, content, contentHash: hash, retainUntil: '2032-03-01' });
    items.push({
      pk: `ITEM#${ref}`,
      sk: 'SUMMARY',
      ref,
      council,
      itemId,
      channel: 'email',
      provider: 'ses',
      classification: 'formal',
      receivedAt,
      day,
      senderHash: 'a'.repeat(64),
      consentStatus: 'requested',
      retainUntil: '2032-03-01',
    });
    const datas: [string, Record<string, unknown>][] = [
      [
        'received',
        { channel: 'email', provider: 'ses', kind: 'email', receivedAt, contentHash: hash, attachments: 0, textTruncated: false, retainUntil: '2032-03-01' },
      ],
      [
        'classified',
        {
          classification: 'formal',
          reasons: [{ rule: 'official-address', clause: 'stilton.txt §10' }],
          flags: [],
          actions: ['route-to-clerk', 'consent-request'],
          policyVersion: 'stilton@2024-06',
          consentStatus: 'requested',
        },
      ],
      ['routed', { outboxId: `${itemId}:clerk-routing`, channel: 'email' }],
      ['consent-requested', { outboxId: `${itemId}:consent-request`, channel: 'email', remindAt: receivedAt, expiresAt: receivedAt }],
    ];
    for (const [type, data] of datas) {
      seq += 1;
      const fields = { council, seq, ref, type, at: receivedAt, itemId, data, prevHash };
      const event = { ...fields, hash: eventHash(fields) };
      const eventKey = `${itemId}:${type}`;
      items.push({ pk: chainPk(council), sk: seqKey(seq), ...event, eventKey });
      items.push({ ...pendingKey(council, eventKey), council, ref, itemId, type, at: receivedAt, data, eventKey, recordedAt: receivedAt, seq });
      prevHash = event.hash;
    }
  }
  items.push({ ...headMarkKey(council), seq, hash: prevHash });
  for (let i = 0; i < items.length; i += 25) {
    let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
      [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (request && Object.keys(request).length)
      request = (await client.send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems as typeof request;
  }
}

async function startProfile() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}
