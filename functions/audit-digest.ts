import middy from '@middy/core';
import { log } from '../shared/runtime/log.ts';
import { runHourlyDigest } from '../shared/store/hourly-digest.ts';
import { hourlyDigestDepsFromEnv } from '../shared/store/hourly-digest-deps.ts';

/** Hourly: a signed digest of the chain when anything was appended since the last one, emailed to the policy's auditors (shared/store/hourly-digest.ts). */
export const handler = middy().handler(async () => {
  const deps = await hourlyDigestDepsFromEnv();
  const result = await runHourlyDigest(deps);
  // Facts only: how many auditors were emailed, never who.
  log.info(result.written ? 'audit digest written' : 'nothing appended since the last digest', { council: deps.policy.council.id, ...result });
});
