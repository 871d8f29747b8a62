import type { Decision, InboundItem } from '../model/index.ts';
import type { ReplyTarget } from '../pipeline/compose.ts';
import type { Policy } from '../policy/schema.ts';
import { londonWallClockToUtc, nextMonitoredAt } from '../policy/office-hours.ts';
import { londonDate } from '../runtime/london-time.ts';
import type { CaseRecord } from '../store/case-store.ts';
import type { OpsStore } from '../store/ops-store.ts';
import { caseworkOf } from './casework.ts';
import { reminderDates, shortDate, longDate, type CaseType } from './clock.ts';
import { clockFor, CASE_TYPE_LABEL } from './commands.ts';
import { detectRequest, type Detection } from './detect.ts';

/**
 * Pure: the case for an item routed to the clerk. Formal items are tracked
 * cases (open until answered or closed); items routed only because moderation
 * held them can still be answered but are not tracked. Automatic mail (a
 * county council's acknowledgement, a bounce) is formal correspondence but not
 * a request, so it is recorded and not tracked either.
 */

export interface OpenedCase {
  readonly record: Omit<CaseRecord, 'version'>;
  readonly detection?: Detection;
  /** For the routing email: `FOI due 22 Jun 2026` and the lines explaining it. */
  readonly note?: { readonly subjectTag: string; readonly lines: readonly string[] };
}

const SHORT: Record<CaseType, string> = { foi: 'FOI', sar: 'SAR', complaint: 'COMPLAINT ack' };

export function openCase(input: {
  item: InboundItem;
  decision: Decision;
  ref: string;
  policy: Policy;
  target?: ReplyTarget;
  answerBlock?: string;
  threadOf?: string;
  retainUntil: string;
}): OpenedCase {
  const { item, decision, ref, policy } = input;
  const automatic = decision.reasons.some((r) => r.rule === 'automatic-mail');
  // A follow-up in a thread we hold belongs to the earlier case, not a new one (it can still be answered).
  const tracked = decision.classification === 'formal' && !automatic && !input.threadOf;
  const receivedAt = new Date(item.receivedAt).toISOString();
  const detection = tracked ? detectRequest(item.subject, item.text) : undefined;
  const casework = caseworkOf(policy);
  const clock = detection ? clockFor(detection.type, londonDate(new Date(receivedAt)), casework.complaintWorkingDays) : undefined;
  const record: Omit<CaseRecord, 'version'> = {
    ref,
    itemId: item.itemId,
    council: policy.council.id,
    channel: item.channel,
    receivedAt,
    ...(input.target ? { target: input.target } : {}),
    ...(decision.hold ? { hold: decision.hold } : {}),
    ...(input.answerBlock ? { answerBlock: input.answerBlock } : {}),
    ...(input.threadOf ? { threadOf: input.threadOf } : {}),
    status: tracked ? 'open' : 'not-tracked',
    ...(detection && clock ? { type: detection.type, typeSource: detection.rule, clock } : {}),
    answers: 0,
    retainUntil: input.retainUntil,
  };
  if (!detection || !clock) return { record };
  const clause = detection.type === 'complaint' ? casework.complaintClause : clock.clause;
  return {
    record,
    detection,
    note: {
      subjectTag: `${SHORT[detection.type]} due ${shortDate(clock.dueOn)}`,
      lines: [
        `STATUTORY DEADLINE: this looks like ${CASE_TYPE_LABEL[detection.type]} (rule ${detection.rule}: "${detection.evidence}"; ${detection.clause}).`,
        `Due by ${longDate(clock.dueOn)}: ${clock.rule} (${clause}). Reminders come 5 working days before, the working day before and on the day.`,
        `If this is wrong, reply with ${detection.type === 'foi' ? '#not-foi' : '#not-foi (no clock) or #foi / #sar / #complaint'} on the first line.`,
      ],
    },
  };
}

/** Due entries of case reminders (key = `<ref>#<n>`); the clerk schedule sends them inside office hours. */
export const CASE_REMINDER_DUE = 'case-reminder';

/** When to remind the clerk of a due date: office-hours start on each reminder day (or the next monitored time). */
export function reminderTimes(dueOn: string, policy: Policy, now: Date): { at: string; label: string; on: string }[] {
  return reminderDates(dueOn, londonDate(now)).map((r) => {
    const startOfDay = londonWallClockToUtc(r.on, '00:00');
    const at = nextMonitoredAt(policy, startOfDay);
    return { at: (at.getTime() < now.getTime() ? now : at).toISOString(), label: r.label, on: r.on };
  });
}

/** Registers (or moves) a case's reminders; stale ones left behind are dropped by the schedule (their due date differs). */
export async function registerReminders(ops: Pick<OpsStore, 'putDue'>, ref: string, dueOn: string, policy: Policy, now: Date): Promise<void> {
  for (const [i, r] of reminderTimes(dueOn, policy, now).entries()) {
    await ops.putDue(CASE_REMINDER_DUE, r.at, `${ref}#${i}`, { ref, dueOn, label: r.label });
  }
}
