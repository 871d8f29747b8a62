import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_RAW_MAIL_DAYS, rawMailExpiresAt } from '../../shared/dataprotection/raw-mail-expiry.ts';
import type { Policy } from '../../shared/policy/schema.ts';
import { MAIL_BUCKET } from '../../shared/topology.ts';

/**
 * The raw-mail bucket's lifecycle rule (infra/aws: expire-raw-mail) applied
 * to HUB_DATA_DIR/mail: objects under the raw-mail prefix are deleted once
 * `retention.rawMail.days` have passed since they were written, rounded up to
 * the next midnight UTC as S3 does. Full bodies (`content/`) do not expire,
 * as in the bucket: they go with their record. The local hub runs this at
 * start and every hour (startRawMailLifecycle); S3 runs its rule about once a day.
 */
export async function expireLocalRawMail(mailDir: string, policy: Pick<Policy, 'retention'>, now: Date = new Date()): Promise<number> {
  const days = policy.retention.rawMail?.days ?? DEFAULT_RAW_MAIL_DAYS;
  const dir = join(mailDir, MAIL_BUCKET.objectPrefix);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let expired = 0;
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    // A file is written once (atomically, by the SMTP server): its modification time is when the mail was stored.
    if (!info?.isFile() || rawMailExpiresAt(info.mtime, days) > now) continue;
    await rm(path, { force: true });
    expired += 1;
  }
  return expired;
}

/** Hourly; S3 evaluates lifecycle rules about once a day, so an hour is never later than AWS by more than the check interval. */
const LIFECYCLE_INTERVAL_MS = 3_600_000;

/** Runs the rule now and every hour until stopped. */
export function startRawMailLifecycle(mailDir: string, policy: Pick<Policy, 'retention'>, onError: (error: unknown) => void): { stop(): void } {
  const run = () => void expireLocalRawMail(mailDir, policy).catch(onError);
  run();
  const timer = setInterval(run, LIFECYCLE_INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}
