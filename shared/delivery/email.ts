import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { OutboxMessage } from '../model/index.ts';
import { ENV } from '../topology.ts';
import { classifyAwsError, permanent, retryable } from './errors.ts';
import { bareAddress, composeMime, InvalidAddressError, outboxMessageId, type MimeAttachment, type MimeInput } from './mime.ts';
import type { SendContext, SendResult } from './types.ts';

/**
 * SES v2 `SendEmail` with `Content.Raw`: the hub composes the MIME itself so
 * the threading and automation headers are exactly what it says (RFC 3834
 * `Auto-Submitted`, `In-Reply-To`/`References`, the `Auto:` subject prefix)
 * and every message carries `X-Hub-Outbox-Id`, `X-Hub-Kind` and `X-Hub-Ref`.
 * (aws-ses-v2-local 2.9.0 silently drops `Content.Simple.Headers`, so Simple
 * content could not be verified locally; Raw is verified byte for byte.)
 */

let client: SESv2Client | undefined;
let clientTimeout = 0;

function sesClient(timeoutMs: number): SESv2Client {
  if (!client || clientTimeout !== timeoutMs) {
    client?.destroy();
    client = new SESv2Client({ maxAttempts: 1, requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true } });
    clientTimeout = timeoutMs;
  }
  return client;
}

/** Pure: the MIME input for one outbox message. */
export function buildEmail(msg: OutboxMessage, from: string, now: Date): MimeInput {
  const auto = msg.autoSubmitted === true;
  // The clerk's answer is written by a person: no Auto-Submitted header (RFC 3834 §5), so the resident's mail treats it as a letter.
  const human = msg.kind === 'clerk-answer';
  const baseSubject = msg.subject ?? (msg.ref ? `Reference ${msg.ref}` : 'Your message to the council');
  const subject = auto && !/^auto:/i.test(baseSubject) ? `Auto: ${baseSubject}` : baseSubject;
  const headers: Record<string, string> = {
    // RFC 3834: auto-replied for answers to the resident's mail, auto-generated for everything else the hub sends.
    ...(human ? {} : { 'Auto-Submitted': auto ? 'auto-replied' : 'auto-generated' }),
    'X-Hub-Outbox-Id': msg.id,
    'X-Hub-Kind': msg.kind,
  };
  if (msg.ref) headers['X-Hub-Ref'] = msg.ref;
  let domain = 'hub.invalid';
  try {
    domain = bareAddress(from).split('@')[1] ?? domain;
  } catch {
    // reported below when the From header is formatted
  }
  return {
    from: msg.fromName ? `${msg.fromName} <${from}>` : from,
    to: [msg.to],
    replyTo: msg.replyTo,
    subject,
    text: msg.text,
    html: msg.html,
    date: now,
    // Deterministic: if the one unavoidable duplicate ever happens, mail clients see the same message.
    messageId: outboxMessageId(msg.id, domain),
    inReplyTo: msg.inReplyTo,
    references: msg.references,
    headers,
  };
}

export function buildSendEmailInput(msg: OutboxMessage, env: NodeJS.ProcessEnv, now: Date, attachments?: readonly MimeAttachment[]): SendEmailCommandInput {
  const from = env[ENV.sesFromAddress];
  if (!from) throw retryable('ses-from-address-missing');
  let raw: string;
  let to: string;
  try {
    raw = composeMime({ ...buildEmail(msg, from, now), ...(attachments?.length ? { attachments } : {}) });
    to = bareAddress(msg.to);
  } catch (error) {
    if (error instanceof InvalidAddressError) {
      if (error.message.includes('From')) throw retryable('ses-from-address-invalid');
      throw permanent('invalid-recipient');
    }
    throw error;
  }
  const configurationSet = env[ENV.sesConfigurationSet];
  return {
    Destination: { ToAddresses: [to] },
    Content: { Raw: { Data: Buffer.from(raw, 'utf8') } },
    ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
  };
}

export async function sendEmail(msg: OutboxMessage, ctx: SendContext): Promise<SendResult> {
  const attachments = msg.attachmentsFrom ? await attachmentsOf(msg.attachmentsFrom.key, ctx.env) : undefined;
  const input = buildSendEmailInput(msg, ctx.env, ctx.now, attachments);
  try {
    const out = await sesClient(ctx.timeoutMs).send(new SendEmailCommand(input), { abortSignal: AbortSignal.timeout(ctx.timeoutMs) });
    return { status: 'sent', provider: 'ses', ...(out.MessageId ? { providerMessageId: out.MessageId } : {}) };
  } catch (error) {
    throw classifyAwsError(error);
  }
}

/** SES v2 accepts messages up to 40 MB (after base64, which adds a third): keep the files to 28 MB. */
export const MAX_ATTACHMENT_BYTES = 28 * 1024 * 1024;

/** The clerk's attachments, read back from the raw reply in the mail store (S3 in AWS). */
export async function attachmentsOf(key: string, env: NodeJS.ProcessEnv): Promise<MimeAttachment[]> {
  const [{ lazyRawMailStore }, { default: PostalMime }] = await Promise.all([import('../channels/lazy-mail-store.ts'), import('postal-mime')]);
  let raw: Uint8Array;
  try {
    raw = await (await lazyRawMailStore(env)).get(key);
  } catch (error) {
    const name = (error as { name?: string }).name;
    // The raw mail expires (30 days) or was never stored: the answer cannot carry its files.
    if (name === 'NoSuchKey' || (error as NodeJS.ErrnoException).code === 'ENOENT') throw permanent('attachments-gone');
    throw retryable('mail-store-unavailable');
  }
  const mail = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  const files = mail.attachments.map((a) => ({
    filename: a.filename ?? 'attachment',
    contentType: a.mimeType || 'application/octet-stream',
    content: new Uint8Array(a.content as ArrayBuffer),
  }));
  if (files.reduce((n, f) => n + f.content.byteLength, 0) > MAX_ATTACHMENT_BYTES) throw permanent('attachments-too-large');
  return files;
}
