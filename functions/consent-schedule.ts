import middy from '@middy/core';
import { consentDepsFromEnv, sweepConsent } from '../shared/pipeline/consent.ts';
import { log } from '../shared/runtime/log.ts';

/** Scheduled (hourly): consent reminders after N days, expiry after M days (see shared/pipeline/consent.ts). */
export const handler = middy<unknown, void>().handler(async (_event, context) => {
  const started = Date.now();
  // Stop starting new entries with 15 s left: the longest entry (an expiry: claim, events, clerk notice) takes well under that.
  const result = await sweepConsent(await consentDepsFromEnv(), { hasTime: () => context.getRemainingTimeInMillis() > 15_000 });
  if (result.more) log.warn('consent sweep stopped at its time budget; the next run continues', { ...result, ms: Date.now() - started });
  else log.info('consent sweep', { ...result, ms: Date.now() - started });
});
