import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  account,
  LOCAL_HUB_TARGET,
  receiveStats,
  verdict,
  type Accounting,
  type HubRecords,
  type OutboxRecord,
  type SendResult,
} from './load-lib/accounting.ts';
import { startOwnHub, type OwnHub } from './load-lib/hub-process.ts';
import { plan, SCENARIOS, type Send } from './load-lib/plan.ts';
import { hostileRequest, itemRequest, type LoadRequest, type Target } from './load-lib/requests.ts';
import { httpSender, sendSmtp } from './load-lib/senders.ts';

/**
 * `npm run load -- --items N --rate R [--port P --smtp-port P | --start]`
 *
 * Drives a local hub with signed traffic on every channel at a fixed
 * open-loop rate, waits for the pipeline to drain, and accounts for every
 * event: see docs/load.md. Exit code 1 when anything is lost or duplicated
 * (or answered with a status nobody expected); 2 on bad usage or no hub.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = join(ROOT, 'bench', 'load-report.json');

const USAGE = `usage: npm run load -- [--items N] [--rate R] [--port P] [--smtp-port P] [--start] [--seed S] [--concurrency C] [--drain-timeout SECONDS] [--report FILE]
  --items N          unique provider events to send (default 200)
  --rate R           events per second, open loop (default 50)
  --port P           HTTP port of a running hub (default HUB_PORT or 3000)
  --smtp-port P      its SMTP port (default HUB_SMTP_PORT or 2525)
  --start            start a hub of its own (free ports, temporary data dir); also
                     done when no hub answers on --port
  --seed S           the traffic mix (default 1)
  --concurrency C    requests in flight at most (default 64)
  --drain-timeout S  how long to wait for the pipeline after sending (default 600)
  --report FILE      where to write the JSON report (default bench/load-report.json)`;

interface Options {
  items: number;
  rate: number;
  port: number;
  portGiven: boolean;
  smtpPort: number;
  start: boolean;
  seed: number;
  concurrency: number;
  drainTimeoutS: number;
  report: string;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      items: { type: 'string' },
      rate: { type: 'string' },
      port: { type: 'string' },
      'smtp-port': { type: 'string' },
      start: { type: 'boolean' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      'drain-timeout': { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (value: string | undefined, fallback: number, name: string, integer = true) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
    return n;
  };
  return {
    items: num(values.items, 200, 'items'),
    rate: num(values.rate, 50, 'rate', false),
    port: num(values.port, Number(process.env.HUB_PORT?.trim() || 3000), 'port'),
    portGiven: values.port !== undefined || Boolean(process.env.HUB_PORT?.trim()),
    smtpPort: num(values['smtp-port'], Number(process.env.HUB_SMTP_PORT?.trim() || 2525), 'smtp-port'),
    start: Boolean(values.start),
    seed: num(values.seed, 1, 'seed'),
    concurrency: num(values.concurrency, 64, 'concurrency'),
    drainTimeoutS: num(values['drain-timeout'], 600, 'drain-timeout'),
    report: values.report ?? REPORT,
  };
}

class UsageError extends Error {}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  let own: OwnHub | undefined;
  let httpPort = opts.port;
  let smtpPort = opts.smtpPort;
  if (!opts.start && !(await reachable(httpPort))) {
    if (opts.portGiven) throw new UsageError(`no hub answers on 127.0.0.1:${httpPort}; start one with \`npm start\`, or pass --start`);
    console.log(`No hub on port ${httpPort}: starting one of its own.`);
    opts.start = true;
  }
  if (opts.start) {
    own = await startOwnHub(ROOT);
    const hub = own;
    // Ctrl-C mid-run must not leave the child hub (and its temporary data) behind.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void hub.stop().finally(() => process.exit(130)));
    }
    httpPort = own.httpPort;
    smtpPort = own.smtpPort;
    console.log(`Started a local hub: http://127.0.0.1:${httpPort}, smtp 127.0.0.1:${smtpPort}, data ${own.dataDir}`);
  }
  try {
    return await run(opts, await targetFor(httpPort, smtpPort), Boolean(own));
  } finally {
    await own?.stop();
  }
}

async function targetFor(httpPort: number, smtpPort: number): Promise<Target> {
  // The same defaults and overrides the hub reads (docs/local.md), so the signatures match.
  const { readConfig } = await import('../infra/local/config.ts');
  const { secrets } = readConfig({ ...process.env, HUB_PORT: String(httpPort), HUB_SMTP_PORT: String(smtpPort) });
  return { baseUrl: `http://127.0.0.1:${httpPort}`, smtpPort, secrets };
}

async function run(opts: Options, target: Target, ownHub: boolean): Promise<number> {
  const runId = randomBytes(4).toString('hex');
  const baseline = await readRecords(target);
  const baselineIds = new Set([...baseline.summaries.map((s) => s.itemId), ...baseline.logs.map((l) => l.itemId)]);
  const sends = plan({ items: opts.items, rate: opts.rate, seed: opts.seed });
  console.log(
    `Sending ${opts.items} events at ${opts.rate}/s (run ${runId}, seed ${opts.seed}) with ${sends.length - opts.items} extra requests (duplicates, provider retries, hostile) to ${target.baseUrl} and smtp :${target.smtpPort}`,
  );
  const startedAt = new Date();
  const sent = await sendOnSchedule(opts, target, runId, sends);
  const { results, sendingS } = sent;

  console.log(`Sent ${results.length} requests in ${sendingS.toFixed(1)} s; waiting for the pipeline to drain (at most ${opts.drainTimeoutS} s)…`);
  const drainStart = performance.now();
  const expectedIds = new Set(results.filter((r) => r.type === 'item' && r.itemId).map((r) => r.itemId!));
  const { records, outbox, drained } = await drain(target, expectedIds, opts.drainTimeoutS * 1000);
  const drainS = (performance.now() - drainStart) / 1000;

  const accounting = account({ sends: results, records, outbox, baselineItemIds: baselineIds });
  const receives = receiveStats(records.inboundReceives);
  console.log(`Inbound receives per item: mean ${receives.mean.toFixed(2)}, max ${receives.max} (${receives.messages} messages)`);
  const v = verdict(accounting, { items: opts.items, rate: opts.rate });
  print(accounting, v, { sendingS, drainS, drained });

  const report = {
    generatedAt: startedAt.toISOString(),
    items: opts.items,
    rate: opts.rate,
    seed: opts.seed,
    concurrency: opts.concurrency,
    hub: { url: target.baseUrl, startedByLoad: ownHub },
    machine: { cpus: cpus().length, node: process.version, loadavgAtEnd: loadavg().map((n) => Math.round(n * 100) / 100) },
    mix: Object.fromEntries(Object.keys(SCENARIOS).map((s) => [s, results.filter((r) => r.type === 'item' && r.scenario === s).length])),
    durations: {
      /** First send to the last answer (provider retries leave up to 3 s after their item). */
      sendingSeconds: round(sendingS),
      drainSeconds: round(drainS),
      drained,
      /** Items per second between the first and the last item sent. */
      achievedItemRate: opts.items > 1 ? round((opts.items - 1) / (sent.itemSpanMs / 1000)) : opts.items,
      /** Items per second from the first send until every record was in: what the local pipeline sustained. */
      endToEndItemRate: round(opts.items / (sendingS + drainS)),
    },
    accounting,
    // The headline figures, also read by `npm run bench` (bench/parts/load-report.ts).
    lost: accounting.lost,
    duplicated: accounting.duplicated,
    /** Receives each inbound message took until classify handled it (1.0 when nothing was retried). */
    inboundReceivesPerItem: receives,
    ackLatencyMs: accounting.latency.http,
    smtpAckLatencyMs: accounting.latency.smtp,
    target: LOCAL_HUB_TARGET,
    verdict: v,
  };
  writeFileSync(opts.report, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Report: ${opts.report}`);
  return v.correct ? 0 : 1;
}

/**
 * Open loop: each request leaves at its planned time (at most `concurrency`
 * in flight), however slowly the hub answers; how late it left is its lag.
 */
async function sendOnSchedule(
  opts: Options,
  target: Target,
  runId: string,
  sends: readonly Send[],
): Promise<{ results: SendResult[]; sendingS: number; itemSpanMs: number }> {
  const http = httpSender(target.baseUrl, opts.concurrency);
  // A duplicate or retry is the very request its item sent.
  const built = new Map<number, LoadRequest>();
  const results: SendResult[] = [];
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now() + 100;
  let nextProgress = 10;
  let lastItemAt = t0;

  for (const send of sends) {
    const due = t0 + send.at;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    while (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
    const lagMs = Math.max(0, performance.now() - due);
    const p = fire({ target, runId, built, http }, send, lagMs)
      .then((r) => void results.push(r))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (send.type === 'item' && send.item === opts.items - 1) lastItemAt = performance.now();
    if (send.type === 'item' && ((send.item + 1) / opts.items) * 100 >= nextProgress) {
      process.stdout.write(`  ${nextProgress}% sent (${send.item + 1} events, ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
      nextProgress += 10;
    }
  }
  await Promise.all(inFlight);
  http.close();
  return { results, sendingS: (performance.now() - t0) / 1000, itemSpanMs: lastItemAt - t0 };
}

function fire(
  ctx: { target: Target; runId: string; built: Map<number, LoadRequest>; http: ReturnType<typeof httpSender> },
  send: Send,
  lagMs: number,
): Promise<SendResult> {
  const { target, runId, built } = ctx;
  const now = new Date();
  let req: LoadRequest;
  if (send.type === 'hostile') req = hostileRequest(target, runId, send.item, send.hostile, now);
  else {
    req = built.get(send.item) ?? itemRequest(target, runId, send.item, send.scenario, now);
    built.set(send.item, req);
  }
  const base = { type: send.type, item: send.item, lagMs, ...(send.type === 'hostile' ? { hostile: send.hostile } : { scenario: send.scenario }) };
  if (req.kind === 'smtp') {
    return sendSmtp('127.0.0.1', target.smtpPort, req).then((r) => ({
      ...base,
      protocol: 'smtp' as const,
      status: r.code,
      ms: r.ms,
      ...(r.messageId ? { itemId: `ses:${r.messageId}` } : {}),
      ...(r.error ? { error: r.error } : {}),
    }));
  }
  const itemId = req.itemId;
  return ctx.http
    .send(req)
    .then((r) => ({ ...base, protocol: 'http' as const, status: r.status, ms: r.ms, ...(itemId ? { itemId } : {}), ...(r.error ? { error: r.error } : {}) }));
}

/**
 * Until the queues are empty, no mail is pending, every event has a record,
 * and nothing changed between two full reads. While work is queued only the
 * queue depths are polled: a full read scans the audit table, and doing that
 * every 2 s would slow the very pipeline being measured.
 */
async function drain(target: Target, expected: ReadonlySet<string>, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  for (;;) {
    const timedOut = performance.now() > deadline;
    const { queues, mailPending = 0 } = await readQueues(target);
    const busy = (queues.inbound ?? 0) + (queues.outbox ?? 0) + mailPending;
    if (busy > 0 && !timedOut) {
      process.stdout.write(`  draining: ${queues.inbound ?? 0} inbound, ${queues.outbox ?? 0} outbox, ${mailPending} mail pending\n`);
      await sleep(2_000);
      continue;
    }
    const [records, outbox] = await Promise.all([readRecords(target), readOutbox(target)]);
    const recorded = new Set([...records.summaries.map((s) => s.itemId), ...records.logs.map((l) => l.itemId)]);
    const missing = [...expected].filter((id) => !recorded.has(id)).length;
    const fingerprint = `${records.summaries.length}/${records.events.length}/${records.logs.length}/${outbox.length}`;
    process.stdout.write(`  queues empty: ${missing} events without a record, ${records.events.length} audit events, ${outbox.length} outbound messages\n`);
    if (timedOut) return { records, outbox, drained: false };
    if (missing === 0 && fingerprint === last) return { records, outbox, drained: true };
    last = fingerprint;
    await sleep(2_000);
  }
}

async function readQueues(target: Target): Promise<Pick<HubRecords, 'queues' | 'mailPending'>> {
  const response = await fetch(`${target.baseUrl}/local/records?queues`);
  if (!response.ok) throw new UsageError(`GET /local/records answered ${response.status}: this hub is older than the load tool`);
  return (await response.json()) as Pick<HubRecords, 'queues' | 'mailPending'>;
}

async function readRecords(target: Target): Promise<HubRecords> {
  const response = await fetch(`${target.baseUrl}/local/records`);
  if (!response.ok) throw new UsageError(`GET /local/records answered ${response.status}: this hub is older than the load tool`);
  return (await response.json()) as HubRecords;
}

async function readOutbox(target: Target): Promise<OutboxRecord[]> {
  return (await (await fetch(`${target.baseUrl}/local/outbox`)).json()) as OutboxRecord[];
}

async function reachable(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/local/outbox`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

function print(a: Accounting, v: ReturnType<typeof verdict>, d: { sendingS: number; drainS: number; drained: boolean }): void {
  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const lat = (p: Accounting['latency']['http']) => `p50 ${p.p50} ms  p95 ${p.p95} ms  p99 ${p.p99} ms  max ${p.max} ms  (n=${p.n})`;
  const lines = [
    '',
    `Sent         ${a.sent.total} requests: ${a.sent.items} events, ${a.sent.duplicates} duplicates, ${a.sent.retries} provider retries, ${a.sent.hostile} hostile (${a.sent.http} HTTP, ${a.sent.smtp} SMTP)`,
    `Time         sending ${d.sendingS.toFixed(1)} s, drain ${d.drainS.toFixed(1)} s${d.drained ? '' : ' (NOT drained before the deadline)'}`,
    `Accepted     ${a.accepted} requests; ${a.acceptedItems} unique events`,
    `Rejected     ${
      Object.entries(a.rejected)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ') || 'none'
    }`,
    `Unexpected   ${
      Object.entries(a.unexpected)
        .map(([k, n]) => `${k} (${n})`)
        .join(', ') || 'none'
    }`,
    `Audited      ${a.audited} (formal and consent-ledger events with an audit record)`,
    `Logged       ${a.logged} (informal events with a minimal log)`,
    `Replied      ${a.replied} (informal events answered with an auto-reply)`,
    `Withheld     ${a.withheld} (replies the policy's daily outbound limit withheld, recorded with why; the clerk is alerted once)`,
    `DLQ          ${Object.entries(a.dlq)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `Lost         ${a.lost} (no record ${a.lostDetail.noRecord}, expected message missing ${a.lostDetail.missingMessage})  ${pass(v.lostOk)}`,
    ...a.lostDetail.examples.map((e) => `               ${e}`),
    `Duplicated   ${a.duplicated} (summaries ${a.duplicatedDetail.summaries}, audit events ${a.duplicatedDetail.events}, messages ${a.duplicatedDetail.messages})  ${pass(v.duplicatedOk)}`,
    ...a.duplicatedDetail.examples.map((e) => `               ${e}`),
    `Stray        ${a.unexpectedRecords} records of events not sent as items; ${a.misrecorded} recorded in the other store than expected`,
    `Ack HTTP     ${lat(a.latency.http)}  p99 <= ${LOCAL_HUB_TARGET.p99Ms} ms: ${pass(v.latencyOk)}`,
    `Ack SMTP     ${lat(a.latency.smtp)}  (end of DATA to 250)`,
    `Send lag     ${lat(a.latency.lag)}  (behind the open-loop schedule)`,
    `Target       ${LOCAL_HUB_TARGET.items} events at ${LOCAL_HUB_TARGET.rate}/s, 0 lost, 0 duplicated, p99 <= ${LOCAL_HUB_TARGET.p99Ms} ms: ${v.atTargetScale ? pass(v.targetMet) : 'not at target scale'}`,
    `Result       ${v.correct ? 'nothing lost, nothing duplicated' : 'FAILED: see above'}`,
  ];
  console.log(lines.join('\n'));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (n: number) => Math.round(n * 100) / 100;

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`load: ${(error as Error).message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
