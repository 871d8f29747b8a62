import type { AuditEventType, OutboxMessage } from '../model/index.ts';
import { loadSecrets, type Secrets } from '../runtime/secrets.ts';
import { log } from '../runtime/log.ts';
import { DeliveryError, retryable } from './errors.ts';
import { sentKey } from './keys.ts';
import { sendOutboxMessage } from './senders.ts';

export { sentKey };
import type { SendContext, SendResult } from './types.ts';

/**
 * Delivers one outbox message exactly once as far as the hub can make it so.
 *
 * The ops record `SENT#<outbox id>` moves through these states:
 *
 *   (absent) --claim--> sending (a lease: the claim's TTL)
 *   sending --provider ok--------> sent     (final)
 *   sending --outside a window---> skipped  (final, reason recorded)
 *   sending --permanent 4xx------> failed   (final, reason recorded)
 *   sending --retryable error----> (deleted) and the error is thrown, so SQS
 *                                   redelivers the message after a backoff
 *
 * A final state is written before the audit event, and `audited: true` after
 * it, so a crash between them is repaired by the redelivery (the append is
 * idempotent on its eventKey). A crash while `sending` leaves the lease to
 * run out, then the redelivery sends again: nothing is lost.
 *
 * The one window no design can close: the provider accepted the message and
 * the process died before `sent` was written. The redelivery then sends a
 * second copy. Emails carry a deterministic Message-ID (same id for both
 * copies) and Messenger sends carry `metadata: hub:<id>`, which comes back in
 * the echo, so a duplicate is at least recognisable.
 */

/** Longer than any provider call plus the writes around it (function timeout 30 s). */
export const SEND_LEASE_SECONDS = 90;
/** Final records outlive every redelivery (SQS keeps messages 14 days). */
export const SENT_RECORD_TTL_SECONDS = 30 * 86_400;
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

export type DeliveryState = 'sending' | 'sent' | 'skipped' | 'failed';

export interface DeliveryOutcome {
  readonly state: 'sent' | 'skipped' | 'failed';
  /** True when an earlier delivery already settled this message and nothing was sent now. */
  readonly duplicate: boolean;
  readonly provider?: string;
  readonly providerMessageId?: string;
  readonly reason?: string;
}

/** The parts of OpsStore (shared/store/ops-store.ts) deliver uses. */
export interface DeliveryOps {
  claim(key: string, options: { ttlSeconds: number; value?: Record<string, unknown> }): Promise<{ claimed: boolean; existing?: Record<string, unknown> }>;
  put(key: string, value: Record<string, unknown>, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The part of AuditStore (shared/store/audit-store.ts) deliver uses. */
export interface DeliveryAudit {
  append(input: { ref: string; itemId: string; type: AuditEventType; at: string; data: Record<string, unknown>; eventKey: string }): Promise<unknown>;
}

export interface DeliverDeps {
  readonly ops: DeliveryOps;
  /** The audit store of the message's council. */
  readonly audit: (council: string) => DeliveryAudit;
  readonly send?: (msg: OutboxMessage, ctx: SendContext) => Promise<SendResult>;
  readonly now?: () => Date;
  readonly env?: NodeJS.ProcessEnv;
  readonly secrets?: () => Promise<Secrets>;
  readonly timeoutMs?: number;
  /** Publishes to the outbox: deliver tells the clerk when their answer could not be delivered. */
  readonly notify?: (messages: readonly OutboxMessage[]) => Promise<void>;
}

/**
 * classify records the decision to route and to ask for consent ('routed',
 * 'consent-requested', with the outbox id) when it enqueues, and the sweep
 * records 'consent-reminded' when it sends a reminder; deliver records that
 * the provider accepted the message: 'reply-sent' with the kind ('answer-sent'
 * for a clerk's answer).
 */
const SUCCESS_EVENT: Record<OutboxMessage['kind'], AuditEventType> = {
  'auto-reply': 'reply-sent',
  'complaint-invitation': 'reply-sent',
  'clerk-routing': 'reply-sent',
  'consent-outcome': 'reply-sent',
  'consent-request': 'reply-sent',
  'consent-reminder': 'reply-sent',
  'clerk-answer': 'answer-sent',
  'clerk-notice': 'reply-sent',
  'case-reminder': 'reply-sent',
  'clerk-digest': 'reply-sent',
  'page-action': 'page-action',
  'public-note': 'reply-sent',
  'budget-alert': 'reply-sent',
  // Never audited (no ref): a digest email appended to the chain would change it and call for another digest.
  'audit-digest': 'reply-sent',
};

export async function deliverOutboxMessage(msg: OutboxMessage, deps: DeliverDeps): Promise<DeliveryOutcome> {
  const now = deps.now ?? (() => new Date());
  const key = sentKey(msg.id);
  const facts = { outboxId: msg.id, kind: msg.kind, channel: msg.channel, council: msg.council, itemId: msg.itemId, ...(msg.ref ? { ref: msg.ref } : {}) };

  const claim = await deps.ops.claim(key, { ttlSeconds: SEND_LEASE_SECONDS, value: { ...facts, state: 'sending', since: now().toISOString() } });
  if (!claim.claimed) {
    const existing = claim.existing ?? {};
    if (existing.state === 'sending') throw retryable('in-flight-elsewhere');
    const outcome = outcomeFrom(existing, true);
    if (existing.audited !== true) await settle(msg, outcome, new Date(String(existing.at ?? now().toISOString())), deps, key, existing);
    log.info('outbox message already settled', { outboxId: msg.id, state: outcome.state });
    return outcome;
  }

  let outcome: DeliveryOutcome;
  try {
    const send = deps.send ?? sendOutboxMessage;
    const result = await send(msg, {
      now: now(),
      env: deps.env ?? process.env,
      secrets: deps.secrets ?? (() => loadSecrets()),
      timeoutMs: deps.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS,
    });
    outcome =
      result.status === 'sent'
        ? { state: 'sent', duplicate: false, provider: result.provider, ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}) }
        : { state: 'skipped', duplicate: false, provider: result.provider, reason: result.reason };
  } catch (error) {
    const failure = error instanceof DeliveryError ? error : retryable('unexpected-error');
    if (failure.retryable) {
      // Release the lease so the redelivery can try at once; if this delete fails, the lease runs out instead.
      await deps.ops.delete(key).catch(() => undefined);
      log.warn('outbox delivery failed, will retry', {
        outboxId: msg.id,
        kind: msg.kind,
        reason: failure.reason,
        httpStatus: failure.httpStatus,
        providerCode: failure.providerCode,
      });
      if (!(error instanceof DeliveryError)) log.error('unexpected delivery error', { outboxId: msg.id, error: error as Error });
      throw failure;
    }
    outcome = { state: 'failed', duplicate: false, reason: failure.reason };
    log.warn('outbox delivery failed permanently', {
      outboxId: msg.id,
      kind: msg.kind,
      reason: failure.reason,
      httpStatus: failure.httpStatus,
      providerCode: failure.providerCode,
    });
  }

  const at = now();
  const record = { ...facts, ...recordOf(outcome), at: at.toISOString(), audited: false };
  await deps.ops.put(key, record, { ttlSeconds: SENT_RECORD_TTL_SECONDS });
  await settle(msg, outcome, at, deps, key, record);
  log.info('outbox message settled', { outboxId: msg.id, kind: msg.kind, channel: msg.channel, state: outcome.state, reason: outcome.reason });
  return outcome;
}

/** Audit event (formal items) and follow-ups, then mark the record audited. Safe to repeat. */
async function settle(msg: OutboxMessage, outcome: DeliveryOutcome, at: Date, deps: DeliverDeps, key: string, record: Record<string, unknown>): Promise<void> {
  if (msg.ref) {
    const type: AuditEventType = outcome.state === 'sent' ? SUCCESS_EVENT[msg.kind] : outcome.state === 'skipped' ? 'reply-skipped' : 'delivery-failed';
    await deps.audit(msg.council).append({
      ref: msg.ref,
      itemId: msg.itemId,
      type,
      at: at.toISOString(),
      data: {
        outboxId: msg.id,
        kind: msg.kind,
        channel: msg.channel,
        ...(outcome.provider ? { provider: outcome.provider } : {}),
        ...(outcome.providerMessageId ? { providerMessageId: outcome.providerMessageId } : {}),
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        // Which action, why (the clause) and on whose word; never the author's id.
        ...(msg.pageAction ? { action: msg.pageAction.action, clause: msg.pageAction.clause, by: msg.pageAction.by } : {}),
      },
      eventKey: `${msg.id}:${outcome.state}`,
    });
  }
  if (msg.kind === 'clerk-answer' && outcome.state !== 'sent' && msg.notifyOnFailure && deps.notify) {
    await deps.notify([answerFailedNotice(msg, outcome, at)]);
  }
  await deps.ops.put(key, { ...record, audited: true }, { ttlSeconds: SENT_RECORD_TTL_SECONDS });
}

/** The clerk's answer was refused or skipped by the channel after all (an opt-out, a window that closed while it waited). */
function answerFailedNotice(msg: OutboxMessage, outcome: DeliveryOutcome, at: Date): OutboxMessage {
  const text = [
    `Your answer to ${msg.ref} was NOT delivered to the resident on ${msg.channel}: ${outcome.reason ?? outcome.state}.`,
    'Nothing more will be tried. Answer them another way if you can (the routing email shows what is on file).',
  ].join('\n\n');
  return {
    schemaVersion: 1,
    id: `${msg.id}:not-delivered`,
    kind: 'clerk-notice',
    channel: 'email',
    to: msg.notifyOnFailure!,
    council: msg.council,
    itemId: msg.itemId,
    ...(msg.ref ? { ref: msg.ref } : {}),
    subject: `[${msg.ref ?? msg.itemId}] NOT DELIVERED: your answer on ${msg.channel}`,
    text,
    createdAt: at.toISOString(),
  };
}

function recordOf(outcome: DeliveryOutcome): Record<string, unknown> {
  return {
    state: outcome.state,
    ...(outcome.provider ? { provider: outcome.provider } : {}),
    ...(outcome.providerMessageId ? { providerMessageId: outcome.providerMessageId } : {}),
    ...(outcome.reason ? { reason: outcome.reason } : {}),
  };
}

function outcomeFrom(record: Record<string, unknown>, duplicate: boolean): DeliveryOutcome {
  const state = record.state === 'sent' || record.state === 'skipped' ? record.state : 'failed';
  return {
    state,
    duplicate,
    ...(typeof record.provider === 'string' ? { provider: record.provider } : {}),
    ...(typeof record.providerMessageId === 'string' ? { providerMessageId: record.providerMessageId } : {}),
    ...(typeof record.reason === 'string' ? { reason: record.reason } : {}),
  };
}

/**
 * Seconds before a failed message is offered again: 30 s, 1, 2, 4, 8, 16 min…
 * capped at one hour. `baseSeconds` 0 (tests, local) retries at once.
 */
export function retryDelaySeconds(receiveCount: number, baseSeconds = 30, capSeconds = 3_600): number {
  if (baseSeconds <= 0) return 0;
  return Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, receiveCount - 1));
}

/**
 * How long a message keeps being retried before its last receive sends it to
 * the DLQ: the sum of the backoffs between its receives (docs/delivery.md
 * states it; a unit test keeps them equal). With 12 receives: about 5 hours.
 */
export function retryWindowSeconds(maxReceiveCount: number, baseSeconds = 30): number {
  let total = 0;
  for (let receive = 1; receive < maxReceiveCount; receive++) total += retryDelaySeconds(receive, baseSeconds);
  return total;
}
