import type { InboundItem, OutboxMessage } from '../model/index.ts';
import { CHANNEL_REGISTRY, type ReplyTarget } from '../channels/registry.ts';
import { sentKey } from '../delivery/keys.ts';
import { outboxMessageId } from '../delivery/mime.ts';
import { splitSms } from '../delivery/sms-segments.ts';
import { sha256Hex } from '../store/hash.ts';
import type { CaseRecord } from '../store/case-store.ts';
import type { AnswerDeps } from './answer.ts';
import { composeClerkAnswer } from './compose-answer.ts';
import { contactsOnFile, contactsOnFileLine } from './contacts-on-file.ts';
import { mailDomainOf } from './reply-address.ts';
import { OPS_PREFIX } from '../store/keys.ts';

/**
 * What the clerk's answer becomes on the item's channel, or why it cannot go
 * (the clerk is told at once, in the same run, rather than after a failed
 * send). The channel's own rules:
 * - email: one message, threaded, from the council's address;
 * - SMS: segments counted, split into numbered parts of at most 10 segments,
 *   at most MAX_SMS_PARTS parts (one reply must not become a flood of texts);
 * - Messenger: only inside 24 hours of the resident's last message (Meta's
 *   standard messaging window; the hub never uses the HUMAN_AGENT tag);
 * - Facebook comment: one Private Reply per comment, within 7 days of it;
 * - a chat channel (WhatsApp): free text within its window (the channel's
 *   descriptor, shared/channels/registry.ts `clerkAnswer`).
 */

export const MAX_SMS_PARTS = 3;
const MESSENGER_WINDOW_MS = 24 * 3_600_000;
const PRIVATE_REPLY_WINDOW_MS = 7 * 86_400_000;
const MESSENGER_MAX_CHARS = 2_000;

export interface AnswerPlan {
  readonly send?: OutboxMessage[];
  readonly reason?: string;
  readonly notice?: { readonly subject: string; readonly lines: readonly string[] };
  readonly noticeKey?: string;
  readonly segments?: number;
  /** Thread keys (our answer's Message-ID) that tie the resident's next email to this case. */
  readonly remember?: string[];
}

export async function planAnswer(input: { item: InboundItem; record: CaseRecord; answer: string; at: string; deps: AnswerDeps }): Promise<AnswerPlan> {
  const { item, record, answer, at, deps } = input;
  const target = record.target;
  if (record.hold === 'unverified-sender' || record.answerBlock === 'unauthenticated-sender') {
    return notSent('unverified-sender', 'the sender was never verified', [
      `${record.ref} ${record.hold === 'unverified-sender' ? 'failed authentication' : 'could not be authenticated (no SPF or DMARC pass)'} when it arrived, so the hub will not send anything to the address it came from (it may not be the sender's).`,
      'If you have checked who sent it, write to them yourself from your own mailbox.',
    ]);
  }
  const mode = target ? CHANNEL_REGISTRY[target.channel].clerkAnswer : { by: 'none' as const };
  if (!target || mode.by === 'none')
    return notSent('no-reply-target', 'this item cannot be answered through the hub', [`${record.ref} came in on a channel the hub cannot answer on.`]);
  const planning: Planning = {
    item,
    record,
    answer,
    at,
    deps,
    target,
    compose: (text, part, lastUserMessageAt) =>
      composeClerkAnswer({
        target: { ...target, ...(lastUserMessageAt ? { lastUserMessageAt } : {}) },
        policy: deps.policy,
        ref: record.ref,
        answerKey: shortId(item.itemId),
        text,
        createdAt: at,
        ...(part ? { part } : {}),
      }),
    // Every channel but email carries text only.
    attachmentNotice:
      item.attachments.length > 0 && target.channel !== 'email'
        ? {
            notice: {
              subject: 'attachments were not sent',
              lines: [
                `Your answer to ${record.ref} went by ${CHANNEL_REGISTRY[target.channel].label}, which carries text only: your ${item.attachments.length} attachment(s) were NOT sent. Send them by email or post if the resident needs them.`,
              ],
            },
            noticeKey: 'attachments',
          }
        : {},
  };
  switch (mode.by) {
    case 'email':
      return byEmail(planning);
    case 'sms':
      return bySms(planning);
    case 'messenger':
      return byMessenger(planning);
    case 'private-reply':
      return byPrivateReply(planning);
    case 'chat':
      return byChat(planning, mode);
  }
}

/** One answer being planned: what every channel's planner needs. */
interface Planning {
  readonly item: InboundItem;
  readonly record: CaseRecord;
  readonly answer: string;
  readonly at: string;
  readonly deps: AnswerDeps;
  readonly target: ReplyTarget;
  /** The answer message (or its numbered part), optionally with a newer start of the channel's window. */
  readonly compose: (text: string, part?: number, lastUserMessageAt?: string) => OutboxMessage;
  /** The clerk's notice that their attachments stayed behind (text-only channels). */
  readonly attachmentNotice: Pick<AnswerPlan, 'notice' | 'noticeKey'>;
}

function notSent(reason: string, subject: string, lines: string[]): AnswerPlan {
  return { reason, notice: { subject: `NOT SENT: ${subject}`, lines: [...lines, '', 'Nothing was sent to the resident.'] }, noticeKey: 'not-sent' };
}

/** One message, threaded, carrying the clerk's attachments from the stored reply. */
function byEmail({ item, record, answer, deps, compose }: Planning): AnswerPlan {
  const forward = item.attachments.length > 0 && item.raw ? { attachmentsFrom: { key: item.raw.key, count: item.attachments.length } } : {};
  const message = { ...compose(answer), ...forward };
  const attachments =
    item.attachments.length && !item.raw
      ? {
          notice: {
            subject: 'attachments were not sent',
            lines: [
              `Your answer to ${record.ref} was sent by email, but the original mail was not kept, so your ${item.attachments.length} attachment(s) were NOT sent. Send them to the resident from your own mailbox.`,
            ],
          },
          noticeKey: 'attachments',
        }
      : {};
  return { send: [message], remember: [outboxMessageId(message.id, mailDomainOf(deps.policy.contacts.hubAddresses[0]!))], ...attachments };
}

/** Numbered parts of at most 10 segments, at most MAX_SMS_PARTS of them. */
function bySms({ record, answer, compose, attachmentNotice }: Planning): AnswerPlan {
  const { parts, segments } = splitSms(answer);
  if (parts.length > MAX_SMS_PARTS) {
    return notSent('sms-too-long', 'your answer is too long for SMS', [
      `Your answer to ${record.ref} would take ${segments} SMS segments in ${parts.length} texts; the hub sends at most ${MAX_SMS_PARTS} texts of up to 10 segments for one answer.`,
      'Shorten it and reply again, or write to the resident another way.',
    ]);
  }
  return { send: parts.map((p, i) => compose(p, parts.length > 1 ? i + 1 : undefined)), segments, ...attachmentNotice };
}

/** Inside 24 hours of the resident's latest message only; otherwise the clerk is told what other contact details are on file. */
async function byMessenger({ record, answer, at, deps, target, compose, attachmentNotice }: Planning): Promise<AnswerPlan> {
  const last = await lastUserMessageAt(record, target.lastUserMessageAt, deps);
  if (!last || Date.parse(at) - Date.parse(last) > MESSENGER_WINDOW_MS) {
    const onFile = await contactsOnFile(record.ref, deps);
    return notSent('outside-24h-window', 'Messenger no longer accepts a reply', [
      `Facebook lets a Page answer a Messenger conversation only within 24 hours of the person's last message. The resident last wrote ${last ? `at ${last}` : 'at an unknown time'}, so Messenger would refuse your answer to ${record.ref}.`,
      contactsOnFileLine(onFile),
    ]);
  }
  const chunks = chunk(answer, MESSENGER_MAX_CHARS);
  return { send: chunks.map((c, i) => compose(c, chunks.length > 1 ? i + 1 : undefined, last)), ...attachmentNotice };
}

/** The comment's one Private Reply, within 7 days of it (the hub's own automatic reply uses it up). */
async function byPrivateReply({ record, answer, at, deps, target, compose, attachmentNotice }: Planning): Promise<AnswerPlan> {
  const commentAt = target.lastUserMessageAt;
  if (!commentAt || Date.parse(at) - Date.parse(commentAt) > PRIVATE_REPLY_WINDOW_MS) {
    return notSent('outside-private-reply-window', 'the Private Reply window has closed', [
      `Facebook allows one Private Reply to a comment, within 7 days of it; ${record.ref} was posted ${commentAt ?? 'at an unknown time'}.`,
    ]);
  }
  if (record.answers > 0 || (await privateReplyUsed(record.itemId, deps))) {
    return notSent('private-reply-used', 'the one Private Reply has been used', [
      `Facebook allows one Private Reply per comment, and ${record.ref} has already had one.`,
    ]);
  }
  if (answer.length > MESSENGER_MAX_CHARS) {
    return notSent('too-long-for-private-reply', 'your answer is too long for a Private Reply', [
      `A Private Reply can be at most ${MESSENGER_MAX_CHARS} characters; yours has ${answer.length}.`,
    ]);
  }
  return { send: [compose(answer)], ...attachmentNotice };
}

/** A plain chat channel (WhatsApp): free text in chunks, only inside its window from the resident's message. */
function byChat(
  { record, answer, at, target, compose, attachmentNotice }: Planning,
  mode: { readonly maxChars: number; readonly windowHours: number },
): AnswerPlan {
  const label = CHANNEL_REGISTRY[target.channel].label;
  const last = target.lastUserMessageAt;
  if (!last || Date.parse(at) - Date.parse(last) > mode.windowHours * 3_600_000) {
    return notSent('outside-24h-window', `${label} no longer accepts a free-text reply`, [
      `${label} lets the council answer in its own words only within ${mode.windowHours} hours of the resident's last message; ${record.ref} was sent ${last ?? 'at an unknown time'}.`,
      `Answer them another way, or when they next write on ${label}.`,
    ]);
  }
  const chunks = chunk(answer, mode.maxChars);
  return { send: chunks.map((c, i) => compose(c, chunks.length > 1 ? i + 1 : undefined)), ...attachmentNotice };
}

/** Messenger's window runs from the resident's latest message, which may be newer than the routed one. */
async function lastUserMessageAt(record: CaseRecord, routed: string | undefined, deps: AnswerDeps): Promise<string | undefined> {
  const seen = record.target ? await deps.ops.get(lastMessageKey(record.target.to)) : undefined;
  const candidates = [routed, typeof seen?.at === 'string' ? seen.at : undefined].filter((v): v is string => Boolean(v));
  return candidates.sort().at(-1);
}

/** Keyed by a hash of the PSID: the ops table holds no raw identities in its keys. */
export const lastMessageKey = (psid: string): string => `${OPS_PREFIX.lastMessage}messenger#${sha256Hex(psid).slice(0, 32)}`;

/** The hub's automatic reply to a comment is itself the comment's Private Reply. */
async function privateReplyUsed(itemId: string, deps: AnswerDeps): Promise<boolean> {
  for (const kind of ['auto-reply', 'complaint-invitation']) {
    const sent = await deps.ops.get(sentKey(`${itemId}:${kind}`));
    if (sent?.state === 'sent' || sent?.state === 'sending') return true;
  }
  return false;
}

function chunk(text: string, max: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += max) out.push(chars.slice(i, i + max).join(''));
  return out;
}

function shortId(itemId: string): string {
  return itemId.replace(/[^A-Za-z0-9]/g, '').slice(-24);
}
