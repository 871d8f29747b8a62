/**
 * Europe/London wall-clock time by arithmetic, without Intl.
 *
 * Why not Intl.DateTimeFormat: the first formatter a process builds loads ICU
 * (~12 ms), which every cold start of classify paid. The UK rule is fixed in
 * law (Summer Time Order 2002, the EU rule since 1996): BST (UTC+1) from 01:00
 * UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October,
 * GMT otherwise. test/unit/policy-london-time.test.ts checks it against Intl
 * (the runtime's tz database) for 1996-2099. If Parliament changes the rule,
 * change `isBritishSummerTime`.
 */

export type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export interface LondonTime {
  /** YYYY-MM-DD */
  date: string;
  day: Weekday;
  /** HH:MM */
  time: string;
  /** Offset from UTC in minutes (0 in winter, 60 in summer). */
  offsetMinutes: number;
}

/** 01:00 UTC on the last Sunday of `month` (0-based) of `year`. */
function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

export function isBritishSummerTime(at: Date): boolean {
  const t = at.getTime();
  const year = at.getUTCFullYear();
  return t >= lastSundayAt1Utc(year, 2) && t < lastSundayAt1Utc(year, 9);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The London wall clock as a Date whose UTC fields read London time. Throws RangeError on an invalid date, as Intl did. */
function wallClock(at: Date): { wall: Date; offsetMinutes: number } {
  if (Number.isNaN(at.getTime())) throw new RangeError('Invalid time value');
  const offsetMinutes = isBritishSummerTime(at) ? 60 : 0;
  return { wall: new Date(at.getTime() + offsetMinutes * 60_000), offsetMinutes };
}

export function londonTime(at: Date): LondonTime {
  const { wall, offsetMinutes } = wallClock(at);
  return {
    date: `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
    day: WEEKDAYS[wall.getUTCDay()]!,
    time: `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`,
    offsetMinutes,
  };
}

/** YYYY-MM-DD in London. */
export function londonDate(at: Date): string {
  return londonTime(at).date;
}

/** The London day (YYYY-MM-DD) of an ISO 8601 instant: the day records and daily limits are counted by. */
export function londonDay(iso: string): string {
  return londonDate(new Date(iso));
}

/** en-GB long date in London, e.g. `Tuesday, 6 May 2025` (what Intl's en-GB formatter wrote). */
export function londonLongDate(at: Date): string {
  const { wall } = wallClock(at);
  return `${WEEKDAY_NAMES[wall.getUTCDay()]}, ${wall.getUTCDate()} ${MONTH_NAMES[wall.getUTCMonth()]} ${wall.getUTCFullYear()}`;
}

const MONTH_ABBREVIATIONS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The one format for a time a person reads (clerk emails, the home page, the
 * consent form, the auditor's tables): Europe/London wall clock with its zone,
 * e.g. `27 Nov 2026, 22:33 GMT` or `1 Jul 2026, 09:05 BST`. Machine output
 * (JSON, CSV, the audit trail itself) keeps ISO 8601 UTC. An unparseable
 * string is returned as it is, so a bad value is shown rather than hidden.
 */
export function londonDateTime(at: Date | string): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  const { wall, offsetMinutes } = wallClock(date);
  const day = `${wall.getUTCDate()} ${MONTH_ABBREVIATIONS[wall.getUTCMonth()]} ${wall.getUTCFullYear()}`;
  return `${day}, ${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())} ${offsetMinutes ? 'BST' : 'GMT'}`;
}
