import type { Decision, InboundItem } from '../model/index.ts';
import { replayOf } from './outbound.ts';
import type { Policy } from './schema.ts';

/**
 * A replayed capture. Meta and Mandrill sign the body but not when it was
 * sent, so a captured webhook stays valid for ever; the event's own timestamp
 * (Messenger `timestamp`, comment `created_time`, Mandrill `ts`) is the only
 * clue. An event older than the policy's window when classify first sees it
 * is ignored with the reason (providers stop retrying long before). Twilio and
 * End User Messaging events carry no timestamp: the dedupe record, kept as
 * long as the item's record, is their defence.
 */
export function replayDecision(item: InboundItem, policy: Policy, now: Date): Decision | undefined {
  if (item.provider !== 'meta' && item.provider !== 'mandrill') return undefined;
  const replay = replayOf(policy);
  const ageDays = (now.getTime() - Date.parse(item.receivedAt)) / 86_400_000;
  if (!(ageDays > replay.windowDays)) return undefined;
  return {
    classification: 'ignored',
    reasons: [
      {
        rule: 'replay-window',
        clause: replay.clause,
        detail: `The event is ${Math.floor(ageDays)} days old by its own timestamp, beyond the ${replay.windowDays}-day window: a replay, acknowledged and ignored.`,
      },
    ],
    flags: [],
    actions: [{ type: 'none' }],
    policyVersion: policy.version,
  };
}
