import { describe, expect, it } from 'vitest';
import { addCalendarMonths, dueDate, reminderDates, workingDaysBetween } from '../../shared/cases/clock.ts';
import { applyCommands, resumeClock, clockFor } from '../../shared/cases/commands.ts';
import type { CaseRecord } from '../../shared/store/case-store.ts';

/**
 * Due dates checked by hand against a calendar and the GOV.UK England and
 * Wales bank holidays (the working shown in each comment).
 */
describe('statutory due dates (hand-checked)', () => {
  const table: [string, Parameters<typeof dueDate>[0], string][] = [
    // Fri 22 May 2026, Spring bank holiday Mon 25 May: working day 1 is Tue 26 May; 20th is Mon 22 June (19 June without the holiday).
    ['FOI on the Friday before a bank holiday', { type: 'foi', receivedOn: '2026-05-22' }, '2026-06-22'],
    // Thu 2 Apr 2026: Good Friday 3 Apr and Easter Monday 6 Apr skipped, Early May bank holiday Mon 4 May skipped: Tue 5 May.
    ['FOI before Easter', { type: 'foi', receivedOn: '2026-04-02' }, '2026-05-05'],
    // Sat 20 Jun 2026: day 1 is Mon 22 June; four whole weeks later, Fri 17 July.
    ['FOI received on a Saturday', { type: 'foi', receivedOn: '2026-06-20' }, '2026-07-17'],
    // Fri 18 Dec 2026: 21-24 Dec (4), 25 and 28 Dec holidays, 29-31 Dec (7), 1 Jan holiday, then 13 more: Wed 20 Jan 2027.
    ['FOI over Christmas', { type: 'foi', receivedOn: '2026-12-18' }, '2027-01-20'],
    // 22 June + 20 further working days (s.10(3), ICO): Mon 20 July 2026.
    ['FOI extended for the public interest test', { type: 'foi', receivedOn: '2026-05-22', extended: true }, '2026-07-20'],
    // Sat 31 Jan 2026: no 31 February, so 28 Feb 2026, a Saturday: next working day Mon 2 March.
    ['SAR on 31 January', { type: 'sar', receivedOn: '2026-01-31' }, '2026-03-02'],
    // Sun 31 Jan 2027: 28 Feb 2027 is a Sunday: Mon 1 March.
    ['SAR on 31 January 2027', { type: 'sar', receivedOn: '2027-01-31' }, '2027-03-01'],
    // Mon 31 Jan 2028: a leap year, Tue 29 Feb 2028 is a working day.
    ['SAR on 31 January of a leap year', { type: 'sar', receivedOn: '2028-01-31' }, '2028-02-29'],
    // Fri 3 Apr 2026 (Good Friday): 3 May is a Sunday, 4 May a bank holiday: Tue 5 May.
    ['SAR due on a bank holiday weekend', { type: 'sar', receivedOn: '2026-04-03' }, '2026-05-05'],
    // 31 Jan 2026 + three months: no 31 April, so Thu 30 April 2026.
    ['SAR extended by two months', { type: 'sar', receivedOn: '2026-01-31', extended: true }, '2026-04-30'],
    // Fri 22 May 2026, 5 working days: 26, 27, 28, 29 May, Mon 1 June.
    ['complaint acknowledgement, default 5 working days', { type: 'complaint', receivedOn: '2026-05-22' }, '2026-06-01'],
    ['complaint acknowledgement, a policy of 3 working days', { type: 'complaint', receivedOn: '2026-05-22', complaintWorkingDays: 3 }, '2026-05-28'],
  ];
  it.each(table)('%s', (_name, input, expected) => {
    expect(dueDate(input).dueOn).toBe(expected);
  });

  it('corresponding dates and working-day counts', () => {
    expect(addCalendarMonths('2026-01-30', 1)).toBe('2026-02-28');
    expect(addCalendarMonths('2026-03-15', 1)).toBe('2026-04-15');
    expect(workingDaysBetween('2026-05-22', '2026-06-22')).toBe(20);
  });

  it('reminders: 5 working days before, the working day before, and the day', () => {
    expect(reminderDates('2026-06-22', '2026-05-22').map((r) => r.on)).toEqual(['2026-06-15', '2026-06-19', '2026-06-22']);
    expect(reminderDates('2026-06-22', '2026-06-20').map((r) => r.on)).toEqual(['2026-06-22']);
  });
});

describe('case commands', () => {
  const base: CaseRecord = {
    ref: 'DEM-2026-000001',
    itemId: 'i',
    council: 'demo',
    channel: 'email',
    receivedAt: '2026-05-22T10:00:00.000Z',
    status: 'open',
    answers: 0,
    retainUntil: '2032-01-01',
    version: 1,
  };

  it('#foi starts the FOI clock from receipt; #not-foi stops it', () => {
    const foi = applyCommands(base, ['foi'], '2026-05-26', 'now', 5).record;
    expect(foi).toMatchObject({ type: 'foi', typeSource: 'clerk', clock: { dueOn: '2026-06-22' } });
    const not = applyCommands(foi, ['not-foi'], '2026-05-26', 'now', 5).record;
    expect(not.type).toBeUndefined();
    expect(not.clock).toBeUndefined();
  });

  it('#extend is refused for a complaint and reported', () => {
    const complaint = applyCommands(base, ['complaint'], '2026-05-26', 'now', 5).record;
    const result = applyCommands(complaint, ['extend'], '2026-05-26', 'now', 5);
    expect(result.problems).toHaveLength(1);
    expect(result.record.clock!.dueOn).toBe('2026-06-01');
  });

  it('FOI clarification: the clock restarts from the day the clarification arrives (s.10(6)(b))', () => {
    const foi = applyCommands(base, ['foi', 'clarify'], '2026-05-26', 'now', 5).record;
    expect(foi.status).toBe('awaiting-clarification');
    const resumed = resumeClock(foi, '2026-06-01', 5);
    expect(resumed.status).toBe('open');
    // Mon 1 June + 20 working days = Mon 29 June.
    expect(resumed.clock!.dueOn).toBe('2026-06-29');
  });

  it('SAR clarification pauses the month: 10 days paused moves the due date 10 days', () => {
    const sar = { ...base, receivedAt: '2026-03-02T10:00:00.000Z', type: 'sar' as const, clock: clockFor('sar', '2026-03-02', 5) };
    expect(sar.clock.dueOn).toBe('2026-04-02');
    const paused = applyCommands(sar, ['clarify'], '2026-03-05', 'now', 5).record;
    // 2 April + 10 days = Sun 12 April 2026: next working day Mon 13 April.
    expect(resumeClock(paused, '2026-03-15', 5).clock!.dueOn).toBe('2026-04-13');
  });
});
