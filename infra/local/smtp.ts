import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { SESEvent, SESMailCommonHeaders, SESMailHeader } from 'aws-lambda';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { LOCAL_REGION } from './emulators.ts';

/**
 * Local stand-in for SES email receiving: an SMTP server whose receipt rule is
 * the production one, "S3 action, then Lambda action". Each accepted mail is
 * stored raw where the S3 action would put it (MAIL_PREFIX + messageId, here in
 * a directory), then the ses-inbound handler gets an SES-shaped event.
 *
 * Verdicts: mail typed into a local SMTP port has no DNS to check. Locally
 * only, an `Authentication-Results` header in the mail (as a receiving MTA
 * adds it: `spf=pass smtp.mailfrom=…; dkim=pass header.d=…; dmarc=pass
 * header.from=…`) supplies the SPF, DKIM and DMARC verdicts; without one they
 * are GRAY (SES's "no verdict"), so the hub routes the mail but answers
 * nothing. In AWS the header is never read: SES's own verdicts are used.
 * Spam and virus scanning are not run locally; they are PASS.
 */

/** SES received mail is at most 40 MB including headers (S3 action). */
export const MAX_MAIL_BYTES = 40 * 1024 * 1024;

export interface SmtpOptions {
  readonly port: number;
  readonly host?: string;
  /** Store the raw MIME under the object key; resolves when it is durable. */
  readonly storeRawMail: (key: string, raw: Buffer) => Promise<void>;
  readonly objectKeyPrefix: string;
  /** Make the event durable before the mail is acknowledged (so a crash before `deliver` finishes loses nothing). */
  readonly accept?: (event: SESEvent) => Promise<void>;
  /** The Lambda action (invocation type Event: SMTP is answered before it runs). */
  readonly deliver: (event: SESEvent) => Promise<void>;
}

export interface LocalSmtp {
  readonly port: number;
  close(): Promise<void>;
}

export async function startSmtp(options: SmtpOptions): Promise<LocalSmtp> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_MAIL_BYTES,
    banner: 'Parish Comms Hub local SMTP (SES receiving stand-in)',
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
          const error = Object.assign(new Error('Message exceeds the 40 MB SES limit'), { responseCode: 552 });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks);
        // Read the envelope now: smtp-server resets it for the next transaction once we answer.
        const envelopeFrom = addressOf(session.envelope.mailFrom);
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        const messageId = sesMessageId();
        const key = `${options.objectKeyPrefix}${messageId}`;
        // As SES does, the stored mail starts with the headers the receiving server adds.
        const received = [
          `Return-Path: <${envelopeFrom}>`,
          `Received: from ${session.hostNameAppearsAs || 'unknown'} (${session.remoteAddress}) by local-smtp.hub with SMTP id ${messageId} for ${recipients[0] ?? 'unknown'}; ${new Date().toUTCString().replace('GMT', '+0000')}`,
          'X-SES-Spam-Verdict: PASS',
          'X-SES-Virus-Verdict: PASS',
          '',
        ].join('\r\n');
        const stored = Buffer.concat([Buffer.from(received, 'utf8'), raw]);
        const event = buildSesEvent({ raw: stored, messageId, envelopeFrom, recipients });
        options
          .storeRawMail(key, stored)
          .then(() => options.accept?.(event))
          .then(() => {
            callback(null, `Ok: queued as ${messageId}`);
            void options.deliver(event);
          })
          .catch((error: unknown) => callback(error as Error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // smtp-server re-emits socket errors; a client hanging up must not stop the hub.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function addressOf(from: SMTPServerAddress | false | undefined): string {
  return from ? from.address : '';
}

/** SES message ids are 20–40 lowercase letters and digits; this one is 40. */
export function sesMessageId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(40)].map((b) => alphabet[b % alphabet.length]).join('');
}

export interface SesEventInput {
  readonly raw: Buffer;
  readonly messageId: string;
  /** Envelope MAIL FROM; empty for the null reverse-path `<>`. */
  readonly envelopeFrom: string;
  readonly recipients: readonly string[];
  /** SPF, DKIM and DMARC verdicts for all three; otherwise read from the mail's Authentication-Results header, else GRAY. */
  readonly authVerdict?: 'PASS' | 'GRAY' | 'FAIL';
  readonly now?: Date;
}

/** The SES receipt-rule Lambda event, as SES builds it from the mail's header section. */
export function buildSesEvent(input: SesEventInput): SESEvent {
  const now = (input.now ?? new Date()).toISOString();
  const { headers, truncated } = parseHeaders(input.raw);
  const all = (name: string) => headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);
  const first = (name: string) => all(name)[0];
  const addresses = (name: string) => all(name).flatMap(splitAddressList);
  const to = addresses('to');
  const cc = addresses('cc');
  // The typings make date and messageId required; a mail without those headers has neither here, as in SES.
  const commonHeaders = {
    returnPath: input.envelopeFrom,
    ...(first('from') !== undefined ? { from: addresses('from') } : {}),
    ...(first('sender') !== undefined ? { sender: addresses('sender') } : {}),
    ...(first('reply-to') !== undefined ? { replyTo: addresses('reply-to') } : {}),
    ...(to.length > 0 ? { to } : {}),
    ...(cc.length > 0 ? { cc } : {}),
    ...(first('bcc') !== undefined ? { bcc: addresses('bcc') } : {}),
    ...(first('date') !== undefined ? { date: first('date')! } : {}),
    ...(first('message-id') !== undefined ? { messageId: first('message-id')! } : {}),
    ...(first('subject') !== undefined ? { subject: first('subject')! } : {}),
  } as SESMailCommonHeaders;
  const verdicts = input.authVerdict
    ? { spf: input.authVerdict, dkim: input.authVerdict, dmarc: input.authVerdict }
    : authenticationResults(all('authentication-results'));
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: now,
            source: input.envelopeFrom,
            messageId: input.messageId,
            destination: [...to, ...cc].map(bareAddress),
            headersTruncated: truncated,
            headers,
            commonHeaders,
          },
          receipt: {
            timestamp: now,
            processingTimeMillis: 1,
            recipients: [...input.recipients],
            spamVerdict: { status: 'PASS' },
            virusVerdict: { status: 'PASS' },
            spfVerdict: { status: verdicts.spf },
            dkimVerdict: { status: verdicts.dkim },
            dmarcVerdict: { status: verdicts.dmarc },
            action: {
              type: 'Lambda',
              functionArn: `arn:aws:lambda:${LOCAL_REGION}:123456789012:function:hub-sesInbound`,
              invocationType: 'Event',
            },
          },
        },
      },
    ],
  };
}

type LocalVerdict = 'PASS' | 'FAIL' | 'GRAY';

/**
 * SPF, DKIM and DMARC verdicts from Authentication-Results headers (RFC 8601),
 * the local stand-in for SES's checks. The first header is the one the
 * nearest receiving server added. softfail counts as FAIL, as SES reports it;
 * any passing DKIM signature is a DKIM PASS.
 */
export function authenticationResults(values: readonly string[]): { spf: LocalVerdict; dkim: LocalVerdict; dmarc: LocalVerdict } {
  const first = values[0] ?? '';
  const results = (method: string): string[] => [...first.matchAll(new RegExp(`(?:^|[;\\s])${method}\\s*=\\s*([a-z]+)`, 'gi'))].map((m) => m[1]!.toLowerCase());
  const verdict = (method: string): LocalVerdict => {
    const found = results(method);
    if (found.includes('pass')) return 'PASS';
    return found.some((r) => r === 'fail' || r === 'softfail' || r === 'hardfail') ? 'FAIL' : 'GRAY';
  };
  return { spf: verdict('spf'), dkim: verdict('dkim'), dmarc: verdict('dmarc') };
}

/** An Authentication-Results header as a receiving MTA adds it, for mail that passed every check. */
export function passingAuthResults(from: string): string {
  const domain = from.slice(from.lastIndexOf('@') + 1);
  return `local-smtp.hub; spf=pass smtp.mailfrom=${from}; dkim=pass header.d=${domain}; dmarc=pass header.from=${domain}`;
}

/** SES sets headersTruncated when the header section exceeds 10 KB. */
const HEADER_LIMIT = 10 * 1024;

export function parseHeaders(raw: Buffer): { headers: SESMailHeader[]; truncated: boolean } {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end === -1 ? text : text.slice(0, end);
  const headers: SESMailHeader[] = [];
  let size = 0;
  let truncated = false;
  for (const line of block.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    size += line.length + 2;
    if (size > HEADER_LIMIT) {
      truncated = true;
      break;
    }
    const value = line
      .slice(colon + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers.push({ name: line.slice(0, colon).trim(), value: Buffer.from(value, 'latin1').toString('utf8') });
  }
  return { headers, truncated };
}

/** Split an address-list header at commas that are outside quotes and angle brackets. */
export function splitAddressList(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let angle = 0;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle++;
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1);
    if (ch === ',' && !quoted && angle === 0) {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function bareAddress(value: string): string {
  const match = /<([^>]*)>/.exec(value);
  return (match ? match[1]! : value).trim();
}
