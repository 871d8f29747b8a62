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

export async function parseMime(raw: Uint8Array | string): Promise<ParsedEmail> {
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
  const inner = value.trim().replace(/^<(.*)>$/, '$1').trim();
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
