import middy from '@middy/core';
import { clerkScheduleDepsFromEnv } from '../shared/cases/schedule-deps.ts';
import { runClerkSchedule } from '../shared/cases/schedule.ts';
import { log } from '../shared/runtime/log.ts';

/** Scheduled (every 15 minutes): statutory-deadline reminders and the daily digest, inside office hours (shared/cases/schedule.ts). */
export const handler = middy<unknown, void>().handler(async () => {
  const started = Date.now();
  const result = await runClerkSchedule(await clerkScheduleDepsFromEnv());
  log.info('clerk schedule', { ...result, ms: Date.now() - started });
});
