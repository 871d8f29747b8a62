import type { AuditStore } from '../store/audit-store.ts';
import type { Hold, HoldStore } from './holds.ts';
import { deleteOpsRecords, findOpsRecords, scrubCase, scrubItemClaim, type OpsTable } from './ops-records.ts';
import type { RawMailEraser } from './raw-mail.ts';

/**
 * Erasure: anonymise and keep. For each item the raw mail is deleted, the
 * content record becomes a tombstone, the summary loses its sender hash and
 * says when and why, and a `personal-data-erased` event (carrying the erased
 * content's hash) joins the chain, so `hub audit verify` still passes and the
 * decision trail (rules, clauses, what was sent and when) stays complete.
 *
 * Each step is idempotent and ordered so a crash is finished by running the
 * same command again: raw mail and per-item operational records go first,
 * the chain event and tombstone last (an item counts as erased only then).
 */

export type ErasureBasis = 'request' | 'retention';

export interface ErasureRequest {
  /** Case number or short description; goes into the chain for ever, so no personal data. */
  readonly reason: string;
  /** Who asked for it (an operator name or role), recorded in the chain. */
  readonly by: string;
  readonly basis: ErasureBasis;
}

export interface EraseDeps {
  readonly audit: AuditStore;
  readonly holds: HoldStore;
  readonly ops?: OpsTable;
  readonly rawMail?: RawMailEraser;
  readonly now: () => Date;
}

export interface ErasureOutcome {
  readonly erased: readonly string[];
  /** Erased before (by an earlier request or the sweep): nothing to do. */
  readonly alreadyErased: readonly string[];
  readonly notFound: readonly string[];
  /** Skipped because of a legal hold (only when `skipHeld`). */
  readonly held: readonly Hold[];
}

/** A legal hold applies to at least one of the items: nothing was erased. */
export class ErasureRefusedError extends Error {
  readonly held: readonly Hold[];
  constructor(held: readonly Hold[]) {
    super(`refused: ${held.map((h) => `${h.ref} is under a legal hold (${h.reason})`).join('; ')}. Nothing was erased; lift the hold with hub hold remove first.`);
    this.name = 'ErasureRefusedError';
    this.held = held;
  }
}

/**
 * Erases the given references. A hold on any of them refuses the whole
 * request (the caller decides what to do), unless `skipHeld`, which the
 * retention sweep uses to go past held items and report them.
 */
export async function eraseReferences(refs: readonly string[], request: ErasureRequest, deps: EraseDeps, options: { skipHeld?: boolean; opsCleanup?: boolean } = {}): Promise<ErasureOutcome> {
  const unique = [...new Set(refs)];
  const held: Hold[] = [];
  for (const ref of unique) {
    const hold = await deps.holds.get(ref);
    if (hold) held.push(hold);
  }
  if (held.length > 0 && !options.skipHeld) throw new ErasureRefusedError(held);
  const heldRefs = new Set(held.map((h) => h.ref));
  const todo = unique.filter((ref) => !heldRefs.has(ref));

  const erased: string[] = [];
  const alreadyErased: string[] = [];
  const notFound: string[] = [];
  const perRef = options.opsCleanup && deps.ops ? await findOpsRecords(deps.ops, [], todo) : undefined;
  for (const ref of todo) {
    const [summary, content] = await Promise.all([deps.audit.getSummary(ref), deps.audit.getContent(ref)]);
    if (!summary || !content) {
      notFound.push(ref);
      continue;
    }
    if (content.erased) {
      alreadyErased.push(ref);
      continue;
    }
    await removeCopies(ref, summary.itemId, summary.classification, deps, perRef?.byReference ?? []);
    // A body too large for the record lives in the bucket (shared/store/content-overflow.ts) and never expires by itself.
    const overflowKey = content.content?.fullContent?.key;
    if (overflowKey) {
      if (!deps.rawMail) throw new Error(`${ref}: its full text is kept in the mail bucket, and no bucket is configured to delete it from`);
      await deps.rawMail.delete(overflowKey);
    }
    await deps.audit.erasePersonalData(ref, request.reason, deps.now().toISOString(), { basis: request.basis, by: request.by });
    erased.push(ref);
  }
  return { erased, alreadyErased, notFound, held };
}

async function removeCopies(ref: string, itemId: string, classification: string, deps: EraseDeps, opsRecords: readonly { pk: string; sk: string; item: Record<string, unknown> }[]): Promise<void> {
  if (deps.rawMail) {
    const received = (await deps.audit.eventsFor(ref)).find((e) => e.type === 'received');
    const rawKey = received?.data.rawKey;
    if (typeof rawKey === 'string' && rawKey) await deps.rawMail.delete(rawKey);
  }
  if (deps.ops) {
    await deleteOpsRecords(
      deps.ops,
      opsRecords.filter((r) => String(r.item.key) === ref || (r.item.value as { ref?: unknown } | undefined)?.ref === ref),
    );
    await scrubItemClaim(deps.ops, itemId, ref, classification);
    await scrubCase(deps.ops, ref);
  }
}

/**
 * Erases everything held about the people with these sender hashes: their
 * audited items (refused as a whole if any is held), then what the
 * operational table keeps about them (minimal logs of informal messages,
 * consent status per matter, the auto-reply rate-limit record). The consent
 * ledger (an SMS STOP, a Mailchimp unsubscribe) is kept: it is what stops the
 * council messaging them again.
 */
export async function eraseSenders(senderHashes: readonly string[], request: ErasureRequest, deps: EraseDeps): Promise<ErasureOutcome & { readonly informalRecords: number }> {
  const refs: string[] = [];
  for (const senderHash of new Set(senderHashes)) {
    for await (const summary of deps.audit.listSummaries({ senderHash })) refs.push(summary.ref);
  }
  const outcome = await eraseReferences(refs, request, deps, { opsCleanup: true });
  let informalRecords = 0;
  if (deps.ops) {
    const found = await findOpsRecords(deps.ops, senderHashes, []);
    for (const log of found.minimalLogs) {
      const itemId = String(log.item.itemId);
      await scrubItemClaim(deps.ops, itemId, '', String(log.item.classification));
    }
    const records = [...found.minimalLogs, ...found.consentPerMatter, ...found.autoReply];
    await deleteOpsRecords(deps.ops, records);
    informalRecords = found.minimalLogs.length;
  }
  return { ...outcome, informalRecords };
}
