import type { AuditEventType, InboundItem, OutboxMessage } from '../model/index.ts';
import type { Policy } from '../policy/schema.ts';
import { fillPlaceholders, renderText } from '../policy/texts.ts';
import { composeAutoReply, composeConsentRequest, type ReplyTarget } from './compose.ts';
import { joinMatter, openOrJoinRequest, type MatterOps } from './consent-matters.ts';
import { signConsentToken } from './consent-token.ts';
import { type DueKind, dueKind } from '../store/keys.ts';

/**
 * Asking for data consent (stilton.txt §11): the request step of the consent
 * lifecycle. classify calls it for a new formal matter; it opens the sender's
 * request (or joins the one pending), signs the link, registers the reminder
 * and expiry due entries the sweep works from, and composes what goes to the
 * resident. The form and the sweep are in consent.ts.
 */

const DAY_MS = 86_400_000;

/** What the consent sweep needs to remind or expire without the original item. */
export interface ConsentDueData {
  readonly ref: string;
  readonly itemId: string;
  readonly senderHash: string;
  readonly consentUrl: string;
  readonly expiresAt: string;
  readonly target: ReplyTarget;
}

/** The due entry of a matter that joined a pending request: it only expires (the request it joined is reminded). */
export type JoinedDueData = Pick<ConsentDueData, 'ref' | 'itemId' | 'senderHash' | 'expiresAt'>;

/** Due-entry kinds the consent sweep works from (key = the reference). */
export const CONSENT_REMINDER_DUE = dueKind<ConsentDueData>('consent-reminder');
export const CONSENT_EXPIRY_DUE = dueKind<ConsentDueData | JoinedDueData>('consent-expiry');

export function consentUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/consent/${token}`;
}

/** The signed link for a reference; it expires when the consent request does (M days after it was sent). */
export function consentLink(input: { policy: Policy; ref: string; requestedAt: Date; signingKey: string; publicBaseUrl: string }): string {
  const exp = Math.floor(consentExpiry(input.policy, input.requestedAt).getTime() / 1000);
  return consentUrl(input.publicBaseUrl, signConsentToken({ council: input.policy.council.id, ref: input.ref, exp }, input.signingKey));
}

/** When a request sent at `requestedAt` expires (policy `consent.expiresAfterDays`). */
export function consentExpiry(policy: Policy, requestedAt: Date): Date {
  return new Date(requestedAt.getTime() + policy.consent.expiresAfterDays * DAY_MS);
}

/** The parts of OpsStore the request step uses. */
export interface ConsentRequestOps extends Pick<MatterOps, 'claim' | 'addMember'> {
  setConsent(senderHash: string, ref: string, status: string, at: string): Promise<void>;
  putDue<T extends object>(kind: DueKind<T>, dueAt: string, key: string, data: T): Promise<void>;
  recordAutoReply(senderHash: string, at: string, windowDays: number, itemId: string): Promise<boolean>;
}

export interface ConsentRequestDeps {
  readonly policy: Policy;
  readonly ops: ConsentRequestOps;
  readonly signingKey: string;
  /** PUBLIC_BASE_URL: consent links are `${publicBaseUrl}/consent/${token}`. */
  readonly publicBaseUrl: string;
  readonly now: () => Date;
  /** Appends the matter's audit event once (classify's recorder, idempotent on the suffix). */
  readonly event: (type: AuditEventType, data: Record<string, unknown>, suffix?: string) => Promise<unknown>;
}

export interface ConsentRequestInput {
  readonly item: InboundItem;
  readonly ref: string;
  readonly decidedAt: string;
  readonly senderHash: string;
  readonly target: ReplyTarget;
}

/**
 * The consent request for a new matter, unless one is already pending for this
 * sender: then this matter joins it (one form lists both) and only an
 * acknowledgement of its reference may go. Returns the messages for the
 * resident; the caller applies the daily outbound budget (a withheld request
 * waits: its reminder carries the same link later).
 */
export async function requestConsent(input: ConsentRequestInput, deps: ConsentRequestDeps): Promise<OutboxMessage[]> {
  const { item, ref, decidedAt, senderHash, target } = input;
  const { ops, policy, event } = deps;
  const expiresAt = consentExpiry(policy, new Date(decidedAt)).toISOString();
  const remindAt = new Date(new Date(decidedAt).getTime() + policy.consent.reminderAfterDays * DAY_MS).toISOString();
  const open = await openOrJoinRequest(ops, senderHash, ref, expiresAt, deps.now());
  await ops.setConsent(senderHash, ref, 'requested', decidedAt);
  if (open.joinedTo) {
    await event('consent-requested', { joinedTo: open.joinedTo, channel: target.channel, expiresAt: open.expiresAt });
    // Should the pending request close before this joined it, this matter still expires and the clerk is told.
    await ops.putDue(CONSENT_EXPIRY_DUE, open.expiresAt, ref, { ref, itemId: item.itemId, senderHash, expiresAt: open.expiresAt });
    return joinedAcknowledgement(input, deps);
  }
  const url = consentLink({ policy, ref, requestedAt: new Date(decidedAt), signingKey: deps.signingKey, publicBaseUrl: deps.publicBaseUrl });
  const request = composeConsentRequest({ target, policy, ref, consentUrl: url, expiresAt, createdAt: decidedAt });
  await event('consent-requested', { outboxId: request.id, channel: target.channel, remindAt, expiresAt });
  const due: ConsentDueData = { ref, itemId: item.itemId, senderHash, consentUrl: url, expiresAt, target };
  await ops.putDue(CONSENT_REMINDER_DUE, remindAt, ref, due);
  await ops.putDue(CONSENT_EXPIRY_DUE, expiresAt, ref, due);
  return [request];
}

/**
 * A matter that joined a pending request is acknowledged with its own
 * reference (the form will list it too), at most once per sender per reply
 * window: a flood of texts gets one consent SMS and one acknowledgement.
 */
async function joinedAcknowledgement(input: ConsentRequestInput, deps: ConsentRequestDeps): Promise<OutboxMessage[]> {
  const { item, ref, decidedAt, senderHash, target } = input;
  const { policy } = deps;
  const text = fillPlaceholders(renderText(policy, 'formalAcknowledgement', {}, target.channel), { reference: ref });
  const ack = composeAutoReply({ target, policy, text, createdAt: decidedAt, ref });
  if (!(await deps.ops.recordAutoReply(senderHash, decidedAt, policy.autoReplyRateLimit.windowDays, item.itemId))) {
    const reason = 'rate-limit: this sender already had an automatic reply in the window; the pending consent form lists this matter';
    await deps.event(
      'reply-skipped',
      { outboxId: ack.id, kind: ack.kind, channel: ack.channel, reason, clause: policy.autoReplyRateLimit.clause },
      `${ack.id}:rate-limit`,
    );
    return [];
  }
  return [ack];
}

/** A reply in the thread of a matter whose consent is still awaited: the answer to that matter will apply to this one too. */
export async function joinPendingMatter(
  ops: Pick<MatterOps, 'addMember'>,
  policy: Policy,
  pending: string,
  ref: string,
  decidedAt: string,
  now: Date,
): Promise<void> {
  await joinMatter(ops, pending, ref, consentExpiry(policy, new Date(decidedAt)).toISOString(), now);
}
