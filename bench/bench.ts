// `npm run bench`: cold-start module load vs reference bundles, engine throughput,
// ingest CPU, AWS requests and cost per item kind. Writes bench/report.json.
import { loadIamModel } from '../infra/local/iam/model.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS, type FunctionId } from '../shared/topology.ts';
import { valgrindInstalled } from './lib/instructions.ts';
import { runColdLoad, type ColdLoadReport } from './parts/cold-load.ts';
import { ENGINE_TARGET_ITEMS_PER_S, runEngine, type EngineReport } from './parts/engine.ts';
import { readLoadReport } from './parts/load-report.ts';
import { requestsTable, runRequestsEval } from './parts/requests-eval.ts';
import { runPipeline, type KindUsage, type PipelineReport } from './parts/pipeline.ts';
import { runModeration } from './parts/moderation.ts';
import { SMS_PRICES_PER_SEGMENT, smsCosts } from './parts/sms-cost.ts';
import { costPerItem, idleMonthlyCost, type CostAssumptions, type CostBreakdown, type IdleDeployment } from './lib/cost.ts';
import { LOAD_RATIO_TARGET, REFERENCES } from './lib/references.ts';
import { round } from './lib/stats.ts';
import { ACCESS } from '../infra/aws/access.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const PARTS = ['load', 'engine', 'pipeline', 'moderation'];
const onlyParts = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : undefined;
const unknownParts = onlyParts?.filter((part) => !PARTS.includes(part)) ?? [];
if (unknownParts.length) {
  process.stderr.write(`--only: unknown part ${unknownParts.join(', ')} (parts: ${PARTS.join(', ')})\n`);
  process.exit(2);
}
const only = (part: string) => !onlyParts || onlyParts.includes(part);
/** A partial run must not replace the committed report of a full one. */
const REPORT_FILE = onlyParts ? 'bench/out/report-partial.json' : 'bench/report.json';
const log = (line: string) => process.stderr.write(`${line}\n`);

const COST_TARGETS = { 'formal email (SES)': 0.25, 'informal Messenger message': 0.02 } as Record<string, number>;
const ASSUMPTIONS: CostAssumptions & { note: string } = {
  coldFraction: 1,
  initMs: 400,
  logBytesPerInvocation: 1_000,
  note: 'Every invocation is a cold start (a parish sends a few items a day), each billed 400 ms of INIT (published: ≈375 ms for a Node Lambda with three SDK clients, rounded up). Handler durations are the mean wall times measured in-process against the local emulators. Log bytes are measured per invocation (handler lines) plus ≈300 bytes of START/END/REPORT lines. SMS send fees are priced separately by segment (cost.smsBySegment); Messenger is free.',
};
/** Functions that read the provider secret at a cold start: those the stack grants it (infra/aws/access.ts). */
const SECRET_READERS = new Set((Object.keys(ACCESS) as FunctionId[]).filter((fn) => ACCESS[fn].secrets));

function smsTable(rows: ReturnType<typeof smsCosts>): string[] {
  return [
    `SMS sent by the hub, per message (USD per segment: End User Messaging ${SMS_PRICES_PER_SEGMENT.endUserMessaging}, Twilio ${SMS_PRICES_PER_SEGMENT.twilio}, UK; assumed list prices)`,
    ...rows.map(
      (r) =>
        `   ${r.council.padEnd(11)} ${r.text.padEnd(21)} ${String(r.chars).padStart(4)} chars ${r.encoding} ${r.segments} seg  EUM $${r.usdEndUserMessaging.toFixed(4)}  Twilio $${r.usdTwilio.toFixed(4)}`,
    ),
  ];
}

async function main(): Promise<void> {
  const started = new Date();
  const report: Record<string, unknown> = { generatedAt: started.toISOString(), node: process.version, platform: `${process.platform}-${process.arch}` };

  let cold: ColdLoadReport | undefined;
  if (only('load')) {
    log('1/4 bundles and module load');
    const instructions = args.includes('--instructions');
    if (instructions && !valgrindInstalled()) throw new Error('--instructions needs valgrind (Debian: apt-get install valgrind)');
    cold = await runColdLoad(root, flag('runs', 15), log, { instructions });
    report.coldLoad = cold;
  }
  let engine: EngineReport | undefined;
  if (only('engine')) {
    log('2/4 engine throughput');
    engine = await safe(
      () => runEngine(root, flag('seconds', 3)),
      (note) => ({ status: 'failed', note, pass: false }) as EngineReport,
    );
    report.engine = engine;
  }
  let pipeline: PipelineReport | undefined;
  if (only('pipeline')) {
    log('3/4 ingest CPU and requests per item (emulators)');
    pipeline = await safe(
      () => runPipeline(root, { cpuInvocations: flag('cpu-items', 200), itemsPerKind: flag('items', 5), log }),
      (note) => ({ status: 'failed', note, cpuMethod: '', ingestCpu: [], kinds: [] }) as PipelineReport,
    );
    report.pipeline = pipeline;
  }
  log('4/4 cost');
  const costs = (pipeline?.kinds ?? []).filter((k) => k.status === 'ok').map((k) => ({ kind: k.kind, ...costOf(k) }));
  const idle = await idleDeployment();
  const sms = smsCosts();
  report.cost = { assumptions: ASSUMPTIONS, perItemKind: costs, idleMonthly: idle, smsBySegment: { pricesPerSegmentUsd: SMS_PRICES_PER_SEGMENT, texts: sms } };
  const load = readLoadReport(root);
  report.localHubLoad = load;

  const lines = [...table(cold, engine, pipeline, costs, idle, load), '', ...smsTable(sms)];
  if (only('moderation')) {
    log('moderation: held-out set and second-tier cost');
    const moderation = await runModeration(root);
    report.moderation = moderation;
    lines.push(...moderationLines(moderation));
  }
  // Statutory request detection on the independent labelled sets (issue 13); cheap, so always run.
  const requests = runRequestsEval(root);
  report.requestDetection = requests;
  lines.push('', ...requestsTable(requests));
  report.table = lines;
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${lines.join('\n')}\n\nwritten ${REPORT_FILE}\n`);
}

function costOf(k: KindUsage): { per1000: Record<string, number>; per1000Warm: number; target?: number; pass?: boolean } {
  const lambda = (k.lambda ?? []).map((l) => ({
    fn: l.fn,
    memoryMb: l.memoryMb,
    invocations: l.invocationsPerItem,
    durationMs: l.meanMs,
    readsSecrets: SECRET_READERS.has(l.fn),
  }));
  const usage = {
    lambda,
    httpApiRequests: (k.lambda ?? []).filter((l) => FUNCTIONS[l.fn].kind === 'http').reduce((s, l) => s + l.invocationsPerItem, 0),
    sqsBilledRequests: k.sqsBilledPerItem ?? 0,
    wru: k.wruPerItem ?? 0,
    rru: k.rruPerItem ?? 0,
    sesOutboundEmails: k.sesOutboundPerItem ?? 0,
    sesInboundEmails: k.kind.includes('SES') ? 1 : 0,
    sesInboundBytes: k.rawEmailBytes ?? 0,
  };
  const assumptions = { ...ASSUMPTIONS, logBytesPerInvocation: (k.logBytesPerInvocation ?? 0) + 300 };
  const cold = scale(costPerItem(usage, assumptions), 1000);
  const warm = scale(costPerItem(usage, { ...assumptions, coldFraction: 0 }), 1000);
  const target = COST_TARGETS[k.kind];
  return { per1000: cold, per1000Warm: round(warm.total, 5), ...(target !== undefined ? { target, pass: cold.total <= target } : {}) };
}

function scale(c: CostBreakdown, factor: number): Record<string, number> & { total: number } {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, round(v * factor, 5)])) as CostBreakdown;
}

/** The idle deployment, counted in the stack as synthesised (the same cached synthesis IAM enforcement uses). */
async function idleDeployment(): Promise<{ source: string; parts: IdleDeployment; monthly: CostBreakdown; note: string }> {
  const { idle: parts } = await loadIamModel();
  return {
    source: 'counted in the synthesised stack (infra/aws, synthesised offline and cached by infra/local/iam/model.ts; bench/lib/cost.ts idleDeploymentOf)',
    parts,
    monthly: scale(idleMonthlyCost(parts), 1),
    note: 'An idle deployment writes no logs; retained log storage is priced per GB-month and is negligible at parish volumes. DynamoDB on-demand, Lambda, HTTP API and S3 have no idle charge; PITR and storage are per GB (a parish has megabytes). Custom metrics are billed only in hours they receive data.',
  };
}

type CostRow = { kind: string; per1000: Record<string, number>; per1000Warm: number; target?: number; pass?: boolean };

const pf = (pass: boolean | undefined) => (pass === undefined ? '' : pass ? 'PASS' : 'FAIL');
const num = (v: number | undefined, d = 1) => (v === undefined ? '-' : v.toFixed(d));

function table(
  cold: ColdLoadReport | undefined,
  engine: EngineReport | undefined,
  pipeline: PipelineReport | undefined,
  costs: CostRow[],
  idle: Awaited<ReturnType<typeof idleDeployment>>,
  load: ReturnType<typeof readLoadReport>,
): string[] {
  const out: string[] = [];
  out.push(`Parish Comms Hub benchmark  ${new Date().toISOString()}  node ${process.version}`);
  out.push('');
  if (cold) out.push(...coldTable(cold), '');
  if (engine) {
    out.push('2. Classification engine (one core, labelled corpus)');
    out.push(
      engine.status === 'ok'
        ? `   ${engine.itemsPerSecond!.toLocaleString('en-GB')} items/s over ${engine.items} corpus items, ${engine.seconds} s   target >= ${ENGINE_TARGET_ITEMS_PER_S.toLocaleString('en-GB')}   ${pf(engine.pass)}`
        : `   ${engine.note ?? engine.status}   FAIL`,
    );
    out.push('');
  }
  if (pipeline) out.push(...pipelineTable(pipeline, costs));
  else out.push('3./4. pipeline not run (--only)');
  out.push(
    `   fixed monthly cost of an idle deployment: $${idle.monthly.total.toFixed(2)}  (${Object.entries(idle.monthly)
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => `${k} $${v.toFixed(2)}`)
      .join(', ')})`,
  );
  out.push(`     ${idle.source}`);
  out.push('');
  out.push('5. Local hub load (npm run load, bench/load-report.json)');
  out.push(
    load.status === 'ok'
      ? `   ${load.items ?? '?'} items at ${load.rate ?? '?'}/s: lost ${load.lost ?? '?'}, duplicated ${load.duplicated ?? '?'}, ack p99 ${load.ackP99Ms ?? '?'} ms   target 5,000 @50/s, 0, 0, <=50 ms   ${pf(load.pass)}`
      : '   not run',
  );
  return out;
}

function coldTable(cold: ColdLoadReport): string[] {
  const out = [`1. Cold start: bundle size and module load (median of ${cold.runs}, fresh process, interleaved; bundler: ${cold.bundler})`];
  out.push('   KB: what is timed, INIT (index.mjs and its static chunks) plus the chunks a first invocation loads; package: every file deployed.');
  const counted = cold.functions.some((f) => f.instructionRatio !== undefined);
  if (counted)
    out.push('   instr: millions of instructions above the empty reference (valgrind, --instructions); instr ratio: function / reference, not graded.');
  out.push(pad(['reference', 'clients', 'KB', 'load ms', ...(counted ? ['instr'] : [])]));
  for (const [id, r] of Object.entries(cold.references)) {
    const ms = r.status === 'ok' ? num(r.loadMsMedian, 1) : r.status;
    out.push(pad([id, REFERENCES[id as keyof typeof REFERENCES].clients, num(r.loadedKb), ms, ...(counted ? [num(r.instructionsM, 1)] : [])]));
  }
  out.push(
    pad([
      'function',
      'vs ref',
      'KB',
      'package KB',
      'load ms',
      'ref ms',
      'ratio',
      `target <=${LOAD_RATIO_TARGET}x`,
      'own-ref ratio',
      ...(counted ? ['instr', 'instr ratio'] : []),
    ]),
  );
  for (const f of cold.functions) {
    const ref = cold.references[f.targetReference];
    out.push(
      pad([
        f.fn,
        f.targetReference,
        num(f.loadedKb),
        num(f.packageKb),
        f.status === 'ok' ? num(f.loadMsMedian, 1) : f.status,
        num(ref.loadMsMedian, 1),
        f.loadRatio === undefined ? '-' : `${f.loadRatio.toFixed(2)}x`,
        pf(f.pass),
        f.ownReference !== f.targetReference && f.loadRatioOwn !== undefined ? `${f.loadRatioOwn.toFixed(2)}x vs ${f.ownReference}` : '',
        ...(counted ? [num(f.instructionsM, 1), f.instructionRatio === undefined ? '-' : `${f.instructionRatio.toFixed(2)}x`] : []),
      ]),
    );
  }
  return out;
}

/** Sections 3 (ingest CPU) and 4 (requests and cost per item kind). */
function pipelineTable(pipeline: PipelineReport, costs: CostRow[]): string[] {
  const out = ['3. Ingest handler CPU per item (SQS enqueue to local-aws-sqs in a child process: included, emulator CPU excluded)'];
  if (pipeline.status !== 'ok' && pipeline.note) out.push(`   ${pipeline.note}`);
  for (const c of pipeline.ingestCpu) {
    out.push(
      c.status === 'ok'
        ? pad([c.fn, `${num(c.cpuMsPerItem, 3)} ms CPU`, `${num(c.wallMsPerItem, 2)} ms wall`, `n=${c.invocations}`, c.errors ? `${c.errors} errors` : ''])
        : pad([c.fn, c.status === 'missing' ? 'not available yet' : `failed: ${c.note}`]),
    );
  }
  out.push('');
  out.push('4. AWS requests per item (counted at the emulators) and cost per 1,000 items (eu-west-2)');
  for (const k of pipeline.kinds) {
    if (k.status !== 'ok') {
      out.push(`   ${k.kind}: ${k.note ?? k.status}${COST_TARGETS[k.kind] !== undefined ? '   FAIL' : ''}`);
      continue;
    }
    out.push(
      `   ${k.kind}: ${Object.entries(k.requestsPerItem ?? {})
        .map(([op, n]) => `${op} ${n}`)
        .join(', ')}`,
    );
    out.push(
      `     WRU ${k.wruPerItem}, RRU ${k.rruPerItem}, SQS billed ${k.sqsBilledPerItem}, SES out ${k.sesOutboundPerItem}, providers ${JSON.stringify(k.providerCallsPerItem)}, S3 ${JSON.stringify(k.s3PerItem)}`,
    );
    out.push(`     lambda: ${(k.lambda ?? []).map((l) => `${l.fn} x${l.invocationsPerItem} ${l.meanMs} ms @${l.memoryMb} MB`).join(', ')}`);
    const c = costs.find((x) => x.kind === k.kind)!;
    const big = Object.entries(c.per1000)
      .filter(([n, v]) => n !== 'total' && v > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([n, v]) => `${n} $${v.toFixed(4)}`);
    out.push(
      `     cost per 1,000: $${c.per1000.total!.toFixed(4)} (cold), $${c.per1000Warm.toFixed(4)} (all warm)${c.target !== undefined ? `   target <= $${c.target}   ${pf(c.pass)}` : ''}`,
    );
    out.push(`       ${big.join(', ')}`);
  }
  for (const kind of Object.keys(COST_TARGETS)) {
    if (!pipeline.kinds.some((k) => k.kind === kind)) out.push(`   ${kind}: not available yet   FAIL`);
  }
  return out;
}

function pad(cells: string[]): string {
  const widths = [20, 14, 8, 10, 8, 8, 14, 18];
  return `   ${cells
    .map((c, i) => c.padEnd(widths[i] ?? 10))
    .join(' ')
    .trimEnd()}`;
}

async function safe<T>(fn: () => Promise<T>, onError: (note: string) => T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    log(`  failed: ${(error as Error).stack ?? error}`);
    return onError(`failed: ${(error as Error).message.split('\n')[0]}`);
  }
}

await main();
// Handler modules keep SDK sockets and timers alive; the report is written, so end here.
process.exit(0);

function moderationLines(m: Awaited<ReturnType<typeof runModeration>>): string[] {
  if (m.status !== 'ok' || !m.rules || !m.lexicon || !m.bedrock || !m.target) return ['', 'Moderation: no held-out set'];
  const f = (v: number) => v.toFixed(2);
  return [
    '',
    `Moderation (${m.set}; npm run eval:moderation)`,
    `  rules:   micro-F1 ${f(m.rules.microF1)} (P ${f(m.rules.microPrecision)}, R ${f(m.rules.microRecall)}), neutral false alarms ${(m.rules.neutralFalseAlarmRate * 100).toFixed(1)} %  target F1 >= ${m.target.microF1}, FA <= ${m.target.neutralFalseAlarmRate * 100} %: ${m.target.pass ? 'PASS' : 'FAIL'}`,
    `  lexicon: micro-F1 ${f(m.lexicon.microF1)}, neutral false alarms ${(m.lexicon.neutralFalseAlarmRate * 100).toFixed(1)} % (before issue 15)`,
    `  Bedrock ${m.bedrock.modelId}: $${m.bedrock.usdPer1000ItemsWhenUnsure.toFixed(4)} per 1,000 items when unsure (${(m.bedrock.askedShareWhenUnsure * 100).toFixed(1)} % asked), $${m.bedrock.usdPer1000ItemsAlways.toFixed(4)} always (estimate)`,
  ];
}
