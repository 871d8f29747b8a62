import { londonLongDate, londonTime } from '../runtime/london-time.ts';
import type { Policy } from './schema.ts';

export { londonTime } from '../runtime/london-time.ts';

/**
 * England and Wales bank holidays, 2025-2028.
 * Source: GOV.UK, https://www.gov.uk/bank-holidays (bank-holidays.json, division
 * "england-and-wales"), for the years it publishes; later years follow the
 * Banking and Financial Dealings Act 1971 rules with substitute days, and may
 * change by royal proclamation. Extend this list before 2029.
 */
export const ENGLAND_AND_WALES_BANK_HOLIDAYS: ReadonlySet<string> = new Set([
  // 2025
  '2025-01-01',
  '2025-04-18',
  '2025-04-21',
  '2025-05-05',
  '2025-05-26',
  '2025-08-25',
  '2025-12-25',
  '2025-12-26',
  // 2026: Boxing Day is a Saturday, substitute Monday 28 December
  '2026-01-01',
  '2026-04-03',
  '2026-04-06',
  '2026-05-04',
  '2026-05-25',
  '2026-08-31',
  '2026-12-25',
  '2026-12-28',
  // 2027: Christmas Day and Boxing Day fall at the weekend, substitutes 27 and 28 December
  '2027-01-01',
  '2027-03-26',
  '2027-03-29',
  '2027-05-03',
  '2027-05-31',
  '2027-08-30',
  '2027-12-27',
  '2027-12-28',
  // 2028: New Year's Day is a Saturday, substitute Monday 3 January
  '2028-01-03',
  '2028-04-14',
  '2028-04-17',
  '2028-05-01',
  '2028-05-29',
  '2028-08-28',
  '2028-12-25',
  '2028-12-26',
]);

export function isBankHoliday(date: string): boolean {
  return ENGLAND_AND_WALES_BANK_HOLIDAYS.has(date);
}

function isClosedDay(policy: Policy, date: string): boolean {
  return policy.officeHours.closedOnBankHolidays && isBankHoliday(date);
}

/** True when `now` falls inside one of the policy's office-hours windows (Europe/London wall time). */
export function isWithinOfficeHours(policy: Policy, now: Date): boolean {
  const t = londonTime(now);
  if (isClosedDay(policy, t.date)) return false;
  return policy.officeHours.windows.some((w) => w.days.includes(t.day) && w.start <= t.time && t.time < w.end);
}

/**
 * When the inbox is next monitored: `now` itself inside office hours, otherwise
 * the start of the next window (skipping bank holidays where the policy says so).
 */
export function nextMonitoredAt(policy: Policy, now: Date): Date {
  if (isWithinOfficeHours(policy, now)) return now;
  const today = londonTime(now).date;
  // 21 days covers Christmas plus any realistic pattern of windows.
  for (let offset = 0; offset <= 21; offset++) {
    const date = addDays(today, offset);
    if (isClosedDay(policy, date)) continue;
    const day = londonTime(londonWallClockToUtc(date, '12:00')).day;
    const starts = policy.officeHours.windows
      .filter((w) => w.days.includes(day))
      .map((w) => londonWallClockToUtc(date, w.start))
      .filter((d) => d.getTime() > now.getTime())
      .sort((a, b) => a.getTime() - b.getTime());
    if (starts[0]) return starts[0];
  }
  throw new Error('officeHours: no monitored time in the next 21 days');
}

/** ISO 8601 with the Europe/London offset, e.g. `2025-06-02T09:00:00+01:00`. */
export function toLondonIso(at: Date): string {
  const t = londonTime(at);
  const sign = t.offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(t.offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const seconds = String(Math.floor(at.getTime() / 1000) % 60).padStart(2, '0');
  return `${t.date}T${t.time}:${seconds}${offset}`;
}

/** For residents: `Tuesday, 6 May 2025 at 09:00`. */
export function describeLondonTime(at: Date): string {
  return `${londonLongDate(at)} at ${londonTime(at).time}`;
}

/** The instant at which Europe/London wall-clock time is `date` `time` (office hours never start in the DST gap). */
export function londonWallClockToUtc(date: string, time: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  const offset = londonTime(new Date(guess)).offsetMinutes;
  const candidate = new Date(guess - offset * 60_000);
  const corrected = londonTime(candidate).offsetMinutes;
  return corrected === offset ? candidate : new Date(guess - corrected * 60_000);
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
