import type { InboundItem, OutboxMessage } from '../model/index.ts';
import { automaticMail } from '../policy/engine.ts';
import type { Policy } from '../policy/schema.ts';
import { sha256Hex } from '../store/hash.ts';
import type { OutboxSink } from '../queue/outbox.ts';
import { londonDate } from '../runtime/london-time.ts';
import type { AuditStore } from '../store/audit-store.ts';
import type { CaseRecord, CaseStore } from '../store/case-store.ts';
import type { OpsStore } from '../store/ops-store.ts';
import { applyCommands } from '../cases/commands.ts';
import { caseworkOf } from '../cases/casework.ts';
import { registerReminders } from '../cases/open-case.ts';
import { readClerkReply, type ClerkReply } from './clerk-mail.ts';
import { composeClerkNotice } from './compose-answer.ts';
import { planAnswer } from './plan.ts';

/**
 * Mail to a signed reply address (`reply+<ref>-<sig>@<mail domain>`): the
 * clerk answering a routed item. Only the clerk or deputy, from their policy
 * address with DMARC pass, may answer; anything else is held and the clerk
 * told, and nothing reaches the resident. Automatic mail (the clerk's own
 * out-of-office answering the routing email) is recorded and dropped.
 *
 * Idempotent: every audit event is keyed on the reply's item id, every outbox
 * id contains it, and the case remembers which replies it has applied.
 */

export interface AnswerDeps {
  readonly audit: AuditStore;
  readonly ops: OpsStore;
  readonly cases: CaseStore;
  readonly outbox: OutboxSink;
  readonly policy: Policy;
  readonly now: () => Date;
}

export type AnswerOutcome = 'answered' | 'commands-only' | 'not-sent' | 'held' | 'ignored' | 'duplicate';

export async function processClerkReply(item: InboundItem, ref: string, deps: AnswerDeps): Promise<{ outcome: AnswerOutcome; outboxIds: string[] }> {
  const { policy } = deps;
  const record = await deps.cases.get(ref);
  if (!record) return { outcome: 'ignored', outboxIds: [] };
  if (record.appliedReplies?.includes(item.itemId)) return { outcome: 'duplicate', outboxIds: [] };
  const at = deps.now().toISOString();
  const event: RecordReplyEvent = (type, data) =>
    deps.audit.append({ ref, itemId: record.itemId, type, at, data: { replyItemId: item.itemId, ...data }, eventKey: `${item.itemId}:${type}` });
  const contentHash = sha256Hex(item.text);

  const automatic = automaticMail(item);
  if (automatic) {
    // No notice: answering automatic mail is how loops start.
    await event('answer-held', { reason: 'automatic-mail', detail: automatic, contentHash });
    return { outcome: 'ignored', outboxIds: [] };
  }
  const who = authorOf(item, policy);
  if (!who.ok) {
    await event('answer-held', { reason: who.reason, contentHash, dmarc: item.transport.dmarc ?? 'none' });
    const notice = heldNotice(item, record, who.reason, policy, at);
    await deps.outbox.publish([notice]);
    await markApplied(deps.cases, record.ref, item.itemId);
    return { outcome: 'held', outboxIds: [notice.id] };
  }

  const reply = readClerkReply(item.text);
  if (reply.unknownCommands.length > 0) {
    const notice = noticeTo(
      who.address,
      record,
      item,
      'unknown-command',
      'Unknown command: nothing was done',
      [
        `Your reply about ${record.ref} started with ${reply.unknownCommands.join(' ')}, which the hub does not know.`,
        'Nothing was sent to the resident and the case was not changed. The commands are: #close #foi #sar #complaint #not-foi #extend #clarify.',
        'Send your reply again with the command corrected.',
      ],
      policy,
      at,
    );
    await event('answer-held', { reason: 'unknown-command', by: who.role, contentHash });
    await deps.outbox.publish([notice]);
    await markApplied(deps.cases, record.ref, item.itemId);
    return { outcome: 'held', outboxIds: [notice.id] };
  }
  return answer(item, record, reply, who, at, event, deps);
}

/** Records one audit event about the reply, keyed on the reply's item id. */
type RecordReplyEvent = (type: Parameters<AuditStore['append']>[0]['type'], data: Record<string, unknown>) => Promise<unknown>;

/** What each step of answering a verified clerk's reply works on. */
type ReplyStepArgs = [
  item: InboundItem,
  record: CaseRecord,
  reply: ClerkReply,
  who: { address: string; role: string },
  at: string,
  event: RecordReplyEvent,
  deps: AnswerDeps,
];

async function answer(...[item, record, reply, who, at, event, deps]: ReplyStepArgs): Promise<{ outcome: AnswerOutcome; outboxIds: string[] }> {
  const { policy } = deps;
  const commanded = await applyReplyCommands(item, record, reply, who, at, event, deps);
  const messages: OutboxMessage[] = [...commanded.messages];
  let outcome: AnswerOutcome = 'commands-only';
  let next = commanded.record;
  if (reply.answer) {
    const plan = await planAnswer({ item, record, answer: reply.answer, at, deps });
    if (plan.send) {
      await event('answer-received', {
        by: who.role,
        channel: record.channel,
        contentHash: sha256Hex(reply.answer),
        characters: reply.answer.length,
        attachments: item.attachments.length,
        ...(plan.segments !== undefined ? { countSegments: plan.segments, smsParts: plan.send.length } : {}),
        outboxIds: plan.send.map((m) => m.id),
      });
      messages.push(...plan.send);
      outcome = 'answered';
      next = {
        ...next,
        answers: next.answers + 1,
        ...(next.answeredAt ? {} : { answeredAt: at }),
        ...(next.status === 'open' ? { status: 'answered' as const } : {}),
      };
    } else {
      outcome = 'not-sent';
      await event('answer-not-sent', { by: who.role, channel: record.channel, reason: plan.reason, contentHash: sha256Hex(reply.answer) });
    }
    if (plan.notice) messages.push(noticeTo(who.address, record, item, plan.noticeKey ?? 'answer', plan.notice.subject, plan.notice.lines, policy, at));
    if (plan.remember) await deps.ops.rememberThread(plan.remember, record.ref, 400 * 86_400);
  } else if (reply.commands.length === 0) {
    messages.push(
      noticeTo(
        who.address,
        record,
        item,
        'empty',
        'Your reply was empty: nothing was sent',
        [
          `The hub found no answer in your reply about ${record.ref} once the quoted email and your signature were removed, so nothing was sent to the resident.`,
        ],
        policy,
        at,
      ),
    );
  }
  await deps.outbox.publish(messages);
  await deps.cases.update(record.ref, (current) => ({
    ...mergeCase(current, next),
    appliedReplies: [...(current.appliedReplies ?? []), item.itemId].slice(-50),
  }));
  return { outcome, outboxIds: messages.map((m) => m.id) };
}

/** The `#commands` on the reply's first line: applied to the case, audited, reminders moved to a new due date, problems told to the clerk. */
async function applyReplyCommands(...[item, record, reply, who, at, event, deps]: ReplyStepArgs): Promise<{ record: CaseRecord; messages: OutboxMessage[] }> {
  const { policy } = deps;
  const today = londonDate(deps.now());
  const casework = caseworkOf(policy);
  const messages: OutboxMessage[] = [];
  const commanded = applyCommands(record, reply.commands, today, at, casework.complaintWorkingDays);
  if (reply.commands.length > 0) {
    await event('case-updated', {
      by: who.role,
      commands: reply.commands.map((c) => `#${c}`),
      status: commanded.record.status,
      ...(commanded.record.type ? { caseType: commanded.record.type } : {}),
      ...(commanded.record.clock ? { dueOn: commanded.record.clock.dueOn, clause: commanded.record.clock.clause } : {}),
      problems: commanded.problems.length,
    });
  }
  const newDue = commanded.record.clock?.dueOn;
  if (newDue && newDue !== record.clock?.dueOn) await registerReminders(deps.ops, record.ref, newDue, policy, deps.now());
  if (commanded.problems.length > 0) {
    messages.push(
      noticeTo(
        who.address,
        record,
        item,
        'command-problems',
        'Some commands were not applied',
        [...commanded.problems, ...(commanded.changes.length ? ['Applied:', ...commanded.changes] : [])],
        policy,
        at,
      ),
    );
  }
  return { record: commanded.record, messages };
}

/** Apply our computed changes onto the current record (another reply may have landed meanwhile). */
function mergeCase(current: CaseRecord, next: CaseRecord): CaseRecord {
  return { ...current, ...next, answers: Math.max(current.answers, next.answers), version: current.version };
}

async function markApplied(cases: CaseStore, ref: string, itemId: string): Promise<void> {
  await cases.update(ref, (c) => ({ ...c, appliedReplies: [...(c.appliedReplies ?? []), itemId].slice(-50) }));
}

/** The clerk or deputy, from their policy address, with DMARC pass on that address's domain. */
export function authorOf(
  item: InboundItem,
  policy: Policy,
): { ok: true; address: string; role: string } | { ok: false; reason: 'not-official-sender' | 'not-authenticated' } {
  const from = (item.headerFrom ?? item.sender).id.trim().toLowerCase();
  const roles: [string, string | undefined][] = [
    ['clerk', policy.contacts.clerk.address],
    ['deputy-clerk', policy.contacts.deputyClerk?.address],
  ];
  const role = roles.find(([, address]) => address === from)?.[0];
  if (!role) return { ok: false, reason: 'not-official-sender' };
  // DMARC is what ties the visible From to the sending domain (RFC 7489); SPF or DKIM alone does not.
  if (item.transport.dmarc !== 'PASS') return { ok: false, reason: 'not-authenticated' };
  return { ok: true, address: from, role };
}

function heldNotice(item: InboundItem, record: CaseRecord, reason: 'not-official-sender' | 'not-authenticated', policy: Policy, at: string): OutboxMessage {
  const from = (item.headerFrom ?? item.sender).id || 'an unknown sender';
  const why =
    reason === 'not-official-sender'
      ? `it came from ${from}, which is not the clerk's or deputy clerk's address in the policy`
      : `it claims to come from ${from} but failed DMARC authentication (DMARC ${item.transport.dmarc ?? 'none'}), so it may be forged`;
  return composeClerkNotice({
    policy,
    ref: record.ref,
    itemId: record.itemId,
    key: `held:${shortKey(item.itemId)}`,
    subject: 'HOLD: a reply to this item was not sent',
    lines: [
      `A message arrived at the reply address of ${record.ref}, but ${why}.`,
      'It was held: NOTHING was sent to the resident and the case was not changed. If it really was you, reply again from your council address.',
      '',
      `Subject (not verified): ${item.subject ?? '(none)'}`,
      'Text (not verified):',
      item.text.slice(0, 2_000),
    ],
    createdAt: at,
  });
}

function noticeTo(
  to: string,
  record: CaseRecord,
  item: InboundItem,
  key: string,
  subject: string,
  lines: readonly string[],
  policy: Policy,
  at: string,
): OutboxMessage {
  return composeClerkNotice({ policy, to, ref: record.ref, itemId: record.itemId, key: `${key}:${shortKey(item.itemId)}`, subject, lines, createdAt: at });
}

export function shortKey(itemId: string): string {
  return sha256Hex(itemId).slice(0, 16);
}
