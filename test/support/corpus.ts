import type { Classification, ModerationCategory } from '../../shared/model/decision.ts';
import type { AudienceEvent, Channel, InboundItem, ItemKind, Provider, SmsKeyword, TransportFacts } from '../../shared/model/inbound-item.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { wherstead } from '../fixtures/corpus/wherstead.ts';
import { withyham } from '../fixtures/corpus/withyham.ts';
import { stilton } from '../fixtures/corpus/stilton.ts';
import { westEnd } from '../fixtures/corpus/west-end.ts';
import { cassington } from '../fixtures/corpus/cassington.ts';

/**
 * The labelled corpus of resident messages (test/fixtures/corpus/), and a
 * builder that turns a compact entry into a full InboundItem. Labels were
 * written from the councils' policy texts, not from the engine's output; see
 * test/fixtures/corpus/README.md for the labelling rules.
 */

export const CORPUS_COUNCILS = ['wherstead', 'withyham', 'stilton', 'west-end', 'cassington'] as const;
export type CorpusCouncil = (typeof CORPUS_COUNCILS)[number];

/**
 * Symbolic parties, resolved against the council's preset so the corpus does
 * not repeat (or drift from) the example addresses the presets carry:
 * `@clerk`, `@deputy`, `@enquiries`, `@hub` (our sending address), `@page`
 * (Messenger page id), `@sms` (our number). Anything else is used as given.
 */
export type Party = string;

export interface CorpusEntry {
  /** Stable id, e.g. `stl-014`. */
  id: string;
  channel: Channel;
  provider?: Provider;
  kind?: ItemKind;
  from?: Party;
  to?: Party[];
  cc?: Party[];
  subject?: string;
  text?: string;
  /** ISO 8601; default a Tuesday morning in office hours. */
  at?: string;
  transport?: TransportFacts;
  smsKeyword?: SmsKeyword;
  audience?: Omit<AudienceEvent, 'firedAt'> & { firedAt?: string };
  expect: {
    classification: Classification;
    /** Only `unverified-sender` is labelled; moderation holds follow from the categories and the preset's actions. */
    hold?: 'unverified-sender';
    /** Content categories a careful reader finds in the text, whatever the council's rules. */
    moderation: ModerationCategory[];
  };
  /** Why the label is what it is, where that is not obvious. */
  note?: string;
}

export interface LabelledItem {
  council: CorpusCouncil;
  entry: CorpusEntry;
  item: InboundItem;
}

const DEFAULT_AT = '2026-03-10T10:30:00.000Z';
const DEFAULT_PROVIDER: Record<Channel, Provider> = {
  messenger: 'meta',
  'facebook-comment': 'meta',
  email: 'ses',
  sms: 'aws-sms',
  mailchimp: 'mailchimp',
  whatsapp: 'whatsapp',
};
const DEFAULT_KIND: Record<Channel, ItemKind> = {
  messenger: 'message',
  'facebook-comment': 'comment',
  email: 'email',
  sms: 'sms',
  mailchimp: 'audience-event',
  whatsapp: 'message',
};
/** Passing authentication and clean verdicts, as SES reports ordinary mail. */
const CLEAN_MAIL: TransportFacts = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' };

/** Where a council's symbolic parties point; councils without a page or number get placeholders no policy lists. */
export function resolveParty(council: CorpusCouncil, party: Party): string {
  const c = loadPolicy(council).contacts;
  switch (party) {
    case '@clerk':
      return c.clerk.address;
    case '@deputy':
      return (c.deputyClerk ?? c.clerk).address;
    case '@enquiries':
      return (c.enquiries ?? c.clerk).address;
    case '@hub':
      return c.hubAddresses[0]!;
    case '@page':
      return c.messengerPageId ?? '100000000000999';
    case '@sms':
      return c.smsNumbers[0] ?? '+447700900999';
    default:
      return party;
  }
}

function defaultSender(channel: Channel, id: string): string {
  const n = [...id].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 1_000_000, 7);
  switch (channel) {
    case 'messenger':
    case 'facebook-comment':
      return `6${String(n).padStart(15, '4')}`;
    case 'sms':
      return `+447700${String(900000 + (n % 100000)).slice(-6)}`;
    case 'whatsapp':
      return `447700${String(900000 + (n % 100000)).slice(-6)}`;
    default:
      return `resident${n}@example.co.uk`;
  }
}

function defaultRecipients(channel: Channel): Party[] {
  switch (channel) {
    case 'messenger':
    case 'facebook-comment':
      return ['@page'];
    case 'sms':
      return ['@sms'];
    case 'email':
      return ['@clerk'];
    case 'mailchimp':
      return ['list:a1b2c3d4e5'];
    case 'whatsapp':
      return ['106540352242922'];
  }
}

/** A full, schema-valid InboundItem for one corpus entry. */
export function buildItem(council: CorpusCouncil, entry: CorpusEntry): InboundItem {
  const provider = entry.provider ?? DEFAULT_PROVIDER[entry.channel];
  const providerMessageId = `${council}-${entry.id}`;
  const at = entry.at ?? DEFAULT_AT;
  const resolve = (p: Party) => resolveParty(council, p);
  const item: InboundItem = {
    schemaVersion: 1,
    itemId: `${provider}:${providerMessageId}`,
    channel: entry.channel,
    provider,
    kind: entry.kind ?? DEFAULT_KIND[entry.channel],
    providerMessageId,
    receivedAt: at,
    sender: { id: resolve(entry.from ?? defaultSender(entry.channel, entry.id)) },
    recipients: (entry.to ?? defaultRecipients(entry.channel)).map(resolve),
    text: entry.text ?? '',
    attachments: [],
    thread: entry.channel === 'email' ? { messageId: `<${providerMessageId}@mail.example.co.uk>` } : {},
    transport: entry.channel === 'email' ? { ...CLEAN_MAIL, ...entry.transport } : { ...entry.transport },
  };
  if (entry.cc) item.cc = entry.cc.map(resolve);
  if (entry.subject !== undefined) item.subject = entry.subject;
  if (entry.smsKeyword) item.smsKeyword = entry.smsKeyword;
  if (entry.audience) item.audience = { ...entry.audience, firedAt: entry.audience.firedAt ?? at.replace('T', ' ').slice(0, 19) };
  if (entry.channel === 'facebook-comment') item.thread = { postId: `${resolve('@page')}_1200`, parentId: `${resolve('@page')}_1200` };
  return item;
}

export const CORPUS_ENTRIES: Readonly<Record<CorpusCouncil, readonly CorpusEntry[]>> = {
  wherstead,
  withyham,
  stilton,
  'west-end': westEnd,
  cassington,
};

/** Every labelled entry with its built item, in a stable order. */
export function loadCorpus(): LabelledItem[] {
  return CORPUS_COUNCILS.flatMap((council) => CORPUS_ENTRIES[council].map((entry) => ({ council, entry, item: buildItem(council, entry) })));
}
