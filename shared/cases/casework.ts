import type { Day, Policy } from '../policy/schema.ts';

/** The policy's casework settings with the hub's defaults where it is silent. */
export interface Casework {
  readonly complaintWorkingDays: number;
  readonly complaintClause: string;
  readonly digest: { readonly enabled: boolean; readonly time: string; readonly days: readonly Day[] };
}

export function caseworkOf(policy: Policy): Casework {
  const c = policy.casework;
  const firstWindow = policy.officeHours.windows[0]!;
  return {
    complaintWorkingDays: c?.complaintAcknowledgementWorkingDays ?? 5,
    complaintClause: c?.complaintAcknowledgementWorkingDays ? c.clause : 'default: complaints procedures acknowledge within 3-5 working days; the hub takes 5',
    // Default: at the start of the first office-hours window, on its days (inside office hours by construction).
    digest: c?.digest ?? { enabled: true, time: firstWindow.start, days: firstWindow.days },
  };
}
