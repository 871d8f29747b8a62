import type { CaseCommand } from '../answers/clerk-mail.ts';
import type { CaseClock, CaseRecord } from '../store/case-store.ts';
import { londonDate } from '../runtime/london-time.ts';
import { addDays, dueDate, type CaseType } from './clock.ts';

/**
 * Pure: a case after the clerk's `#commands` (first line of a reply, or a
 * signed link), with plain-English notes of what changed and what could not.
 */

export interface CommandResult {
  readonly record: CaseRecord;
  readonly changes: readonly string[];
  readonly problems: readonly string[];
}

export function clockFor(type: CaseType, receivedOn: string, complaintWorkingDays: number, extended = false, pausedDays = 0): CaseClock {
  const due = dueDate({ type, receivedOn, extended, pausedDays, complaintWorkingDays });
  return { receivedOn, dueOn: due.dueOn, rule: due.rule, clause: due.clause, extended, pausedDays };
}

export function applyCommands(record: CaseRecord, commands: readonly CaseCommand[], today: string, at: string, complaintWorkingDays: number): CommandResult {
  let r: CaseRecord = record;
  const changes: string[] = [];
  const problems: string[] = [];
  const receivedOn = r.clock?.receivedOn ?? londonDateOf(r.receivedAt);
  for (const command of commands) {
    switch (command) {
      case 'foi':
      case 'sar':
      case 'complaint':
        if (r.type === command && r.typeSource === 'clerk') break;
        r = {
          ...r,
          type: command,
          typeSource: 'clerk',
          clock: clockFor(command, receivedOn, complaintWorkingDays),
          ...(r.status === 'not-tracked' ? { status: 'open' } : {}),
        };
        changes.push(`marked as ${LABEL[command]}, due ${r.clock!.dueOn} (${r.clock!.clause})`);
        break;
      case 'not-foi':
        if (!r.type) {
          problems.push('#not-foi: no statutory clock was running');
          break;
        }
        changes.push(`no longer treated as ${LABEL[r.type]}; no statutory clock`);
        r = withoutClock({ ...r, typeSource: 'clerk' });
        break;
      case 'extend':
        if (!r.clock || (r.type !== 'sar' && r.type !== 'foi')) {
          problems.push('#extend: only an FOI/EIR request or a subject access request can be extended');
          break;
        }
        if (r.clock.extended) break;
        r = {
          ...r,
          clock: {
            ...clockFor(r.type, r.clock.receivedOn, complaintWorkingDays, true, r.clock.pausedDays),
            ...(r.clock.pausedSince ? { pausedSince: r.clock.pausedSince } : {}),
          },
        };
        changes.push(`deadline extended to ${r.clock!.dueOn} (${r.clock!.clause})`);
        break;
      case 'clarify':
        if (!r.clock || r.type === 'complaint') {
          problems.push('#clarify: only an FOI/EIR request or a subject access request waits for clarification');
          break;
        }
        if (r.clock.pausedSince) break;
        r = { ...r, status: 'awaiting-clarification', clock: { ...r.clock, pausedSince: today } };
        changes.push('clock stopped until the resident clarifies their request');
        break;
      case 'close':
        if (r.status === 'closed') break;
        r = { ...r, status: 'closed', closedAt: at };
        changes.push('case closed');
        break;
    }
  }
  return { record: r, changes, problems };
}

/** The resident answered a request for clarification on `today`: the clock runs again. */
export function resumeClock(record: CaseRecord, today: string, complaintWorkingDays: number): CaseRecord {
  const clock = record.clock;
  if (!clock?.pausedSince || !record.type) return record;
  // FOI: the date of receipt becomes the day the clarification arrived (FOIA s.1(3), s.10(6)(b)).
  // SAR: the month runs on from where it stopped (ICO "stop the clock").
  const next =
    record.type === 'foi'
      ? clockFor('foi', today, complaintWorkingDays, clock.extended)
      : clockFor(record.type, clock.receivedOn, complaintWorkingDays, clock.extended, clock.pausedDays + daysBetween(clock.pausedSince, today));
  return { ...record, status: record.status === 'awaiting-clarification' ? 'open' : record.status, clock: next };
}

const LABEL: Record<CaseType, string> = { foi: 'an FOI/EIR request', sar: 'a subject access request', complaint: 'a complaint' };
export const CASE_TYPE_LABEL = LABEL;

function withoutClock(r: CaseRecord): CaseRecord {
  const { type: _t, clock: _c, ...rest } = r;
  return { ...rest, status: r.status === 'awaiting-clarification' ? 'open' : r.status };
}

function daysBetween(from: string, to: string): number {
  let n = 0;
  for (let d = from; d < to; d = addDays(d, 1)) n++;
  return n;
}

function londonDateOf(iso: string): string {
  return londonDate(new Date(iso));
}
