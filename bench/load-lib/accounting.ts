import { HOSTILE, SCENARIOS, type Hostile, type Scenario } from './plan.ts';

/**
 * Pure accounting of a load run: what was sent and how the hub answered,
 * joined to what the hub recorded (audit summaries and events, minimal logs,
 * the outbox, queue depths). No I/O, so it is unit-tested on its own.
 */

export interface SendResult {
  readonly type: 'item' | 'duplicate' | 'retry' | 'hostile';
  readonly item: number;
  readonly scenario?: Scenario;
  readonly hostile?: Hostile;
  readonly protocol: 'http' | 'smtp';
  /** HTTP status or SMTP reply code; 0 when the connection failed. */
  readonly status: number;
  readonly ms: number;
  /** How late the request left compared with its slot on the open-loop clock. */
  readonly lagMs: number;
  /** The hub's id for the event, when it has one (SMTP: known from the 250 reply). */
  readonly itemId?: string;
  readonly error?: string;
}

export interface HubRecords {
  readonly summaries: readonly { itemId: string; ref: string; classification: string }[];
  /** outboxId: the message an event is about ('reply-sent' once per message, several per item). */
  readonly events: readonly { itemId: string; type: string; outboxId?: string }[];
  /** `withheld`: message kinds the daily outbound limit withheld (recorded, so not lost). */
  readonly logs: readonly { itemId: string; classification: string; withheld?: readonly string[] }[];
  readonly queues: Readonly<Record<string, number>>;
  readonly mailPending?: number;
  /** Inbound messages handled by classify, by the receive that handled them ({"1": 4990, "2": 10}). */
  readonly inboundReceives?: Readonly<Record<string, number>>;
}

/** Mean and maximum receives per inbound message: 1.0 when nothing had to be retried. */
export function receiveStats(histogram: Readonly<Record<string, number>> = {}): { messages: number; mean: number; max: number } {
  let messages = 0;
  let total = 0;
  let max = 0;
  for (const [receives, n] of Object.entries(histogram)) {
    messages += n;
    total += Number(receives) * n;
    if (n > 0) max = Math.max(max, Number(receives));
  }
  return { messages, mean: messages ? Math.round((total / messages) * 1000) / 1000 : 0, max };
}

export interface OutboxRecord {
  readonly id: string;
  readonly kind: string;
  readonly itemId?: string;
}

export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface Accounting {
  readonly sent: { total: number; items: number; duplicates: number; retries: number; hostile: number; http: number; smtp: number };
  /** Requests answered 2xx (HTTP) or 250 (SMTP) that should have been: items, duplicates and retries. */
  readonly accepted: number;
  /** Unique provider events the hub acknowledged at least once. */
  readonly acceptedItems: number;
  /** Hostile requests refused (or, for unknown event types, accepted and dropped) as expected, by "status reason". */
  readonly rejected: Record<string, number>;
  /** Requests answered with a status other than the expected one, by "type scenario: status". */
  readonly unexpected: Record<string, number>;
  /** Formal and consent-ledger items with an audit summary. */
  readonly audited: number;
  /** Informal items with a minimal log. */
  readonly logged: number;
  /** Informal items answered with an auto-reply. */
  readonly replied: number;
  /** Informal items whose reply the policy's daily outbound limit withheld (recorded with why; not lost). */
  readonly withheld: number;
  readonly dlq: Record<string, number>;
  /** Accepted unique events with no record, or without a message the policy always sends for them. */
  readonly lost: number;
  readonly lostDetail: { noRecord: number; missingMessage: number; examples: string[] };
  /** More than one audit summary, one audit event of a type, or one outbound message of a kind, for one event. */
  readonly duplicated: number;
  readonly duplicatedDetail: { summaries: number; events: number; messages: number; examples: string[] };
  /** New records of events we did not send as items (a hostile request that got through, or other traffic). */
  readonly unexpectedRecords: number;
  /** Items recorded in a different store than their scenario expects (audit vs minimal log). */
  readonly misrecorded: number;
  readonly latency: { http: Percentiles; smtp: Percentiles; lag: Percentiles };
}

/** Events that may legitimately repeat for one item (every failed attempt; weekly reminders). */
const REPEATABLE_EVENTS = new Set(['delivery-failed', 'consent-reminded']);

export function account(input: {
  sends: readonly SendResult[];
  records: HubRecords;
  outbox: readonly OutboxRecord[];
  baselineItemIds?: ReadonlySet<string>;
}): Accounting {
  const { sends, records, outbox } = input;
  const baseline = input.baselineItemIds ?? new Set<string>();
  const answers = tallyAnswers(sends);
  const index = indexRecords(records, outbox);
  const items = checkItems(answers.acked, index);
  const dups = countDuplicates(index, outbox, items.ours);

  const recorded = new Set([...records.summaries.map((s) => s.itemId), ...records.logs.map((l) => l.itemId)]);
  let unexpectedRecords = 0;
  for (const id of recorded) if (!items.ours.has(id) && !baseline.has(id)) unexpectedRecords++;

  const dlq: Record<string, number> = {};
  for (const [queue, depth] of Object.entries(records.queues)) if (queue.endsWith('-dlq')) dlq[queue] = depth;

  return {
    sent: sentCounts(sends),
    accepted: answers.accepted,
    acceptedItems: answers.acked.size,
    rejected: answers.rejected,
    unexpected: answers.unexpected,
    audited: items.audited,
    logged: items.logged,
    replied: items.replied,
    withheld: items.withheld,
    dlq,
    lost: items.noRecord + items.missingMessage,
    lostDetail: { noRecord: items.noRecord, missingMessage: items.missingMessage, examples: items.lostExamples },
    duplicated: dups.summaries + dups.events + dups.messages,
    duplicatedDetail: dups,
    unexpectedRecords,
    misrecorded: items.misrecorded,
    latency: {
      http: percentiles(sends.filter((s) => s.protocol === 'http' && s.status > 0).map((s) => s.ms)),
      smtp: percentiles(sends.filter((s) => s.protocol === 'smtp' && s.status > 0).map((s) => s.ms)),
      lag: percentiles(sends.map((s) => s.lagMs)),
    },
  };
}

function sentCounts(sends: readonly SendResult[]): Accounting['sent'] {
  return {
    total: sends.length,
    items: sends.filter((s) => s.type === 'item').length,
    duplicates: sends.filter((s) => s.type === 'duplicate').length,
    retries: sends.filter((s) => s.type === 'retry').length,
    hostile: sends.filter((s) => s.type === 'hostile').length,
    http: sends.filter((s) => s.protocol === 'http').length,
    smtp: sends.filter((s) => s.protocol === 'smtp').length,
  };
}

interface Answers {
  accepted: number;
  /** Item number -> the hub's item id, once acknowledged. */
  readonly acked: Map<number, { itemId: string; scenario: Scenario }>;
  readonly rejected: Record<string, number>;
  readonly unexpected: Record<string, number>;
}

/** How the hub answered each request: hostile ones as expected or not, the rest accepted or not. */
function tallyAnswers(sends: readonly SendResult[]): Answers {
  const answers: Answers = { accepted: 0, acked: new Map(), rejected: {}, unexpected: {} };
  for (const s of sends) {
    if (s.type === 'hostile') {
      const want = HOSTILE[s.hostile!];
      if (s.status === want) bump(answers.rejected, `${want} ${s.hostile}`);
      else bump(answers.unexpected, `hostile ${s.hostile}: ${s.status || s.error}`);
      continue;
    }
    const ok = s.protocol === 'smtp' ? s.status === 250 : s.status >= 200 && s.status < 300;
    if (!ok) {
      bump(answers.unexpected, `${s.type} ${s.scenario}: ${s.status || s.error}`);
      continue;
    }
    answers.accepted++;
    if (s.itemId && !answers.acked.has(s.item)) answers.acked.set(s.item, { itemId: s.itemId, scenario: s.scenario! });
  }
  return answers;
}

interface RecordIndex {
  readonly summariesBy: Map<string, number>;
  readonly logged: Set<string>;
  readonly withheldBy: Map<string, Set<string>>;
  /** `<itemId> <type>[ <outboxId>]` -> count, for events that happen once. */
  readonly eventsBy: Map<string, number>;
  /** itemId -> message kind -> count. */
  readonly messagesBy: Map<string, Map<string, number>>;
}

function indexRecords(records: HubRecords, outbox: readonly OutboxRecord[]): RecordIndex {
  const messagesBy = new Map<string, Map<string, number>>();
  for (const o of outbox) {
    if (!o.itemId) continue;
    const kinds = messagesBy.get(o.itemId) ?? new Map<string, number>();
    kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    messagesBy.set(o.itemId, kinds);
  }
  return {
    summariesBy: countBy(records.summaries.map((r) => r.itemId)),
    logged: new Set(records.logs.map((l) => l.itemId)),
    withheldBy: new Map(records.logs.filter((l) => l.withheld?.length).map((l) => [l.itemId, new Set(l.withheld)])),
    eventsBy: countBy(records.events.filter((e) => !REPEATABLE_EVENTS.has(e.type)).map((e) => `${e.itemId} ${e.type}${e.outboxId ? ` ${e.outboxId}` : ''}`)),
    messagesBy,
  };
}

/** Each acknowledged item against its scenario: recorded where it should be, with every message the policy sends (or withheld). */
function checkItems(acked: Answers['acked'], index: RecordIndex) {
  const r = {
    audited: 0,
    logged: 0,
    replied: 0,
    withheld: 0,
    noRecord: 0,
    missingMessage: 0,
    misrecorded: 0,
    lostExamples: [] as string[],
    ours: new Set<string>(),
  };
  for (const { itemId, scenario } of acked.values()) {
    r.ours.add(itemId);
    const spec = SCENARIOS[scenario];
    const hasSummary = index.summariesBy.has(itemId);
    const hasLog = index.logged.has(itemId);
    if (!hasSummary && !hasLog) {
      r.noRecord++;
      if (r.lostExamples.length < 10) r.lostExamples.push(`${scenario} ${itemId}: no record`);
      continue;
    }
    if (spec.record === 'audit' ? !hasSummary : !hasLog && !hasSummary) r.misrecorded++;
    if (hasSummary && spec.record === 'audit') r.audited++;
    if (hasLog) r.logged++;
    const kinds = index.messagesBy.get(itemId);
    if (spec.record === 'log' && kinds?.has('auto-reply')) r.replied++;
    const held = index.withheldBy.get(itemId);
    if (held && spec.expects.some((k) => held.has(k))) r.withheld++;
    const missing = spec.expects.filter((k) => !kinds?.has(k) && !held?.has(k));
    if (missing.length > 0) {
      r.missingMessage++;
      if (r.lostExamples.length < 10) r.lostExamples.push(`${scenario} ${itemId}: no ${missing.join(', ')}`);
    }
  }
  return r;
}

/** Summaries, once-only events and messages recorded more than once for one of our items. */
function countDuplicates(index: RecordIndex, outbox: readonly OutboxRecord[], ours: ReadonlySet<string>): Accounting['duplicatedDetail'] {
  const examples: string[] = [];
  const over = (counts: Map<string, number>, label: string) => {
    let n = 0;
    for (const [key, count] of counts) {
      if (count < 2) continue;
      n++;
      if (examples.length < 10) examples.push(`${label} ${key} x${count}`);
    }
    return n;
  };
  const summaries = over(
    filterKeys(index.summariesBy, (k) => ours.has(k)),
    'summary',
  );
  const events = over(
    filterKeys(index.eventsBy, (k) => ours.has(k.split(' ')[0]!)),
    'event',
  );
  const perKind = new Map<string, number>();
  for (const [itemId, kinds] of index.messagesBy) if (ours.has(itemId)) for (const [kind, n] of kinds) perKind.set(`${itemId} ${kind}`, n);
  // Entries without an item id still carry the deterministic outbox id (`${itemId}:${kind}`).
  const byIdOnly = countBy(outbox.filter((o) => !o.itemId && isOurs(o.id, ours)).map((o) => o.id));
  const messages = over(perKind, 'message') + over(byIdOnly, 'message-id');
  return { summaries, events, messages, examples };
}

/** Outbox ids are deterministic (`${itemId}:${kind}`): an id seen twice is one message sent twice. */
function isOurs(id: string, ours: ReadonlySet<string>): boolean {
  const cut = id.lastIndexOf(':');
  return cut > 0 && ours.has(id.slice(0, cut));
}

/** Nearest-rank percentiles, ms rounded to 0.1. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { n: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: round(sorted[sorted.length - 1]!) };
}

export interface Target {
  readonly items: number;
  readonly rate: number;
  readonly p99Ms: number;
}

export const LOCAL_HUB_TARGET: Target = { items: 5_000, rate: 50, p99Ms: 50 };

export interface Verdict {
  /** Nothing lost, nothing duplicated, nothing answered unexpectedly: decides the exit code. */
  readonly correct: boolean;
  readonly lostOk: boolean;
  readonly duplicatedOk: boolean;
  readonly latencyOk: boolean;
  /** The run was at least as large and as fast as the target. */
  readonly atTargetScale: boolean;
  /** Everything at target scale. */
  readonly targetMet: boolean;
}

export function verdict(a: Accounting, run: { items: number; rate: number }, target: Target = LOCAL_HUB_TARGET): Verdict {
  const lostOk = a.lost === 0;
  const duplicatedOk = a.duplicated === 0;
  const latencyOk = a.latency.http.p99 <= target.p99Ms;
  const atTargetScale = run.items >= target.items && run.rate >= target.rate;
  const correct = lostOk && duplicatedOk && Object.keys(a.unexpected).length === 0 && a.unexpectedRecords === 0;
  return { correct, lostOk, duplicatedOk, latencyOk, atTargetScale, targetMet: correct && latencyOk && atTargetScale };
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function countBy(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

function filterKeys(map: ReadonlyMap<string, number>, keep: (key: string) => boolean): Map<string, number> {
  return new Map([...map].filter(([k]) => keep(k)));
}

const round = (ms: number) => Math.round(ms * 10) / 10;
