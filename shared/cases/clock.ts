import { isBankHoliday } from '../policy/office-hours.ts';

/**
 * Statutory clocks, on Europe/London calendar dates (YYYY-MM-DD). Pure.
 *
 * - FOI / EIR: "promptly and in any event not later than the twentieth working
 *   day following the date of receipt" (FOIA 2000 s.10(1); EIR 2004 reg 5(2)).
 *   A working day is not a Saturday, Sunday, Christmas Day, Good Friday or bank
 *   holiday (s.10(6)); the hub knows England and Wales bank holidays (GOV.UK),
 *   which include Christmas Day and Good Friday. (Scotland and Northern Ireland
 *   have extra bank holidays that s.10(6) also excludes; ignoring them can only
 *   make a due date earlier, never later.) When the council needs clarification,
 *   the date of receipt becomes the day the clarification arrives (s.1(3),
 *   s.10(6)(b)). A public-interest extension (s.10(3)) is taken as the ICO's
 *   "no more than 20 further working days".
 * - SAR: "within one month of receipt" (UK GDPR art. 12(3)), extendable "by two
 *   further months where necessary". ICO: the corresponding calendar date in
 *   the next month, the last day of that month when there is none, and the
 *   next working day when that date is a weekend or bank holiday. While the
 *   council waits for clarification the clock is paused (ICO "stop the clock").
 * - Complaint acknowledgement: the council's procedure, default 5 working days.
 */

export type CaseType = 'foi' | 'sar' | 'complaint';

export function isWorkingDay(date: string): boolean {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay();
  return day !== 0 && day !== 6 && !isBankHoliday(date);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The `n`th working day after `date` (n ≥ 1), or before it for negative n. */
export function addWorkingDays(date: string, n: number): string {
  const step = n < 0 ? -1 : 1;
  let d = date;
  for (let left = Math.abs(n); left > 0; ) {
    d = addDays(d, step);
    if (isWorkingDay(d)) left--;
  }
  return d;
}

export function nextWorkingDayFrom(date: string): string {
  let d = date;
  while (!isWorkingDay(d)) d = addDays(d, 1);
  return d;
}

/** The corresponding date `months` later, or the last day of that month when it has no such date. */
export function addCalendarMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + months, Math.min(d, lastDay))).toISOString().slice(0, 10);
}

/** Working days after `from` up to and including `to` (0 when to ≤ from). */
export function workingDaysBetween(from: string, to: string): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d)) n++;
  return n;
}

export interface ClockInput {
  readonly type: CaseType;
  /** The London date the request (or, for FOI, the clarification) was received. */
  readonly receivedOn: string;
  readonly extended?: boolean;
  /** Calendar days the SAR clock stood still while awaiting clarification. */
  readonly pausedDays?: number;
  /** Complaint acknowledgement period from the policy. */
  readonly complaintWorkingDays?: number;
}

export interface Due {
  readonly dueOn: string;
  /** Plain words and the law, for the clerk's email and the export. */
  readonly rule: string;
  readonly clause: string;
}

export function dueDate(input: ClockInput): Due {
  switch (input.type) {
    case 'foi': {
      const base = addWorkingDays(input.receivedOn, 20);
      return input.extended
        ? {
            dueOn: addWorkingDays(base, 20),
            rule: '20 working days, extended by 20 working days for the public interest test',
            clause: 'FOIA 2000 s.10(1), s.10(3); EIR 2004 reg 5(2), 7(1)',
          }
        : { dueOn: base, rule: '20 working days from receipt', clause: 'FOIA 2000 s.10(1); EIR 2004 reg 5(2)' };
    }
    case 'sar': {
      const months = input.extended ? 3 : 1;
      const corresponding = addDays(addCalendarMonths(input.receivedOn, months), input.pausedDays ?? 0);
      return {
        dueOn: nextWorkingDayFrom(corresponding),
        rule: input.extended ? 'one month from receipt, extended by two further months' : 'one calendar month from receipt',
        clause: input.extended ? 'UK GDPR art. 12(3) (extension)' : 'UK GDPR art. 12(3), art. 15',
      };
    }
    case 'complaint': {
      const days = input.complaintWorkingDays ?? 5;
      return { dueOn: addWorkingDays(input.receivedOn, days), rule: `acknowledgement within ${days} working days`, clause: 'complaints procedure' };
    }
  }
}

/**
 * Reminder dates for a due date: 5 working days before, the working day
 * before, and the day itself (those still in the future of `today`).
 */
export function reminderDates(dueOn: string, today: string): { on: string; label: string }[] {
  return [
    { on: addWorkingDays(dueOn, -5), label: 'due in 5 working days' },
    { on: addWorkingDays(dueOn, -1), label: 'due next working day' },
    { on: dueOn, label: 'due today' },
  ].filter((r) => r.on >= today);
}

/** `Monday 22 June 2026` */
export function longDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return `${days[d.getUTCDay()]} ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** `22 Jun 2026`, short enough for a subject line. */
export function shortDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  return `${d.getUTCDate()} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
