import type { Action, Decision, InboundItem, ModerationFlag, Reason, TextKey } from '../model/index.ts';
import type { Policy } from './schema.ts';
import { detectModeration, linkContextOf, type ModelFinding } from './moderation.ts';
import { mailAuth } from './mail-auth.ts';
import { CHANNEL_REGISTRY, channelRule, normaliseAddress, officialAddresses } from '../channels/registry.ts';
import { outboundOf, smsDestinationAllowed } from './outbound.ts';
import { describeLondonTime, isWithinOfficeHours, nextMonitoredAt, toLondonIso } from './office-hours.ts';
import { renderText } from './texts.ts';

/**
 * The policy engine: pure, synchronous, no I/O and no clock (time comes from
 * the context). Every reason names the rule and the clause of the council's
 * policy that made it, or `default: …` with the standard the hub follows
 * where the policy is silent.
 */

export interface DecisionContext {
  /** The time the decision is made (office hours and rate limit are measured from it). */
  now: Date;
  /** The sender has already given data consent for this matter. */
  consentOnFile: boolean;
  /** ISO 8601: when this sender last got an automatic reply from us (any text). */
  lastAutoReplyAt?: string;
  /** Set when the item belongs to a thread we already hold (reply to earlier correspondence): not new correspondence. */
  knownThreadRef?: string;
  /** What the optional second tier of moderation found (classify asks it before deciding; see shared/moderation/second-tier.ts). */
  modelFindings?: readonly ModelFinding[];
}

/** Clauses for the hub's own safety rules, which no council policy covers. */
export const HUB_CLAUSES = {
  rfc3834: 'default: RFC 3834 §2',
  virus: 'default: never act on mail that fails virus scanning',
  spam: 'default: never act on or answer mail the provider marks as spam',
  echo: 'default: loop prevention (our own message echoed back)',
  ownSender: 'default: loop prevention (sent from our own address, number or page)',
  authentication: 'default: DMARC (RFC 7489); SPF (RFC 7208) and DKIM (RFC 6376)',
  smsKeywords: 'default: SMS opt-out keywords (STOP/START/HELP are answered by the carrier or provider)',
  acknowledgement: 'default: every formal item is acknowledged with its reference',
} as const;

const AUTOMATIC_LOCAL_PART = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|owner-.+|.+-request|bounces?(\+.*)?)$/i;

export function decide(item: InboundItem, policy: Policy, context: DecisionContext): Decision {
  const reasons: Reason[] = [];
  const because = (rule: string, clause: string, detail: string): void => {
    reasons.push({ rule, clause, detail });
  };
  const result = (partial: Omit<Decision, 'reasons' | 'policyVersion' | 'flags'> & { flags?: ModerationFlag[] }): Decision => {
    const { hold, nextMonitoredAt: next, ...rest } = partial;
    // Absent rather than undefined, so the decision stores and compares cleanly.
    return {
      ...rest,
      ...(hold ? { hold } : {}),
      ...(next ? { nextMonitoredAt: next } : {}),
      flags: partial.flags ?? [],
      reasons,
      policyVersion: policy.version,
    };
  };
  const ignored = (): Decision => result({ classification: 'ignored', actions: [{ type: 'none' }] });
  const t = item.transport;

  // 1. Content we must not act on at all.
  if (t.virus === 'FAIL') {
    because('virus-verdict', HUB_CLAUSES.virus, 'The mail failed virus scanning; it is not opened, routed or answered.');
    return ignored();
  }
  if (t.spam === 'FAIL' || (t.spamScore !== undefined && t.spamScore >= policy.trust.spamScoreThreshold)) {
    if (t.spam === 'FAIL') because('spam-verdict', HUB_CLAUSES.spam, 'The provider marked the mail as spam; it is not routed or answered.');
    else because('spam-verdict', policy.trust.clause, `Spam score ${t.spamScore} is at or above the threshold of ${policy.trust.spamScoreThreshold}; it is not routed or answered.`);
    return ignored();
  }

  // 2. Our own traffic coming back.
  if (t.isEcho) {
    because('echo', HUB_CLAUSES.echo, 'This is our own message echoed back by the channel.');
    return ignored();
  }
  const email = item.channel === 'email';
  const auth = email ? mailAuth(item) : undefined;
  const authFailed = auth?.status === 'unverified';
  const own = CHANNEL_REGISTRY[item.channel].ownSender(item, policy);
  if (own && !authFailed) {
    because('own-sender', HUB_CLAUSES.ownSender, `Sent from our own ${own}; never answered, so replies cannot loop.`);
    return ignored();
  }

  // 3. Consent-ledger facts: formal, audited, never answered.
  if (item.channel === 'mailchimp' || item.audience) {
    const change = ledgerChange(item.audience?.type);
    because(
      'mailchimp-audience',
      policy.channels.mailchimp.clause,
      `Mailchimp audience event "${item.audience?.type ?? 'unknown'}" is kept as a consent-ledger record; no consent form, no reply.`,
    );
    return result({ classification: 'formal', actions: [{ type: 'audit' }, { type: 'consent-ledger', change }] });
  }
  if (item.channel === 'sms' && item.smsKeyword) {
    const change = item.smsKeyword === 'STOP' ? 'opt-out' : item.smsKeyword === 'START' ? 'opt-in' : 'help';
    because(
      'sms-keyword',
      `${policy.channels.sms.clause}; ${HUB_CLAUSES.smsKeywords}`,
      `SMS keyword ${item.smsKeyword} is kept as a consent-ledger record; the carrier answers it, so the hub does not.`,
    );
    return result({ classification: 'formal', actions: [{ type: 'audit' }, { type: 'consent-ledger', change }] });
  }

  const flags = detectModeration(moderationText(item), policy.moderation, linkContextOf(policy), context.modelFindings);
  const noteFlags = (): void => {
    for (const f of flags) because(`moderation:${f.category}`, f.clause, `Content matched "${f.category}" (${f.action}).`);
  };
  const next = isWithinOfficeHours(policy, context.now) ? undefined : nextMonitoredAt(policy, context.now);
  const nextIso = next ? toLondonIso(next) : undefined;
  const noteOffHours = (): void => {
    if (next) because('out-of-office', policy.officeHours.clause, `Received outside office hours; the inbox is next monitored ${describeLondonTime(next)}.`);
  };
  const vars: Record<string, string> = next ? { nextMonitored: describeLondonTime(next) } : {};
  const reply = (textKey: TextKey): Action => ({
    type: 'auto-reply',
    textKey,
    text: renderText(policy, textKey, vars, item.channel),
  });

  // 4. Email that fails authentication is never trusted as formal and never answered.
  if (authFailed) {
    const spoofed = own ? ` It claims to come from our own ${own}.` : '';
    because(
      'unverified-sender',
      HUB_CLAUSES.authentication,
      `The sender could not be verified (${auth?.status === 'unverified' ? auth.verdicts : ''}): the address may be forged.${spoofed} Held for the clerk to check; no reply of any kind, no consent form.`,
    );
    noteFlags();
    noteOffHours();
    return result({
      classification: 'formal',
      hold: 'unverified-sender',
      flags,
      actions: [{ type: 'audit' }, { type: 'route-to-clerk', hold: 'unverified-sender' }],
      nextMonitoredAt: nextIso,
    });
  }

  // 5. Formality.
  const formal = decideFormality(item, policy, because);
  noteFlags();
  noteOffHours();
  const automatic = email ? automaticMail(item) : undefined;
  if (automatic) {
    because('automatic-mail', HUB_CLAUSES.rfc3834, `Automatic mail (${automatic}); no automatic reply or consent form is sent to it.`);
  } else if (auth?.status === 'unauthenticated') {
    because(
      'unauthenticated-sender',
      HUB_CLAUSES.authentication,
      `The sender's address could not be authenticated (${auth.verdicts}), so nothing is sent to it automatically: no reply, no consent form. Check the address before writing to the sender.`,
    );
  }
  const smsBlocked = item.channel === 'sms' && !smsDestinationAllowed(policy, item.sender.id);
  if (smsBlocked) {
    const sms = outboundOf(policy).smsDestinations;
    because(
      'sms-destination',
      sms.clause,
      `The number is outside the SMS destinations the policy allows (${sms.allowedPrefixes.join(', ')}...): nothing is sent to it, no reply and no consent form.`,
    );
  }
  // Nothing automatic goes to automatic mail, an address we cannot authenticate, or a number we may not text.
  const silent = Boolean(automatic) || auth?.status === 'unauthenticated' || smsBlocked;
  const rateLimited = isRateLimited(policy, context);
  const noteRateLimit = (): void =>
    because(
      'rate-limit',
      policy.autoReplyRateLimit.clause,
      `This sender already had an automatic reply within ${policy.autoReplyRateLimit.windowDays} days (last ${context.lastAutoReplyAt}).`,
    );

  if (formal) {
    const actions: Action[] = [{ type: 'audit' }, { type: 'route-to-clerk' }];
    if (flags.length > 0) {
      because('moderation-formal', channelRule(policy, item.channel).clause, 'Formal correspondence always reaches the clerk; flags are shown to the clerk, not acted on automatically.');
    }
    if (!silent && needsConsent(item, policy, context, because)) actions.push({ type: 'consent-request' });
    // The reply rate limit is for informal replies: every formal matter is answered with its reference.
    if (next && email && policy.officeHours.outOfOfficeReply && !silent) actions.push(reply('outOfOffice'));
    const toldReference = actions.some((a) => a.type === 'consent-request' || (a.type === 'auto-reply' && a.textKey === 'outOfOffice'));
    // A reply in a thread we hold continues a matter whose reference the resident already has.
    if (!silent && !toldReference && !context.knownThreadRef) {
      because('formal-acknowledgement', HUB_CLAUSES.acknowledgement, 'Formal correspondence: the sender is told its reference (nothing else sent to them carries it).');
      actions.push(reply('formalAcknowledgement'));
    }
    return result({ classification: 'formal', flags, actions, nextMonitoredAt: nextIso });
  }

  // 6. Informal: moderation may hold it for the clerk or answer it; otherwise the not-official-contact reply.
  const actions: Action[] = [];
  const acted = flags.filter((f) => f.action !== 'flag');
  let hold: Decision['hold'];
  // A Page comment the policy hides or puts to the clerk (withyham.txt §6.13) is audited and routed even when its category is only flagged.
  const onPage = item.channel === 'facebook-comment' && policy.pageModeration !== undefined && flags.some((f) => (policy.moderation.find((r) => r.category === f.category)?.page ?? 'none') !== 'none');
  if (acted.length > 0 || onPage) {
    hold = 'moderation';
    actions.push({ type: 'audit' }, { type: 'route-to-clerk', hold: 'moderation' });
  }
  const canReply = !silent;
  if (canReply && acted.some((f) => f.action === 'invite-formal-complaint')) {
    because('formal-complaint-invitation', clauseOf(acted, 'invite-formal-complaint'), 'The content alleges a breach; the sender is invited to make a formal complaint.');
    actions.push(reply('formalComplaintInvitation'));
  } else if (canReply && acted.some((f) => f.action === 'policy-breach-notice')) {
    because('policy-breach-notice', clauseOf(acted, 'policy-breach-notice'), 'The content breaches the policy; the sender is told so.');
    actions.push(reply('policyBreachNotice'));
  } else if (acted.length > 0 || onPage) {
    because('moderation-hold', (acted.length ? acted : flags).map((f) => f.clause).join('; '), 'Held for the clerk to decide; no automatic reply.');
  } else if (canReply) {
    if (rateLimited) noteRateLimit();
    else actions.push(reply('notOfficialContact'));
  }
  if (actions.length === 0) actions.push({ type: 'none' });
  return result({ classification: 'informal', hold, flags, actions, nextMonitoredAt: nextIso });
}

type Because = (rule: string, clause: string, detail: string) => void;

function decideFormality(item: InboundItem, policy: Policy, because: Because): boolean {
  if (item.channel === 'email') {
    const official = officialAddresses(policy);
    const domains = new Set(policy.contacts.officialDomains.domains);
    const isOfficial = (a: string): boolean => official.has(a) || domains.has(domainOf(a));
    const to = item.recipients.map(normaliseAddress);
    const cc = (item.cc ?? []).map(normaliseAddress);
    if (policy.officialAddress.enabled && to.some(isOfficial)) {
      because('official-address', policy.officialAddress.clause, 'Sent to an official council address.');
      return true;
    }
    if (policy.copiedToClerk.enabled && cc.includes(policy.contacts.clerk.address)) {
      because('copied-to-clerk', policy.copiedToClerk.clause, 'Copied to the clerk, which makes it official.');
      return true;
    }
    if (policy.officialAddress.enabled && cc.some(isOfficial)) {
      because('official-address', policy.officialAddress.clause, 'Copied to an official council address.');
      return true;
    }
  }
  const rule = channelRule(policy, item.channel);
  because(
    'channel-formality',
    rule.clause,
    rule.formal ? `The policy treats ${item.channel} as formal correspondence.` : `The policy does not treat ${item.channel} as formal correspondence.`,
  );
  return rule.formal;
}

function needsConsent(item: InboundItem, policy: Policy, context: DecisionContext, because: Because): boolean {
  const c = policy.consent;
  if (!c.enabled || !(c.channels as readonly string[]).includes(item.channel)) return false;
  if (context.consentOnFile) {
    because('consent-on-file', c.clause, 'The sender has already given data consent for this matter; no new form.');
    return false;
  }
  if (context.knownThreadRef) {
    because('existing-thread', c.clause, 'A reply in correspondence we already hold, not new correspondence; no new form.');
    return false;
  }
  because('consent-follow-up', c.clause, 'New formal correspondence: the data consent form is sent before action is taken.');
  return true;
}

function isRateLimited(policy: Policy, context: DecisionContext): boolean {
  if (!context.lastAutoReplyAt) return false;
  const last = Date.parse(context.lastAutoReplyAt);
  if (Number.isNaN(last)) return false;
  return context.now.getTime() - last < policy.autoReplyRateLimit.windowDays * 86_400_000;
}

/** Why this email is automatic, or undefined for mail a person sent. */
export function automaticMail(item: InboundItem): string | undefined {
  const t = item.transport;
  if (t.autoSubmitted && t.autoSubmitted.trim().toLowerCase() !== 'no') return `Auto-Submitted: ${t.autoSubmitted.trim()}`;
  if (t.precedence && /^(bulk|list|junk)$/i.test(t.precedence.trim())) return `Precedence: ${t.precedence.trim()}`;
  if (t.listId) return 'List-Id header';
  if (t.listUnsubscribe) return 'List-Unsubscribe header';
  if (t.returnPath === '') return 'null return path';
  if (t.autoResponseSuppress && t.autoResponseSuppress.trim().toLowerCase() !== 'none') return 'X-Auto-Response-Suppress header';
  for (const address of [item.sender.id, t.returnPath ?? '']) {
    const local = normaliseAddress(address).split('@')[0] ?? '';
    if (address.includes('@') && AUTOMATIC_LOCAL_PART.test(local)) return `automatic sender address (${local})`;
  }
  if (t.headersTruncated) return 'headers truncated, so automatic-mail headers cannot be ruled out';
  return undefined;
}

function ledgerChange(type: string | undefined): Extract<Action, { type: 'consent-ledger' }>['change'] {
  switch (type) {
    case 'subscribe':
      return 'opt-in';
    case 'unsubscribe':
      return 'opt-out';
    case 'upemail':
      return 'address-change';
    case 'cleaned':
      return 'cleaned';
    case 'campaign':
      return 'campaign';
    default:
      return 'profile-update';
  }
}

function clauseOf(flags: readonly ModerationFlag[], action: string): string {
  return flags.filter((f) => f.action === action).map((f) => f.clause).join('; ');
}

export function moderationText(item: InboundItem): string {
  return item.subject ? `${item.subject}\n${item.text}` : item.text;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}
