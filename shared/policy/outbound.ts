import { CHANNEL_REGISTRY } from '../channels/registry.ts';
import type { Policy } from './schema.ts';

/**
 * What the hub may send to residents, with the hub's defaults where a policy
 * file leaves `outbound` or `replay` out. No council policy covers these: they
 * are the hub's own safety limits, so each default says why it is what it is.
 */

export type Outbound = NonNullable<Policy['outbound']>;
export type Replay = NonNullable<Policy['replay']>;
export type BudgetChannel = Exclude<keyof Outbound['dailyLimits'], 'clause' | 'note'>;

export const DEFAULT_OUTBOUND: Outbound = {
  smsDestinations: {
    allowedPrefixes: ['+447'],
    clause: 'default: Ofcom UK numbering plan (07 mobile range)',
    note: 'A parish council texts residents on UK mobiles. Premium-rate (+449...), international and satellite (+882...) numbers cost many times more and are the target of SMS pumping fraud, so nothing is sent to them unless the council adds the prefix.',
  },
  dailyLimits: {
    email: 200,
    sms: 50,
    messenger: 200,
    'facebook-comment': 200,
    clause: 'default: outbound budget (OWASP Automated Threats OAT-009 "SMS pumping", SES sending quota)',
    note: 'A parish gets about 10 items a day (300 a month); these allow twenty times a busy day, yet cap a flood at 50 texts (about $4 at 2 segments each) and 200 emails a day, well inside a new SES account quota. WhatsApp, which policies may leave out, has its own default (shared/channels/registry.ts). When one trips, replies on that channel stop until midnight London time, inbound is still recorded and routed, and the clerk gets one alert.',
  },
};

export const DEFAULT_REPLAY: Replay = {
  windowDays: 7,
  clause: 'default: replay window (Meta and Twilio webhook signatures carry no timestamp)',
  note: 'Providers retry a webhook for at most a few days; an event whose own timestamp is older than 7 days is a replayed capture, acknowledged and ignored.',
};

export function outboundOf(policy: Policy): Outbound {
  return policy.outbound ?? DEFAULT_OUTBOUND;
}

export function replayOf(policy: Policy): Replay {
  return policy.replay ?? DEFAULT_REPLAY;
}

/** At most this many messages to residents on the channel per London day, and where that figure comes from. */
export function dailyLimitFor(policy: Policy, channel: BudgetChannel): { messages: number; clause: string } {
  const limits = outboundOf(policy).dailyLimits;
  const own = limits[channel];
  if (own !== undefined) return { messages: own, clause: limits.clause };
  const fallback = CHANNEL_REGISTRY[channel].defaultDailyLimit;
  if (!fallback) throw new Error(`policy has no daily limit for channel ${channel}`);
  return fallback;
}

/** True when the policy lets the hub text this E.164 number. */
export function smsDestinationAllowed(policy: Policy, number: string): boolean {
  return /^\+[1-9][0-9]{6,14}$/.test(number) && outboundOf(policy).smsDestinations.allowedPrefixes.some((p) => number.startsWith(p));
}
