import type { AuditEventType, AuditSummary, ConsentStatus, OutboxMessage } from '../model/index.ts';
import { sentKey } from '../delivery/keys.ts';
import type { Policy } from '../policy/schema.ts';
import { BODY_LIMITS } from '../topology.ts';
import { lazyOutboxPublisher } from '../queue/lazy-outbox-publisher.ts';
import { requireEnv } from '../runtime/env.ts';
import { recorderDepsFromEnv } from '../store/recorder-deps.ts';
import { composeConsentRequest } from './compose.ts';
import { londonDateTime } from '../runtime/london-time.ts';
import { closeOpenRequest, mattersOf, type MatterOps } from './consent-matters.ts';
import { takeOutboundBudget, type BudgetCheck, type BudgetOps } from './outbound-budget.ts';
import { consentBaseUrl, verifyConsentToken } from './consent-token.ts';
import { CONSENT_EXPIRY_DUE, CONSENT_REMINDER_DUE, consentLink, type ConsentDueData } from './consent-request.ts';
import {
  PAGE_HEADERS,
  problemStatus,
  renderConsentForm,
  renderConsentRecorded,
  renderProblem,
  type ConsentChoice,
  type CouncilContact,
  type ProblemKind,
} from './consent-page.ts';
import { type DueKind, OPS_PREFIX } from '../store/keys.ts';
import type { DueEntry } from '../store/ops-store.ts';
import { loadSecrets } from '../runtime/secrets.ts';

/**
 * The data-consent lifecycle (stilton.txt §11, west-end.txt "Parish Council
 * email": "All new emails requiring data to be passed on will be followed up
 * with a Data consent form … before action is taken"). classify sends the
 * request and registers the reminder and expiry due entries
 * (consent-request.ts); this module handles the form and the sweep.
 *
 *   consent-request sent ──► requested ──(N days)──► reminded ──(M days)──► expired
 *                                 │                      │
 *                                 └──── form: grant / decline ────┘
 *
 * One answer per reference: the first of grant, decline or expiry takes the
 * ops claim `CONSENT-ANSWER#<ref>`; everything after it (audit event, consent
 * ledger, clerk message, summary status) is idempotent and re-run until the
 * summary shows the final status, so a crash part-way never loses the answer
 * and a second submission never records a second one.
 */

const FINAL: readonly ConsentStatus[] = ['granted', 'declined', 'expired'];
const OPEN: readonly ConsentStatus[] = ['not-needed', 'requested', 'reminded'];

export type ConsentAnswer = ConsentChoice | 'expired';

/** The parts of AuditStore the consent lifecycle uses. */
export interface ConsentAudit {
  append(input: { ref: string; itemId: string; type: AuditEventType; at: string; data: Record<string, unknown>; eventKey: string }): Promise<unknown>;
  getSummary(ref: string): Promise<AuditSummary | undefined>;
  setConsentStatus(ref: string, status: ConsentStatus, options?: { onlyFrom?: readonly ConsentStatus[] }): Promise<boolean>;
  /** The item's personal content (its subject names the matter on the form and in the clerk's email); absent once erased. */
  getContent?(ref: string): Promise<{ readonly content?: { readonly subject?: string } } | undefined>;
}

/** The original subject of an item, on one line, or undefined (none, or erased). */
async function subjectOf(ref: string, deps: ConsentDeps): Promise<string | undefined> {
  const subject = (await deps.audit.getContent?.(ref))?.content?.subject?.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return subject ? subject.slice(0, 120) : undefined;
}

/** The parts of OpsStore the consent lifecycle uses. */
export interface ConsentOps extends BudgetOps, Pick<MatterOps, 'putIf' | 'members'> {
  get(key: string): Promise<Record<string, unknown> | undefined>;
  claim(key: string, options: { ttlSeconds: number; value?: Record<string, unknown> }): Promise<{ claimed: boolean; existing?: Record<string, unknown> }>;
  setConsent(senderHash: string, ref: string, status: string, at: string): Promise<void>;
  putDue<T extends object>(kind: DueKind<T>, dueAt: string, key: string, data: T): Promise<void>;
  queryDue<T extends object>(kind: DueKind<T>, until: string, limit?: number): Promise<DueEntry<T>[]>;
  deleteDue(kind: string, key: string): Promise<void>;
}

export interface ConsentDeps {
  readonly policy: Policy;
  readonly audit: ConsentAudit;
  readonly ops: ConsentOps;
  /** Puts messages on the outbox queue (OutboxPublisher.publish). */
  readonly publish: (messages: OutboxMessage[]) => Promise<unknown>;
  readonly signingKey: string;
  /** PUBLIC_BASE_URL: consent links are `${publicBaseUrl}/consent/${token}`. */
  readonly publicBaseUrl: string;
  readonly now: () => Date;
}

// ---------------------------------------------------------------- recording an answer

const STATUS_OF: Record<ConsentAnswer, ConsentStatus> = { grant: 'granted', decline: 'declined', expired: 'expired' };
const EVENT_OF: Record<ConsentAnswer, AuditEventType> = { grant: 'consent-granted', decline: 'consent-declined', expired: 'consent-expired' };
const answerKey = (ref: string) => `${OPS_PREFIX.consentAnswer}${ref}`;

/** Claims the one answer for this reference; returns the answer that holds (ours, or an earlier one) and when it was given. */
async function claimAnswer(ref: string, answer: ConsentAnswer, at: Date, deps: ConsentDeps): Promise<{ answer: ConsentAnswer; at: string; ours: boolean }> {
  // Kept well past the expiry, by which time the summary holds the final status anyway.
  const ttlSeconds = (deps.policy.consent.expiresAfterDays + 60) * 86_400;
  const claim = await deps.ops.claim(answerKey(ref), { ttlSeconds, value: { answer, at: at.toISOString() } });
  if (claim.claimed) return { answer, at: at.toISOString(), ours: true };
  const held = claim.existing?.answer;
  const heldAnswer: ConsentAnswer = held === 'grant' || held === 'decline' || held === 'expired' ? held : answer;
  return { answer: heldAnswer, at: String(claim.existing?.at ?? at.toISOString()), ours: false };
}

/**
 * Everything that follows an answer, for its matter and every matter that
 * joined it (one form may list several); each step idempotent, the answered
 * summary's status last (it marks the work done).
 */
async function finaliseAnswer(summary: AuditSummary, answer: ConsentAnswer, at: string, deps: ConsentDeps): Promise<void> {
  for (const ref of (await mattersOf(deps.ops, summary.ref)).filter((r) => r !== summary.ref)) {
    const joined = await deps.audit.getSummary(ref);
    if (joined && !FINAL.includes(joined.consentStatus)) {
      const held = await claimAnswer(ref, answer, new Date(at), deps);
      await finaliseMatter(joined, held.answer, held.at, deps);
    }
  }
  await finaliseMatter(summary, answer, at, deps);
  await closeOpenRequest(deps.ops, summary.senderHash, summary.ref);
}

async function finaliseMatter(summary: AuditSummary, answer: ConsentAnswer, at: string, deps: ConsentDeps): Promise<void> {
  const { policy } = deps;
  await deps.audit.append({
    ref: summary.ref,
    itemId: summary.itemId,
    type: EVENT_OF[answer],
    at,
    data: { clause: policy.consent.clause, ...(answer === 'expired' ? { afterDays: policy.consent.expiresAfterDays } : {}) },
    eventKey: `${summary.ref}:consent-answer`,
  });
  await deps.ops.setConsent(summary.senderHash, summary.ref, STATUS_OF[answer], at);
  await deps.publish([consentOutcomeMessage(summary, answer, at, policy, await subjectOf(summary.ref, deps))]);
  await deps.audit.setConsentStatus(summary.ref, STATUS_OF[answer], { onlyFrom: OPEN });
  await deps.ops.deleteDue(CONSENT_REMINDER_DUE, summary.ref);
  await deps.ops.deleteDue(CONSENT_EXPIRY_DUE, summary.ref);
}

/** The clerk's notice of the answer (always by email). Plain about what may and may not be done with the data. */
export function consentOutcomeMessage(summary: AuditSummary, answer: ConsentAnswer, at: string, policy: Policy, originalSubject?: string): OutboxMessage {
  const ref = summary.ref;
  const lines =
    answer === 'grant'
      ? [
          `The resident has GIVEN data consent for ${ref}.`,
          'You may now act on this correspondence, including passing on the personal data it needs for this matter.',
        ]
      : answer === 'decline'
        ? [
            `The resident has DECLINED data consent for ${ref}.`,
            'Do NOT pass on their personal data. Act only in ways that need no one else to see it, or reply to the resident.',
          ]
        : [
            `No answer to the data consent form for ${ref} within ${policy.consent.expiresAfterDays} days: the request has EXPIRED.`,
            'Do NOT pass on the personal data in this correspondence.',
          ];
  const word = answer === 'grant' ? 'given' : answer === 'decline' ? 'declined' : 'expired';
  return {
    schemaVersion: 1,
    id: `${summary.itemId}:consent-outcome`,
    kind: 'consent-outcome',
    channel: 'email',
    to: policy.contacts.clerk.address,
    council: policy.council.id,
    itemId: summary.itemId,
    ref,
    subject: `Data consent ${word}: ${ref}${originalSubject ? ` (${originalSubject})` : ''}`,
    text: [
      ...lines,
      ...(originalSubject ? [`Their message: ${originalSubject}`] : []),
      '',
      `Recorded ${londonDateTime(at)}. Policy: ${policy.consent.clause}.`,
      `Reference: ${ref}`,
    ].join('\n'),
    createdAt: at,
  };
}

// ---------------------------------------------------------------- the form

export interface ConsentFormRequest {
  readonly method: string;
  readonly token: string;
  readonly contentType?: string | undefined;
  /** The decoded request body (POST). */
  readonly body?: string | undefined;
  /** Its size in bytes before decoding to text. */
  readonly bodyBytes?: number | undefined;
}

export interface ConsentFormResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export async function handleConsentForm(req: ConsentFormRequest, deps: ConsentDeps): Promise<ConsentFormResponse> {
  const council = deps.policy.council.name;
  const problem = (kind: ProblemKind, ref?: string): ConsentFormResponse => ({
    statusCode: problemStatus(kind),
    headers: { ...PAGE_HEADERS, ...(kind === 'method' ? { allow: 'GET, POST' } : {}) },
    body: renderProblem(kind, council, ref),
  });
  const ok = (body: string, statusCode = 200): ConsentFormResponse => ({ statusCode, headers: { ...PAGE_HEADERS }, body });

  const method = req.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') return problem('method');
  if ((req.bodyBytes ?? 0) > BODY_LIMITS.consent) return problem('too-large');

  const now = deps.now();
  const check = verifyConsentToken(req.token, deps.signingKey, now, deps.policy.council.id);
  if (!check.ok) return problem(check.reason === 'expired' ? 'expired' : 'not-found');
  if (check.claims.council !== deps.policy.council.id) return problem('not-found');
  const summary = await deps.audit.getSummary(check.claims.ref);
  if (!summary) return problem('not-found');
  const ref = summary.ref;
  const subject = await subjectOf(ref, deps);
  const page = {
    councilName: council,
    reference: ref,
    about: { receivedAt: summary.receivedAt, channel: summary.channel, ...(subject ? { subject } : {}) },
    contact: councilContact(deps.policy),
  };

  if (summary.consentStatus === 'granted' || summary.consentStatus === 'declined') {
    return ok(renderConsentRecorded({ ...page, choice: summary.consentStatus === 'granted' ? 'grant' : 'decline', alreadyRecorded: true }));
  }
  if (summary.consentStatus === 'expired') return problem('closed', ref);
  const alsoCovers = (await mattersOf(deps.ops, ref)).filter((r) => r !== ref);
  if (method === 'GET') return ok(renderConsentForm({ ...page, alsoCovers }));

  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.contentType ?? '')) return problem('unsupported');
  const choice = new URLSearchParams(req.body ?? '').get('choice');
  if (choice !== 'grant' && choice !== 'decline') {
    return ok(renderConsentForm({ ...page, alsoCovers, missingChoice: true }), 400);
  }

  const held = await claimAnswer(ref, choice, now, deps);
  await finaliseAnswer(summary, held.answer, held.at, deps);
  if (held.answer === 'expired') return problem('closed', ref);
  return ok(renderConsentRecorded({ ...page, choice: held.answer, alreadyRecorded: !held.ours }));
}

/** The clerk's address, a number for residents without email (only where the policy makes texts official), the privacy notice. */
function councilContact(policy: Policy): CouncilContact {
  const smsNumber = policy.channels.sms.formal ? policy.contacts.smsNumbers[0] : undefined;
  return {
    clerkEmail: policy.contacts.clerk.address,
    ...(smsNumber ? { smsNumber } : {}),
    ...(policy.council.privacyNoticeUrl ? { privacyNoticeUrl: policy.council.privacyNoticeUrl } : {}),
  };
}

// ---------------------------------------------------------------- the scheduled sweep

export interface SweepResult {
  readonly reminded: number;
  readonly expired: number;
  /** Due entries dropped because the matter was already answered. */
  readonly settled: number;
  /** True when the time budget ran out before every due entry was handled; the next run goes on. */
  readonly more: boolean;
}

export interface SweepOptions {
  /** False once the run should stop starting new entries (the handler: its remaining time). */
  readonly hasTime?: () => boolean;
}

/**
 * Hourly: reminders that are due for matters still "requested", then expiries
 * for matters still open. Pages through every due entry until none is left or
 * the time budget runs out, so a backlog never waits for the next hour (the
 * due index is eventually consistent: an entry seen again in a run is skipped).
 * Idempotent per (reference, step): the reminder's outbox id is deterministic
 * (deliver sends it once), the expiry takes the one-answer claim, and a due
 * entry is deleted only after its work is done.
 */
export async function sweepConsent(deps: ConsentDeps, options: SweepOptions = {}): Promise<SweepResult> {
  const hasTime = options.hasTime ?? (() => true);
  const until = deps.now().toISOString();
  const run: SweepRun = { deps, until, hasTime, counts: { reminded: 0, expired: 0, settled: 0 } };
  const finished =
    (await sweepKind(CONSENT_REMINDER_DUE, (due) => remindIfDue(due, deps), run)) &&
    (await sweepKind(CONSENT_EXPIRY_DUE, (due) => expireIfDue(due, deps), run));
  return { ...run.counts, more: !finished };
}

interface SweepRun {
  readonly deps: ConsentDeps;
  readonly until: string;
  readonly hasTime: () => boolean;
  readonly counts: Record<'reminded' | 'expired' | 'settled', number>;
}

/** Works through every due entry of one kind; false when the time budget ran out first. */
async function sweepKind<T extends object>(kind: DueKind<T>, handle: (due: DueEntry<T>) => Promise<keyof SweepRun['counts']>, run: SweepRun): Promise<boolean> {
  const seen = new Set<string>();
  for (;;) {
    const page = (await run.deps.ops.queryDue(kind, run.until)).filter((due) => !seen.has(due.key));
    if (page.length === 0) return true;
    for (const due of page) {
      if (!run.hasTime()) return false;
      seen.add(due.key);
      run.counts[await handle(due)] += 1;
      await run.deps.ops.deleteDue(kind, due.key);
    }
  }
}

async function remindIfDue(due: DueEntry<ConsentDueData>, deps: ConsentDeps): Promise<'reminded' | 'settled'> {
  const now = deps.now();
  const summary = await deps.audit.getSummary(due.key);
  const data = due.data;
  // A request the resident never received (permanent failure, outside the Messenger window) gets no reminder either.
  const request = await deps.ops.get(sentKey(`${data.target?.itemId ?? summary?.itemId}:consent-request`));
  const requestReached = request?.state !== 'failed' && request?.state !== 'skipped';
  if (summary?.consentStatus !== 'requested' || !data.target || !requestReached) return 'settled';
  const reminder = reminderMessage(data, summary, now, deps);
  // The event first: the summary's status must always be explained by the chain (hub audit verify).
  await deps.audit.append({
    ref: summary.ref,
    itemId: summary.itemId,
    type: 'consent-reminded',
    at: now.toISOString(),
    data: { outboxId: reminder.id, channel: reminder.channel, clause: deps.policy.consent.clause, afterDays: deps.policy.consent.reminderAfterDays },
    eventKey: `${summary.ref}:consent-reminded`,
  });
  const budget = await takeOutboundBudget(reminder, deps.policy, deps.ops, now.toISOString());
  await deps.publish([...(budget.alert ? [budget.alert] : []), ...(budget.granted ? [reminder] : [])]);
  if (!budget.granted) await withheldEvent(summary, reminder, budget, now, deps);
  await deps.audit.setConsentStatus(summary.ref, 'reminded', { onlyFrom: ['requested'] });
  return 'reminded';
}

async function expireIfDue(due: DueEntry<object>, deps: ConsentDeps): Promise<'expired' | 'settled'> {
  const summary = await deps.audit.getSummary(due.key);
  if (!summary || FINAL.includes(summary.consentStatus)) return 'settled';
  const held = await claimAnswer(summary.ref, 'expired', deps.now(), deps);
  await finaliseAnswer(summary, held.answer, held.at, deps);
  return held.answer === 'expired' ? 'expired' : 'settled';
}

async function withheldEvent(summary: AuditSummary, message: OutboxMessage, budget: BudgetCheck, now: Date, deps: ConsentDeps): Promise<void> {
  await deps.audit.append({
    ref: summary.ref,
    itemId: summary.itemId,
    type: 'reply-skipped',
    at: now.toISOString(),
    data: { outboxId: message.id, kind: message.kind, channel: message.channel, reason: budget.reason, clause: budget.clause },
    eventKey: `${message.id}:withheld`,
  });
}

/** The reminder: the same link and the same channel as the request (classify stored both in the due entry). */
function reminderMessage(data: ConsentDueData, summary: AuditSummary, now: Date, deps: ConsentDeps): OutboxMessage {
  const consentUrl =
    data.consentUrl ||
    consentLink({
      policy: deps.policy,
      ref: summary.ref,
      requestedAt: new Date(summary.receivedAt),
      signingKey: deps.signingKey,
      publicBaseUrl: deps.publicBaseUrl,
    });
  return composeConsentRequest({
    target: data.target,
    policy: deps.policy,
    ref: summary.ref,
    consentUrl,
    expiresAt: data.expiresAt,
    createdAt: now.toISOString(),
    reminder: true,
  });
}

// ---------------------------------------------------------------- wiring

/** Production wiring from the environment. */
export async function consentDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ConsentDeps> {
  const { outboxQueueUrl } = requireEnv(['auditTable', 'opsTable', 'outboxQueueUrl'], env);
  const { policy, audit, ops, now } = await recorderDepsFromEnv(env);
  return {
    policy,
    audit,
    ops,
    // The SQS client loads on the first answer, not on every page view.
    publish: lazyOutboxPublisher(outboxQueueUrl),
    signingKey: (await loadSecrets(env)).CONSENT_SIGNING_KEY,
    publicBaseUrl: consentBaseUrl(env) ?? '',
    now,
  };
}
