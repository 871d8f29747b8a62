import type { OutboxMessage } from '../model/index.ts';
import type { Policy } from '../policy/schema.ts';
import type { DigestSigner, DigestStore } from './audit-digest.ts';
import type { AuditStore } from './audit-store.ts';
import { digestEmails } from './digest-mail.ts';
import { writeDigest } from './write-digest.ts';

export interface HourlyDigestDeps {
  readonly policy: Policy;
  readonly audit: Pick<AuditStore, 'council' | 'headMark' | 'eventsAfter'>;
  readonly store: DigestStore;
  readonly signer: DigestSigner;
  publish(messages: readonly OutboxMessage[]): Promise<void>;
  now(): Date;
}

export interface HourlyDigestResult {
  readonly written: boolean;
  readonly number?: number;
  readonly seq?: number;
  /** How many auditors the digest's email was published to (never who). */
  readonly emailed: number;
}

/**
 * The auditDigest schedule: a digest when anything was appended since the
 * last one, then its email to the policy's auditors (shared/store/digest-mail.ts).
 */
export async function runHourlyDigest(deps: HourlyDigestDeps): Promise<HourlyDigestResult> {
  const now = deps.now();
  const { written, digest } = await writeDigest(deps.audit, deps.store, deps.signer, { now, onlyIfChanged: true });
  const emails = digest ? digestEmails(deps.policy, digest, now) : [];
  if (emails.length) await deps.publish(emails);
  return { written, ...(digest ? { number: digest.number, seq: digest.seq } : {}), emailed: emails.length };
}
