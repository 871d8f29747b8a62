import middy from '@middy/core';
import { consentDepsFromEnv, sweepConsent } from '../shared/pipeline/consent.ts';
import { log } from '../shared/runtime/log.ts';

/** Scheduled (hourly): consent reminders after N days, expiry after M days (see shared/pipeline/consent.ts). */
export const handler = middy<unknown, void>().handler(async () => {
  const started = Date.now();
  const result = await sweepConsent(await consentDepsFromEnv());
  log.info('consent sweep', { ...result, ms: Date.now() - started });
});
