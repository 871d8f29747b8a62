import { describe, expect, it } from 'vitest';
import { SMS_PRICES_PER_SEGMENT, smsCosts } from '../../bench/parts/sms-cost.ts';

describe('bench: SMS cost by segment', () => {
  const rows = smsCosts();

  it('prices every SMS the hub sends by its segments, for every preset', () => {
    expect(rows.length).toBe(6 * 3);
    for (const r of rows) {
      expect(r.usdEndUserMessaging).toBeCloseTo(r.segments * SMS_PRICES_PER_SEGMENT.endUserMessaging, 4);
      expect(r.usdTwilio).toBeCloseTo(r.segments * SMS_PRICES_PER_SEGMENT.twilio, 4);
    }
  });

  it('a consent request or reminder by SMS is at most 2 segments (it was 3 with the long link)', () => {
    for (const r of rows.filter((x) => x.text !== 'not-official-contact')) expect(r.segments, `${r.council} ${r.text}`).toBeLessThanOrEqual(2);
  });
});
