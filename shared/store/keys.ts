/**
 * Every key prefix of the two tables, in one place. The stores build their
 * keys from these, and the IAM grants (infra/aws/access.ts, dpo-role.ts) name
 * the same prefixes in `dynamodb:LeadingKeys` conditions, so a renamed prefix
 * cannot leave a grant behind. What data protection does with each class of
 * record is in shared/dataprotection/key-classes.ts.
 *
 * The audit and ops tables are separate, so the same prefix (`ITEM#`) names
 * different records in each.
 */

/** Partition-key prefixes of the audit table. */
export const AUDIT_PREFIX = {
  /** `CHAIN#<council>` / `EVENT#<seq>`: the hash-chained events (shared/store/audit-appender.ts). */
  chain: 'CHAIN#',
  /** `CHAINHEAD#<council>` / `HEAD`: the highest seq linked. */
  chainHead: 'CHAINHEAD#',
  /** `EVENTKEY#<council>#<eventKey>` / `EVENTKEY`: an event as its producer recorded it, before linking. */
  recordedEvent: 'EVENTKEY#',
  /** `ITEM#<ref>` / `SUMMARY` or `CONTENT`: an audited item's summary and content. */
  item: 'ITEM#',
  /** `HOLD#<council>` / `REF#<ref>`: legal holds (shared/dataprotection/holds.ts). */
  hold: 'HOLD#',
} as const;

/** Sort keys and sort-key prefixes of the audit table. */
export const AUDIT_SORT = {
  event: 'EVENT#',
  head: 'HEAD',
  recordedEvent: 'EVENTKEY',
  summary: 'SUMMARY',
  content: 'CONTENT',
  ref: 'REF#',
} as const;

/** Partition-key prefixes of the operational table. */
export const OPS_PREFIX = {
  /** `ITEM#<itemId>`: classify's claim on an item, holding its decision. */
  item: 'ITEM#',
  /** `LOG#<day>` / `<receivedAt>#<itemId>`: minimal log of an informal or ignored item. */
  log: 'LOG#',
  /** `CONSENT#<senderHash>` / `REF#<ref>` (consent per matter) or `LEDGER` (opt-in/opt-out facts). */
  consent: 'CONSENT#',
  /** `CONSENT-NOTE#<ref>#<at>`: the clerk's note on consent given by phone or paper. */
  consentNote: 'CONSENT-NOTE#',
  /** `CONSENT-OPEN#<senderHash>`: the sender's one open consent request. */
  consentOpen: 'CONSENT-OPEN#',
  /** `CONSENT-MATTERS#<ref>`: references that joined one consent request. */
  consentMatters: 'CONSENT-MATTERS#',
  /** `CONSENT-ANSWER#<ref>`: the consent form's one answer. */
  consentAnswer: 'CONSENT-ANSWER#',
  /** `AUTOREPLY#<senderHash>`: when the sender last had an automatic reply. */
  autoReply: 'AUTOREPLY#',
  /** `OFFENCES#<senderHash>`: a Page author's moderation breaches. */
  offences: 'OFFENCES#',
  /** `LASTMSG#messenger#<sha256 of the PSID>`: time of a Messenger user's latest message. */
  lastMessage: 'LASTMSG#',
  /** `DUE#<kind>#<key>`, listed on the byDue index under `DUE#<kind>`: scheduled work (consent reminders and expiries, case reminders). */
  due: 'DUE#',
  /** `THREAD#<message id>`: the reference a reply thread belongs to. */
  thread: 'THREAD#',
  /** `CASE#<ref>`: the clerk's case (shared/store/case-store.ts). */
  case: 'CASE#',
  /** `THEME#<day>` / `<topic>`: informal topics of the day. */
  theme: 'THEME#',
  /** `SENT#<outbox id>`: one outbox message's delivery record. */
  sent: 'SENT#',
  /** `MODLINK#<token id>`: a used moderation link. */
  moderationLink: 'MODLINK#',
  /** `BUDGET#<council>#<channel>#<day>`: the day's outbound count on a channel. */
  budget: 'BUDGET#',
  /** `BUDGET-SLOT#<outbox id>`: one message's place in the budget. */
  budgetSlot: 'BUDGET-SLOT#',
  /** `BUDGET-ALERT#<council>#<channel>#<day>`: the day's one alert on a channel. */
  budgetAlert: 'BUDGET-ALERT#',
  /** `DIGEST#<day>`: the clerk's daily digest state. */
  digest: 'DIGEST#',
  /** `REFCOUNTER#<prefix>#<year>`: the last reference number of the year. */
  referenceCounter: 'REFCOUNTER#',
} as const;

/** Partitions of the operational table's byDue index that are not `DUE#<kind>`. */
export const OPS_INDEX = {
  /** Every case, sorted by received time (shared/store/case-store.ts). */
  cases: 'CASES',
} as const;

/** Sort keys and sort-key prefixes of the operational table. */
export const OPS_SORT = {
  /** The sort key of single-record partitions. */
  value: 'V',
  ref: 'REF#',
  ledger: 'LEDGER',
} as const;

declare const valueType: unique symbol;

/**
 * The key of a single-value ops record (OpsStore get, put, claim, putIf),
 * carrying the shape of the value stored under it: the record's builder names
 * the type once, and every read and write through that key agrees on it. A
 * plain string key still works and reads back `Record<string, unknown>`.
 */
export type ValueKey<T extends object> = string & { readonly [valueType]?: T };

/** Declares what a key's record holds (the one place the shape is asserted: the store writes only what its writers give it). */
export const valueKey = <T extends object>(key: string): ValueKey<T> => key as ValueKey<T>;

/** A kind of due entry (OpsStore putDue, queryDue), carrying the shape of its data. */
export type DueKind<T extends object> = string & { readonly [valueType]?: T };

export const dueKind = <T extends object>(kind: string): DueKind<T> => kind as DueKind<T>;

/** A `dynamodb:LeadingKeys` pattern for every key under the prefix. */
export const under = (prefix: string): string => `${prefix}*`;
