import { createHash, randomBytes } from 'node:crypto';

/**
 * A small, safe MIME composer for the hub's own mail (SES v2 `Content.Raw`).
 * Every header value has CR/LF and other control characters removed, so no
 * value can start a new header (no header injection); non-ASCII text is
 * RFC 2047 encoded; addresses and message ids are validated, not trusted.
 * Bodies are UTF-8, base64 encoded, so any text is safe on the wire.
 */

export interface MimeInput {
  readonly from: string;
  readonly to: readonly string[];
  readonly replyTo?: string | undefined;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
  readonly date: Date;
  readonly messageId?: string | undefined;
  readonly inReplyTo?: string | undefined;
  readonly references?: readonly string[] | undefined;
  /** Extra headers (e.g. `Auto-Submitted`, `X-Hub-Outbox-Id`); names must be plain header tokens. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Files sent with the message (the clerk's answer by email): multipart/mixed. */
  readonly attachments?: readonly MimeAttachment[];
}

export interface MimeAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Uint8Array;
}

export class InvalidAddressError extends Error {
  constructor(what: string) {
    super(`invalid address in ${what}`);
    this.name = 'InvalidAddressError';
  }
}

const CRLF = '\r\n';
const HEADER_NAME = /^[!-9;-~]+$/;
const ADDR_SPEC = /^[^\s<>()[\]",;:\\@]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const MSG_ID = /^<[^\s<>()[\]",;:\\@]+@[^\s<>()[\]",;:\\@]+>$/;

/** Remove every character that could end or split a header line. */
export function sanitizeHeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .trim();
}

/** RFC 2047 `encoded-word`s (UTF-8, base64), each at most 75 characters, folded onto continuation lines. */
export function encodeHeaderText(value: string): string {
  const clean = sanitizeHeaderValue(value);
  if (/^[\x20-\x7e]*$/.test(clean)) return foldAscii(clean);
  const words: string[] = [];
  let chunk = '';
  for (const char of clean) {
    // 45 bytes of UTF-8 -> 60 base64 chars + 12 of `=?UTF-8?B??=` = 72 <= 75; never split a character.
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** Fold long ASCII text at spaces so no line passes 78 characters where that is possible. */
function foldAscii(value: string): string {
  if (value.length <= 76) return value;
  const out: string[] = [];
  let line = '';
  for (const word of value.split(' ')) {
    if (line && line.length + 1 + word.length > 76) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  out.push(line);
  return out.join(`${CRLF} `);
}

/** `addr@example.org` or `Display Name <addr@example.org>`; throws InvalidAddressError otherwise. */
export function formatAddress(raw: string, what: string): string {
  const value = sanitizeHeaderValue(raw);
  const angle = /^(.*?)\s*<([^<>]+)>$/.exec(value);
  const address = (angle ? angle[2]! : value).trim();
  if (!ADDR_SPEC.test(address) || address.length > 254) throw new InvalidAddressError(what);
  const name = angle ? angle[1]!.trim().replace(/^"(.*)"$/, '$1') : '';
  if (!name) return address;
  const display = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : encodeHeaderText(name);
  return `${display} <${address}>`;
}

export function bareAddress(raw: string): string {
  const formatted = formatAddress(raw, 'address');
  const angle = /<([^<>]+)>$/.exec(formatted);
  return angle ? angle[1]! : formatted;
}

/** Keep only well-formed `<id@host>` message ids. */
export function validMessageIds(ids: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const clean = id === undefined ? '' : sanitizeHeaderValue(id);
    const wrapped = clean.startsWith('<') ? clean : `<${clean}>`;
    if (clean && MSG_ID.test(wrapped) && !out.includes(wrapped)) out.push(wrapped);
  }
  return out;
}

function base64Lines(text: string): string {
  return (
    Buffer.from(text, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join(CRLF);
}

export function composeMime(input: MimeInput): string {
  const headers: string[] = [];
  const add = (name: string, value: string): void => {
    if (!HEADER_NAME.test(name)) throw new Error(`bad header name`);
    headers.push(`${name}: ${value}`);
  };
  add('From', formatAddress(input.from, 'From'));
  add('To', input.to.map((to) => formatAddress(to, 'To')).join(', '));
  if (input.replyTo) add('Reply-To', formatAddress(input.replyTo, 'Reply-To'));
  add('Subject', encodeHeaderText(input.subject));
  add('Date', input.date.toUTCString().replace('GMT', '+0000'));
  const [messageId] = validMessageIds([input.messageId]);
  if (messageId) add('Message-ID', messageId);
  const [inReplyTo] = validMessageIds([input.inReplyTo]);
  if (inReplyTo) add('In-Reply-To', inReplyTo);
  const references = validMessageIds([...(input.references ?? []), input.inReplyTo]);
  if (references.length > 0) add('References', references.join(`${CRLF} `));
  for (const [name, value] of Object.entries(input.headers ?? {})) add(name, encodeHeaderText(value));
  add('MIME-Version', '1.0');

  const textPart = [`Content-Type: text/plain; charset=UTF-8`, `Content-Transfer-Encoding: base64`, '', base64Lines(input.text)];
  if (input.attachments?.length) return [...headers, ...mixedBody(input, textPart)].join(CRLF) + CRLF;
  if (input.html === undefined) return [...headers, ...textPart].join(CRLF) + CRLF;

  const boundary = `hub-${randomBytes(12).toString('hex')}`;
  return (
    [
      ...headers,
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      ...textPart,
      `--${boundary}`,
      `Content-Type: text/html; charset=UTF-8`,
      `Content-Transfer-Encoding: base64`,
      '',
      base64Lines(input.html),
      `--${boundary}--`,
    ].join(CRLF) + CRLF
  );
}

/** The deterministic Message-ID of an outbox message: a duplicate send is the same message to mail clients, and a resident's reply can be tied back to it. */
export function outboxMessageId(outboxId: string, domain: string): string {
  return `<${createHash('sha256').update(outboxId).digest('hex').slice(0, 32)}@${domain}>`;
}

/** multipart/mixed: the text (or text + HTML alternative) first, then each file, base64, with a safe filename. */
function mixedBody(input: MimeInput, textPart: readonly string[]): string[] {
  const mixed = `hub-${randomBytes(12).toString('hex')}`;
  const body: string[] = [`Content-Type: multipart/mixed; boundary="${mixed}"`, '', `--${mixed}`];
  if (input.html === undefined) body.push(...textPart);
  else {
    const alt = `hub-${randomBytes(12).toString('hex')}`;
    body.push(
      `Content-Type: multipart/alternative; boundary="${alt}"`,
      '',
      `--${alt}`,
      ...textPart,
      `--${alt}`,
      'Content-Type: text/html; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(input.html),
      `--${alt}--`,
    );
  }
  for (const file of input.attachments ?? []) {
    const type = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(file.contentType) ? file.contentType : 'application/octet-stream';
    // RFC 2231 filename*: any characters, no quoting problems, no header injection.
    const name = encodeURIComponent(sanitizeHeaderValue(file.filename) || 'attachment').replace(
      /['()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    body.push(
      `--${mixed}`,
      `Content-Type: ${type}`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename*=UTF-8''${name}`,
      '',
      (
        Buffer.from(file.content)
          .toString('base64')
          .match(/.{1,76}/g) ?? []
      ).join(CRLF),
    );
  }
  body.push(`--${mixed}--`);
  return body;
}
