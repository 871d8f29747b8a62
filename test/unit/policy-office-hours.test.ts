import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../shared/policy/load.ts';
import {
  describeLondonTime,
  ENGLAND_AND_WALES_BANK_HOLIDAYS,
  isWithinOfficeHours,
  londonWallClockToUtc,
  nextMonitoredAt,
  toLondonIso,
} from '../../shared/policy/office-hours.ts';

const cassington = loadPolicy('cassington');
const stilton = loadPolicy('stilton');
const at = (iso: string): Date => new Date(iso);

describe('isWithinOfficeHours (Europe/London wall time)', () => {
  it.each([
    ['Tuesday 09:00 BST', '2025-06-03T08:00:00Z', true],
    ['Tuesday 08:59 BST', '2025-06-03T07:59:00Z', false],
    ['Tuesday 12:59 BST', '2025-06-03T11:59:00Z', true],
    ['Tuesday 13:00 BST (window end is exclusive)', '2025-06-03T12:00:00Z', false],
    ['Tuesday 14:00 BST', '2025-06-03T13:00:00Z', false],
    ['Saturday 10:00 BST', '2025-06-07T09:00:00Z', false],
    ['Wednesday 09:30 GMT in winter', '2025-01-08T09:30:00Z', true],
    ['Good Friday 10:00', '2026-04-03T09:00:00Z', false],
    ['Christmas Day 2027 substitute (Monday 27 December)', '2027-12-27T10:00:00Z', false],
  ])('Cassington, %s', (_label, iso, expected) => {
    expect(isWithinOfficeHours(cassington, at(iso))).toBe(expected);
  });

  it('uses London time, not UTC: 08:30 UTC in summer is 09:30 in the office', () => {
    expect(isWithinOfficeHours(cassington, at('2025-07-01T08:30:00Z'))).toBe(true);
    expect(isWithinOfficeHours(cassington, at('2025-01-07T08:30:00Z'))).toBe(false);
  });
});

describe('nextMonitoredAt', () => {
  it('is now when the inbox is monitored now', () => {
    const now = at('2025-06-03T09:15:00Z');
    expect(nextMonitoredAt(cassington, now)).toEqual(now);
  });

  it.each([
    ['weekday afternoon → next morning', '2025-06-03T13:00:00Z', '2025-06-04T09:00:00+01:00'],
    ['early morning → same morning', '2025-06-03T05:00:00Z', '2025-06-03T09:00:00+01:00'],
    ['Friday afternoon → Monday', '2025-06-06T13:00:00Z', '2025-06-09T09:00:00+01:00'],
    ['Easter: Thursday afternoon → Tuesday after Easter Monday', '2025-04-17T13:00:00Z', '2025-04-22T09:00:00+01:00'],
    ['Christmas Eve 2026 afternoon → Tuesday 29 December (28th is the Boxing Day substitute)', '2026-12-24T14:00:00Z', '2026-12-29T09:00:00+00:00'],
    ['New Year 2028 falls on a Saturday → Tuesday 4 January', '2027-12-31T14:00:00Z', '2028-01-04T09:00:00+00:00'],
    ['the Friday before clocks go forward → Monday in BST', '2025-03-28T14:00:00Z', '2025-03-31T09:00:00+01:00'],
    ['the Friday before clocks go back → Monday in GMT', '2025-10-24T14:00:00Z', '2025-10-27T09:00:00+00:00'],
  ])('Cassington, %s', (_label, nowIso, expected) => {
    expect(toLondonIso(nextMonitoredAt(cassington, at(nowIso)))).toBe(expected);
  });

  it('follows the policy: Stilton is monitored until 17:00', () => {
    expect(nextMonitoredAt(stilton, at('2025-06-03T13:00:00Z'))).toEqual(at('2025-06-03T13:00:00Z'));
  });

  it('ignores bank holidays when the council says it works them', () => {
    const open = { ...cassington, officeHours: { ...cassington.officeHours, closedOnBankHolidays: false } };
    expect(isWithinOfficeHours(open, at('2025-08-25T09:00:00Z'))).toBe(true);
  });
});

describe('bank holiday data', () => {
  it('has eight England and Wales bank holidays in each of 2025-2028, all on weekdays', () => {
    for (const year of ['2025', '2026', '2027', '2028']) {
      const days = [...ENGLAND_AND_WALES_BANK_HOLIDAYS].filter((d) => d.startsWith(year));
      expect(days, year).toHaveLength(8);
      for (const d of days) expect([0, 6], d).not.toContain(new Date(`${d}T12:00:00Z`).getUTCDay());
    }
  });
});

describe('formatting', () => {
  it('gives ISO 8601 with the London offset', () => {
    expect(toLondonIso(at('2025-06-03T08:00:00Z'))).toBe('2025-06-03T09:00:00+01:00');
    expect(toLondonIso(at('2025-12-03T09:00:00Z'))).toBe('2025-12-03T09:00:00+00:00');
  });

  it('describes the time for residents', () => {
    expect(describeLondonTime(at('2025-06-04T08:00:00Z'))).toBe('Wednesday, 4 June 2025 at 09:00');
  });

  it('converts London wall-clock time on both sides of the clock change', () => {
    expect(londonWallClockToUtc('2025-03-29', '09:00').toISOString()).toBe('2025-03-29T09:00:00.000Z');
    expect(londonWallClockToUtc('2025-03-31', '09:00').toISOString()).toBe('2025-03-31T08:00:00.000Z');
  });
});
