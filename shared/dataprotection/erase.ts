import { randomBytes } from 'node:crypto';
import type { AuditStore } from '../store/audit-store.ts';
import { londonDay } from '../runtime/london-time.ts';
import type { Hold, HoldStore } from './holds.ts';
import { deleteOpsRecords, findOpsRecords, recordsOf, scrubCase, scrubItemClaim, scrubTheme, type OpsTable, type SubjectKeys } from './ops-records.ts';
import { rawMailKeyOf } from './key-classes.ts';
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
    super(
      `refused: ${held.map((h) => `${h.ref} is under a legal hold (${h.reason})`).join('; ')}. Nothing was erased; lift the hold with hub hold remove first.`,
    );
    this.name = 'ErasureRefusedError';
    this.held = held;
  }
}

/**
 * Erases the given references. A hold on any of them refuses the whole
 * request (the caller decides what to do), unless `skipHeld`, which the
 * retention sweep uses to go past held items and report them.
 */
export async function eraseReferences(
  refs: readonly string[],
  request: ErasureRequest,
  deps: EraseDeps,
  options: { skipHeld?: boolean; opsCleanup?: boolean } = {},
): Promise<ErasureOutcome> {
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
  // Records found by reference (consent reminders with the reply address, thread keys, consent notes, joined matters) go first.
  if (options.opsCleanup && deps.ops && todo.length > 0) {
    await deleteOpsRecords(deps.ops, recordsOf(await findOpsRecords(deps.ops, { senderHashes: [], refs: todo }), ...DELETED_BY_REFERENCE));
  }
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
    await removeCopies(ref, summary.itemId, summary.classification, deps);
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

/** Key classes (key-classes.ts) found by reference that erasure deletes. */
export const DELETED_BY_REFERENCE = ['due-consent-reminder', 'due-consent-expiry', 'thread', 'consent-matters', 'consent-note'];
/** Key classes found by sender (hash, or Messenger id) that erasure by sender deletes. */
export const DELETED_BY_SENDER = ['minimal-log', 'consent-per-matter', 'auto-reply', 'offences', 'consent-open', 'last-message'];

/** The raw mail of the item and of the clerk's email replies to it (which quote or answer the resident). */
async function removeCopies(ref: string, itemId: string, classification: string, deps: EraseDeps): Promise<void> {
  if (deps.rawMail) {
    const events = await deps.audit.eventsFor(ref);
    const rawKey = events.find((e) => e.type === 'received')?.data.rawKey;
    const keys = new Set([
      typeof rawKey === 'string' && rawKey ? rawKey : rawMailKeyOf(itemId),
      ...events.map((e) => rawMailKeyOf(String(e.data.replyItemId ?? ''))),
    ]);
    for (const key of keys) if (key) await deps.rawMail.delete(key);
  }
  if (deps.ops) {
    await scrubItemClaim(deps.ops, itemId, ref, classification);
    await scrubCase(deps.ops, ref);
  }
}

export interface SenderErasure extends ErasureOutcome {
  readonly informalRecords: number;
  /** Operational records deleted or scrubbed because of who they are about (besides the items' own). */
  readonly otherRecords: number;
  /** The `subject-erased` event's reference. */
  readonly recordedAs: string;
}

/**
 * Erases everything held about the people with these sender hashes: their
 * audited items (refused as a whole if any is held), then what the
 * operational table keeps about them (minimal logs of informal messages and
 * the raw mail of informal email, consent status per matter, the open
 * consent request, the auto-reply and last-message records, moderation
 * offences, their items' ids and examples in the day's themes). The consent
 * ledger (an SMS STOP, a Mailchimp unsubscribe) is kept: it is what stops the
 * council messaging them again. The request itself is recorded in the chain
 * (`subject-erased`: who, when, why, how many; never who it was about), so an
 * erasure of someone with only informal messages is audited too.
 */
export async function eraseSenders(
  subject: { senderHashes: readonly string[]; lastMessageKeys?: readonly string[] },
  request: ErasureRequest,
  deps: EraseDeps,
): Promise<SenderErasure> {
  const summaries: { ref: string; itemId: string }[] = [];
  for (const senderHash of new Set(subject.senderHashes)) {
    for await (const summary of deps.audit.listSummaries({ senderHash })) summaries.push(summary);
  }
  const outcome = await eraseReferences(
    summaries.map((s) => s.ref),
    request,
    deps,
    { opsCleanup: true },
  );
  const removed = deps.ops
    ? await eraseSenderRecords(deps.ops, { ...subject, refs: summaries.map((s) => s.ref), itemIds: summaries.map((s) => s.itemId) }, deps.rawMail)
    : { informal: 0, other: 0 };
  const now = deps.now();
  const ref = `ERASE-${londonDay(now.toISOString()).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
  await deps.audit.append({
    ref,
    itemId: 'erasure',
    type: 'subject-erased',
    at: now.toISOString(),
    data: {
      by: request.by,
      reason: request.reason.slice(0, 200),
      basis: request.basis,
      identities: subject.senderHashes.length,
      items: outcome.erased.length,
      alreadyErased: outcome.alreadyErased.length,
      informal: removed.informal,
      otherRecords: removed.other,
    },
    eventKey: `${ref}:subject-erased`,
  });
  return { ...outcome, informalRecords: removed.informal, otherRecords: removed.other, recordedAs: ref };
}

async function eraseSenderRecords(ops: OpsTable, subject: SubjectKeys, rawMail: RawMailEraser | undefined): Promise<{ informal: number; other: number }> {
  const found = await findOpsRecords(ops, subject);
  const logs = recordsOf(found, 'minimal-log');
  for (const log of logs) {
    const itemId = String(log.item.itemId);
    await scrubItemClaim(ops, itemId, '', String(log.item.classification));
    const rawKey = rawMailKeyOf(itemId);
    if (rawKey && rawMail) await rawMail.delete(rawKey);
  }
  const itemIds = new Set([...(subject.itemIds ?? []), ...found.informalItemIds]);
  const themes = recordsOf(found, 'theme');
  for (const theme of themes) await scrubTheme(ops, theme, itemIds);
  const others = recordsOf(found, ...DELETED_BY_SENDER.filter((id) => id !== 'minimal-log'));
  await deleteOpsRecords(ops, [...logs, ...others]);
  return { informal: logs.length, other: others.length + themes.length };
}
