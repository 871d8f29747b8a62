import middy from '@middy/core';
import { clerkScheduleDepsFromEnv } from '../shared/cases/schedule-deps.ts';
import { type ClerkScheduleResult, runClerkSchedule } from '../shared/cases/schedule.ts';
import { log } from '../shared/runtime/log.ts';
import { scheduledTime } from '../shared/runtime/scheduled-time.ts';

/**
 * Scheduled (every 15 minutes): statutory-deadline reminders and the daily
 * digest, inside office hours (shared/cases/schedule.ts), for the moment the
 * rule fired (the event's `time`). The result is returned for the local hub's
 * `POST /local/schedules/clerk-sweep`; EventBridge ignores it.
 */
export const handler = middy<unknown, ClerkScheduleResult>().handler(async (event) => {
  const started = Date.now();
  const at = scheduledTime(event);
  const result = await runClerkSchedule({ ...(await clerkScheduleDepsFromEnv()), now: () => at });
  log.info('clerk schedule', { ...result, at: at.toISOString(), ms: Date.now() - started });
  return result;
});
