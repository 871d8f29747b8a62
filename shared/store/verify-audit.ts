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
 * while scanning the item records, then run every check in audit-verify.ts.
 */

/** The reads verify needs; AuditStore implements them. */
export interface VerifySource {
  readonly council: string;
  chainEvents(): AsyncIterable<AuditEvent>;
  headMark(): Promise<Checkpoint | undefined>;
  /** Every summary and content record in the table (any council), content reduced to its recomputed hash. */
  itemRecords(): AsyncIterable<{ summary: AuditSummary } | { content: ContentSeen } | { pending: PendingEvent }>;
}

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
  const walker = new ChainWalker(source.council, (seq) => remembered.has(seq));
  const ledger = new ItemLedger();

  const summaries = new Map<string, AuditSummary>();
  const contents = new Map<string, ContentSeen>();
  const pending: PendingEvent[] = [];
  const walk = (async () => {
    for await (const event of source.chainEvents()) {
      walker.push(event);
      ledger.push(event);
    }
  })();
  const scan = (async () => {
    for await (const record of source.itemRecords()) {
      if ('summary' in record) {
        if (record.summary.council === source.council) summaries.set(record.summary.ref, record.summary);
      } else if ('pending' in record) {
        if (record.pending.council === source.council) pending.push(record.pending);
      } else if (record.content.council === undefined || record.content.council === source.council) {
        contents.set(record.content.ref, record.content);
      }
    }
  })();
  await Promise.all([walk, scan]);

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

  for (const summary of summaries.values()) findings.push(...checkSummary(summary, ledger.items.get(summary.ref), contents.get(summary.ref)));
  for (const facts of ledger.items.values()) findings.push(...checkContent(facts.ref, facts, contents.get(facts.ref)));
  for (const content of contents.values()) {
    const ours = content.council === source.council || summaries.has(content.ref);
    if (ours && !ledger.items.has(content.ref)) findings.push(...checkContent(content.ref, undefined, content));
  }
  findings.push(...missingSummaries(ledger, new Set(summaries.keys())));
  findings.push(...stalePending(pending, (options.now ?? new Date()).getTime() - (options.pendingGraceMs ?? 15 * 60_000)));

  return {
    council: source.council,
    ok: findings.length === 0,
    events: walker.count,
    headHash: walker.headHash,
    items: summaries.size,
    digests: options.digests?.length ?? 0,
    anchors: options.anchors?.length ?? 0,
    pending: pending.length,
    findings: findings.sort(bySeq),
  };
}

/** Events recorded longer ago than the grace period and still not in the chain: the appender is failing. */
function stalePending(pending: readonly PendingEvent[], before: number): Finding[] {
  return pending
    .filter((p) => !(Date.parse(p.recordedAt) > before))
    .map((p) => ({
      code: 'pending' as const,
      type: p.type,
      ref: p.ref,
      problem: `the '${p.type}' event of ${p.ref} was recorded at ${p.recordedAt} but is not yet in the chain`,
      next: 'The appender has not linked it: look for auditAppender errors and messages in the audit dead-letter queue (docs/audit.md, "When verify fails"). It is linked as soon as the appender runs again; nothing is lost while it waits.',
    }));
}

function bySeq(a: Finding, b: Finding): number {
  return (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) || (a.ref ?? '').localeCompare(b.ref ?? '');
}
