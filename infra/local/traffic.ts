import { createHmac, randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { LOCAL_ID_DEFAULTS, LOCAL_SECRET_DEFAULTS } from './config.ts';
import { passingAuthResults } from './smtp.ts';

/**
 * Realistic, correctly signed traffic for a running local hub, one sender per
 * channel, signed the way each provider signs (../shared/reference/channels.md).
 * Used by `npm run demo` and the end-to-end test. Signed URLs are the URL the
 * request is made to, as the local hub contract says.
 */

export interface HubTarget {
  /** e.g. http://127.0.0.1:3000 */
  readonly baseUrl: string;
  readonly smtpHost: string;
  readonly smtpPort: number;
  readonly secrets: typeof LOCAL_SECRET_DEFAULTS & typeof LOCAL_ID_DEFAULTS;
}

export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): HubTarget {
  const pick = <T extends Record<string, string>>(defaults: T) => Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, env[k]?.trim() || v])) as T;
  return {
    baseUrl: `http://127.0.0.1:${env.HUB_PORT?.trim() || '3000'}`,
    smtpHost: '127.0.0.1',
    smtpPort: Number(env.HUB_SMTP_PORT?.trim() || '2525'),
    secrets: { ...pick(LOCAL_SECRET_DEFAULTS), ...pick(LOCAL_ID_DEFAULTS) },
  };
}

export interface Sent {
  readonly status: number;
  readonly body: string;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<Sent> {
  const response = await fetch(url, { method: 'POST', body, headers });
  return { status: response.status, body: await response.text() };
}

/** `sentAt` (epoch ms, default now) lets a test send a message that is already outside Messenger's 24-hour window. */
export async function messengerMessage(target: HubTarget, psid: string, mid: string, text: string, sentAt = Date.now()): Promise<Sent> {
  const pageId = target.secrets.MESSENGER_PAGE_ID;
  const now = sentAt;
  return messengerPost(target, {
    object: 'page',
    entry: [{ id: pageId, time: now, messaging: [{ sender: { id: psid }, recipient: { id: pageId }, timestamp: now, message: { mid, text } }] }],
  });
}

export async function messengerComment(target: HubTarget, fromId: string, fromName: string, commentId: string, text: string): Promise<Sent> {
  return messengerPost(
    target,
    pageCommentPayload(target.secrets.MESSENGER_PAGE_ID, { fromId, fromName, commentId, text, createdSeconds: Math.floor(Date.now() / 1000) }),
  );
}

/** Meta's `feed` change for a new comment on one of the Page's posts (the webhook's JSON body). */
export function pageCommentPayload(
  pageId: string,
  comment: { fromId: string; fromName: string; commentId: string; text: string; createdSeconds: number },
): unknown {
  const postId = `${pageId}_987654321098765`;
  return {
    object: 'page',
    entry: [
      {
        id: pageId,
        time: comment.createdSeconds,
        changes: [
          {
            field: 'feed',
            value: {
              item: 'comment',
              verb: 'add',
              comment_id: comment.commentId,
              post_id: postId,
              parent_id: postId,
              from: { id: comment.fromId, name: comment.fromName },
              message: comment.text,
              created_time: comment.createdSeconds,
            },
          },
        ],
      },
    ],
  };
}

async function messengerPost(target: HubTarget, payload: unknown): Promise<Sent> {
  // Meta sends non-ASCII escaped (\u00e9) and signs those bytes; so do we.
  const body = JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const signature = createHmac('sha256', target.secrets.MESSENGER_APP_SECRET).update(body).digest('hex');
  return post(`${target.baseUrl}/webhooks/messenger`, body, { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` });
}

/** A WhatsApp Cloud API `messages` change, signed like every Meta webhook (X-Hub-Signature-256 with the app secret). */
export async function whatsappMessage(target: HubTarget, waId: string, wamid: string, text: string, name = 'Sam Resident'): Promise<Sent> {
  const phoneNumberId = target.secrets.WHATSAPP_PHONE_NUMBER_ID;
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '447700900123', phone_number_id: phoneNumberId },
    contacts: [{ profile: { name }, wa_id: waId }],
    messages: [{ from: waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
  };
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value }] }] });
  const signature = createHmac('sha256', target.secrets.WHATSAPP_APP_SECRET).update(body).digest('hex');
  return post(`${target.baseUrl}/webhooks/whatsapp`, body, { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` });
}

export async function mailchimpUnsubscribe(
  target: HubTarget,
  email: string,
  firedAt: string,
  name: readonly [string, string] = ['Robin', 'Reader'],
): Promise<Sent> {
  const form = new URLSearchParams({
    type: 'unsubscribe',
    fired_at: firedAt,
    'data[action]': 'unsub',
    'data[reason]': 'manual',
    'data[id]': createHmac('md5', '').update(email).digest('hex').slice(0, 10),
    'data[list_id]': 'a6b5da1054',
    'data[email]': email,
    'data[email_type]': 'html',
    'data[merges][EMAIL]': email,
    'data[merges][FNAME]': name[0],
    'data[merges][LNAME]': name[1],
    'data[ip_opt]': '203.0.113.10',
    'data[campaign_id]': 'cb398d21d2',
  });
  return post(`${target.baseUrl}/webhooks/mailchimp/${encodeURIComponent(target.secrets.MAILCHIMP_WEBHOOK_SECRET)}`, form.toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'MailChimp.com',
  });
}

/** A file attached to a Mandrill mail: it travels twice, base64, in raw_msg and in attachments{} (as Mandrill sends it). */
export interface MandrillAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

export async function mandrillInbound(
  target: HubTarget,
  mail: { from: string; fromName: string; to: string; subject: string; text: string; messageId: string; attachment?: MandrillAttachment },
): Promise<Sent> {
  const date = new Date().toUTCString().replace('GMT', '+0000');
  const a = mail.attachment;
  const base64 = a?.bytes.toString('base64');
  const body = a
    ? [
        'Content-Type: multipart/mixed; boundary="hub-part"',
        '',
        '--hub-part',
        'Content-Type: text/plain; charset=utf-8',
        '',
        mail.text,
        '--hub-part',
        `Content-Type: ${a.contentType}; name="${a.filename}"`,
        `Content-Disposition: attachment; filename="${a.filename}"`,
        'Content-Transfer-Encoding: base64',
        '',
        ...(base64!.match(/.{1,76}/g) ?? []),
        '--hub-part--',
      ]
    : ['Content-Type: text/plain; charset=utf-8', '', mail.text];
  const raw = [
    // The envelope sender Mandrill's SPF check was for: replies go only to an authenticated address.
    `Return-Path: <${mail.from}>`,
    `Received: from mail.example.co.uk by inbound.mandrillapp.com; ${date}`,
    `From: ${mail.fromName} <${mail.from}>`,
    `To: ${mail.to}`,
    `Subject: ${mail.subject}`,
    `Date: ${date}`,
    `Message-Id: ${mail.messageId}`,
    'MIME-Version: 1.0',
    ...body,
    '',
  ].join('\r\n');
  const events = JSON.stringify([
    {
      event: 'inbound',
      ts: Math.floor(Date.now() / 1000),
      _id: randomUUID().replace(/-/g, ''),
      msg: {
        raw_msg: raw,
        headers: { 'Message-Id': mail.messageId, Subject: mail.subject, From: `${mail.fromName} <${mail.from}>`, To: mail.to, Date: date },
        text: `${mail.text}\n`,
        text_flowed: false,
        html: null,
        from_email: mail.from,
        from_name: mail.fromName,
        to: [[mail.to, null]],
        email: mail.to,
        subject: mail.subject,
        tags: [],
        sender: null,
        spam_report: { score: -0.8, matched_rules: [] },
        dkim: { signed: true, valid: true },
        spf: { result: 'pass', detail: 'sender SPF authorized' },
        ...(a ? { attachments: { [a.filename]: { name: a.filename, type: a.contentType, base64: true, content: base64 } } } : {}),
      },
    },
  ]);
  const url = `${target.baseUrl}/webhooks/mandrill`;
  const signature = createHmac('sha1', target.secrets.MANDRILL_WEBHOOK_KEY).update(`${url}mandrill_events${events}`).digest('base64');
  return post(url, new URLSearchParams({ mandrill_events: events }).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    'x-mandrill-signature': signature,
  });
}

export async function twilioSms(target: HubTarget, from: string, to: string, body: string, messageSid: string): Promise<Sent> {
  const params: Record<string, string> = {
    ToCountry: 'GB',
    SmsMessageSid: messageSid,
    NumMedia: '0',
    SmsSid: messageSid,
    SmsStatus: 'received',
    Body: body,
    To: to,
    NumSegments: '1',
    MessageSid: messageSid,
    AccountSid: target.secrets.TWILIO_ACCOUNT_SID,
    From: from,
    ApiVersion: '2010-04-01',
  };
  const url = `${target.baseUrl}/webhooks/twilio`;
  const signed =
    url +
    Object.keys(params)
      .sort()
      .map((k) => `${k}${params[k]}`)
      .join('');
  const signature = createHmac('sha1', target.secrets.TWILIO_AUTH_TOKEN).update(signed).digest('base64');
  return post(url, new URLSearchParams(params).toString(), { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature });
}

export async function eumSms(target: HubTarget, from: string, to: string, body: string, inboundMessageId: string): Promise<Sent> {
  const message = {
    originationNumber: from,
    destinationNumber: to,
    messageKeyword: 'KEYWORD_123456789012',
    messageBody: body,
    inboundMessageId,
    previousPublishedMessageId: '',
  };
  return post(`${target.baseUrl}/local/sms`, JSON.stringify(message), { 'content-type': 'application/json' });
}

export interface Email {
  readonly from: string;
  readonly fromName: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly headers?: Record<string, string>;
  /** Envelope MAIL FROM; '' for the null reverse-path of bounces and auto-replies. */
  readonly envelopeFrom?: string;
  /**
   * The local stand-in for SES's SPF/DKIM/DMARC checks (DESIGN.md "Local mail
   * authentication"): by default the mail says all three passed for its From
   * domain; `false` sends none (GRAY: routed, never answered).
   */
  readonly authenticated?: boolean;
}

/** Real SMTP (nodemailer) to the hub's SES-receiving stand-in. */
export async function smtpEmail(target: HubTarget, email: Email): Promise<string> {
  const transport = createTransport({ host: target.smtpHost, port: target.smtpPort, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({
      from: { name: email.fromName, address: email.from },
      to: email.to,
      subject: email.subject,
      text: email.text,
      headers: {
        ...(email.authenticated === false ? {} : { 'Authentication-Results': passingAuthResults(email.envelopeFrom || email.from) }),
        ...email.headers,
      },
      ...(email.envelopeFrom !== undefined ? { envelope: { from: email.envelopeFrom, to: [email.to] } } : {}),
    });
    return info.response;
  } finally {
    transport.close();
  }
}
