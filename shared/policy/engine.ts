import type { Action, Decision, InboundItem, ModerationFlag, Reason, TextKey } from '../model/index.ts';
import type { Policy } from './schema.ts';
import { detectModeration, linkContextOf, type ModelFinding } from './moderation.ts';
import { type MailAuth, mailAuth } from './mail-auth.ts';
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

/**
 * Decides what happens to an item. The stages run in this order, and the first
 * that settles the item decides it; the reasons they give accumulate in order:
 *  1. content we must not act on (virus, spam);
 *  2. our own traffic coming back (echo, own sender: the loop guard);
 *  3. consent-ledger facts (Mailchimp audience events, SMS keywords);
 *  4. email whose sender fails authentication, held for the clerk;
 *  5. correspondence: formal or informal, and what may be sent back.
 */
export function decide(item: InboundItem, policy: Policy, context: DecisionContext): Decision {
  const run = startRun(item, policy, context);
  const settled = refuseUnsafeContent(run) ?? ignoreOwnTraffic(run) ?? keepLedgerFact(run);
  if (settled) return settled;
  const assessed = assess(run);
  return holdUnverifiedSender(assessed) ?? answerCorrespondence(assessed);
}

type Because = (rule: string, clause: string, detail: string) => void;
type DecisionParts = Omit<Decision, 'reasons' | 'policyVersion' | 'flags'> & { flags?: ModerationFlag[] };

/** One decision in progress: the item, what is known about its sender, and the reasons given so far. */
interface Run {
  readonly item: InboundItem;
  readonly policy: Policy;
  readonly context: DecisionContext;
  readonly email: boolean;
  readonly auth: MailAuth | undefined;
  /** Which of our own identities sent it, if any. */
  readonly own: string | undefined;
  readonly because: Because;
  result(parts: DecisionParts): Decision;
}

/** A run past the early stages: moderation flags and office hours are known. */
interface AssessedRun extends Run {
  readonly flags: ModerationFlag[];
  /** When the inbox is next monitored, if the item came outside office hours. */
  readonly next: Date | undefined;
  reply(textKey: TextKey): Action;
}

function startRun(item: InboundItem, policy: Policy, context: DecisionContext): Run {
  const reasons: Reason[] = [];
  const email = item.channel === 'email';
  return {
    item,
    policy,
    context,
    email,
    auth: email ? mailAuth(item) : undefined,
    own: CHANNEL_REGISTRY[item.channel].ownSender(item, policy),
    because: (rule, clause, detail) => {
      reasons.push({ rule, clause, detail });
    },
    result: (parts) => {
      const { hold, nextMonitoredAt: next, ...rest } = parts;
      // Absent rather than undefined, so the decision stores and compares cleanly.
      return {
        ...rest,
        ...(hold ? { hold } : {}),
        ...(next ? { nextMonitoredAt: next } : {}),
        flags: parts.flags ?? [],
        reasons,
        policyVersion: policy.version,
      };
    },
  };
}

const ignored = (run: Run): Decision => run.result({ classification: 'ignored', actions: [{ type: 'none' }] });

/** Stage 1: content we must not act on at all. */
function refuseUnsafeContent(run: Run): Decision | undefined {
  const { item, policy, because } = run;
  const t = item.transport;
  if (t.virus === 'FAIL') {
    because('virus-verdict', HUB_CLAUSES.virus, 'The mail failed virus scanning; it is not opened, routed or answered.');
    return ignored(run);
  }
  if (t.spam === 'FAIL' || (t.spamScore !== undefined && t.spamScore >= policy.trust.spamScoreThreshold)) {
    if (t.spam === 'FAIL') because('spam-verdict', HUB_CLAUSES.spam, 'The provider marked the mail as spam; it is not routed or answered.');
    else
      because(
        'spam-verdict',
        policy.trust.clause,
        `Spam score ${t.spamScore} is at or above the threshold of ${policy.trust.spamScoreThreshold}; it is not routed or answered.`,
      );
    return ignored(run);
  }
  return undefined;
}

/** Stage 2: our own traffic coming back. Mail that only claims to be ours (authentication failed) goes on to stage 4. */
function ignoreOwnTraffic(run: Run): Decision | undefined {
  if (run.item.transport.isEcho) {
    run.because('echo', HUB_CLAUSES.echo, 'This is our own message echoed back by the channel.');
    return ignored(run);
  }
  if (run.own && run.auth?.status !== 'unverified') {
    run.because('own-sender', HUB_CLAUSES.ownSender, `Sent from our own ${run.own}; never answered, so replies cannot loop.`);
    return ignored(run);
  }
  return undefined;
}

/** Stage 3: consent-ledger facts: formal, audited, never answered. */
function keepLedgerFact(run: Run): Decision | undefined {
  const { item, policy, because } = run;
  if (item.channel === 'mailchimp' || item.audience) {
    const change = ledgerChange(item.audience?.type);
    because(
      'mailchimp-audience',
      policy.channels.mailchimp.clause,
      `Mailchimp audience event "${item.audience?.type ?? 'unknown'}" is kept as a consent-ledger record; no consent form, no reply.`,
    );
    return run.result({ classification: 'formal', actions: [{ type: 'audit' }, { type: 'consent-ledger', change }] });
  }
  if (item.channel === 'sms' && item.smsKeyword) {
    const change = item.smsKeyword === 'STOP' ? 'opt-out' : item.smsKeyword === 'START' ? 'opt-in' : 'help';
    because(
      'sms-keyword',
      `${policy.channels.sms.clause}; ${HUB_CLAUSES.smsKeywords}`,
      `SMS keyword ${item.smsKeyword} is kept as a consent-ledger record; the carrier answers it, so the hub does not.`,
    );
    return run.result({ classification: 'formal', actions: [{ type: 'audit' }, { type: 'consent-ledger', change }] });
  }
  return undefined;
}

/** What every later stage needs: the moderation flags, office hours and the texts' variables. */
function assess(run: Run): AssessedRun {
  const { item, policy, context } = run;
  const flags = detectModeration(moderationText(item), policy.moderation, linkContextOf(policy), context.modelFindings);
  const next = isWithinOfficeHours(policy, context.now) ? undefined : nextMonitoredAt(policy, context.now);
  const vars: Record<string, string> = next ? { nextMonitored: describeLondonTime(next) } : {};
  const reply = (textKey: TextKey): Action => ({ type: 'auto-reply', textKey, text: renderText(policy, textKey, vars, item.channel) });
  return { ...run, flags, next, reply };
}

/** The flags and office hours, on the record. */
function noteFlagsAndHours(run: AssessedRun): void {
  for (const f of run.flags) run.because(`moderation:${f.category}`, f.clause, `Content matched "${f.category}" (${f.action}).`);
  if (run.next)
    run.because('out-of-office', run.policy.officeHours.clause, `Received outside office hours; the inbox is next monitored ${describeLondonTime(run.next)}.`);
}

const nextIso = (run: AssessedRun): string | undefined => (run.next ? toLondonIso(run.next) : undefined);

/** Stage 4: email that fails authentication is never trusted as formal and never answered. */
function holdUnverifiedSender(run: AssessedRun): Decision | undefined {
  if (run.auth?.status !== 'unverified') return undefined;
  const spoofed = run.own ? ` It claims to come from our own ${run.own}.` : '';
  run.because(
    'unverified-sender',
    HUB_CLAUSES.authentication,
    `The sender could not be verified (${run.auth.verdicts}): the address may be forged.${spoofed} Held for the clerk to check; no reply of any kind, no consent form.`,
  );
  noteFlagsAndHours(run);
  return run.result({
    classification: 'formal',
    hold: 'unverified-sender',
    flags: run.flags,
    actions: [{ type: 'audit' }, { type: 'route-to-clerk', hold: 'unverified-sender' }],
    nextMonitoredAt: nextIso(run),
  });
}

/** Stage 5: formal or informal, and what may be sent back. */
function answerCorrespondence(run: AssessedRun): Decision {
  const formal = decideFormality(run.item, run.policy, run.because);
  noteFlagsAndHours(run);
  const silent = mustStaySilent(run);
  return formal ? answerFormal(run, silent) : answerInformal(run, silent);
}

/** True when nothing automatic may go back: automatic mail, an address we cannot authenticate, or a number we may not text. */
function mustStaySilent(run: AssessedRun): boolean {
  const { item, policy, auth, because } = run;
  const automatic = run.email ? automaticMail(item) : undefined;
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
  return Boolean(automatic) || auth?.status === 'unauthenticated' || smsBlocked;
}

/** Formal: audited and routed; the sender is asked for consent and told the reference, unless we must stay silent. */
function answerFormal(run: AssessedRun, silent: boolean): Decision {
  const { item, policy, context, because } = run;
  const actions: Action[] = [{ type: 'audit' }, { type: 'route-to-clerk' }];
  if (run.flags.length > 0) {
    because(
      'moderation-formal',
      channelRule(policy, item.channel).clause,
      'Formal correspondence always reaches the clerk; flags are shown to the clerk, not acted on automatically.',
    );
  }
  if (!silent && needsConsent(item, policy, context, because)) actions.push({ type: 'consent-request' });
  // The reply rate limit is for informal replies: every formal matter is answered with its reference.
  if (run.next && run.email && policy.officeHours.outOfOfficeReply && !silent) actions.push(run.reply('outOfOffice'));
  const toldReference = actions.some((a) => a.type === 'consent-request' || (a.type === 'auto-reply' && a.textKey === 'outOfOffice'));
  // A reply in a thread we hold continues a matter whose reference the resident already has.
  if (!silent && !toldReference && !context.knownThreadRef) {
    because(
      'formal-acknowledgement',
      HUB_CLAUSES.acknowledgement,
      'Formal correspondence: the sender is told its reference (nothing else sent to them carries it).',
    );
    actions.push(run.reply('formalAcknowledgement'));
  }
  return run.result({ classification: 'formal', flags: run.flags, actions, nextMonitoredAt: nextIso(run) });
}

/** Informal: moderation may hold it for the clerk or answer it; otherwise the not-official-contact reply. */
function answerInformal(run: AssessedRun, silent: boolean): Decision {
  const { item, policy, context, flags, because } = run;
  const actions: Action[] = [];
  const acted = flags.filter((f) => f.action !== 'flag');
  let hold: Decision['hold'];
  // A Page comment the policy hides or puts to the clerk (withyham.txt §6.13) is audited and routed even when its category is only flagged.
  const onPage =
    item.channel === 'facebook-comment' &&
    policy.pageModeration !== undefined &&
    flags.some((f) => (policy.moderation.find((r) => r.category === f.category)?.page ?? 'none') !== 'none');
  if (acted.length > 0 || onPage) {
    hold = 'moderation';
    actions.push({ type: 'audit' }, { type: 'route-to-clerk', hold: 'moderation' });
  }
  const canReply = !silent;
  if (canReply && acted.some((f) => f.action === 'invite-formal-complaint')) {
    because(
      'formal-complaint-invitation',
      clauseOf(acted, 'invite-formal-complaint'),
      'The content alleges a breach; the sender is invited to make a formal complaint.',
    );
    actions.push(run.reply('formalComplaintInvitation'));
  } else if (canReply && acted.some((f) => f.action === 'policy-breach-notice')) {
    because('policy-breach-notice', clauseOf(acted, 'policy-breach-notice'), 'The content breaches the policy; the sender is told so.');
    actions.push(run.reply('policyBreachNotice'));
  } else if (acted.length > 0 || onPage) {
    because('moderation-hold', (acted.length ? acted : flags).map((f) => f.clause).join('; '), 'Held for the clerk to decide; no automatic reply.');
  } else if (canReply) {
    if (!isRateLimited(policy, context)) actions.push(run.reply('notOfficialContact'));
    else {
      because(
        'rate-limit',
        policy.autoReplyRateLimit.clause,
        `This sender already had an automatic reply within ${policy.autoReplyRateLimit.windowDays} days (last ${context.lastAutoReplyAt}).`,
      );
    }
  }
  if (actions.length === 0) actions.push({ type: 'none' });
  return run.result({ classification: 'informal', hold, flags, actions, nextMonitoredAt: nextIso(run) });
}

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
  return flags
    .filter((f) => f.action === action)
    .map((f) => f.clause)
    .join('; ');
}

export function moderationText(item: InboundItem): string {
  return item.subject ? `${item.subject}\n${item.text}` : item.text;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}
