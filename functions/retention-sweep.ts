import middy from '@middy/core';
import { retentionDepsFromEnv, sweepRetention } from '../shared/dataprotection/retention.ts';
import { log } from '../shared/runtime/log.ts';

/** Scheduled (daily): erases content past the policy's retention, except under a legal hold (see shared/dataprotection/retention.ts). */
export const handler = middy<unknown, void>().handler(async () => {
  const started = Date.now();
  const result = await sweepRetention(await retentionDepsFromEnv());
  log.info('retention sweep', { removed: result.removed.length, heldBack: result.held.length, recordedAs: result.recordedAs, ms: Date.now() - started });
});
