import { AUDIT_PREFIX, AUDIT_SORT, OPS_PREFIX, OPS_SORT } from '../store/keys.ts';
import { mandrillRawMailKey } from '../channels/mail-stores.ts';
import { MAIL_BUCKET } from '../topology.ts';

/**
 * Every class of record the hub writes, in both tables and the mail bucket,
 * and what data protection does with it: whether it can hold personal data
 * or identify a person, how a subject access export finds it, what erasure
 * does to it, and how long it is kept. `hub sar export` and `hub erase` scan
 * by this table (shared/dataprotection/ops-records.ts), the DPO role's grants
 * are derived from it (infra/aws/access.ts DPO_ACCESS), and
 * test/unit/dataprotection-key-classes.test.ts fails when the code writes a
 * key prefix that is not listed here.
 *
 * The prefixes themselves come from shared/store/keys.ts, which the stores
 * build their keys from.
 */

export type KeyStore = 'audit' | 'ops' | 'mail' | 'digests';

/**
 * - `personal`: holds personal data (a name, an address, words someone wrote);
 * - `pseudonymous`: keyed or filled by a sender hash or a provider id, so it
 *   identifies a person to whoever holds the key or the provider's records;
 * - `linked`: no personal data, only references and dates about an item that
 *   is someone's (kept: the same facts are in the chain);
 * - `none`: nothing about any one person.
 */
export type PersonalData = 'personal' | 'pseudonymous' | 'linked' | 'none';

/** What erasure does to a record of the class. */
export type Erasure = 'delete' | 'tombstone' | 'scrub' | 'keep';

export interface KeyClass {
  readonly id: string;
  readonly store: KeyStore;
  /** Partition-key prefix (tables) or object-key prefix (bucket). */
  readonly prefix: string;
  /** Only records with this sort key (when two classes share a partition prefix). */
  readonly sk?: string;
  readonly holds: string;
  readonly personal: PersonalData;
  /** How `hub sar export` and `hub erase` find a subject's records of this class. */
  readonly foundBy: string;
  readonly erasure: Erasure;
  /** What erasure does, and for `keep`, why. */
  readonly erasureNote: string;
  readonly retention: string;
}

export const DUE_KINDS = { consentReminder: 'consent-reminder', consentExpiry: 'consent-expiry', caseReminder: 'case-reminder' } as const;

export const KEY_CLASSES: readonly KeyClass[] = [
  // Audit table (shared/store/audit-store.ts, audit-appender.ts, shared/dataprotection/holds.ts).
  {
    id: 'chain-event',
    store: 'audit',
    prefix: AUDIT_PREFIX.chain,
    holds: 'hash-chained events: types, rule ids, clauses, outbox ids, content hashes',
    personal: 'linked',
    foundBy: 'by reference (byReference index)',
    erasure: 'keep',
    erasureNote: 'the decision trail; never holds personal data, so erasure appends personal-data-erased instead',
    retention: 'for ever (the proof)',
  },
  {
    id: 'chain-head',
    store: 'audit',
    prefix: AUDIT_PREFIX.chainHead,
    holds: 'the highest seq linked',
    personal: 'none',
    foundBy: 'not per person',
    erasure: 'keep',
    erasureNote: 'no personal data',
    retention: 'for ever',
  },
  {
    id: 'recorded-event',
    store: 'audit',
    prefix: AUDIT_PREFIX.recordedEvent,
    holds: 'each event as recorded before linking (same data as the chain event)',
    personal: 'linked',
    foundBy: 'through the chain event',
    erasure: 'keep',
    erasureNote: 'same facts as the chain event',
    retention: 'for ever',
  },
  {
    id: 'item-summary',
    store: 'audit',
    prefix: AUDIT_PREFIX.item,
    sk: AUDIT_SORT.summary,
    holds: "an audited item's summary, with the sender hash",
    personal: 'pseudonymous',
    foundBy: 'sender hash (bySender index)',
    erasure: 'scrub',
    erasureNote: 'sender hash replaced by "erased", with when and why',
    retention: 'for ever (content goes at retention)',
  },
  {
    id: 'item-content',
    store: 'audit',
    prefix: AUDIT_PREFIX.item,
    sk: AUDIT_SORT.content,
    holds: 'sender, subject, text, attachment names',
    personal: 'personal',
    foundBy: 'reference of each item found by sender hash',
    erasure: 'tombstone',
    erasureNote: 'content removed, its hash kept',
    retention: 'formal 6 years, informal 1 year (policy retention), then the sweep erases it',
  },
  {
    id: 'legal-hold',
    store: 'audit',
    prefix: AUDIT_PREFIX.hold,
    holds: 'a legal hold on a reference: reason (a case number), who, since',
    personal: 'linked',
    foundBy: 'reference',
    erasure: 'keep',
    erasureNote: 'blocks erasure while it applies; holds a case number, never personal data',
    retention: 'until removed',
  },

  // Operational table (shared/store/ops-store.ts and the modules named).
  {
    id: 'minimal-log',
    store: 'ops',
    prefix: OPS_PREFIX.log,
    holds: 'informal or ignored item: sender hash, rules, actions, no text',
    personal: 'pseudonymous',
    foundBy: 'sender hash',
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: 'informal retention (TTL)',
  },
  {
    id: 'consent-per-matter',
    store: 'ops',
    prefix: OPS_PREFIX.consent,
    holds: 'data-consent status per reference, under the sender hash',
    personal: 'pseudonymous',
    foundBy: 'sender hash',
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: 'no expiry: removed by erasure only (gap, see docs/data-protection.md)',
  },
  {
    id: 'consent-ledger',
    store: 'ops',
    prefix: OPS_PREFIX.consent,
    sk: OPS_SORT.ledger,
    holds: 'opt-in/opt-out (STOP, unsubscribe) under the sender hash',
    personal: 'pseudonymous',
    foundBy: 'sender hash',
    erasure: 'keep',
    erasureNote: 'kept so the council never messages someone who said STOP (UK GDPR Art. 21(3), PECR)',
    retention: 'while the council messages anyone',
  },
  {
    id: 'consent-note',
    store: 'ops',
    prefix: OPS_PREFIX.consentNote,
    holds: "the clerk's free-text note on consent given by phone or paper (may name the resident)",
    personal: 'personal',
    foundBy: 'reference',
    erasure: 'delete',
    erasureNote: 'deleted (the chain keeps only its hash)',
    retention: 'formal retention (TTL)',
  },
  {
    id: 'consent-open',
    store: 'ops',
    prefix: OPS_PREFIX.consentOpen,
    holds: "the sender's one open consent request (reference, expiry)",
    personal: 'pseudonymous',
    foundBy: 'sender hash',
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: 'until the request expires (TTL)',
  },
  {
    id: 'consent-matters',
    store: 'ops',
    prefix: OPS_PREFIX.consentMatters,
    holds: 'references that joined one consent request',
    personal: 'linked',
    foundBy: 'reference',
    erasure: 'delete',
    erasureNote: 'deleted (links their matters)',
    retention: 'request expiry + 60 days (TTL)',
  },
  {
    id: 'consent-answer',
    store: 'ops',
    prefix: OPS_PREFIX.consentAnswer,
    holds: "the form's one answer for a reference (granted or declined, when)",
    personal: 'linked',
    foundBy: 'reference',
    erasure: 'keep',
    erasureNote: 'the same fact is the chain event consent-granted/declined; keeps a second answer out',
    retention: 'consent expiry + 60 days (TTL)',
  },
  {
    id: 'auto-reply',
    store: 'ops',
    prefix: OPS_PREFIX.autoReply,
    holds: 'when the sender hash was last sent an automatic reply',
    personal: 'pseudonymous',
    foundBy: 'sender hash',
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: 'the reply window (TTL)',
  },
  {
    id: 'offences',
    store: 'ops',
    prefix: OPS_PREFIX.offences,
    holds: "a Page author's moderation breaches (item ids, times) under the sender hash",
    personal: 'pseudonymous',
    foundBy: 'sender hash',
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: 'the repeat-offender window + 1 day (TTL)',
  },
  {
    id: 'last-message',
    store: 'ops',
    prefix: OPS_PREFIX.lastMessage,
    holds: "time of a Messenger user's latest message, keyed by sha256 of their PSID",
    personal: 'pseudonymous',
    foundBy: 'sha256 of each identity given',
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: '2 days (TTL)',
  },
  {
    id: 'due-consent-reminder',
    store: 'ops',
    prefix: `${OPS_PREFIX.due}${DUE_KINDS.consentReminder}#`,
    holds: 'a scheduled consent reminder, with the reply address',
    personal: 'personal',
    foundBy: 'reference',
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: 'until sent or cancelled',
  },
  {
    id: 'due-consent-expiry',
    store: 'ops',
    prefix: `${OPS_PREFIX.due}${DUE_KINDS.consentExpiry}#`,
    holds: 'a scheduled consent expiry, with the reply address',
    personal: 'personal',
    foundBy: 'reference',
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: 'until handled or cancelled',
  },
  {
    id: 'due-case-reminder',
    store: 'ops',
    prefix: `${OPS_PREFIX.due}${DUE_KINDS.caseReminder}#`,
    holds: 'a statutory-deadline reminder for the clerk: reference, due date, label',
    personal: 'linked',
    foundBy: 'reference',
    erasure: 'keep',
    erasureNote: "kept: the council's statutory deadline still runs; no personal data",
    retention: 'until sent or the case is answered',
  },
  {
    id: 'thread',
    store: 'ops',
    prefix: OPS_PREFIX.thread,
    holds: 'an email Message-ID or Messenger mid and the reference of its thread',
    personal: 'pseudonymous',
    foundBy: 'reference',
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: 'formal thread window (TTL)',
  },
  {
    id: 'item-claim',
    store: 'ops',
    prefix: OPS_PREFIX.item,
    holds: "classify's claim on an item: the whole decision",
    personal: 'linked',
    foundBy: 'item id of each item and informal log',
    erasure: 'scrub',
    erasureNote: "rewritten as a bare 'done' claim, without the decision's wording",
    retention: '30 days (TTL)',
  },
  {
    id: 'case',
    store: 'ops',
    prefix: OPS_PREFIX.case,
    holds: "the clerk's case: status, statutory clock, the resident's reply target",
    personal: 'personal',
    foundBy: 'reference',
    erasure: 'scrub',
    erasureNote: 'reply target removed, answering blocked; status and clock kept',
    retention: "the item's retention date (TTL)",
  },
  {
    id: 'theme',
    store: 'ops',
    prefix: OPS_PREFIX.theme,
    holds: 'informal topics per day: count, item ids, one scrubbed example (may still name someone)',
    personal: 'personal',
    foundBy: 'item id of each informal log',
    erasure: 'scrub',
    erasureNote: 'their item ids removed, and the example if it was theirs (or its author is not recorded); the count stays',
    retention: 'informal retention (TTL)',
  },
  {
    id: 'sent',
    store: 'ops',
    prefix: OPS_PREFIX.sent,
    holds: 'delivery record of one outbox message: kind, channel, provider id, reference',
    personal: 'linked',
    foundBy: 'reference',
    erasure: 'keep',
    erasureNote: 'no personal data; the same facts are in the chain',
    retention: '30 days (TTL)',
  },
  {
    id: 'moderation-link',
    store: 'ops',
    prefix: OPS_PREFIX.moderationLink,
    holds: 'a used moderation link: reference, action',
    personal: 'linked',
    foundBy: 'reference',
    erasure: 'keep',
    erasureNote: 'no personal data',
    retention: "the link's life + 1 day (TTL)",
  },
  {
    id: 'budget',
    store: 'ops',
    prefix: OPS_PREFIX.budget,
    holds: 'outbound count per channel per day',
    personal: 'none',
    foundBy: 'not per person',
    erasure: 'keep',
    erasureNote: 'no personal data',
    retention: '(TTL)',
  },
  {
    id: 'budget-slot',
    store: 'ops',
    prefix: OPS_PREFIX.budgetSlot,
    holds: "one outbox message's place in the daily budget",
    personal: 'none',
    foundBy: 'not per person',
    erasure: 'keep',
    erasureNote: 'no personal data',
    retention: '(TTL)',
  },
  {
    id: 'budget-alert',
    store: 'ops',
    prefix: OPS_PREFIX.budgetAlert,
    holds: 'the one alert per channel per day',
    personal: 'none',
    foundBy: 'not per person',
    erasure: 'keep',
    erasureNote: 'no personal data',
    retention: '(TTL)',
  },
  {
    id: 'digest',
    store: 'ops',
    prefix: OPS_PREFIX.digest,
    holds: "the clerk's daily digest state",
    personal: 'none',
    foundBy: 'not per person',
    erasure: 'keep',
    erasureNote: 'no personal data',
    retention: '8 days (TTL)',
  },
  {
    id: 'reference-counter',
    store: 'ops',
    prefix: OPS_PREFIX.referenceCounter,
    holds: 'the last reference number per year',
    personal: 'none',
    foundBy: 'not per person',
    erasure: 'keep',
    erasureNote: 'no personal data',
    retention: 'for ever',
  },

  // Mail bucket (infra/aws: MailBucket; locally HUB_DATA_DIR/mail).
  {
    id: 'raw-mail',
    store: 'mail',
    prefix: MAIL_BUCKET.objectPrefix,
    holds: "raw MIME of every inbound email: residents' mail and the clerk's replies (SES by message id; Mandrill as mandrill-<hash of the item id>)",
    personal: 'personal',
    foundBy:
      "rawKey of the item's received event, or the item id (SES message id; Mandrill: its hash) for informal logs and the clerk's replies named by replyItemId",
    erasure: 'delete',
    erasureNote: 'deleted',
    retention: 'policy retention.rawMail (30 days): bucket lifecycle; locally the hub expires it the same way',
  },
  {
    id: 'audit-digest',
    store: 'digests',
    prefix: 'digests/',
    holds: "signed digests of the chain: council, seq, head hash, counts (issue 11's Object Lock bucket; locally HUB_DATA_DIR/digests)",
    personal: 'none',
    foundBy: 'not per person',
    erasure: 'keep',
    erasureNote: 'no personal data; write-once (Object Lock)',
    retention: "the bucket's Object Lock period",
  },
  {
    id: 'mandrill-intake',
    store: 'mail',
    prefix: MAIL_BUCKET.mandrillIntakePrefix,
    holds: "Mandrill POSTs as API Gateway stored them (one or more residents' mails), until mandrillIntake takes them (seconds)",
    personal: 'personal',
    foundBy: 'not per person: each object is deleted once taken',
    erasure: 'keep',
    erasureNote: 'deleted by mandrillIntake once taken; the lifecycle rule deletes any left after 14 days',
    retention: 'seconds; at most 14 days (bucket lifecycle) when the intake failed every retry',
  },
  {
    id: 'full-body',
    store: 'mail',
    prefix: MAIL_BUCKET.contentPrefix,
    holds: 'a body too large for its content record',
    personal: 'personal',
    foundBy: "fullContent.key of the item's content",
    erasure: 'delete',
    erasureNote: 'deleted with the content record',
    retention: 'as the content record',
  },
];

/** Sort-key prefixes used inside the classes above (not classes of their own). */
export const SORT_KEY_PREFIXES = [AUDIT_SORT.event, AUDIT_SORT.ref] as const;

/** The class of a record; undefined when the key is of no known class (the scan counts it and the tests fail). */
export function keyClassOf(store: KeyStore, key: string, sk?: string): KeyClass | undefined {
  const candidates = KEY_CLASSES.filter((c) => c.store === store && key.startsWith(c.prefix) && (c.sk === undefined || c.sk === sk));
  // The longest prefix wins (`CONSENT-NOTE#` over nothing, `DUE#case-reminder#` over `DUE#`), then a class with a sort key over one without.
  return candidates.sort((a, b) => b.prefix.length - a.prefix.length || Number(b.sk !== undefined) - Number(a.sk !== undefined))[0];
}

/** dynamodb:LeadingKeys patterns of the ops-table classes erasure treats this way (the DPO role's grants). */
export function opsKeysErasedBy(erasure: Erasure): string[] {
  return [...new Set(KEY_CLASSES.filter((c) => c.store === 'ops' && c.erasure === erasure).map((c) => `${c.prefix}*`))];
}

/**
 * The raw-mail key of an item received by SES (item id `ses:<message id>`,
 * stored by the receipt rule under the raw-mail prefix: shared/channels/ses.ts)
 * or by Mandrill (kept by the intake under a hash of the item id:
 * shared/channels/mandrill-intake.ts), for items whose events do not name it:
 * informal email, which has no events, and the clerk's email replies.
 * Undefined for other channels.
 */
export function rawMailKeyOf(itemId: string): string | undefined {
  if (itemId.startsWith('mandrill:')) return mandrillRawMailKey(itemId);
  const messageId = itemId.startsWith('ses:') ? itemId.slice('ses:'.length) : '';
  return /^[A-Za-z0-9._-]+$/.test(messageId) ? `${MAIL_BUCKET.objectPrefix}${messageId}` : undefined;
}
