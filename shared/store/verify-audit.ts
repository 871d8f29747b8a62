import type { AuditEvent, AuditSummary } from '../model/index.ts';
import type { PendingEvent } from './audit-appender.ts';
import {
  ChainWalker,
  checkCheckpoint,
  checkContent,
  checkHeadMark,
  checkSummary,
  ItemLedger,
  missingSummaries,
  type Checkpoint,
  type ContentSeen,
  type Finding,
} from './audit-verify.ts';

/**
 * `hub audit verify`, the I/O part: read the council's chain (in seq order)
 * while reading the item records, then run every check in audit-verify.ts.
 * Item records come from an index, which may lag a write by a moment: any of
 * them that disagrees with the chain is read again from the table before it
 * is reported, so a finding is never an artefact of that lag.
 */

/** The reads verify needs; AuditStore implements them. */
export interface VerifySource {
  readonly council: string;
  /** In seq order; `head` (the HEAD mark's seq) only helps it read in parallel. */
  chainEvents(head?: number): AsyncIterable<AuditEvent>;
  headMark(): Promise<Checkpoint | undefined>;
  /** Every summary and content record (any council; content reduced to its recomputed hash) and every unlinked event record. May lag writes by a moment. */
  itemRecords(): AsyncIterable<ItemRecord>;
  /** The same records of these items, and these event records if still unlinked, read strongly consistently. */
  recheck(refs: readonly string[], eventKeys: readonly string[]): Promise<ItemRecord[]>;
}

export type ItemRecord = { summary: AuditSummary } | { content: ContentSeen } | { pending: PendingEvent };

export interface SignedCheckpoint extends Checkpoint {
  /** How to name it in a finding, e.g. "digest 12 (2026-04-01T10:00:00Z)". */
  readonly label: string;
}

export interface VerifyOptions {
  /** Auditor-supplied anchors (`--anchor SEQ:HASH`, `--digest FILE`), already authenticated where signed. */
  readonly anchors?: readonly SignedCheckpoint[];
  /** Digests from the digest store, already signature-checked; problems found there are passed in `findings`. */
  readonly digests?: readonly SignedCheckpoint[];
  /** Findings from outside the table (digest signatures, gaps in the digest sequence). */
  readonly findings?: readonly Finding[];
  /** A new deployment may have no events yet; without this an empty chain is a finding. */
  readonly allowEmpty?: boolean;
  /** Now, and how long a recorded event may wait for the appender before it is a finding (default 15 minutes). */
  readonly now?: Date;
  readonly pendingGraceMs?: number;
}

export interface VerifyReport {
  readonly council: string;
  readonly ok: boolean;
  readonly events: number;
  readonly headHash: string;
  readonly items: number;
  readonly digests: number;
  readonly anchors: number;
  /** Recorded events not yet linked into the chain (within the grace period: not a finding). */
  readonly pending: number;
  readonly findings: readonly Finding[];
}

export async function verifyAudit(source: VerifySource, options: VerifyOptions = {}): Promise<VerifyReport> {
  const points = [...(options.anchors ?? []), ...(options.digests ?? [])];
  const mark = await source.headMark();
  const remembered = new Set([...points.map((p) => p.seq), ...(mark ? [mark.seq] : [])]);
  const trail = await readTrail(source, mark, (seq) => remembered.has(seq));
  const { walker } = trail;

  const findings: Finding[] = [...walker.findings, ...checkHeadMark(walker, mark)];
  if (walker.count === 0 && !mark && !options.allowEmpty) {
    findings.push({
      code: 'empty-chain',
      problem: `there are no audit events for council "${source.council}"`,
      next: 'Check the council id (--council; the stack output Council). If this hub has really recorded nothing yet, run again with --allow-empty; otherwise the records were deleted: restore the table from a point-in-time backup.',
    });
  }
  for (const anchor of options.anchors ?? []) findings.push(...checkCheckpoint(walker, anchor, anchor.label, 'anchor'));
  for (const digest of options.digests ?? []) findings.push(...checkCheckpoint(walker, digest, digest.label, 'digest'));
  findings.push(...(options.findings ?? []));

  const before = (options.now ?? new Date()).getTime() - (options.pendingGraceMs ?? 15 * 60_000);
  let records = recordFindings(source.council, trail, before);
  const doubtful = [...new Set(records.flatMap((f) => (f.code === 'pending' || f.ref === undefined ? [] : [f.ref])))];
  const waiting = stalePending(trail.pending, before).map((p) => p.eventKey);
  if (doubtful.length > 0 || waiting.length > 0) {
    applyRecheck(trail, source.council, doubtful, waiting, await source.recheck(doubtful, waiting));
    records = recordFindings(source.council, trail, before);
  }
  findings.push(...records);

  return {
    council: source.council,
    ok: findings.length === 0,
    events: walker.count,
    headHash: walker.headHash,
    items: trail.summaries.size,
    digests: options.digests?.length ?? 0,
    anchors: options.anchors?.length ?? 0,
    pending: trail.pending.length,
    findings: findings.sort(bySeq),
  };
}

/** What verify read: the chain walked, the item facts it gives, and the council's item records. */
interface Trail {
  readonly walker: ChainWalker;
  readonly ledger: ItemLedger;
  readonly summaries: Map<string, AuditSummary>;
  readonly contents: Map<string, ContentSeen>;
  pending: PendingEvent[];
}

/** The chain (in order) and the item records (in any order), read at the same time. */
async function readTrail(source: VerifySource, mark: Checkpoint | undefined, remember: (seq: number) => boolean): Promise<Trail> {
  const trail: Trail = { walker: new ChainWalker(source.council, remember), ledger: new ItemLedger(), summaries: new Map(), contents: new Map(), pending: [] };
  const walk = (async () => {
    for await (const event of source.chainEvents(mark?.seq)) {
      trail.walker.push(event);
      trail.ledger.push(event);
    }
  })();
  const read = (async () => {
    for await (const record of source.itemRecords()) keepRecord(trail, source.council, record);
  })();
  await Promise.all([walk, read]);
  return trail;
}

function keepRecord(trail: Trail, council: string, record: ItemRecord): void {
  if ('summary' in record) {
    if (record.summary.council === council) trail.summaries.set(record.summary.ref, record.summary);
  } else if ('pending' in record) {
    if (record.pending.council === council) trail.pending.push(record.pending);
  } else if (record.content.council === undefined || record.content.council === council) {
    trail.contents.set(record.content.ref, record.content);
  }
}

/** Replaces what the index showed for these items and event records with what the table holds now. */
function applyRecheck(trail: Trail, council: string, refs: readonly string[], eventKeys: readonly string[], fresh: readonly ItemRecord[]): void {
  for (const ref of refs) {
    trail.summaries.delete(ref);
    trail.contents.delete(ref);
  }
  const rechecked = new Set(eventKeys);
  trail.pending = trail.pending.filter((p) => !rechecked.has(p.eventKey));
  for (const record of fresh) keepRecord(trail, council, record);
}

/** Summaries and content against the chain, orphans, and events the appender has not linked in time. */
function recordFindings(council: string, trail: Trail, pendingBefore: number): Finding[] {
  const { ledger, summaries, contents } = trail;
  const findings: Finding[] = [];
  for (const summary of summaries.values()) findings.push(...checkSummary(summary, ledger.items.get(summary.ref), contents.get(summary.ref)));
  for (const facts of ledger.items.values()) findings.push(...checkContent(facts.ref, facts, contents.get(facts.ref)));
  for (const content of contents.values()) {
    const ours = content.council === council || summaries.has(content.ref);
    if (ours && !ledger.items.has(content.ref)) findings.push(...checkContent(content.ref, undefined, content));
  }
  findings.push(...missingSummaries(ledger, new Set(summaries.keys())));
  findings.push(...stalePending(trail.pending, pendingBefore).map(pendingFinding));
  return findings;
}

/** Events recorded longer ago than the grace period and still not in the chain: the appender is failing. */
function stalePending(pending: readonly PendingEvent[], before: number): PendingEvent[] {
  return pending.filter((p) => !(Date.parse(p.recordedAt) > before));
}

function pendingFinding(p: PendingEvent): Finding {
  return {
    code: 'pending',
    type: p.type,
    ref: p.ref,
    problem: `the '${p.type}' event of ${p.ref} was recorded at ${p.recordedAt} but is not yet in the chain`,
    next: 'The appender has not linked it: look for auditAppender errors and messages in the audit dead-letter queue (docs/audit.md, "When verify fails"). It is linked as soon as the appender runs again; nothing is lost while it waits.',
  };
}

function bySeq(a: Finding, b: Finding): number {
  return (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) || (a.ref ?? '').localeCompare(b.ref ?? '');
}
