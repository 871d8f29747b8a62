import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBritishSummerTime, londonDate, londonLongDate, londonTime } from '../../shared/runtime/london-time.ts';

// The runtime's tz database is the reference the arithmetic must agree with.
const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});
const long = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

function viaIntl(at: Date) {
  const p: Record<string, string> = {};
  for (const part of parts.formatToParts(at)) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, day: p.weekday!.toLowerCase(), time: `${p.hour}:${p.minute}`, bst: p.timeZoneName === 'BST' };
}

const instants = fc.integer({ min: Date.UTC(1996, 0, 1), max: Date.UTC(2099, 11, 31, 23, 59, 59) }).map((ms) => new Date(ms));

describe('Europe/London time without Intl', () => {
  it('agrees with the tz database for any instant 1996-2099', () => {
    fc.assert(
      fc.property(instants, (at) => {
        const t = londonTime(at);
        const ref = viaIntl(at);
        expect({ date: t.date, day: t.day, time: t.time, bst: t.offsetMinutes === 60 }).toEqual(ref);
        expect(londonLongDate(at)).toBe(long.format(at));
        expect(londonDate(at)).toBe(ref.date);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['2025-03-30T00:59:59Z', false, '2025-03-30', '00:59'],
    ['2025-03-30T01:00:00Z', true, '2025-03-30', '02:00'],
    ['2025-10-26T00:59:59Z', true, '2025-10-26', '01:59'],
    ['2025-10-26T01:00:00Z', false, '2025-10-26', '01:00'],
    ['2026-06-30T23:30:00Z', true, '2026-07-01', '00:30'],
    ['2026-12-31T23:30:00Z', false, '2026-12-31', '23:30'],
  ])('at the clock changes and midnight: %s', (iso, bst, date, time) => {
    const at = new Date(iso);
    expect(isBritishSummerTime(at)).toBe(bst);
    expect(londonTime(at)).toMatchObject({ date, time, offsetMinutes: bst ? 60 : 0 });
    expect(viaIntl(at)).toMatchObject({ date, time, bst });
  });

  it('rejects an invalid date as Intl did', () => {
    expect(() => londonTime(new Date('nope'))).toThrow(RangeError);
  });
});
