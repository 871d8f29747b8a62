/**
 * The moment a scheduled run stands for. EventBridge sets a scheduled rule's
 * event `time` to the moment the rule fired, and a retried delivery keeps it
 * (EventBridge retries the target for up to an hour, then Lambda's own
 * asynchronous retries may run it up to six hours later), so a late retry still acts for
 * its own slot. An invocation without a usable `time` (a manual test invoke)
 * runs for now.
 */
export function scheduledTime(event: unknown, now: () => Date = () => new Date()): Date {
  const time = (event as { time?: unknown } | null | undefined)?.time;
  if (typeof time !== 'string') return now();
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? now() : new Date(ms);
}
