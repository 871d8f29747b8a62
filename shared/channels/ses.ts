import type { SESEvent } from 'aws-lambda';
import type { InboundItem, Party, TransportFacts, Verdict } from '../model/inbound-item.ts';
import { asArray, asObject, asString, optional, type Json } from './common.ts';
import { headerOnlyEmail, MimeLimitError, notParsedText, parseMime, returnPathOf, type ParsedEmail } from './email.ts';
import { mailKey, type RawMailStore } from './mail-stores.ts';

/**
 * SES receipt rule Lambda action (reference/channels.md §2): the event has no
 * body, so the raw MIME is read from the store (prefix + mail.messageId),
 * parsed, and combined with SES's envelope and verdicts into one item.
 */

export interface SesDeps {
  readonly store: RawMailStore;
  readonly enqueue: (items: readonly InboundItem[]) => Promise<void>;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: Date;
}

export interface SesResult {
  readonly enqueued: number;
  readonly malformed: number;
}

/** A malformed record is counted and skipped; a store or queue failure throws so Lambda retries the event. */
export async function handleSesEvent(event: SESEvent, deps: SesDeps): Promise<SesResult> {
  const env = deps.env ?? process.env;
  const now = deps.now ?? new Date();
  const items: InboundItem[] = [];
  let malformed = 0;
  for (const record of asArray(asObject(event)?.Records)) {
    const ses = asObject(asObject(record)?.ses);
    const mail = asObject(ses?.mail);
    const messageId = asString(mail?.messageId);
    if (!ses || !mail || !messageId || !/^[A-Za-z0-9._-]+$/.test(messageId)) {
      malformed++;
      continue;
    }
    const key = mailKey(messageId, env);
    const raw = await deps.store.get(key);
    // postal-mime is lenient; if it still gives up, or the message is over the parsing limits, keep the
    // mail with what SES parsed (and why) rather than lose it.
    const parsed = await parseMime(raw).catch((error: unknown) =>
      fromCommonHeaders(mail, error instanceof MimeLimitError ? error.message : 'the MIME structure could not be read'),
    );
    items.push(sesItem(ses as unknown as SesRecord, parsed, now, deps.store.bucket ? { bucket: deps.store.bucket, key } : undefined));
  }
  await deps.enqueue(items);
  return { enqueued: items.length, malformed };
}

interface SesRecord {
  mail: { timestamp?: string; source?: string; messageId: string; headersTruncated?: boolean; commonHeaders?: { from?: string[] } };
  receipt?: Record<string, unknown>;
}

export function sesItem(ses: SesRecord, parsed: ParsedEmail, now: Date, raw?: { bucket: string; key: string }): InboundItem {
  const { mail } = ses;
  const receipt = asObject(ses.receipt) ?? {};
  const envelope = returnPathOf(asString(mail.source));
  const sender: Party = envelope
    ? { id: envelope, ...optional({ name: parsed.from?.id === envelope ? parsed.from.name : undefined }) }
    : (parsed.from ?? { id: '' });
  const headerFrom = parsed.from && parsed.from.id !== sender.id ? parsed.from : undefined;
  const verdict = (name: string): Verdict | undefined => toVerdict(asString(asObject(receipt[name])?.status));
  const transport: TransportFacts = {
    ...optional({
      spf: verdict('spfVerdict'),
      dkim: verdict('dkimVerdict'),
      dmarc: verdict('dmarcVerdict'),
      dmarcPolicy: asString(receipt.dmarcPolicy),
      spam: verdict('spamVerdict'),
      virus: verdict('virusVerdict'),
      returnPath: envelope ?? parsed.returnPath,
      headersTruncated: mail.headersTruncated === true ? true : undefined,
    }),
    ...parsed.loopHeaders,
  };
  const timestamp = asString(mail.timestamp);
  return {
    schemaVersion: 1,
    itemId: `ses:${mail.messageId}`,
    channel: 'email',
    provider: 'ses',
    kind: 'email',
    providerMessageId: mail.messageId,
    receivedAt: timestamp && !Number.isNaN(Date.parse(timestamp)) ? new Date(timestamp).toISOString() : now.toISOString(),
    sender,
    recipients:
      parsed.to.length > 0
        ? parsed.to
        : asArray(receipt.recipients)
            .filter((r): r is string => typeof r === 'string')
            .map((r) => r.toLowerCase()),
    ...optional({
      headerFrom,
      cc: parsed.cc.length > 0 ? parsed.cc : undefined,
      replyTo: parsed.replyTo.length > 0 ? parsed.replyTo : undefined,
      subject: parsed.subject,
      raw,
    }),
    text: parsed.text,
    attachments: parsed.attachments,
    thread: optional({
      messageId: parsed.messageId,
      inReplyTo: parsed.inReplyTo,
      references: parsed.references.length > 0 ? parsed.references : undefined,
    }),
    transport,
  };
}

const VERDICTS: readonly Verdict[] = ['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED', 'NONE'];

function toVerdict(status: string | undefined): Verdict | undefined {
  const upper = status?.toUpperCase();
  return (VERDICTS as readonly string[]).includes(upper ?? '') ? (upper as Verdict) : undefined;
}

function fromCommonHeaders(mail: Json, reason: string): ParsedEmail {
  const common = asObject(mail.commonHeaders);
  return headerOnlyEmail({ ...optional({ subject: asString(common?.subject), messageId: asString(common?.messageId) }), text: notParsedText(reason) });
}
