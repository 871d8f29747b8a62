import type { OutboxMessage } from '../model/index.ts';
import { MAX_DIGEST_RECIPIENTS } from '../policy/limits.ts';
import type { Policy } from '../policy/schema.ts';
import { DIGEST_MAIL_BEGIN, DIGEST_MAIL_END, type SignedDigest } from './audit-digest.ts';

/**
 * A signed digest by email to the auditors the policy lists
 * (`audit.digestRecipients`), so a copy lives outside the hub's AWS account
 * without anyone having to remember to download it. One message per digest
 * to each auditor, never more: the outbox id is fixed by council, digest
 * number and the auditor's place in the list, and deliver sends each id once.
 * The runs within DIGEST_MAIL_WINDOW_MS of a digest publish it again (a
 * retry after a failed publish, the next hourly run), so a crash between
 * writing the digest and publishing its email loses nothing.
 *
 * Nothing personal is in it: council, numbers, hashes, time, signature.
 * The email goes from the hub's SES identity (DKIM-signed) through deliver.
 */

export const DIGEST_MAIL_WINDOW_MS = 2 * 3_600_000;

export function digestEmails(policy: Policy, digest: SignedDigest, now: Date): OutboxMessage[] {
  const recipients = policy.audit?.digestRecipients ?? [];
  if (recipients.length === 0 || now.getTime() - Date.parse(digest.time) > DIGEST_MAIL_WINDOW_MS) return [];
  const text = digestMailText(policy, digest);
  // The policy refuses the hub's own addresses and repeats here (shared/policy/load.ts).
  return recipients.slice(0, MAX_DIGEST_RECIPIENTS).map((to, i) => ({
    schemaVersion: 1,
    id: `audit-digest:${digest.council}:${digest.number}:${i}`,
    kind: 'audit-digest',
    channel: 'email',
    to,
    council: digest.council,
    itemId: `audit-digest:${digest.number}`,
    subject: `Audit digest ${digest.number} of ${policy.council.name}: event ${digest.seq}`,
    text,
    createdAt: now.toISOString(),
  }));
}

function digestMailText(policy: Policy, digest: SignedDigest): string {
  const file = `digest-${digest.council}-${digest.number}.json`;
  return [
    `Audit digest ${digest.number} of ${policy.council.name} (${digest.council}).`,
    '',
    `The hub signed the head of the council's audit trail: event ${digest.seq}, hash ${digest.headHash}, at ${digest.time}.`,
    'Keep this email, or save it as a file, somewhere outside the hub. A copy you hold proves later that no record up to',
    `event ${digest.seq} was altered or removed, even by someone in control of the hub's AWS account.`,
    '',
    `To check it: hub audit verify --digest ${file} (this email saved as ${file} also works).`,
    'docs/audit.md says how to check the signature yourself with openssl and the public key (hub audit key).',
    '',
    DIGEST_MAIL_BEGIN,
    JSON.stringify(digest, null, 2),
    DIGEST_MAIL_END,
    '',
  ].join('\n');
}
