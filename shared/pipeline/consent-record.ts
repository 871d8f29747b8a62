import type { AuditSummary, ConsentStatus } from '../model/index.ts';
import { sha256Hex } from '../channels/common.ts';
import type { Policy } from '../policy/schema.ts';
import { CONSENT_EXPIRY_DUE, CONSENT_REMINDER_DUE } from './consent-request.ts';
import { closeOpenRequest } from './consent-matters.ts';
import type { ConsentAudit } from './consent.ts';
import { OPS_PREFIX } from '../store/keys.ts';

/**
 * `hub consent record REF --granted|--declined --how phone --note …`: the
 * clerk records data consent a resident gave on paper, by phone or in person
 * (stilton.txt §11). Unlike the form's one answer, the clerk may record again:
 * a resident may withdraw consent at any time (UK GDPR Art. 7(3)), and may
 * give it after the form expired. Every recording is its own audit event
 * with how, who recorded it and the hash of the note; the note itself, which
 * may name the resident, is kept beside the chain (ops table, formal
 * retention) like the item's content, so erasure leaves the chain verifiable.
 */

export const CONSENT_HOW = ['phone', 'paper', 'in-person', 'email', 'letter', 'other'] as const;
export type ConsentHow = (typeof CONSENT_HOW)[number];

export interface ClerkConsent {
  readonly ref: string;
  readonly answer: 'granted' | 'declined';
  readonly how: ConsentHow;
  readonly note?: string;
  /** Who recorded it: `--by`, else the operating-system user running `hub`. */
  readonly recordedBy: string;
  readonly at: Date;
}

export interface RecordDeps {
  readonly policy: Pick<Policy, 'consent' | 'retention'>;
  readonly audit: ConsentAudit;
  readonly ops: {
    put(key: string, value: Record<string, unknown>, options?: { ttlSeconds?: number }): Promise<void>;
    setConsent(senderHash: string, ref: string, status: string, at: string): Promise<void>;
    deleteDue(kind: string, key: string): Promise<void>;
    putIf(key: string, value: Record<string, unknown>, condition: { field: string; equals: unknown }, options?: { ttlSeconds?: number }): Promise<boolean>;
  };
}

export type RecordResult =
  | { readonly ok: true; readonly previous: ConsentStatus; readonly summary: AuditSummary }
  | { readonly ok: false; readonly reason: string };

export async function recordClerkConsent(input: ClerkConsent, deps: RecordDeps): Promise<RecordResult> {
  const summary = await deps.audit.getSummary(input.ref);
  if (!summary) return { ok: false, reason: `no record with reference ${input.ref}` };
  const at = input.at.toISOString();
  const note = input.note?.trim();
  if (note) {
    await deps.ops.put(
      `${OPS_PREFIX.consentNote}${summary.ref}#${at}`,
      { ref: summary.ref, at, how: input.how, recordedBy: input.recordedBy, note },
      { ttlSeconds: deps.policy.retention.formal.years * 366 * 86_400 },
    );
  }
  await deps.audit.append({
    ref: summary.ref,
    itemId: summary.itemId,
    type: input.answer === 'granted' ? 'consent-granted' : 'consent-declined',
    at,
    data: {
      clause: deps.policy.consent.clause,
      recordedByClerk: true,
      how: input.how,
      recordedBy: input.recordedBy,
      previous: summary.consentStatus,
      ...(note ? { noteSha256: sha256Hex(note) } : {}),
    },
    eventKey: `${summary.ref}:consent-recorded:${at}`,
  });
  await deps.ops.setConsent(summary.senderHash, summary.ref, input.answer, at);
  await deps.audit.setConsentStatus(summary.ref, input.answer);
  await deps.ops.deleteDue(CONSENT_REMINDER_DUE, summary.ref);
  await deps.ops.deleteDue(CONSENT_EXPIRY_DUE, summary.ref);
  await closeOpenRequest(deps.ops, summary.senderHash, summary.ref);
  return { ok: true, previous: summary.consentStatus, summary };
}
