import type { OutboxMessage } from '../model/index.ts';
import type { Policy } from '../policy/schema.ts';
import { escapeHtml, type ReplyTarget } from '../pipeline/compose.ts';

/**
 * Pure builders for the clerk's side: the answer to the resident (on their
 * channel) and notices to the clerk. Ids are deterministic in the clerk's
 * reply (its item id), so a redelivered reply sends nothing twice.
 */

/** One message of the clerk's answer; SMS answers may be several parts. */
export function composeClerkAnswer(input: {
  readonly target: ReplyTarget;
  readonly policy: Policy;
  readonly ref: string;
  /** Item id of the clerk's reply email: answers to one item are told apart by it. */
  readonly answerKey: string;
  readonly text: string;
  readonly part?: number;
  readonly createdAt: string;
  /** Who answered (clerk or deputy): told if delivery fails. */
  readonly notify?: string;
}): OutboxMessage {
  const { target, policy, ref } = input;
  const email = target.channel === 'email';
  const subject = email ? reSubject(target.subject ?? `Your message to ${policy.council.name}`) : undefined;
  const text = email ? `${input.text}\n\n${policy.council.name}\nOur reference: ${ref}` : input.text;
  return {
    schemaVersion: 1,
    id: `${target.itemId}:clerk-answer:${input.answerKey}${input.part ? `:${input.part}` : ''}`,
    kind: 'clerk-answer',
    channel: target.channel,
    to: target.to,
    ...(target.provider ? { provider: target.provider } : {}),
    ...(target.from ? { from: target.from } : {}),
    council: policy.council.id,
    itemId: target.itemId,
    ref,
    ...(subject ? { subject } : {}),
    text,
    ...(email
      ? {
          html: `<!doctype html><html lang="en-GB"><body>${text
            .split(/\n{2,}/)
            .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
            .join('\n')}</body></html>`,
          fromName: policy.council.name,
          // Answers from the resident go to the clerk's official address, and thread with the case.
          replyTo: policy.contacts.clerk.address,
          ...(target.inReplyTo ? { inReplyTo: target.inReplyTo } : {}),
          ...(target.references ? { references: [...target.references] } : {}),
        }
      : {}),
    ...(target.lastUserMessageAt ? { lastUserMessageAt: target.lastUserMessageAt } : {}),
    notifyOnFailure: input.notify ?? policy.contacts.clerk.address,
    createdAt: input.createdAt,
  };
}

/** `Re: <subject>` once, however many times the thread has been answered. */
export function reSubject(subject: string): string {
  const clean = subject.replace(/[\r\n]+/g, ' ').trim();
  return /^re:/i.test(clean) ? clean : `Re: ${clean}`;
}

/** An email to the clerk (or deputy) about an answer or a case. */
export function composeClerkNotice(input: {
  readonly policy: Policy;
  readonly to?: string;
  readonly ref: string;
  readonly itemId: string;
  /** Makes the id unique per cause: e.g. the clerk's reply item id + the reason. */
  readonly key: string;
  readonly subject: string;
  readonly lines: readonly string[];
  readonly createdAt: string;
}): OutboxMessage {
  const text = input.lines.join('\n');
  return {
    schemaVersion: 1,
    id: `${input.itemId}:clerk-notice:${input.key}`,
    kind: 'clerk-notice',
    channel: 'email',
    to: input.to ?? input.policy.contacts.clerk.address,
    council: input.policy.council.id,
    itemId: input.itemId,
    ref: input.ref,
    subject: `[${input.ref}] ${input.subject}`.replace(/[\r\n]+/g, ' '),
    text,
    html: `<!doctype html><html lang="en-GB"><body>${input.lines.map((l) => (l ? `<p>${escapeHtml(l)}</p>` : '')).join('\n')}</body></html>`,
    createdAt: input.createdAt,
  };
}

/** Email addresses and UK phone numbers in a text: the "other contact on file" when Messenger cannot be used. */
export function contactsInText(text: string): string[] {
  const emails = text.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g) ?? [];
  const phones = (text.match(/(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b/g) ?? []).map((p) => p.trim());
  return [...new Set([...emails.map((e) => e.toLowerCase()), ...phones])].slice(0, 5);
}
