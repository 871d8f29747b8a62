import type { AuditEvent, AuditSummary, ConsentStatus } from '../model/index.ts';
import { eventHash, GENESIS_HASH } from './hash.ts';
import { londonDate } from '../runtime/london-time.ts';

/**
 * What `hub audit verify` checks, as pure functions over the records the
 * store reads: the chain (every link, every hash), the HEAD high-water mark,
 * anchors the auditor kept (a seq and the hash the chain had there), and
 * every summary and content record against the events that must explain it.
 * Every problem becomes a Finding naming the event (seq, type, reference)
 * and what to do next; nothing stops at the first.
 */

export type FindingCode =
  | 'chain-gap'
  | 'chain-order'
  | 'chain-link'
  | 'event-altered'
  | 'event-council'
  | 'tail-removed'
  | 'head-mark'
  | 'empty-chain'
  | 'anchor'
  | 'digest'
  | 'summary-mismatch'
  | 'summary-orphan'
  | 'summary-missing'
  | 'content-mismatch'
  | 'content-missing'
  | 'content-orphan'
  | 'erasure-unrecorded'
  | 'pending';

export interface Finding {
  readonly code: FindingCode;
  readonly seq?: number;
  readonly type?: string;
  readonly ref?: string;
  /** What is wrong, in one sentence. */
  readonly problem: string;
  /** What the auditor (or the council) should do about it. */
  readonly next: string;
}

const NEXT = {
  chain:
    'Treat every event from this seq on as unproven. Compare with the last digest or head hash you kept, and restore the table from a point-in-time backup taken before the change (docs/audit.md, "When verify fails").',
  tail: 'The newest events were deleted. Restore them from a point-in-time backup or the last digest, and find out who holds delete rights on the audit table.',
  record:
    'The record no longer matches the chain: what list/show/export print for it is not proven. Restore the record from a point-in-time backup, or read the facts from the events (hub audit show).',
  orphan:
    'A record exists that no event explains: it was added outside the pipeline, or its events were removed. Check it against the last digest and the backups.',
} as const;

// ---------------------------------------------------------------- the chain

/** Walks events in seq order and lists every break, not only the first. */
export class ChainWalker {
  private expected = 1;
  private prevHash = GENESIS_HASH;
  private readonly hashes = new Map<number, string>();
  readonly findings: Finding[] = [];
  private readonly council: string;
  /** Seqs whose hash must be remembered (anchors, digests, the HEAD mark). */
  private readonly remember: (seq: number) => boolean;

  constructor(council: string, remember: (seq: number) => boolean = () => false) {
    this.council = council;
    this.remember = remember;
  }

  push(event: AuditEvent): void {
    const at = { seq: event.seq, type: event.type, ref: event.ref };
    if (event.seq > this.expected) {
      const missing = event.seq - 1 === this.expected ? `event ${this.expected} is missing` : `events ${this.expected}–${event.seq - 1} are missing`;
      this.findings.push({ code: 'chain-gap', seq: this.expected, problem: `${missing} (deleted from the chain)`, next: NEXT.chain });
      this.prevHash = event.prevHash; // re-anchor so the events after the gap are still checked
    } else if (event.seq < this.expected) {
      this.findings.push({
        code: 'chain-order',
        ...at,
        problem: `event ${event.seq} appears after event ${this.expected - 1} (duplicated or reordered)`,
        next: NEXT.chain,
      });
      return;
    }
    if (event.council !== this.council) {
      this.findings.push({
        code: 'event-council',
        ...at,
        problem: `event ${event.seq} names council "${event.council}", not "${this.council}"`,
        next: NEXT.chain,
      });
    }
    if (event.prevHash !== this.prevHash) {
      this.findings.push({
        code: 'chain-link',
        ...at,
        problem: `event ${event.seq} does not link to the previous event's hash (an earlier event was removed, replaced or reordered)`,
        next: NEXT.chain,
      });
    }
    if (eventHash(event) !== event.hash) {
      this.findings.push({ code: 'event-altered', ...at, problem: `event ${event.seq} was altered: its hash does not match its contents`, next: NEXT.chain });
    }
    if (this.remember(event.seq)) this.hashes.set(event.seq, event.hash);
    this.prevHash = event.hash;
    this.expected = event.seq + 1;
  }

  get count(): number {
    return this.expected - 1;
  }

  get headHash(): string {
    return this.prevHash;
  }

  /** The stored hash at a remembered seq (undefined: the chain does not reach it). */
  hashAt(seq: number): string | undefined {
    return this.hashes.get(seq);
  }
}

/** A (seq, hash) pair the chain must still hold: an auditor's anchor, a digest, or the HEAD mark. */
export interface Checkpoint {
  readonly seq: number;
  readonly hash: string;
}

/** The HEAD mark only ever rises: a chain shorter than it lost its newest events. */
export function checkHeadMark(walker: ChainWalker, mark: Checkpoint | undefined): Finding[] {
  if (!mark) {
    return walker.count > 0
      ? [{ code: 'head-mark', problem: `the chain has ${walker.count} events but no HEAD mark (CHAIN#…/HEAD was deleted)`, next: NEXT.tail }]
      : [];
  }
  if (mark.seq > walker.count) {
    return [
      {
        code: 'tail-removed',
        seq: walker.count + 1,
        problem: `the chain ends at event ${walker.count} but event ${mark.seq} was written: the newest events were removed`,
        next: NEXT.tail,
      },
    ];
  }
  const held = walker.hashAt(mark.seq);
  if (held !== undefined && held !== mark.hash) {
    return [
      {
        code: 'head-mark',
        seq: mark.seq,
        problem: `event ${mark.seq} no longer has the hash the HEAD mark recorded: the chain was rewritten from there or earlier`,
        next: NEXT.chain,
      },
    ];
  }
  return [];
}

/** Each anchor (`--anchor SEQ:HASH`, a digest) must still be in the chain, with the same hash. */
export function checkCheckpoint(walker: ChainWalker, point: Checkpoint, what: string, code: 'anchor' | 'digest'): Finding[] {
  const held = walker.hashAt(point.seq);
  if (held === undefined) {
    return [
      {
        code,
        seq: point.seq,
        problem: `${what} records event ${point.seq}, but the chain ends at event ${walker.count}: events were removed`,
        next: NEXT.tail,
      },
    ];
  }
  if (held !== point.hash) {
    return [
      {
        code,
        seq: point.seq,
        problem: `${what} records hash ${point.hash.slice(0, 16)}… at event ${point.seq}, but the chain now has ${held.slice(0, 16)}…: the chain was rewritten`,
        next: NEXT.chain,
      },
    ];
  }
  return [];
}

// ---------------------------------------------------------------- items

/** What the events say about one item: every field a summary shows, recomputed. */
export interface ItemFacts {
  readonly ref: string;
  itemId: string;
  receivedSeq?: number;
  channel?: string;
  provider?: string;
  receivedAt?: string;
  retainUntil?: string;
  contentHash?: string;
  classification?: string;
  consentStatus?: ConsentStatus;
  erasedContentHash?: string;
}

const OPEN: readonly ConsentStatus[] = ['not-needed', 'requested', 'reminded'];
const ANSWER: Partial<Record<string, ConsentStatus>> = { 'consent-granted': 'granted', 'consent-declined': 'declined', 'consent-expired': 'expired' };

/** Folds events, in chain order, into the facts of each item. */
export class ItemLedger {
  readonly items = new Map<string, ItemFacts>();

  push(event: AuditEvent): void {
    let facts = this.items.get(event.ref);
    if (!facts) this.items.set(event.ref, (facts = { ref: event.ref, itemId: event.itemId }));
    const d = event.data;
    switch (event.type) {
      case 'received':
        Object.assign(facts, {
          receivedSeq: event.seq,
          itemId: event.itemId,
          channel: str(d.channel),
          provider: str(d.provider),
          receivedAt: str(d.receivedAt),
          retainUntil: str(d.retainUntil),
          contentHash: str(d.contentHash),
        });
        break;
      case 'classified':
        facts.classification = str(d.classification);
        facts.consentStatus = (str(d.consentStatus) as ConsentStatus | undefined) ?? facts.consentStatus;
        break;
      case 'consent-reminded':
        if (facts.consentStatus === 'requested') facts.consentStatus = 'reminded';
        break;
      case 'personal-data-erased':
        facts.erasedContentHash = str(d.contentHash);
        break;
      default: {
        const answer = ANSWER[event.type];
        // The resident's answer settles an open request once; the clerk's recording (hub consent record) may change it later (withdrawal).
        if (answer && (d.recordedByClerk === true || facts.consentStatus === undefined || OPEN.includes(facts.consentStatus))) facts.consentStatus = answer;
      }
    }
  }
}

const ERASED_SENDER = 'erased';

/** What verify keeps of a content record: its hash recomputed, never the personal data itself. */
export interface ContentSeen {
  readonly ref: string;
  /** Absent on records written before content carried its council. */
  readonly council?: string;
  /** sha256 of the stored content, recomputed; absent when the content was removed. */
  readonly actualHash?: string;
  readonly senderHash?: string;
}

/** The summary against the facts its events give; one finding per field that differs. */
export function checkSummary(summary: AuditSummary, facts: ItemFacts | undefined, content: ContentSeen | undefined): Finding[] {
  const ref = summary.ref;
  if (!facts || facts.receivedSeq === undefined) {
    return [{ code: 'summary-orphan', ref, problem: `summary ${ref} has no 'received' event in the chain`, next: NEXT.orphan }];
  }
  const expected: Partial<Record<keyof AuditSummary, string | undefined>> = {
    itemId: facts.itemId,
    channel: facts.channel,
    provider: facts.provider,
    classification: facts.classification,
    receivedAt: facts.receivedAt,
    day: facts.receivedAt ? londonDate(new Date(facts.receivedAt)) : undefined,
    retainUntil: facts.retainUntil,
    consentStatus: facts.consentStatus,
    senderHash: facts.erasedContentHash !== undefined ? ERASED_SENDER : content?.senderHash,
  };
  const findings: Finding[] = [];
  for (const [field, want] of Object.entries(expected) as [keyof AuditSummary, string | undefined][]) {
    const shown = summary[field];
    if (want === undefined && field === 'senderHash' && content?.actualHash === undefined) continue; // reported with the content
    if (shown !== want) {
      findings.push({
        code: 'summary-mismatch',
        seq: facts.receivedSeq,
        type: 'received',
        ref,
        problem: `summary ${ref} shows ${field} "${short(String(shown))}" but its events give "${short(String(want ?? '(none)'))}"`,
        next: NEXT.record,
      });
    }
  }
  return findings;
}

/** The content against the 'received' event's hash, or its erasure record. */
export function checkContent(ref: string, facts: ItemFacts | undefined, content: ContentSeen | undefined): Finding[] {
  const at = facts?.receivedSeq !== undefined ? { seq: facts.receivedSeq, type: 'received' } : {};
  if (!facts || facts.receivedSeq === undefined) {
    return content ? [{ code: 'content-orphan', ref, problem: `stored message content ${ref} has no 'received' event in the chain`, next: NEXT.orphan }] : [];
  }
  if (!content) {
    return [
      { code: 'content-missing', ...at, ref, problem: `the message content of ${ref} is missing (deleted without an erasure record)`, next: NEXT.record },
    ];
  }
  if (content.actualHash !== undefined) {
    if (content.actualHash !== facts.contentHash) {
      return [
        {
          code: 'content-mismatch',
          ...at,
          ref,
          problem: `the stored message content of ${ref} does not match the hash its 'received' event recorded: it was altered`,
          next: NEXT.record,
        },
      ];
    }
    return [];
  }
  if (facts.erasedContentHash === undefined) {
    return [
      {
        code: 'erasure-unrecorded',
        ...at,
        ref,
        problem: `the message content of ${ref} was removed, but no 'personal-data-erased' event records it`,
        next: NEXT.record,
      },
    ];
  }
  if (facts.erasedContentHash !== facts.contentHash) {
    return [
      {
        code: 'content-mismatch',
        ...at,
        ref,
        problem: `the erasure record of ${ref} names content other than what its 'received' event recorded`,
        next: NEXT.record,
      },
    ];
  }
  return [];
}

/** Items whose 'received' event has no summary. */
export function missingSummaries(ledger: ItemLedger, summarised: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const facts of ledger.items.values()) {
    if (facts.receivedSeq !== undefined && !summarised.has(facts.ref)) {
      findings.push({
        code: 'summary-missing',
        seq: facts.receivedSeq,
        type: 'received',
        ref: facts.ref,
        problem: `item ${facts.ref} was received (event ${facts.receivedSeq}) but its summary is missing, so list and export leave it out`,
        next: NEXT.record,
      });
    }
  }
  return findings;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
