import type { Email, Address } from 'postal-mime';
import type { Attachment, Party, TransportFacts } from '../model/inbound-item.ts';
import { clip, clipOptional, MAX_LIST_ENTRIES, optional } from './common.ts';
import { htmlToText } from './html-to-text.ts';

/**
 * Raw MIME to the fields an email item carries, shared by SES and Mandrill.
 * postal-mime is loaded on first use, so webhook paths that never see mail
 * (HEAD checks, message events) do not pay for it.
 */

export interface ParsedEmail {
  readonly subject?: string;
  readonly text: string;
  readonly attachments: Attachment[];
  readonly messageId?: string;
  readonly inReplyTo?: string;
  readonly references: string[];
  readonly from?: Party;
  readonly to: string[];
  readonly cc: string[];
  readonly replyTo: string[];
  /** The Return-Path header, '' for the null path `<>`; undefined when absent. */
  readonly returnPath?: string;
  /** RFC 3834 / list headers, as sent. */
  readonly loopHeaders: Pick<TransportFacts, 'autoSubmitted' | 'precedence' | 'listId' | 'listUnsubscribe' | 'autoResponseSuppress'>;
}

/** A message we could not parse as MIME: only what the provider told us about it. */
export function headerOnlyEmail(fields: Pick<ParsedEmail, 'subject' | 'messageId'> & { text?: string }): ParsedEmail {
  return { ...fields, text: fields.text ?? '', attachments: [], references: [], to: [], cc: [], replyTo: [], loopHeaders: {} };
}

/** Subjects are headers and may be huge; the queue message must stay small. */
export const MAX_SUBJECT_CHARS = 2_000;

type PostalMimeModule = typeof import('postal-mime');
let postalMime: Promise<PostalMimeModule> | undefined;

/**
 * Limits checked before parsing: a message of 200,000 empty parts took 17.5 s
 * and about 500 MB to parse. Ordinary mail has a handful of parts; SES accepts
 * at most 40 MB, and parsing needs several times the message in memory.
 */
export const MIME_LIMITS = { maxBytes: 25 * 1024 * 1024, maxPartDelimiters: 5_000 } as const;

/** Why a message was not parsed; the item is still recorded, header-only, with this reason. */
export class MimeLimitError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'MimeLimitError';
  }
}

/** Counts lines that start with `--` (MIME part delimiters) without decoding anything, stopping past the cap. */
function partDelimiters(raw: Uint8Array | string, cap: number): number {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let count = 0;
  for (let i = bytes.indexOf('\n--'); i !== -1 && count <= cap; i = bytes.indexOf('\n--', i + 3)) count++;
  return count;
}

export function checkMimeLimits(raw: Uint8Array | string): void {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw, 'latin1') : raw.byteLength;
  if (size > MIME_LIMITS.maxBytes)
    throw new MimeLimitError(`the message is ${Math.round(size / 1048576)} MB, over the ${MIME_LIMITS.maxBytes / 1048576} MB the hub parses`);
  if (partDelimiters(raw, MIME_LIMITS.maxPartDelimiters) > MIME_LIMITS.maxPartDelimiters) {
    throw new MimeLimitError(`the message has more than ${MIME_LIMITS.maxPartDelimiters} MIME parts`);
  }
}

/** The text of a header-only item: the reason, and where the original is. */
export function notParsedText(reason: string): string {
  return `[The hub did not read this message's body: ${reason}. The original message is kept in the mail store.]`;
}

export async function parseMime(raw: Uint8Array | string): Promise<ParsedEmail> {
  checkMimeLimits(raw);
  postalMime ??= import('postal-mime');
  const { default: PostalMime } = await postalMime;
  const mail = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  return fromPostalMime(mail);
}

export function fromPostalMime(mail: Email): ParsedEmail {
  const header = (name: string): string | undefined => {
    const value = mail.headers.find((h) => h.key === name)?.value.trim();
    return value ? clip(value) : undefined;
  };
  const text = (mail.text ?? (mail.html ? htmlToText(mail.html) : '')).trimEnd();
  const from = mailboxes(mail.from ? [mail.from] : [])[0];
  return {
    ...optional({
      subject: mail.subject?.slice(0, MAX_SUBJECT_CHARS),
      messageId: clipOptional(normaliseId(mail.messageId)),
      inReplyTo: clipOptional(normaliseId(mail.inReplyTo)),
      from,
      returnPath: returnPathOf(header('return-path')),
    }),
    text,
    attachments: mail.attachments.slice(0, MAX_LIST_ENTRIES).map((a) => ({
      contentType: clip(a.mimeType || 'application/octet-stream'),
      ...optional({ filename: clipOptional(a.filename ?? undefined), sizeBytes: byteLength(a.content) }),
    })),
    references: boundReferences((mail.references ?? '').match(/<[^<>\s]+>/g) ?? []),
    to: mailboxes(mail.to ?? []).map((p) => p.id),
    cc: mailboxes(mail.cc ?? []).map((p) => p.id),
    replyTo: mailboxes(mail.replyTo ?? []).map((p) => p.id),
    loopHeaders: optional({
      autoSubmitted: header('auto-submitted'),
      precedence: header('precedence'),
      listId: header('list-id'),
      listUnsubscribe: header('list-unsubscribe'),
      autoResponseSuppress: header('x-auto-response-suppress'),
    }),
  };
}

/** Envelope or header path to its stored form: lower-cased address, '' for the null path. */
export function returnPathOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const inner = value
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .trim();
  return inner.toLowerCase();
}

function mailboxes(addresses: readonly Address[]): Party[] {
  const out: Party[] = [];
  for (const address of addresses) {
    const members = address.group ?? [address];
    for (const member of members) {
      if (!member.address) continue;
      if (out.length === MAX_LIST_ENTRIES) return out;
      out.push({ id: clip(member.address.toLowerCase()), ...optional({ name: clipOptional(member.name || undefined) }) });
    }
  }
  return out;
}

/** RFC 5322 §3.6.4: when a References list must be shortened, keep the thread's root and the most recent ids. */
function boundReferences(ids: string[]): string[] {
  const clipped = ids.length > MAX_LIST_ENTRIES ? [ids[0]!, ...ids.slice(ids.length - (MAX_LIST_ENTRIES - 1))] : ids;
  return clipped.map((id) => clip(id));
}

function normaliseId(id: string | undefined): string | undefined {
  const trimmed = id?.trim();
  if (!trimmed) return undefined;
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

function byteLength(content: ArrayBuffer | Uint8Array | string): number {
  return typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
}
