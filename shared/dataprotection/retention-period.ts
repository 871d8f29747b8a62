import type { Classification } from '../model/decision.ts';
import type { Policy } from '../policy/schema.ts';

const DAY_MS = 86_400_000;

/** The last day (YYYY-MM-DD, UTC date of receipt + period) the item's content is kept. */
export function retainUntilFor(classification: Classification, receivedAt: string, policy: Policy): string {
  const d = new Date(receivedAt);
  if (classification === 'formal') {
    d.setUTCFullYear(d.getUTCFullYear() + policy.retention.formal.years);
    return d.toISOString().slice(0, 10);
  }
  return new Date(d.getTime() + policy.retention.informal.days * DAY_MS).toISOString().slice(0, 10);
}
