import { createHmac } from 'node:crypto';
import { mandrillSignature } from '../../shared/channels/mandrill.ts';
import { sha256Hex } from '../../shared/channels/common.ts';
import { twilioSignature } from '../../shared/channels/twilio.ts';
import { passingAuthResults } from '../../infra/local/smtp.ts';
import { pageCommentPayload } from '../../infra/local/traffic.ts';
import type { Hostile, Scenario } from './plan.ts';

/**
 * Signed provider requests for the load run, one builder per scenario, each a
 * pure function of (target, run id, item number): sending the same item twice
 * sends the same bytes, as a provider's duplicate or retry does. Signatures
 * follow shared/reference/channels.md; signed URLs are the URL requested.
 */

export interface Target {
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string;
  readonly smtpPort: number;
  readonly secrets: {
    readonly MESSENGER_APP_SECRET: string;
    readonly MESSENGER_PAGE_ID: string;
    readonly MAILCHIMP_WEBHOOK_SECRET: string;
    readonly MANDRILL_WEBHOOK_KEY: string;
    readonly TWILIO_AUTH_TOKEN: string;
    readonly TWILIO_ACCOUNT_SID: string;
  };
}

export interface HttpRequest {
  readonly kind: 'http';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The hub's item id for this event (InboundItem.itemId). */
  readonly itemId?: string;
}

export interface SmtpRequest {
  readonly kind: 'smtp';
  readonly from: string;
  readonly to: string;
  /** Full MIME message, CRLF line ends. */
  readonly data: string;
}

export type LoadRequest = HttpRequest | SmtpRequest;

const CLERK = 'clerk@demo-parish.example.org.uk';
const ENQUIRIES = 'enquiries@demo-parish.example.org.uk';
const OUR_NUMBER = '+447700900123';
const FORM = 'application/x-www-form-urlencoded';

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** A UK drama-range mobile number per (run, item): distinct senders, so rate limits and consent never merge items. */
const phone = (run: string, i: number) => `+4477${pad(parseInt(run.slice(0, 4), 16) % 100, 2)}${pad(i, 6)}`;

export function itemRequest(target: Target, run: string, i: number, scenario: Scenario, now: Date): LoadRequest {
  switch (scenario) {
    case 'messenger-informal':
      return messenger(target, now, `m_load_${run}_${i}`, {
        sender: { id: `9${run.slice(0, 6).replace(/\D/g, '1')}${pad(i, 8)}` },
        text: 'Hello, when is the next parish council meeting? Is it open to the public?',
      });
    case 'comment-informal':
      return comment(
        target,
        now,
        `${target.secrets.MESSENGER_PAGE_ID}_${run}${i}`,
        `8${pad(i, 14)}`,
        'Lovely photos of the village fete, thank you to everyone who helped!',
      );
    case 'twilio-formal':
      return twilio(target, `SM${run}${pad(i, 24)}`, phone(run, i), 'Bin not collected on Elm Close again this week, please can someone look into it');
    case 'twilio-stop':
      return twilio(target, `SM${run}${pad(i, 24)}`, phone(run, i), 'STOP');
    case 'eum-formal': {
      const id = `${run}-load-${pad(i, 8)}`;
      const body = JSON.stringify({
        originationNumber: phone(run, i),
        destinationNumber: OUR_NUMBER,
        messageKeyword: 'KEYWORD_123456789012',
        messageBody: 'Street light out at the bus stop on High St',
        inboundMessageId: id,
        previousPublishedMessageId: '',
      });
      return { kind: 'http', path: '/local/sms', headers: { 'content-type': 'application/json' }, body, itemId: `aws-sms:${id}` };
    }
    case 'mandrill-formal':
      return mandrill(target, now, `${run}${pad(i, 16)}`, `mandrill-${run}-${i}@example.co.uk`);
    case 'mailchimp-ledger':
      return mailchimp(target, now, target.secrets.MAILCHIMP_WEBHOOK_SECRET, 'unsubscribe', `reader-${run}-${i}@example.co.uk`);
    case 'smtp-formal':
      return smtp(
        now,
        `resident-${run}-${i}@example.co.uk`,
        'Overgrown hedge on Mill Road blocking the footpath',
        'Dear Clerk,\r\n\r\nThe hedge outside 14 Mill Road has grown across the footpath. Please could the council ask the owner to cut it back?\r\n\r\nYours sincerely,\r\nA Resident',
        {},
        `${run}-${i}`,
      );
    case 'smtp-auto-reply':
      return smtp(
        now,
        `away-${run}-${i}@example.co.uk`,
        'Automatic reply: Parish newsletter',
        'I am away until Monday with limited access to email.',
        { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
        `${run}-${i}`,
      );
  }
}

export function hostileRequest(target: Target, run: string, i: number, hostile: Hostile, now: Date): HttpRequest {
  switch (hostile) {
    case 'bad-signature': {
      // A genuine-looking event signed with the wrong secret; each webhook channel in turn.
      const wrong = { ...target, secrets: { ...target.secrets, MESSENGER_APP_SECRET: 'not-the-secret', TWILIO_AUTH_TOKEN: 'not-the-token' } };
      const req =
        i % 2 === 0
          ? messenger(wrong, now, `m_forged_${run}_${i}`, { sender: { id: `7${pad(i, 14)}` }, text: 'forged' })
          : twilio(wrong, `SMforged${run}${pad(i, 18)}`, phone(run, i), 'forged');
      return withoutItem(req);
    }
    case 'forged-mandrill': {
      // Stored and answered 200 by the intake's REST API; mandrillIntake must then record nothing (accounting: no new record).
      const wrong = { ...target, secrets: { ...target.secrets, MANDRILL_WEBHOOK_KEY: 'not-the-key' } };
      return withoutItem(mandrill(wrong, now, `forged${run}${pad(i, 10)}`, `forged-${run}-${i}@example.co.uk`));
    }
    case 'malformed': {
      // Correctly signed bytes that are not JSON.
      const body = `{"object":"page","entry":[{"id":"${target.secrets.MESSENGER_PAGE_ID}",`;
      return {
        kind: 'http',
        path: '/webhooks/messenger',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${hex(target.secrets.MESSENGER_APP_SECRET, body)}` },
        body,
      };
    }
    case 'oversized':
      // Twilio bodies stop at 64 KiB (BODY_LIMITS.twilio); this is 70 KB.
      return withoutItem(twilio(target, `SMbig${run}${pad(i, 21)}`, phone(run, i), 'x'.repeat(70_000)));
    case 'unknown-event':
      // Authentic (right path secret) but of a type the hub does not handle: 200, nothing enqueued.
      return withoutItem(mailchimp(target, now, target.secrets.MAILCHIMP_WEBHOOK_SECRET, 'campaign-archived', `odd-${run}-${i}@example.co.uk`));
    case 'wrong-mailchimp-secret':
      return withoutItem(mailchimp(target, now, `guess-${i}`, 'unsubscribe', `guess-${run}-${i}@example.co.uk`));
  }
}

function withoutItem(req: LoadRequest): HttpRequest {
  if (req.kind !== 'http') throw new Error('hostile requests are HTTP');
  const { itemId: _ignored, ...rest } = req;
  return rest;
}

const hex = (key: string, body: string) => createHmac('sha256', key).update(body).digest('hex');

function messenger(target: Target, now: Date, mid: string, message: { sender: { id: string }; text: string }): HttpRequest {
  const pageId = target.secrets.MESSENGER_PAGE_ID;
  const time = now.getTime();
  const body = JSON.stringify({
    object: 'page',
    entry: [{ id: pageId, time, messaging: [{ sender: message.sender, recipient: { id: pageId }, timestamp: time, message: { mid, text: message.text } }] }],
  });
  return {
    kind: 'http',
    path: '/webhooks/messenger',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${hex(target.secrets.MESSENGER_APP_SECRET, body)}` },
    body,
    itemId: `meta:${mid}`,
  };
}

function comment(target: Target, now: Date, commentId: string, fromId: string, text: string): HttpRequest {
  const pageId = target.secrets.MESSENGER_PAGE_ID;
  const body = JSON.stringify(
    pageCommentPayload(pageId, { fromId, fromName: 'Load Tester', commentId, text, createdSeconds: Math.floor(now.getTime() / 1000) }),
  );
  return {
    kind: 'http',
    path: '/webhooks/messenger',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${hex(target.secrets.MESSENGER_APP_SECRET, body)}` },
    body,
    itemId: `meta:${commentId}:add`,
  };
}

function twilio(target: Target, sid: string, from: string, text: string): HttpRequest {
  const params: [string, string][] = [
    ['ToCountry', 'GB'],
    ['SmsMessageSid', sid],
    ['NumMedia', '0'],
    ['SmsSid', sid],
    ['SmsStatus', 'received'],
    ['Body', text],
    ['To', OUR_NUMBER],
    ['NumSegments', '1'],
    ['MessageSid', sid],
    ['AccountSid', target.secrets.TWILIO_ACCOUNT_SID],
    ['From', from],
    ['ApiVersion', '2010-04-01'],
  ];
  const path = '/webhooks/twilio';
  const signature = twilioSignature(`${target.baseUrl}${path}`, params, target.secrets.TWILIO_AUTH_TOKEN);
  return {
    kind: 'http',
    path,
    headers: { 'content-type': FORM, 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
    itemId: `twilio:${sid}`,
  };
}

function mandrill(target: Target, now: Date, id: string, from: string): HttpRequest {
  const date = rfc2822(now);
  const messageId = `<load-${id}@mail.example.co.uk>`;
  const subject = 'Allotment waiting list';
  const text = 'Please add me to the allotment waiting list. I live on Station Road.';
  const raw = [
    `Return-Path: <${from}>`,
    `From: Sam Grower <${from}>`,
    `To: ${ENQUIRIES}`,
    `Subject: ${subject}`,
    `Date: ${date}`,
    `Message-Id: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
  ].join('\r\n');
  const events = JSON.stringify([
    {
      event: 'inbound',
      ts: Math.floor(now.getTime() / 1000),
      _id: id,
      msg: {
        raw_msg: raw,
        headers: { 'Message-Id': messageId, Subject: subject, From: `Sam Grower <${from}>`, To: ENQUIRIES, Date: date },
        text: `${text}\n`,
        html: null,
        from_email: from,
        from_name: 'Sam Grower',
        to: [[ENQUIRIES, null]],
        email: ENQUIRIES,
        subject,
        tags: [],
        spam_report: { score: -0.8, matched_rules: [] },
        dkim: { signed: true, valid: true },
        spf: { result: 'pass', detail: 'sender SPF authorized' },
      },
    },
  ]);
  const path = '/webhooks/mandrill';
  const params: [string, string][] = [['mandrill_events', events]];
  const signature = mandrillSignature(`${target.baseUrl}${path}`, params, target.secrets.MANDRILL_WEBHOOK_KEY);
  return {
    kind: 'http',
    path,
    headers: { 'content-type': FORM, 'x-mandrill-signature': signature },
    body: new URLSearchParams(params).toString(),
    itemId: `mandrill:${id}`,
  };
}

function mailchimp(_target: Target, now: Date, secret: string, type: string, email: string): HttpRequest {
  const firedAt = now.toISOString().slice(0, 19).replace('T', ' ');
  const id = sha256Hex(email).slice(0, 10);
  const form = new URLSearchParams({
    type,
    fired_at: firedAt,
    'data[action]': 'unsub',
    'data[reason]': 'manual',
    'data[id]': id,
    'data[list_id]': 'a6b5da1054',
    'data[email]': email,
    'data[email_type]': 'html',
    'data[merges][EMAIL]': email,
    'data[ip_opt]': '203.0.113.10',
  });
  // The hub's id for an audience event: a hash of type, member id and fired_at (shared/channels/mailchimp.ts).
  const itemId = `mailchimp:${sha256Hex(`${type}\n${id}\n${firedAt}`).slice(0, 32)}`;
  return {
    kind: 'http',
    path: `/webhooks/mailchimp/${encodeURIComponent(secret)}`,
    headers: { 'content-type': FORM, 'user-agent': 'MailChimp.com' },
    body: form.toString(),
    itemId,
  };
}

function smtp(now: Date, from: string, subject: string, text: string, headers: Record<string, string>, id: string): SmtpRequest {
  const data = [
    // The local stand-in for SES's SPF/DKIM/DMARC verdicts: the hub answers only authenticated senders.
    `Authentication-Results: ${passingAuthResults(from)}`,
    `From: A Resident <${from}>`,
    `To: ${CLERK}`,
    `Subject: ${subject}`,
    `Date: ${rfc2822(now)}`,
    `Message-ID: <load-${id}@example.co.uk>`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
  ].join('\r\n');
  return { kind: 'smtp', from, to: CLERK, data };
}

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
