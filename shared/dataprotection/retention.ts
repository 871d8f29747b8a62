import { CLASSIFICATIONS, type Classification } from '../model/classifications.ts';
import type { AuditSummary } from '../model/audit.ts';
import { sha256Hex } from '../store/hash.ts';
import type { Policy } from '../policy/schema.ts';
import { londonDay } from '../runtime/london-time.ts';
import { eraseReferences, type EraseDeps } from './erase.ts';
import { retainUntilFor } from './retention-period.ts';
import { councilPolicy } from '../policy/council-policy.ts';
import { requireEnv } from '../runtime/env.ts';
import { lazyBatchSender } from '../queue/lazy-batch-sender.ts';
import { auditQueueFromEnv } from '../store/audit-queue.ts';
import { AuditStore } from '../store/audit-store.ts';
import { createDocumentClient } from '../store/client.ts';
import { ENV } from '../topology.ts';
import { HoldStore } from './holds.ts';
import { FileRawMailEraser, S3RawMailEraser } from './raw-mail.ts';

export { retainUntilFor };

/**
 * Retention: how long the content of an audited item is kept, by class, from
 * the council's policy (`retention.formal.years`, `retention.informal.days`;
 * the raw-mail bucket's lifecycle rule applies `retention.rawMail.days`).
 * The daily sweep erases content past that date, except under a legal hold,
 * exactly as `hub erase` does: the chain keeps every event and still verifies.
 */

const DAY_MS = 86_400_000;

/** The reason written into the chain for a sweep erasure: the period and the clause it comes from. */
export function retentionReason(classification: Classification, policy: Policy): string {
  const rule = classification === 'formal' ? policy.retention.formal : policy.retention.informal;
  const period = classification === 'formal' ? `${policy.retention.formal.years} years` : `${policy.retention.informal.days} days`;
  return `retention: ${classification} records are kept ${period} (${rule.clause})`;
}

/** Received before this instant, an item of the class may be past retention (the exact test is `retainUntilFor`). */
function latestReceiptToConsider(classification: Classification, policy: Policy, now: Date): string {
  const d = new Date(now.getTime() + DAY_MS);
  if (classification === 'formal') d.setUTCFullYear(d.getUTCFullYear() - policy.retention.formal.years);
  else d.setTime(d.getTime() - policy.retention.informal.days * DAY_MS);
  return d.toISOString();
}

export function isPastRetention(summary: AuditSummary, policy: Policy, now: Date): boolean {
  return retainUntilFor(summary.classification, summary.receivedAt, policy) < londonDay(now.toISOString());
}

export interface SweepResult {
  readonly removed: readonly string[];
  readonly held: readonly string[];
  /** The `retention-swept` event's reference, when anything was removed or held back. */
  readonly recordedAs?: string;
}

export interface SweepDeps extends EraseDeps {
  readonly policy: Policy;
}

/**
 * One run: finds audited items past retention by class (the byClassification
 * index, bounded by receipt time), erases their content, and records the run
 * in the chain (`retention-swept`: what was removed, what a hold kept, the
 * periods and clauses applied). Safe to run twice: erased items are skipped.
 */
export async function sweepRetention(deps: SweepDeps): Promise<SweepResult> {
  const now = deps.now();
  const removed: string[] = [];
  const held: string[] = [];
  for (const classification of CLASSIFICATIONS) {
    const due = await pastRetention(deps.audit, classification, deps.policy, now);
    if (due.length === 0) continue;
    const outcome = await eraseReferences(due, { reason: retentionReason(classification, deps.policy), by: 'retention-sweep', basis: 'retention' }, deps, {
      skipHeld: true,
    });
    removed.push(...outcome.erased);
    held.push(...outcome.held.map((h) => h.ref));
  }
  if (removed.length === 0 && held.length === 0) return { removed, held };
  const day = londonDay(now.toISOString());
  const ref = `RETENTION-${day}`;
  await deps.audit.append({
    ref,
    itemId: 'retention-sweep',
    type: 'retention-swept',
    at: now.toISOString(),
    data: {
      removed: removed.length,
      refs: removed,
      heldBack: held,
      formal: { years: deps.policy.retention.formal.years, clause: deps.policy.retention.formal.clause },
      informal: { days: deps.policy.retention.informal.days, clause: deps.policy.retention.informal.clause },
      policyVersion: deps.policy.version,
    },
    eventKey: `retention-swept:${day}:${sha256Hex([...removed, '|', ...held].join(',')).slice(0, 16)}`,
  });
  return { removed, held, recordedAs: ref };
}

async function pastRetention(audit: AuditStore, classification: Classification, policy: Policy, now: Date): Promise<string[]> {
  const refs: string[] = [];
  for await (const summary of audit.listSummaries({ classification, to: latestReceiptToConsider(classification, policy, now) })) {
    if (summary.erased || summary.senderHash === 'erased') continue;
    if (isPastRetention(summary, policy, now)) refs.push(summary.ref);
  }
  return refs;
}

/**
 * The sweep's stores and policy from the function's environment (topology ENV).
 * Imported statically: every sweep needs them, and in a code-split bundle a
 * lazy import is one more file to load. The S3 client loads only where raw
 * mail is in S3.
 */
export async function retentionDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<SweepDeps> {
  const { auditTable } = requireEnv(['auditTable'], env);
  const policy = await councilPolicy(env);
  const client = createDocumentClient();
  const audit = new AuditStore({ client, tableName: auditTable, council: policy.council.id, queue: auditQueueFromEnv(lazyBatchSender, env) });
  // Full bodies too large for a record are deleted with it; raw mail itself expires by the bucket's lifecycle rule.
  const bodies = env[ENV.mailDir]
    ? new FileRawMailEraser(env[ENV.mailDir]!)
    : env[ENV.mailBucket]
      ? new S3RawMailEraser(env[ENV.mailBucket]!, new (await import('@aws-sdk/client-s3')).S3Client({}))
      : undefined;
  return { policy, audit, holds: new HoldStore({ client, tableName: auditTable, audit }), now: () => new Date(), ...(bodies ? { rawMail: bodies } : {}) };
}
