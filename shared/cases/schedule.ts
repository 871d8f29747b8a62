import type { OutboxMessage } from '../model/index.ts';
import { composeClerkNotice } from '../answers/compose-answer.ts';
import { escapeHtml } from '../pipeline/compose.ts';
import { CASE_REMINDER_DUE } from './open-case.ts';
import type { Policy } from '../policy/schema.ts';
import { isWithinOfficeHours } from '../policy/office-hours.ts';
import { londonDate, londonTime } from '../runtime/london-time.ts';
import type { AuditStore } from '../store/audit-store.ts';
import type { CaseRecord, CaseStore } from '../store/case-store.ts';
import type { OpsStore } from '../store/ops-store.ts';
import { caseworkOf } from './casework.ts';
import { addDays, longDate } from './clock.ts';
import { CASE_TYPE_LABEL } from './commands.ts';
import { OPS_PREFIX } from '../store/keys.ts';

/**
 * The clerk schedule (every 15 minutes): statutory-deadline reminders and the
 * daily digest, both only inside office hours. Reminders were registered when
 * the clock started (classify, or a `#command`); a reminder whose case is no
 * longer open, or whose due date has since moved, is dropped. The digest is
 * sent at most once a day (a claim on `DIGEST#<date>`), at the policy's time
 * on the policy's days, and not at all when there is nothing to say.
 */

export interface ClerkScheduleDeps {
  readonly policy: Policy;
  readonly ops: OpsStore;
  readonly cases: CaseStore;
  readonly audit: AuditStore;
  readonly publish: (messages: readonly OutboxMessage[]) => Promise<void>;
  readonly now: () => Date;
}

export interface ClerkScheduleResult {
  readonly reminders: number;
  readonly dropped: number;
  readonly digest: 'sent' | 'empty' | 'not-due' | 'already-sent';
}

export async function runClerkSchedule(deps: ClerkScheduleDeps): Promise<ClerkScheduleResult> {
  const now = deps.now();
  if (!isWithinOfficeHours(deps.policy, now)) return { reminders: 0, dropped: 0, digest: 'not-due' };
  const { reminders, dropped } = await sendReminders(deps, now);
  const digest = await sendDigest(deps, now);
  return { reminders, dropped, digest };
}

async function sendReminders(deps: ClerkScheduleDeps, now: Date): Promise<{ reminders: number; dropped: number }> {
  let reminders = 0;
  let dropped = 0;
  for (const due of await deps.ops.queryDue(CASE_REMINDER_DUE, now.toISOString())) {
    const data = due.data as { ref?: string; dueOn?: string; label?: string };
    const record = data.ref ? await deps.cases.get(data.ref) : undefined;
    const live = record && record.status === 'open' && record.clock && !record.clock.pausedSince && record.clock.dueOn === data.dueOn;
    if (live) {
      await deps.publish([reminderMessage(record, data.label ?? 'due soon', due.key, deps.policy, now)]);
      reminders++;
    } else dropped++;
    await deps.ops.deleteDue(CASE_REMINDER_DUE, due.key);
  }
  return { reminders, dropped };
}

const digestKey = (date: string) => `${OPS_PREFIX.digest}${date}`;

function reminderMessage(record: CaseRecord, label: string, key: string, policy: Policy, now: Date): OutboxMessage {
  const clock = record.clock!;
  return {
    ...composeClerkNotice({
      policy,
      ref: record.ref,
      itemId: record.itemId,
      key: `reminder:${key}:${clock.dueOn}`,
      subject: `${record.type ? CASE_TYPE_LABEL[record.type].replace(/^an? /, '').toUpperCase() : 'CASE'} ${label.toUpperCase()}: ${longDate(clock.dueOn)}`,
      lines: [
        `${record.ref} is ${record.type ? CASE_TYPE_LABEL[record.type] : 'a case'} received ${record.receivedAt.slice(0, 10)} and not yet answered.`,
        `It is due by ${longDate(clock.dueOn)}: ${clock.rule} (${clock.clause}).`,
        'Answer it by replying to its routing email, or reply there with #close, #extend or #clarify on the first line.',
      ],
      createdAt: now.toISOString(),
    }),
    kind: 'case-reminder',
  };
}

async function sendDigest(deps: ClerkScheduleDeps, now: Date): Promise<ClerkScheduleResult['digest']> {
  const digest = caseworkOf(deps.policy).digest;
  const t = londonTime(now);
  if (!digest.enabled || !digest.days.includes(t.day) || t.time < digest.time) return 'not-due';
  // A short lease: if this run dies before publishing, a later run builds the digest again.
  const claim = await deps.ops.claim(digestKey(t.date), { ttlSeconds: 600, value: { state: 'building' } });
  if (!claim.claimed) return 'already-sent';
  const sections = await digestSections(deps, t.date);
  if (sections.every((s) => s.lines.length === 0)) {
    await deps.ops.put(digestKey(t.date), { state: 'empty' }, { ttlSeconds: 8 * 86_400 });
    return 'empty';
  }
  await deps.publish([digestMessage(deps.policy, t.date, sections, now)]);
  await deps.ops.put(digestKey(t.date), { state: 'sent' }, { ttlSeconds: 8 * 86_400 });
  return 'sent';
}

interface Section {
  readonly title: string;
  readonly lines: string[];
}

/** The days since the previous digest day (at most a week), for "the day's" and "the period's" sections. */
async function periodDays(deps: ClerkScheduleDeps, today: string): Promise<string[]> {
  const days: string[] = [];
  for (let back = 1; back <= 7; back++) {
    const day = addDays(today, -back);
    days.push(day);
    if (await deps.ops.get(digestKey(day))) break;
  }
  return [today, ...days];
}

export async function digestSections(deps: ClerkScheduleDeps, today: string): Promise<Section[]> {
  const open: CaseRecord[] = [];
  let heldToday = 0;
  for await (const c of deps.cases.list()) {
    if (c.status === 'open' || c.status === 'awaiting-clarification') open.push(c);
    if (c.hold === 'moderation' && londonDate(new Date(c.receivedAt)) === today) heldToday++;
  }
  open.sort((a, b) => (a.clock?.dueOn ?? '9999').localeCompare(b.clock?.dueOn ?? '9999') || a.receivedAt.localeCompare(b.receivedAt));
  const days = await periodDays(deps, today);
  const held = open.filter((c) => c.hold === 'unverified-sender');

  const consent: string[] = [];
  for (const status of ['requested', 'reminded', 'expired'] as const) {
    for await (const s of deps.audit.listSummaries({ consentStatus: status, ...(status === 'expired' ? { from: days.at(-1)! } : {}) })) {
      consent.push(`${s.ref} (${s.channel}, received ${s.day}): consent ${status === 'expired' ? 'EXPIRED without an answer' : 'pending'}`);
    }
  }

  const flags = new Map<string, number>();
  const themes = new Map<string, { count: number; example?: string }>();
  for (const entry of await deps.ops.listMinimalLogs(today)) {
    for (const r of entry.reasons) if (r.rule.startsWith('moderation:')) flags.set(r.rule.slice(11), (flags.get(r.rule.slice(11)) ?? 0) + 1);
  }
  if (heldToday) flags.set('held for you by the moderation rules (see their routing emails)', heldToday);
  for (const day of days) {
    for (const t of await deps.ops.listThemes(day)) {
      const theme = themes.get(t.topic) ?? { count: 0 };
      themes.set(t.topic, { count: theme.count + t.count, ...((theme.example ?? t.example) ? { example: theme.example ?? t.example } : {}) });
    }
  }
  return [
    {
      title: 'Open cases, by due date',
      lines: open.map(
        (c) =>
          `${c.ref} (${c.channel}, received ${c.receivedAt.slice(0, 10)})${c.clock ? ` — ${c.type?.toUpperCase()} due ${longDate(c.clock.dueOn)}${c.clock.dueOn < today ? ' — OVERDUE' : ''}${c.clock.pausedSince ? ' (clock stopped: awaiting clarification)' : ''}` : ''}`,
      ),
    },
    { title: 'Held as unverified (check who sent them)', lines: held.map((c) => `${c.ref} (${c.channel}, received ${c.receivedAt.slice(0, 10)})`) },
    { title: 'Data consent pending or expired', lines: consent },
    {
      title: "Today's moderation flags on informal posts and messages",
      lines: [...flags].sort((a, b) => b[1] - a[1]).map(([category, n]) => `${category}: ${n}`),
    },
    {
      title: `Informal themes since ${days.at(-1)} (stilton.txt §5: passed to the relevant people)`,
      lines: [...themes].sort((a, b) => b[1].count - a[1].count).map(([topic, t]) => `${topic}: ${t.count}${t.example ? ` — e.g. "${t.example}"` : ''}`),
    },
  ];
}

function digestMessage(policy: Policy, date: string, sections: readonly Section[], now: Date): OutboxMessage {
  const shown = sections.filter((s) => s.lines.length > 0);
  const text = [
    `Daily digest for ${policy.council.name}, ${longDate(date)}.`,
    '',
    ...shown.flatMap((s) => [`${s.title}:`, ...s.lines.map((l) => `- ${l}`), '']),
  ].join('\n');
  const html = [
    '<!doctype html><html lang="en-GB"><body>',
    `<p>Daily digest for ${escapeHtml(policy.council.name)}, ${escapeHtml(longDate(date))}.</p>`,
    ...shown.map((s) => `<h2>${escapeHtml(s.title)}</h2><ul>${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`),
    '</body></html>',
  ].join('\n');
  return {
    schemaVersion: 1,
    id: `digest:${policy.council.id}:${date}`,
    kind: 'clerk-digest',
    channel: 'email',
    to: policy.contacts.clerk.address,
    council: policy.council.id,
    itemId: `digest:${date}`,
    subject: `Daily digest: ${shown.map((s) => `${s.lines.length} ${s.title.split(/[,(]/)[0]!.trim().toLowerCase()}`).join(', ')}`.slice(0, 200),
    text,
    html,
    createdAt: now.toISOString(),
  };
}
