import { describe, expect, it } from 'vitest';
import { parseTriggerBody, scheduledEvent } from '../../infra/local/schedules.ts';
import { scheduledTime } from '../../shared/runtime/scheduled-time.ts';

describe('the time a scheduled run stands for', () => {
  const now = () => new Date('2026-11-28T02:00:00Z');

  it("is the EventBridge event's time (the moment the rule fired), kept by a late retry", () => {
    expect(scheduledTime(scheduledEvent('clerk-sweep', new Date('2027-03-03T09:15:00Z')), now).toISOString()).toBe('2027-03-03T09:15:00.000Z');
    expect(scheduledTime({ 'detail-type': 'Scheduled Event', time: '2026-11-27T23:45:00Z' }, now).toISOString()).toBe('2026-11-27T23:45:00.000Z');
  });

  it('is now for an invocation without a usable time (a manual test invoke)', () => {
    for (const event of [undefined, null, {}, { time: 42 }, { time: 'soon' }]) expect(scheduledTime(event, now).toISOString()).toBe('2026-11-28T02:00:00.000Z');
  });

  it('local trigger bodies: empty or {"time"} with a zone; anything else is refused with the expected shape', () => {
    expect('time' in parseTriggerBody(Buffer.alloc(0))).toBe(true);
    expect(parseTriggerBody(Buffer.from('{"time":"2027-03-03T09:15:00+01:00"}'))).toEqual({ time: new Date('2027-03-03T08:15:00Z') });
    expect(parseTriggerBody(Buffer.from('{"time":"2027-03-03 09:15"}'))).toHaveProperty('error');
    expect(parseTriggerBody(Buffer.from('{"time":"2027-02-30T09:15:00Z"}'))).toHaveProperty('error');
    expect(parseTriggerBody(Buffer.from('not json'))).toHaveProperty('error');
  });
});
