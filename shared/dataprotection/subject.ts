import type { AuditEvent, AuditSummary } from '../model/audit.ts';
import { hashSender } from '../store/hash.ts';
import { OPS_PREFIX } from '../store/keys.ts';
import type { Policy } from '../policy/schema.ts';
import { templateFor } from '../policy/texts.ts';
import type { AuditStore, PersonalContent } from '../store/audit-store.ts';
import type { HoldStore } from './holds.ts';
import { lastMessageKey } from '../answers/plan.ts';
import { KEY_CLASSES, rawMailKeyOf } from './key-classes.ts';
import { findOpsRecords, MATCHED_CLASSES, recordsOf, type OpsRecord, type OpsTable, type SubjectOpsRecords } from './ops-records.ts';
import { DEFAULT_RAW_MAIL_DAYS, rawMailExpiresAt } from './raw-mail-expiry.ts';

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

/** What the operational table and the mail bucket hold about them beyond their items (key-classes.ts). */
export interface SubjectOpsView {
  readonly consentNotes: readonly { readonly ref: string; readonly at: string; readonly how: string; readonly recordedBy: string; readonly note: string }[];
  readonly openConsentRequest: readonly { readonly ref: string; readonly expiresAt: string }[];
  readonly caseReminders: readonly { readonly ref: string; readonly remindOn: string; readonly dueOn: string; readonly label: string }[];
  /** Days and topics their informal messages were counted under in the clerk's digest; the example only when it is theirs. */
  readonly themes: readonly { readonly day: string; readonly topic: string; readonly example?: string }[];
  readonly messengerLastMessage: readonly string[];
  readonly moderationOffences: readonly string[];
  /** Raw copies of their email and of the clerk's email replies to them, with the day the lifecycle rule deletes each. */
  readonly rawMail: readonly { readonly what: string; readonly ref?: string; readonly receivedAt: string; readonly deletedBy: string }[];
  /** Records of a kind the scan does not know (anyone's), per key prefix: never expected; the manifest says so. */
  readonly unclassified: Record<string, number>;
}

export interface SubjectRecords extends SubjectOpsView {
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
  /** For the raw copies the bucket still keeps. */
  readonly now?: () => Date;
}

export function senderHashes(identities: readonly string[], senderKey: string): string[] {
  return [...new Set(identities.map((id) => hashSender(id, senderKey)))];
}

/** Every key a person's records can be found under, from the identities they used. */
export function subjectKeys(identities: readonly string[], senderKey: string): { senderHashes: string[]; lastMessageKeys: string[] } {
  return { senderHashes: senderHashes(identities, senderKey), lastMessageKeys: [...new Set(identities.map(lastMessageKey))] };
}

export async function collectSubjectRecords(identities: readonly string[], deps: SubjectDeps): Promise<SubjectRecords> {
  const keys = subjectKeys(identities, deps.senderKey);
  const hashes = keys.senderHashes;
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

  const found = deps.ops
    ? await findOpsRecords(deps.ops, { ...keys, refs: items.map((i) => i.summary.ref), itemIds: items.map((i) => i.summary.itemId) })
    : undefined;
  const cases = new Map(recordsOf(found, 'case').map(({ item }) => [String(item.pk).slice(OPS_PREFIX.case.length), caseSummary(item.value)]));
  const withCases = items.map((item) => (cases.has(item.summary.ref) ? { ...item, case: cases.get(item.summary.ref)! } : item));
  const informal = recordsOf(found, 'minimal-log').map(({ item }) => ({
    receivedAt: String(item.receivedAt),
    channel: String(item.channel),
    classification: String(item.classification),
    reasons: item.reasons ?? [],
    actions: item.actions ?? [],
    itemId: String(item.itemId),
  }));
  informal.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const consentPerMatter = recordsOf(found, 'consent-per-matter').map(({ item }) => ({
    ref: String(item.ref),
    status: String(item.status),
    at: String(item.at),
  }));
  const consentLedger = recordsOf(found, 'consent-ledger').map(({ item }) => ({
    lastChange: String(item.lastChange),
    at: String(item.at),
    optedOut: Boolean(item.optedOut),
  }));

  const searched: SourceSearched[] = [
    { source: 'audit table: item summaries under the sender hash of each identity (bySender index)', found: summaries.length },
    {
      source: 'audit table: personal content of each item (sender, subject, text, attachment names, types and sizes)',
      found: items.filter((i) => i.content).length,
    },
    { source: 'audit table: every chain event of each item (decisions with rules and clauses, consent, messages sent)', found: eventCount },
    { source: 'audit table: legal holds on these items', found: items.filter((i) => i.hold).length },
    ...(found ? opsSources(found) : []),
  ];
  const view = opsView(found, withCases, informal, deps.policy, (deps.now ?? (() => new Date()))());
  searched.push({
    source: "mail bucket: raw copies of their email and of the clerk's emailed replies, still kept (listed with the day each is deleted, not read)",
    found: view.rawMail.length,
  });
  return { items: withCases, informal: informal.map(({ itemId: _id, ...rest }) => rest), consentPerMatter, consentLedger, searched, excluded, ...view };
}

/** One line per key class the scan matches (key-classes.ts), with what it found: the manifest's account of the operational table. */
function opsSources(found: SubjectOpsRecords): SourceSearched[] {
  return KEY_CLASSES.filter((c) => c.store === 'ops' && MATCHED_CLASSES.includes(c.id)).map((c) => ({
    source: `operational table: ${c.holds} (${c.id}; found by ${c.foundBy})`,
    found: recordsOf(found, c.id).length,
  }));
}

function opsView(
  found: SubjectOpsRecords | undefined,
  items: readonly SubjectItem[],
  informal: readonly (InformalRecord & { itemId: string })[],
  policy: Policy | undefined,
  now: Date,
): SubjectOpsView {
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  const value = (r: OpsRecord) => (r.item.value ?? {}) as Record<string, unknown>;
  const theirs = new Set([...items.map((i) => i.summary.itemId), ...informal.map((i) => i.itemId)]);
  return {
    consentNotes: recordsOf(found, 'consent-note').map((r) => ({
      ref: str(value(r).ref),
      at: str(value(r).at),
      how: str(value(r).how),
      recordedBy: str(value(r).recordedBy),
      note: str(value(r).note),
    })),
    openConsentRequest: recordsOf(found, 'consent-open').map((r) => ({ ref: str(value(r).ref), expiresAt: str(value(r).expiresAt) })),
    caseReminders: recordsOf(found, 'due-case-reminder').map(({ item }) => {
      const data = (item.data ?? {}) as Record<string, unknown>;
      return { ref: str(data.ref), remindOn: str(item.dueAt), dueOn: str(data.dueOn), label: str(data.label) };
    }),
    themes: recordsOf(found, 'theme').map(({ pk, sk, item }) => ({
      day: pk.slice(OPS_PREFIX.theme.length),
      topic: sk,
      ...(typeof item.example === 'string' && theirs.has(str(item.exampleItemId)) ? { example: item.example } : {}),
    })),
    messengerLastMessage: recordsOf(found, 'last-message').map((r) => str(value(r).at)),
    moderationOffences: recordsOf(found, 'offences').flatMap((r) => ((value(r).offences as { at?: unknown }[] | undefined) ?? []).map((o) => str(o.at))),
    rawMail: rawCopies(items, informal, policy?.retention.rawMail?.days ?? DEFAULT_RAW_MAIL_DAYS, now),
    unclassified: Object.fromEntries(found?.unclassified ?? []),
  };
}

/** Raw mail is not read (its content is the item's); each copy still kept is listed with the day the bucket's lifecycle rule deletes it. */
function rawCopies(
  items: readonly SubjectItem[],
  informal: readonly (InformalRecord & { itemId: string })[],
  days: number,
  now: Date,
): SubjectOpsView['rawMail'] {
  const copies: SubjectOpsView['rawMail'][number][] = [];
  const add = (what: string, receivedAt: string, ref?: string) =>
    copies.push({ what, ...(ref ? { ref } : {}), receivedAt, deletedBy: rawMailExpiresAt(new Date(receivedAt), days).toISOString().slice(0, 10) });
  for (const item of items) {
    if (item.erased) continue;
    if (item.history.some((e) => e.type === 'received' && typeof e.data.rawKey === 'string') || rawMailKeyOf(item.summary.itemId))
      add('your email as received', item.summary.receivedAt, item.summary.ref);
    const replies = new Map<string, string>();
    for (const e of item.history)
      if (rawMailKeyOf(String(e.data.replyItemId ?? '')) && !replies.has(String(e.data.replyItemId))) replies.set(String(e.data.replyItemId), e.at);
    for (const at of replies.values()) add("the clerk's email reply about it", at, item.summary.ref);
  }
  for (const log of informal) if (rawMailKeyOf(log.itemId)) add('your email as received (informal)', log.receivedAt);
  return copies.filter((c) => rawMailExpiresAt(new Date(c.receivedAt), days) > now);
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

function describeItem(
  summary: AuditSummary,
  content: PersonalContent | undefined,
  erased: { at: string; reason: string } | undefined,
  history: AuditEvent[],
  hold: { reason: string; addedAt: string } | undefined,
  policy: Policy | undefined,
): SubjectItem {
  const classified = history.find((e) => e.type === 'classified');
  const replyKeys = ((classified?.data.actions as { type?: string; textKey?: string }[] | undefined) ?? [])
    .filter((a) => a.type === 'auto-reply')
    .map((a) => a.textKey ?? '');
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
    ...(classified
      ? {
          decision: {
            classification: classified.data.classification,
            reasons: classified.data.reasons,
            flags: classified.data.flags,
            policyVersion: classified.data.policyVersion,
          },
        }
      : {}),
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
