import { CHANNEL_REGISTRY } from '../channels/registry.ts';
import type { OutboxMessage } from '../model/index.ts';
import { type BudgetChannel, dailyLimitFor } from '../policy/outbound.ts';
import type { Policy } from '../policy/schema.ts';
import { londonDay } from '../runtime/london-time.ts';
import { OPS_PREFIX } from '../store/keys.ts';

/**
 * The global daily outbound budget per channel (policy `outbound.dailyLimits`):
 * however many items arrive, at most N messages go to residents on a channel
 * per Europe/London day. Past it, replies stop; inbound is still recorded and
 * routed (clerk mail is not counted here), and the clerk gets one alert.
 *
 * Idempotent per outbox message: `BUDGET-SLOT#<id>` remembers whether the
 * message was granted a place, so a redelivered item neither counts twice nor
 * changes its answer. The alert has a deterministic id and is claimed once per
 * channel and day; the item that claimed it re-sends it on a redelivery (deliver
 * sends each id once), so a crash cannot lose it.
 */

export interface BudgetOps {
  claim(key: string, options: { ttlSeconds: number; value?: Record<string, unknown> }): Promise<{ claimed: boolean; existing?: Record<string, unknown> }>;
  put(key: string, value: Record<string, unknown>, options?: { ttlSeconds?: number }): Promise<void>;
  incrementBelow(key: string, limit: number, ttlSeconds: number): Promise<boolean>;
}

export interface BudgetCheck {
  readonly granted: boolean;
  /** Why it was refused (for the audit trail or the minimal log). */
  readonly reason?: string;
  readonly clause?: string;
  /** The clerk's one alert for this channel and day, when this message tripped it. */
  readonly alert?: OutboxMessage;
}

/** Two days: the counter and slots outlive the London day they count. */
const TTL_SECONDS = 2 * 86_400;

export async function takeOutboundBudget(msg: OutboxMessage, policy: Policy, ops: BudgetOps, at: string): Promise<BudgetCheck> {
  if (msg.channel === 'mailchimp') return { granted: true };
  const channel = msg.channel;
  const limit = dailyLimitFor(policy, channel);
  const day = londonDay(at);
  const slot = `${OPS_PREFIX.budgetSlot}${msg.id}`;
  const claim = await ops.claim(slot, { ttlSeconds: TTL_SECONDS, value: { state: 'pending' } });
  const held = claim.existing?.state;
  let granted: boolean;
  if (!claim.claimed && (held === 'granted' || held === 'refused')) {
    granted = held === 'granted';
  } else {
    granted = await ops.incrementBelow(`${OPS_PREFIX.budget}${policy.council.id}#${channel}#${day}`, limit.messages, TTL_SECONDS);
    await ops.put(slot, { state: granted ? 'granted' : 'refused' }, { ttlSeconds: TTL_SECONDS });
  }
  if (granted) return { granted };

  const reason = `daily-limit: ${limit.messages} ${channel} messages to residents on ${day} already sent`;
  const alertClaim = await ops.claim(`${OPS_PREFIX.budgetAlert}${policy.council.id}#${channel}#${day}`, {
    ttlSeconds: TTL_SECONDS,
    value: { outboxId: msg.id },
  });
  const ours = alertClaim.claimed || alertClaim.existing?.outboxId === msg.id;
  return { granted, reason, clause: limit.clause, ...(ours ? { alert: budgetAlert(policy, channel, day, limit, msg, at) } : {}) };
}

function budgetAlert(
  policy: Policy,
  channel: BudgetChannel,
  day: string,
  limit: { messages: number; clause: string },
  tripped: OutboxMessage,
  at: string,
): OutboxMessage {
  const descriptor = CHANNEL_REGISTRY[channel];
  const what = descriptor.messagesToResidents ?? `${descriptor.label} replies`;
  const text = [
    `The hub has sent ${limit.messages} automatic ${what} to residents today (${day}, London time): the daily limit.`,
    '',
    `Until midnight no more automatic replies or consent requests go out as ${what}. Everything that comes in is still recorded and routed to you as usual; each item shows that its reply was withheld.`,
    '',
    `A limit this high is rarely reached by residents alone: someone may be flooding the hub to run up costs or to use it to send messages. If so, nothing needs doing; if the traffic is genuine, raise outbound.dailyLimits.${channel} in the policy.`,
    '',
    `This is the only alert for ${what} today. Policy: ${limit.clause}.`,
  ].join('\n');
  return {
    schemaVersion: 1,
    id: `budget-alert:${channel}:${day}`,
    kind: 'budget-alert',
    channel: 'email',
    to: policy.contacts.clerk.address,
    council: policy.council.id,
    itemId: tripped.itemId,
    subject: `Daily limit reached: no more automatic ${what} today`,
    text,
    createdAt: at,
  };
}
