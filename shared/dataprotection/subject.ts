import type { AuditEvent, AuditSummary } from '../model/audit.ts';
import { hashSender } from '../pipeline/hash.ts';
import type { Policy } from '../policy/schema.ts';
import { templateFor } from '../policy/texts.ts';
import type { AuditStore, PersonalContent } from '../store/audit-store.ts';
import type { HoldStore } from './holds.ts';
import { findOpsRecords, type OpsTable } from './ops-records.ts';

/**
 * Everything the hub holds about one person, found from the identities they
 * wrote from (email address, phone number, Messenger PSID): the audit
 * summaries under their sender hash, each item's content and whole event
 * history, and what the operational table keeps under the same hash.
 * Gathering (I/O) is here; rendering is in sar-report.ts.
 */

export interface SentMessage {
  readonly at: string;
  readonly kind: string;
  readonly channel: string;
  readonly outcome: 'sent' | 'skipped' | 'failed' | 'dead-lettered';
  readonly reason?: string;
  /** The council's standard wording, with its placeholders, when the policy is known. */
  readonly standardText?: string;
}

export interface SubjectItem {
  readonly summary: AuditSummary;
  readonly content?: PersonalContent;
  readonly erased?: { readonly at: string; readonly reason: string };
  readonly decision?: { readonly classification: unknown; readonly reasons: unknown; readonly flags: unknown; readonly policyVersion: unknown };
  readonly consent: readonly { readonly at: string; readonly event: string }[];
  readonly sentToThem: readonly SentMessage[];
  readonly forwardedToClerk: readonly string[];
  readonly hold?: { readonly reason: string; readonly since: string };
  /** The clerk's case for the item (issue 13's cases): status, type, statutory due date. */
  readonly case?: CaseSummary;
  readonly history: readonly AuditEvent[];
}

export interface CaseSummary {
  readonly status: string;
  readonly type?: string;
  readonly dueOn?: string;
  readonly answeredAt?: string;
  readonly closedAt?: string;
  readonly answers?: number;
}

export interface InformalRecord {
  readonly receivedAt: string;
  readonly channel: string;
  readonly classification: string;
  readonly reasons: unknown;
  readonly actions: unknown;
}

export interface SourceSearched {
  readonly source: string;
  readonly found: number;
}

export interface SubjectRecords {
  readonly items: readonly SubjectItem[];
  readonly informal: readonly InformalRecord[];
  readonly consentPerMatter: readonly { readonly ref: string; readonly status: string; readonly at: string }[];
  readonly consentLedger: readonly { readonly lastChange: string; readonly at: string; readonly optedOut: boolean }[];
  readonly searched: readonly SourceSearched[];
  /** Items under a matching sender hash whose content names someone else (never expected; excluded, counted). */
  readonly excluded: number;
}

export interface SubjectDeps {
  readonly audit: AuditStore;
  readonly holds: HoldStore;
  readonly ops?: OpsTable;
  readonly senderKey: string;
  readonly policy?: Policy;
  /** Reads a body too large for its record (shared/store/content-overflow.ts) so the report has the full text. */
  readonly bodies?: { get(key: string): Promise<Uint8Array> };
}

export function senderHashes(identities: readonly string[], senderKey: string): string[] {
  return [...new Set(identities.map((id) => hashSender(id, senderKey)))];
}

export async function collectSubjectRecords(identities: readonly string[], deps: SubjectDeps): Promise<SubjectRecords> {
  const hashes = senderHashes(identities, deps.senderKey);
  const summaries: AuditSummary[] = [];
  for (const senderHash of hashes) {
    for await (const summary of deps.audit.listSummaries({ senderHash })) summaries.push(summary);
  }
  summaries.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.ref.localeCompare(b.ref));

  const items: SubjectItem[] = [];
  let excluded = 0;
  let eventCount = 0;
  for (const summary of summaries) {
    const [content, history, hold] = await Promise.all([deps.audit.getContent(summary.ref), deps.audit.eventsFor(summary.ref), deps.holds.get(summary.ref)]);
    if (content?.content && !hashes.includes(hashSender(content.content.sender.id || `unknown:${summary.itemId}`, deps.senderKey))) {
      excluded += 1;
      continue;
    }
    eventCount += history.length;
    const full = await fullContent(content?.content, deps);
    items.push(describeItem(summary, full, content?.erased, history, hold, deps.policy));
  }

  const ops = deps.ops ? await findOpsRecords(deps.ops, hashes, items.map((i) => i.summary.ref)) : undefined;
  const cases = new Map((ops?.cases ?? []).map(({ item }) => [String(item.pk).slice('CASE#'.length), caseSummary(item.value)]));
  const withCases = items.map((item) => (cases.has(item.summary.ref) ? { ...item, case: cases.get(item.summary.ref)! } : item));
  const informal = (ops?.minimalLogs ?? []).map(({ item }) => ({
    receivedAt: String(item.receivedAt),
    channel: String(item.channel),
    classification: String(item.classification),
    reasons: item.reasons ?? [],
    actions: item.actions ?? [],
  }));
  informal.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const consentPerMatter = (ops?.consentPerMatter ?? []).map(({ item }) => ({ ref: String(item.ref), status: String(item.status), at: String(item.at) }));
  const consentLedger = (ops?.consentLedger ?? []).map(({ item }) => ({ lastChange: String(item.lastChange), at: String(item.at), optedOut: Boolean(item.optedOut) }));

  const searched: SourceSearched[] = [
    { source: 'audit table: item summaries under the sender hash of each identity (bySender index)', found: summaries.length },
    { source: 'audit table: personal content of each item (sender, subject, text, attachment names, types and sizes)', found: items.filter((i) => i.content).length },
    { source: 'audit table: every chain event of each item (decisions with rules and clauses, consent, messages sent)', found: eventCount },
    { source: 'audit table: legal holds on these items', found: items.filter((i) => i.hold).length },
  ];
  if (deps.ops) {
    searched.push(
      { source: 'operational table: minimal logs of informal and ignored messages under the sender hash', found: informal.length },
      { source: 'operational table: data-consent status per matter under the sender hash', found: consentPerMatter.length },
      { source: 'operational table: consent ledger (opt-in, opt-out, STOP, unsubscribe)', found: consentLedger.length },
      { source: "operational table: the clerk's cases for these items (status, statutory due date)", found: cases.size },
    );
  }
  return { items: withCases, informal, consentPerMatter, consentLedger, searched, excluded };
}

function caseSummary(value: unknown): CaseSummary {
  const v = (value ?? {}) as Record<string, unknown>;
  const clock = (v.clock ?? {}) as Record<string, unknown>;
  const text = (x: unknown) => (typeof x === 'string' ? x : undefined);
  return {
    status: String(v.status ?? 'unknown'),
    ...(text(v.type) ? { type: text(v.type)! } : {}),
    ...(text(clock.dueOn) ? { dueOn: text(clock.dueOn)! } : {}),
    ...(text(v.answeredAt) ? { answeredAt: text(v.answeredAt)! } : {}),
    ...(text(v.closedAt) ? { closedAt: text(v.closedAt)! } : {}),
    ...(typeof v.answers === 'number' ? { answers: v.answers } : {}),
  };
}

const TEXT_KEY_OF_KIND: Record<string, string> = {
  'consent-request': 'consentRequest',
  'consent-reminder': 'consentReminder',
  'complaint-invitation': 'formalComplaintInvitation',
};

function describeItem(summary: AuditSummary, content: PersonalContent | undefined, erased: { at: string; reason: string } | undefined, history: AuditEvent[], hold: { reason: string; addedAt: string } | undefined, policy: Policy | undefined): SubjectItem {
  const classified = history.find((e) => e.type === 'classified');
  const replyKeys = ((classified?.data.actions as { type?: string; textKey?: string }[] | undefined) ?? []).filter((a) => a.type === 'auto-reply').map((a) => a.textKey ?? '');
  const sentToThem: SentMessage[] = [];
  const forwardedToClerk: string[] = [];
  for (const event of history) {
    const kind = String(event.data.kind ?? '');
    const outcome = OUTCOME_OF_EVENT[event.type];
    if (!outcome || !kind) continue;
    if (kind === 'clerk-routing') {
      if (outcome === 'sent') forwardedToClerk.push(event.at);
      continue;
    }
    const textKey = kind === 'auto-reply' ? replyKeys.shift() : TEXT_KEY_OF_KIND[kind];
    sentToThem.push({
      at: event.at,
      kind,
      channel: String(event.data.channel ?? ''),
      outcome,
      ...(typeof event.data.reason === 'string' ? { reason: event.data.reason } : {}),
      ...(policy && textKey ? { standardText: standardText(policy, textKey, String(event.data.channel ?? summary.channel)) } : {}),
    });
  }
  const consent = history.filter((e) => e.type.startsWith('consent-')).map((e) => ({ at: e.at, event: e.type }));
  return {
    summary,
    ...(content ? { content } : {}),
    ...(erased ? { erased } : {}),
    ...(classified ? { decision: { classification: classified.data.classification, reasons: classified.data.reasons, flags: classified.data.flags, policyVersion: classified.data.policyVersion } } : {}),
    consent,
    sentToThem,
    forwardedToClerk,
    ...(hold ? { hold: { reason: hold.reason, since: hold.addedAt } } : {}),
    history,
  };
}

const OUTCOME_OF_EVENT: Partial<Record<AuditEvent['type'], SentMessage['outcome']>> = {
  'reply-sent': 'sent',
  'answer-sent': 'sent',
  'consent-reminded': 'sent',
  'reply-skipped': 'skipped',
  'delivery-failed': 'failed',
  'dead-lettered': 'dead-lettered',
};

function standardText(policy: Policy, textKey: string, channel: string): string | undefined {
  try {
    return templateFor(policy, textKey as Parameters<typeof templateFor>[1], channel as Parameters<typeof templateFor>[2]);
  } catch {
    return undefined;
  }
}

/** The whole content when its text went to the bucket; the record's excerpt if it cannot be read. */
async function fullContent(content: PersonalContent | undefined, deps: SubjectDeps): Promise<PersonalContent | undefined> {
  const key = content?.fullContent?.key;
  if (!content || !key || !deps.bodies) return content;
  return JSON.parse(Buffer.from(await deps.bodies.get(key)).toString('utf8')) as PersonalContent;
}
