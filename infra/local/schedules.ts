import { randomUUID } from 'node:crypto';
import { LOCAL_REGION } from './emulators.ts';
import { SCHEDULES, type FunctionId } from '../../shared/topology.ts';

/**
 * The local stand-in for the stack's EventBridge schedule rules. Each
 * `SCHEDULES` entry runs on a timer every `localIntervalSeconds`, never
 * overlapping itself, with the event EventBridge sends a rule's target.
 *
 * `trigger` is one more firing of a rule, at a time the caller names: the
 * event's `time` is that moment, as EventBridge sets `time` to the moment the
 * rule fired. Functions that read the time from the event (the clerk
 * schedule) then act as they would have at that moment, so a test or a
 * reader can see what tomorrow's 09:00 run would send without waiting for it.
 */

export type ScheduleId = (typeof SCHEDULES)[number]['id'];

export interface LocalSchedules {
  /** Runs one schedule now, as if its rule fired at `time` (default: now). Resolves when the function has returned. */
  trigger(id: ScheduleId, time?: Date): Promise<unknown>;
  stop(): void;
}

export function startSchedules(
  invoke: (fn: FunctionId, event: unknown) => Promise<unknown>,
  onError: (fn: FunctionId, error: unknown) => void,
): LocalSchedules {
  const timers = SCHEDULES.map((schedule) => {
    let running = false;
    return setInterval(() => {
      if (running) return;
      running = true;
      invoke(schedule.fn, scheduledEvent(schedule.id, new Date()))
        .catch((error: unknown) => onError(schedule.fn, error))
        .finally(() => (running = false));
    }, schedule.localIntervalSeconds * 1000);
  });
  return {
    trigger: (id, time = new Date()) => {
      const schedule = SCHEDULES.find((s) => s.id === id);
      if (!schedule) return Promise.reject(new Error(`no schedule ${id}`));
      return invoke(schedule.fn, scheduledEvent(schedule.id, time));
    },
    stop: () => {
      for (const t of timers) clearInterval(t);
    },
  };
}

export function isScheduleId(id: string): id is ScheduleId {
  return SCHEDULES.some((s) => s.id === id);
}

/** What an EventBridge scheduled rule delivers to its Lambda target ("Scheduled Event"; `time` to the second). */
export function scheduledEvent(id: string, time: Date) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:123456789012:rule/hub-${id}`],
    detail: {},
  };
}

/**
 * The body of `POST /local/schedules/{id}`: empty, or `{"time": "<ISO 8601>"}`.
 * Returns the time, or a reason it is unusable.
 */
export function parseTriggerBody(body: Buffer): { time: Date } | { error: string } {
  if (body.length === 0) return { time: new Date() };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { error: 'the body must be JSON: {"time": "2027-03-01T09:00:00Z"}' };
  }
  const time = (parsed as { time?: unknown } | null)?.time;
  if (time === undefined) return { time: new Date() };
  if (typeof time !== 'string' || !isIsoDateTime(time)) {
    return { error: 'time must be an ISO 8601 date-time with a zone, e.g. 2027-03-01T09:00:00Z' };
  }
  return { time: new Date(time) };
}

/** `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or an offset, naming a real calendar day (Date.parse accepts 30 February). */
function isIsoDateTime(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m || Number.isNaN(Date.parse(text))) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d;
}
