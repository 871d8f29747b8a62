import type { Action, AuditEventType, ConsentStatus, Decision, InboundItem, OutboxMessage } from '../model/index.ts';
import type { RawMailStore } from '../channels/mail-stores.ts';
import { contentKey, fitContent } from '../store/content-overflow.ts';
import { CHANNEL_REGISTRY } from '../channels/registry.ts';
import { decide, moderationText, type DecisionContext } from '../policy/engine.ts';
import type { ModelFinding } from '../policy/moderation.ts';
import { moderatePageComment } from '../moderation/page-classify.ts';
import { bedrockConverse, PUBLIC_CHANNELS, secondOpinion, type Converse } from '../moderation/second-tier.ts';
import { replayDecision } from '../policy/replay.ts';
import type { Policy } from '../policy/schema.ts';
import { fillPlaceholders } from '../policy/texts.ts';
import type { OutboxSink } from '../queue/outbox.ts';
import type { AuditStore } from '../store/audit-store.ts';
import { londonDay } from '../runtime/london-time.ts';
import type { OpsStore } from '../store/ops-store.ts';
import type { CaseStore } from '../store/case-store.ts';
import { processClerkReply } from '../answers/answer.ts';
import { lastMessageKey } from '../answers/plan.ts';
import { looksLikeReplyAddress, mailDomainOf, replyAddress, verifyReplyAddress } from '../answers/reply-address.ts';
import { openCase, registerReminders } from '../cases/open-case.ts';
import { resumeClock } from '../cases/commands.ts';
import { caseLinkLines } from '../cases/case-link.ts';
import { caseworkOf } from '../cases/casework.ts';
import { shortExample, topicOf } from '../cases/themes.ts';
import { composeAutoReply, composeClerkRouting, replyTargetFor, residentReplyAddress, type ReplyTarget } from './compose.ts';
import { joinPendingMatter, requestConsent } from './consent-request.ts';
import { takeOutboundBudget } from './outbound-budget.ts';
import { hashSender } from '../store/hash.ts';
import { retainUntilFor } from '../dataprotection/retention-period.ts';
import { log } from '../runtime/log.ts';
import { OPS_PREFIX, valueKey } from '../store/keys.ts';

/**
 * Classify one inbound item: decide, record, then enqueue what leaves.
 *
 * Exactly once in effect, without transactions:
 * - `ITEM#<itemId>` in the ops table is claimed first. The decision and the
 *   allocated reference are stored in it (first writer wins), so a redelivery
 *   or a concurrent duplicate reuses them rather than deciding again.
 * - Every later write is idempotent on a deterministic key: audit events on
 *   `${itemId}:<type>`, summary and content on the reference (put once),
 *   logs, due entries and rate-limit records on the item, outbox messages on
 *   `${itemId}:<kind>` (deliver sends each id at most once).
 * - The audit record is written before anything is enqueued; the claim is
 *   marked done only after the publish. A crash anywhere in between resumes
 *   on redelivery and ends with one record and one of each message.
 */

export interface ClassifyDeps {
  readonly audit: AuditStore;
  readonly ops: OpsStore;
  readonly outbox: OutboxSink;
  readonly policy: Policy;
  readonly secrets: { readonly CONSENT_SIGNING_KEY: string };
  readonly now: () => Date;
  /** Scheme + host [+ base path] of the public API; consent links are built on it. */
  readonly publicBaseUrl: string;
  /** Cases (issue 13): routed items get a signed reply address and a case; mail to a reply address is the clerk answering. */
  readonly cases?: CaseStore;
  /** Where a body too large for a DynamoDB record is kept (the raw-mail bucket; MAIL_DIR locally). */
  readonly bodies?: RawMailStore;
  /** Bedrock Converse for the optional second tier of moderation (only called when the policy opts in; see shared/moderation/second-tier.ts). */
  readonly converse?: Converse;
}

export interface Outcome {
  readonly itemId: string;
  readonly classification: Decision['classification'];
  readonly ref?: string;
  /** Ids of the outbox messages published for this item. */
  readonly outboxIds: readonly string[];
  /** True when the item had already been fully processed (a redelivery). */
  readonly duplicate: boolean;
}

interface Progress {
  state: 'deciding' | 'decided' | 'done';
  decision?: Decision;
  ref?: string;
  decidedAt?: string;
  /** The matter this item continues (a reply in a thread we hold) and its consent status when decided. */
  matter?: Matter;
}

interface Matter {
  readonly ref: string;
  readonly status: ConsentStatus;
}

/** Long enough to outlast every redelivery (SQS keeps messages 14 days) and late webhook retries. */
const CLAIM_TTL_SECONDS = 30 * 86_400;
/** How long thread keys (Message-IDs, mids) of audited items are remembered for reply detection. */
const THREAD_TTL_SECONDS = 400 * 86_400;

export async function processInboundItem(item: InboundItem, deps: ClassifyDeps): Promise<Outcome> {
  const { ops, policy } = deps;
  const answered = await answerIfClerkReply(item, deps);
  if (answered) return answered;
  const key = valueKey<Progress>(`${OPS_PREFIX.item}${item.itemId}`);
  const senderHash = senderHashOf(item, deps.secrets.CONSENT_SIGNING_KEY);

  const claim = await ops.claim(key, { ttlSeconds: CLAIM_TTL_SECONDS, value: { state: 'deciding' } });
  let progress: Progress = (!claim.claimed && claim.existing) || { state: 'deciding' };
  if (progress.state === 'done') {
    return {
      itemId: item.itemId,
      classification: progress.decision?.classification ?? 'ignored',
      ...(progress.ref ? { ref: progress.ref } : {}),
      outboxIds: [],
      duplicate: true,
    };
  }

  if (!progress.decision) {
    const now = deps.now();
    const [lastReply, knownThreadRef] = await Promise.all([ops.lastAutoReply(senderHash), ops.findThread(threadKeysReferenced(item))]);
    // Consent is per matter: only an answer given for the thread this item continues applies to it.
    const matterStatus = knownThreadRef ? (await deps.audit.getSummary(knownThreadRef))?.consentStatus : undefined;
    const matter: Matter | undefined = knownThreadRef && matterStatus ? { ref: knownThreadRef, status: matterStatus } : undefined;
    const context: DecisionContext = {
      now,
      consentOnFile: matter?.status === 'granted',
      ...(lastReply && lastReply.itemId !== item.itemId ? { lastAutoReplyAt: lastReply.at } : {}),
      ...(knownThreadRef ? { knownThreadRef } : {}),
    };
    const model = await askModerationModel(item, policy, deps);
    const decision = replayDecision(item, policy, now) ?? decide(item, policy, model ? { ...context, modelFindings: model } : context);
    const ref = isAudited(decision) ? await ops.allocateReference(policy.council.referencePrefix, referenceYear(item.receivedAt)) : undefined;
    const next: Progress = { state: 'decided', decision, decidedAt: now.toISOString(), ...(matter ? { matter } : {}), ...(ref ? { ref } : {}) };
    // First writer wins; a concurrent duplicate adopts the winner's decision (its own reference number is then unused).
    if (await ops.putIf(key, next, { field: 'state', equals: 'deciding' }, { ttlSeconds: CLAIM_TTL_SECONDS })) {
      progress = next;
    } else {
      const winner = await ops.get(key);
      if (!winner?.decision) throw new Error(`classify: lost the decision race for ${item.itemId} but found no decision`);
      progress = winner;
      if (winner.state === 'done')
        return {
          itemId: item.itemId,
          classification: winner.decision.classification,
          ...(winner.ref ? { ref: winner.ref } : {}),
          outboxIds: [],
          duplicate: true,
        };
    }
  }

  const decision = progress.decision!;
  const decidedAt = progress.decidedAt ?? deps.now().toISOString();
  const messages = isAudited(decision)
    ? await recordAudited(item, decision, progress.ref!, decidedAt, progress.matter, senderHash, deps)
    : await recordMinimal(item, decision, decidedAt, senderHash, deps);

  await deps.outbox.publish(messages);
  await ops.put(key, { ...progress, state: 'done' }, { ttlSeconds: dedupeSeconds(decision, policy) });
  return {
    itemId: item.itemId,
    classification: decision.classification,
    ...(progress.ref ? { ref: progress.ref } : {}),
    outboxIds: messages.map((m) => m.id),
    duplicate: false,
  };
}

/** The second tier's findings, when the council opted in and the item is public; undefined otherwise or when it failed (the rules decide alone). */
async function askModerationModel(item: InboundItem, policy: Policy, deps: ClassifyDeps): Promise<ModelFinding[] | undefined> {
  const model = policy.moderationModel;
  if (!model?.enabled || !PUBLIC_CHANNELS.includes(item.channel)) return undefined;
  const answer = await secondOpinion(moderationText(item), item.channel, policy, deps.converse ?? bedrockConverse(model.region));
  return answer?.findings.length ? answer.findings : undefined;
}

/**
 * A finished item is remembered as long as its record is kept (formal
 * retention, or the informal log's), so a provider event replayed later
 * (Twilio signatures carry no timestamp) is still recognised as a duplicate.
 */
function dedupeSeconds(decision: Decision, policy: Policy): number {
  const retained = isAudited(decision) ? policy.retention.formal.years * 366 * 86_400 : policy.retention.informal.days * 86_400;
  return Math.max(CLAIM_TTL_SECONDS, retained);
}

/** Formal items, held items and consent-ledger facts get an audit record and a reference. */
export function isAudited(decision: Decision): boolean {
  return decision.classification === 'formal' || decision.actions.some((a) => a.type === 'audit' || a.type === 'consent-ledger');
}

async function recordAudited(
  item: InboundItem,
  decision: Decision,
  ref: string,
  decidedAt: string,
  matter: Matter | undefined,
  senderHash: string,
  deps: ClassifyDeps,
): Promise<OutboxMessage[]> {
  const receivedAt = new Date(item.receivedAt).toISOString();
  const wantsConsent = decision.actions.some((a) => a.type === 'consent-request');
  const audited: Audited = {
    item,
    decision,
    ref,
    decidedAt,
    senderHash,
    receivedAt,
    retainUntil: retainUntilFor(decision.classification, receivedAt, deps.policy),
    // A reply in a thread carries its matter's consent (given, declined or still awaited) to the clerk.
    consentStatus: wantsConsent ? 'requested' : matter && routesToClerk(decision) ? matter.status : 'not-needed',
    target: replyTargetFor(item),
    event: (type, data, suffix = type) => deps.audit.append({ ref, itemId: item.itemId, type, at: decidedAt, data, eventKey: `${item.itemId}:${suffix}` }),
  };
  await rememberLastMessage(item, deps);
  // 1. The record, before anything leaves.
  await recordItem(audited, deps);
  // 2. What leaves, with its events written before it is published.
  const messages: OutboxMessage[] = routesToClerk(decision) ? await routeToClerk(audited, deps) : [];
  if (wantsConsent && audited.target) {
    const { policy, ops } = deps;
    const toResident = await requestConsent(
      { item, ref, decidedAt, senderHash, target: audited.target },
      { policy, ops, signingKey: deps.secrets.CONSENT_SIGNING_KEY, publicBaseUrl: deps.publicBaseUrl, now: deps.now, event: audited.event },
    );
    messages.push(...(await withinBudget(toResident, decidedAt, deps, audited.event)).messages);
  }
  if (!wantsConsent && matter && routesToClerk(decision) && (matter.status === 'requested' || matter.status === 'reminded')) {
    await joinPendingMatter(deps.ops, deps.policy, matter.ref, ref, decidedAt, deps.now());
  }
  const replies = await autoReplies(item, decision, ref, decidedAt, senderHash, audited.target, deps);
  messages.push(...(await withinBudget(replies, decidedAt, deps, audited.event)).messages);
  return messages;
}

type AuditEvent = (type: AuditEventType, data: Record<string, unknown>, suffix?: string) => Promise<unknown>;

/** An audited item being recorded: what every step of recordAudited needs. */
interface Audited {
  readonly item: InboundItem;
  readonly decision: Decision;
  readonly ref: string;
  readonly decidedAt: string;
  readonly senderHash: string;
  readonly receivedAt: string;
  readonly retainUntil: string;
  readonly consentStatus: ConsentStatus;
  readonly target: ReplyTarget | undefined;
  /** Appends the item's event once (idempotent on `${itemId}:<suffix>`). */
  readonly event: AuditEvent;
}

/** Content (a body too large for DynamoDB goes to the raw-mail bucket), summary, the received and classified events, ledger facts, thread keys. */
async function recordItem(audited: Audited, deps: ClassifyDeps): Promise<void> {
  const { item, decision, ref, senderHash, receivedAt, retainUntil, consentStatus, event } = audited;
  const { audit, ops, policy } = deps;
  const content = await fitContent(
    {
      senderHash,
      sender: item.sender,
      ...(item.headerFrom ? { headerFrom: item.headerFrom } : {}),
      ...(item.replyTo ? { replyTo: item.replyTo } : {}),
      ...(item.subject !== undefined ? { subject: item.subject } : {}),
      text: item.text,
      ...(item.textTruncated ? { textTruncated: true } : {}),
      attachments: item.attachments,
    },
    contentKey(policy.council.id, ref),
    deps.bodies,
  );
  const contentHash = await audit.putContent(ref, content, retainUntil);
  await audit.putSummary({
    ref,
    council: policy.council.id,
    itemId: item.itemId,
    channel: item.channel,
    provider: item.provider,
    classification: decision.classification,
    receivedAt,
    day: londonDay(receivedAt),
    senderHash,
    consentStatus,
    retainUntil,
  });
  await event('received', {
    channel: item.channel,
    provider: item.provider,
    kind: item.kind,
    receivedAt,
    contentHash,
    attachments: item.attachments.length,
    textTruncated: Boolean(item.textTruncated),
    ...(item.raw ? { rawKey: item.raw.key } : {}),
    retainUntil,
  });
  await event('classified', {
    classification: decision.classification,
    ...(decision.hold ? { hold: decision.hold } : {}),
    // Rule ids and clauses only: reason details and flag evidence quote the resident and stay in the clerk's copy.
    reasons: decision.reasons.map((r) => ({ rule: r.rule, clause: r.clause })),
    flags: decision.flags.map((f) => ({ category: f.category, clause: f.clause, action: f.action })),
    actions: decision.actions.map(actionSummary),
    policyVersion: decision.policyVersion,
    consentStatus,
  });
  await recordLedgerFacts(audited, deps);
  const threadKeys = ownThreadKeys(item);
  if (threadKeys.length) await ops.rememberThread(threadKeys, ref, THREAD_TTL_SECONDS);
}

/** Consent-ledger facts (Mailchimp audience events, SMS keywords): an event each, and the sender's ledger. */
async function recordLedgerFacts({ item, decision, senderHash, receivedAt, event }: Audited, deps: ClassifyDeps): Promise<void> {
  for (const [i, action] of decision.actions.entries()) {
    if (action.type !== 'consent-ledger') continue;
    const audience = item.audience ? { audienceEvent: item.audience.type, ...(item.audience.reason ? { reason: item.audience.reason } : {}) } : {};
    await event(
      'consent-ledger',
      { change: action.change, channel: item.channel, ...audience, ...(item.smsKeyword ? { keyword: item.smsKeyword } : {}) },
      `consent-ledger:${i}`,
    );
    await deps.ops.recordConsentLedger(senderHash, action.change, receivedAt, item.itemId);
  }
}

/** The clerk's routing email (with the case, when cases are on, and any Page moderation), its event written first. */
async function routeToClerk(audited: Audited, deps: ClassifyDeps): Promise<OutboxMessage[]> {
  const { item, decision, ref, decidedAt, senderHash, consentStatus, target, retainUntil, event } = audited;
  const { policy, ops } = deps;
  const opened = deps.cases ? await recordCase(item, decision, ref, target, retainUntil, decidedAt, deps.cases, deps) : undefined;
  const onPage = await moderatePageComment(item, decision, ref, senderHash, decidedAt, {
    policy,
    ops,
    event,
    signingKey: deps.secrets.CONSENT_SIGNING_KEY,
    baseUrl: deps.publicBaseUrl,
  });
  const routing = composeClerkRouting({
    item,
    decision,
    ref,
    policy,
    consentStatus,
    createdAt: decidedAt,
    ...opened,
    ...(onPage ? { pageModeration: onPage.routing } : {}),
  });
  await event('routed', { outboxId: routing.id, channel: 'email', ...(decision.hold ? { hold: decision.hold } : {}) });
  return [routing, ...(onPage?.messages ?? [])];
}

/**
 * Messages to residents within the channel's daily budget, plus the clerk's
 * one alert when this item tripped it. Withheld messages are recorded: an
 * audit event for audited items, the returned list for the minimal log.
 */
async function withinBudget(
  messages: OutboxMessage[],
  decidedAt: string,
  deps: ClassifyDeps,
  event?: AuditEvent,
): Promise<{ messages: OutboxMessage[]; withheld: string[] }> {
  const out: OutboxMessage[] = [];
  const withheld: string[] = [];
  for (const message of messages) {
    const budget = await takeOutboundBudget(message, deps.policy, deps.ops, decidedAt);
    if (budget.alert) out.push(budget.alert);
    if (budget.granted) {
      out.push(message);
      continue;
    }
    withheld.push(`withheld:${message.kind}:daily-limit`);
    await event?.(
      'reply-skipped',
      { outboxId: message.id, kind: message.kind, channel: message.channel, reason: budget.reason, clause: budget.clause },
      `${message.id}:withheld`,
    );
  }
  return { messages: out, withheld };
}

async function recordMinimal(item: InboundItem, decision: Decision, decidedAt: string, senderHash: string, deps: ClassifyDeps): Promise<OutboxMessage[]> {
  const receivedAt = new Date(item.receivedAt).toISOString();
  await rememberLastMessage(item, deps);
  const replies = await withinBudget(await autoReplies(item, decision, undefined, decidedAt, senderHash, replyTargetFor(item), deps), decidedAt, deps);
  const topic = decision.classification === 'informal' && item.text.trim() ? topicOf(`${item.subject ?? ''} ${item.text}`) : undefined;
  await deps.ops.logMinimal(
    {
      itemId: item.itemId,
      channel: item.channel,
      classification: decision.classification,
      receivedAt,
      senderHash,
      reasons: decision.reasons.map((r) => ({ rule: r.rule, clause: r.clause })),
      actions: [...decision.actions.map((a) => (a.type === 'auto-reply' ? `auto-reply:${a.textKey}` : a.type)), ...replies.withheld],
      policyVersion: decision.policyVersion,
      ...(topic ? { topic } : {}),
      retainDays: deps.policy.retention.informal.days,
    },
    londonDay(receivedAt),
  );
  if (topic && deps.cases) await deps.ops.recordTheme(londonDay(receivedAt), topic, item.itemId, shortExample(item.text), deps.policy.retention.informal.days);
  return replies.messages;
}

/**
 * The decision's automatic replies, after taking this sender's rate-limit
 * slot (conditional: a concurrent item from the same sender cannot also get
 * one; the same item again can, so a resumed run still sends its reply).
 */
async function autoReplies(
  item: InboundItem,
  decision: Decision,
  ref: string | undefined,
  decidedAt: string,
  senderHash: string,
  target: ReplyTarget | undefined,
  deps: ClassifyDeps,
): Promise<OutboxMessage[]> {
  const replies = decision.actions.filter((a): a is Extract<Action, { type: 'auto-reply' }> => a.type === 'auto-reply');
  if (!replies.length) return [];
  const skip = async (reason: string, clause: string): Promise<OutboxMessage[]> => {
    const data = { reason, clause, textKeys: replies.map((r) => r.textKey) };
    if (ref) await deps.audit.append({ ref, itemId: item.itemId, type: 'reply-skipped', at: decidedAt, data, eventKey: `${item.itemId}:reply-skipped` });
    else log.info('reply skipped', { itemId: item.itemId, ...data });
    return [];
  };
  if (!target) return skip('no-reply-channel', 'default: the channel has no way to answer this sender');
  // The rate limit is for informal replies; each formal matter gets its own answer with its reference.
  const limited = decision.classification !== 'formal';
  if (limited && !(await deps.ops.recordAutoReply(senderHash, decidedAt, deps.policy.autoReplyRateLimit.windowDays, item.itemId))) {
    return skip('rate-limit', deps.policy.autoReplyRateLimit.clause);
  }
  const seen = new Set<string>();
  return replies.map((action) => {
    const kind = action.textKey === 'formalComplaintInvitation' ? 'complaint-invitation' : 'auto-reply';
    const idSuffix = seen.has(kind) ? `:${action.textKey}` : '';
    seen.add(kind);
    // The engine renders texts before a reference exists; fill it in now (outOfOffice quotes it).
    const text = ref ? fillPlaceholders(action.text, { reference: ref }) : action.text;
    return composeAutoReply({ target, policy: deps.policy, text, kind, createdAt: decidedAt, idSuffix, ...(ref ? { ref } : {}) });
  });
}

/**
 * Mail to one of our reply addresses is the clerk answering (or someone else
 * trying to): it never goes through the policy engine as correspondence.
 */
async function answerIfClerkReply(item: InboundItem, deps: ClassifyDeps): Promise<Outcome | undefined> {
  if (!deps.cases || item.channel !== 'email') return undefined;
  const domain = mailDomainOf(deps.policy.contacts.hubAddresses[0]!);
  const addressed = [...item.recipients, ...(item.cc ?? [])].filter((a) => looksLikeReplyAddress(a, domain));
  if (addressed.length === 0) return undefined;
  const ref = addressed.map((a) => verifyReplyAddress(a, deps.policy.council.id, domain, deps.secrets.CONSENT_SIGNING_KEY)).find(Boolean);
  if (!ref) {
    // A made-up or mangled reply address: nobody to tell and nothing to answer.
    const decision: Decision = {
      classification: 'ignored',
      reasons: [
        {
          rule: 'bad-reply-address',
          clause: 'default: signed reply addresses (issue 13)',
          detail: 'Sent to a reply address whose signature does not match any item.',
        },
      ],
      flags: [],
      actions: [{ type: 'none' }],
      policyVersion: deps.policy.version,
    };
    await recordMinimal(item, decision, deps.now().toISOString(), senderHashOf(item, deps.secrets.CONSENT_SIGNING_KEY), deps);
    return { itemId: item.itemId, classification: 'ignored', outboxIds: [], duplicate: false };
  }
  const result = await processClerkReply(item, ref, {
    audit: deps.audit,
    ops: deps.ops,
    cases: deps.cases,
    outbox: deps.outbox,
    policy: deps.policy,
    now: deps.now,
  });
  return { itemId: item.itemId, classification: 'ignored', ref, outboxIds: result.outboxIds, duplicate: result.outcome === 'duplicate' };
}

/** The case, its `case-opened` event and reminders; returns what the routing email needs. */
async function recordCase(
  item: InboundItem,
  decision: Decision,
  ref: string,
  target: ReplyTarget | undefined,
  retainUntil: string,
  decidedAt: string,
  cases: CaseStore,
  deps: ClassifyDeps,
) {
  const { policy } = deps;
  // A person's answer goes where the resident asked (Reply-To), but only to an address their mail authenticated (as for the clerk's own reply).
  const emailReply = item.channel === 'email' ? residentReplyAddress(item) : undefined;
  const answerTarget = emailReply ? (emailReply.authenticated && emailReply.address && target ? { ...target, to: emailReply.address } : undefined) : target;
  const earlier = await deps.ops.findThread(threadKeysReferenced(item));
  const opened = openCase({
    item,
    decision,
    ref,
    policy,
    retainUntil,
    ...(answerTarget ? { target: answerTarget } : {}),
    ...(emailReply && !answerTarget ? { answerBlock: 'unauthenticated-sender' } : {}),
    ...(earlier && earlier !== ref ? { threadOf: earlier } : {}),
  });
  if (earlier && earlier !== ref) await resumeIfClarified(earlier, item, decidedAt, cases, deps);
  await cases.create(opened.record);
  const clock = opened.record.clock;
  await deps.audit.append({
    ref,
    itemId: item.itemId,
    type: 'case-opened',
    at: decidedAt,
    data: {
      status: opened.record.status,
      ...(opened.detection ? { caseType: opened.detection.type, rule: opened.detection.rule, clause: opened.detection.clause } : {}),
      ...(clock ? { dueOn: clock.dueOn, dueClause: clock.clause } : {}),
    },
    eventKey: `${item.itemId}:case-opened`,
  });
  if (clock) await registerReminders(deps.ops, ref, clock.dueOn, policy, deps.now());
  const domain = mailDomainOf(policy.contacts.hubAddresses[0]!);
  const links =
    opened.record.status === 'open' && deps.publicBaseUrl
      ? caseLinkLines({ council: policy.council.id, ref, key: deps.secrets.CONSENT_SIGNING_KEY, baseUrl: deps.publicBaseUrl, now: new Date(decidedAt) })
      : [];
  return {
    replyAddress: replyAddress(policy.council.id, ref, domain, deps.secrets.CONSENT_SIGNING_KEY),
    ...(opened.note ? { caseNote: opened.note } : {}),
    ...(links.length ? { caseLinks: links } : {}),
  };
}

/** The resident answered the council's request for clarification in the same thread: the statutory clock runs again. */
async function resumeIfClarified(ref: string, item: InboundItem, at: string, cases: CaseStore, deps: ClassifyDeps): Promise<void> {
  const existing = await cases.get(ref);
  if (!existing?.clock?.pausedSince) return;
  const today = londonDay(new Date(item.receivedAt).toISOString());
  const updated = await cases.update(ref, (c) => resumeClock(c, today, caseworkOf(deps.policy).complaintWorkingDays));
  await deps.audit.append({
    ref,
    itemId: existing.itemId,
    type: 'case-updated',
    at,
    data: {
      by: 'resident',
      change: 'clarification received',
      clarificationItemId: item.itemId,
      status: updated.status,
      ...(updated.clock ? { dueOn: updated.clock.dueOn, clause: updated.clock.clause } : {}),
    },
    eventKey: `${item.itemId}:clarification`,
  });
  if (updated.clock) await registerReminders(deps.ops, ref, updated.clock.dueOn, deps.policy, deps.now());
}

/** Messenger's reply window runs from the resident's latest message, whatever it was classified as. */
async function rememberLastMessage(item: InboundItem, deps: ClassifyDeps): Promise<void> {
  if (item.channel !== 'messenger' || !deps.cases || !item.sender.id) return;
  const key = lastMessageKey(item.sender.id);
  const current = await deps.ops.get(key);
  if (typeof current?.at === 'string' && current.at >= item.receivedAt) return;
  await deps.ops.put(key, { at: new Date(item.receivedAt).toISOString() }, { ttlSeconds: 2 * 86_400 });
}

/** The sender hash of an item; items without a sender identity (a comment without `from`) get one per item. */
export function senderHashOf(item: InboundItem, key: string): string {
  return hashSender(item.sender.id || `unknown:${item.itemId}`, key);
}

function routesToClerk(decision: Decision): boolean {
  return decision.actions.some((a) => a.type === 'route-to-clerk');
}

function actionSummary(action: Action): Record<string, unknown> {
  switch (action.type) {
    case 'auto-reply':
      return { type: action.type, textKey: action.textKey };
    case 'route-to-clerk':
      return { type: action.type, ...(action.hold ? { hold: action.hold } : {}) };
    case 'consent-ledger':
      return { type: action.type, change: action.change };
    default:
      return { type: action.type };
  }
}

/** Message-IDs / mids this item refers to (is it a reply to something we hold?). */
function threadKeysReferenced(item: InboundItem): string[] {
  return [item.thread.inReplyTo, ...(item.thread.references ?? []), item.thread.replyToMid].filter((k): k is string => Boolean(k));
}

/** Identifiers later items can refer to this one by. */
function ownThreadKeys(item: InboundItem): string[] {
  return CHANNEL_REGISTRY[item.channel].threadKeys(item);
}

function referenceYear(receivedAt: string): number {
  return Number(londonDay(new Date(receivedAt).toISOString()).slice(0, 4));
}
