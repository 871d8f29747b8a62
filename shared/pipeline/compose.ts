import type { ConsentStatus, Decision, InboundItem, OutboxKind, OutboxMessage } from '../model/index.ts';
import type { Policy } from '../policy/schema.ts';
import { QUEUES } from '../topology.ts';
import { bareAddress } from '../delivery/mime.ts';
import { CHANNEL_REGISTRY, type ReplyTarget } from '../channels/registry.ts';
import { mailAuth } from '../policy/mail-auth.ts';
import { fillPlaceholders, renderText } from '../policy/texts.ts';
import { londonDateTime } from '../runtime/london-time.ts';
import { countSegments } from '../delivery/sms-segments.ts';

/**
 * Pure builders of outbox messages. Every value that came from a resident is
 * HTML-escaped in `html`; `text` is plain text. Ids are deterministic
 * (`${itemId}:${kind}`), so deliver can send each at most once.
 */

export type { ReplyTarget };

/**
 * The reply target of an item, or undefined when nothing may be sent back:
 * Mailchimp events, and email whose sender address is not authenticated.
 */
export function replyTargetFor(item: InboundItem): ReplyTarget | undefined {
  return CHANNEL_REGISTRY[item.channel].replyTarget(item);
}

function toResident(
  target: ReplyTarget,
  kind: OutboxKind,
  council: string,
  createdAt: string,
  ref: string | undefined,
  text: string,
  subject: string | undefined,
  idSuffix = '',
): OutboxMessage {
  const email = target.channel === 'email';
  return {
    schemaVersion: 1,
    id: `${target.itemId}:${kind}${idSuffix}`,
    kind,
    channel: target.channel,
    to: target.to,
    ...(target.provider ? { provider: target.provider } : {}),
    ...(target.from ? { from: target.from } : {}),
    council,
    itemId: target.itemId,
    ...(ref ? { ref } : {}),
    ...(email && subject !== undefined ? { subject } : {}),
    text,
    ...(email ? { html: paragraphs(text), autoSubmitted: true } : {}),
    ...(email && target.inReplyTo ? { inReplyTo: target.inReplyTo } : {}),
    ...(email && target.references ? { references: [...target.references] } : {}),
    ...(target.lastUserMessageAt ? { lastUserMessageAt: target.lastUserMessageAt } : {}),
    createdAt,
  };
}

/** An automatic reply with one of the policy's texts (already rendered by the engine). */
export function composeAutoReply(input: {
  readonly target: ReplyTarget;
  readonly policy: Policy;
  readonly text: string;
  readonly kind?: Extract<OutboxKind, 'auto-reply' | 'complaint-invitation'>;
  readonly ref?: string;
  readonly createdAt: string;
  /** Distinguishes a second reply of the same kind for one item. */
  readonly idSuffix?: string;
}): OutboxMessage {
  const subject = `Auto: ${input.target.subject ?? input.policy.council.name}`;
  return toResident(input.target, input.kind ?? 'auto-reply', input.policy.council.id, input.createdAt, input.ref, input.text, subject, input.idSuffix ?? '');
}

/** The data-consent request (or, with `reminder`, the reminder) with its signed link and when the link stops working. */
export function composeConsentRequest(input: {
  readonly target: ReplyTarget;
  readonly policy: Policy;
  readonly ref: string;
  readonly consentUrl: string;
  /** ISO 8601: when the link expires (shown to the resident in London time). */
  readonly expiresAt: string;
  readonly createdAt: string;
  readonly reminder?: boolean;
}): OutboxMessage {
  const key = input.reminder ? 'consentReminder' : 'consentRequest';
  const vars = { reference: input.ref, consentUrl: input.consentUrl, consentExpires: londonDateTime(input.expiresAt) };
  const text = input.target.channel === 'sms' ? consentSms(input.policy, key, vars) : renderText(input.policy, key, vars, input.target.channel);
  const subject = `${input.reminder ? 'Reminder: d' : 'D'}ata consent form for your message to ${input.policy.council.name} (${input.ref})`;
  return toResident(input.target, input.reminder ? 'consent-reminder' : 'consent-request', input.policy.council.id, input.createdAt, input.ref, text, subject);
}

/** Carriers bill per segment; a consent text is kept to two (a short link makes that possible). */
export const MAX_CONSENT_SMS_SEGMENTS = 2;
const SMS_FALLBACK = {
  consentRequest:
    '{councilName} ref {reference}: before we act on your message or share your details, please fill in our data consent form by {consentExpires}: {consentUrl}',
  consentReminder: 'Reminder, {councilName} ref {reference}: please fill in our data consent form by {consentExpires}: {consentUrl}',
} as const;
const SMS_MINIMAL = 'Ref {reference} data consent form (until {consentExpires}): {consentUrl}';

/** The SMS form of a consent text: the policy's own SMS text if it fits two segments, else the hub's shorter ones. */
function consentSms(policy: Policy, key: 'consentRequest' | 'consentReminder', vars: Record<string, string>): string {
  const own = key === 'consentRequest' ? policy.texts.consentRequestSms : policy.texts.consentReminderSms;
  const all = { clerkEmail: policy.contacts.clerk.address, councilName: policy.council.name, ...vars };
  const candidates = [own, SMS_FALLBACK[key], SMS_MINIMAL].filter((t): t is string => t !== undefined).map((t) => fillPlaceholders(t, all));
  return candidates.find((t) => countSegments(t).segments <= MAX_CONSENT_SMS_SEGMENTS) ?? candidates[candidates.length - 1]!;
}

const CONSENT_LABEL: Record<ConsentStatus, string> = {
  'not-needed': 'not required for this item',
  requested: 'REQUESTED, not yet given',
  reminded: 'REMINDED, not yet given',
  granted: 'GIVEN',
  declined: 'DECLINED',
  expired: 'EXPIRED without an answer',
};

const HOLD_WARNING = {
  'unverified-sender': 'HOLD: the sender could not be verified (the message failed authentication checks). Check who sent it before acting on it.',
  moderation: 'HOLD: this item breaches the content rules of the policy (see the flags below). Check it before acting on it.',
} as const;

/**
 * The largest clerk email the outbox takes: the queue's limit less room for
 * the message attributes and JSON framing. HTML-escaping can make the body
 * several times the resident's text (`<` becomes `&lt;`), so the size is
 * measured on the composed message, in UTF-8 bytes, as SQS counts it.
 */
export const CLERK_MESSAGE_BUDGET_BYTES = QUEUES.outbox.maximumMessageSizeBytes - 32 * 1024;

const SHORTENED_NOTE = 'The message was too long for one email and is shortened below; the full text is kept with the record (hub audit show <reference>).';

/**
 * One email to the clerk per formal item, always within the outbox's size
 * limit: a message too long for it is cut (at a character boundary) and the
 * clerk is told so, so the clerk always gets the item.
 */
export function composeClerkRouting(input: ClerkRoutingInput): OutboxMessage {
  const first = composeClerkRoutingOnce(input, false);
  let size = Buffer.byteLength(JSON.stringify(first), 'utf8');
  if (size <= CLERK_MESSAGE_BUDGET_BYTES) return first;
  let text = input.item.text;
  for (;;) {
    text = text.slice(0, Math.floor((text.length * CLERK_MESSAGE_BUDGET_BYTES * 0.9) / size)).replace(/[\uD800-\uDBFF]$/, '');
    const shortened = composeClerkRoutingOnce({ ...input, item: { ...input.item, text: `${text}\n[…]` } }, true);
    size = Buffer.byteLength(JSON.stringify(shortened), 'utf8');
    if (size <= CLERK_MESSAGE_BUDGET_BYTES || text.length === 0) return shortened;
  }
}

interface ClerkRoutingInput {
  readonly item: InboundItem;
  readonly decision: Decision;
  readonly ref: string;
  readonly policy: Policy;
  readonly consentStatus: ConsentStatus;
  readonly createdAt: string;
  /** The item's signed reply address (issue 13): the clerk answers by replying to this email. */
  readonly replyAddress?: string;
  /** The case's statutory clock, for the subject (`FOI due 22 Jun 2026`) and the body. */
  readonly caseNote?: { readonly subjectTag: string; readonly lines: readonly string[] };
  /** A flagged Facebook comment (issue 15): what was done on the Page, and the clerk's one-click links. */
  readonly pageModeration?: { readonly lines: readonly string[]; readonly links: readonly { readonly label: string; readonly url: string }[] };
  /** Signed links that change the case (`Close the case: https://…/cases/<token>`). */
  readonly caseLinks?: readonly string[];
}

function composeClerkRoutingOnce(input: ClerkRoutingInput, shortened: boolean): OutboxMessage {
  const { item, decision, ref, policy, consentStatus } = input;
  const channel = CHANNEL_REGISTRY[item.channel].label;
  const consentPending = consentStatus !== 'granted' && consentStatus !== 'not-needed';
  const reply = residentReplyAddress(item);
  const parts: RoutingParts = {
    warnings: routingWarnings(input, reply, shortened),
    caseLines: input.caseNote?.lines ?? [],
    facts: routingFacts(input, channel),
    text: item.text,
    attachments: item.attachments.map((a) =>
      showControls(`${a.filename ?? '(unnamed)'} — ${a.contentType}${a.sizeBytes !== undefined ? `, ${a.sizeBytes} bytes` : ''}${a.url ? ` — ${a.url}` : ''}`),
    ),
    // The heading matches the decision: a held Facebook comment is informal, not formal.
    whyHeading:
      decision.classification === 'formal' ? 'Why this is formal' : `Why this is ${decision.classification}${decision.hold ? ' and held for you' : ''}`,
    reasons: decision.reasons.map((r) => `${r.detail} [${r.rule}; ${r.clause}]`),
    flags: decision.flags.map((f) =>
      showControls(`${f.category}: ${f.action} (${f.clause})${f.evidence.length ? ` — matched: ${f.evidence.map((e) => `"${e}"`).join(', ')}` : ''}`),
    ),
    answer: howToAnswer(input, channel, reply),
    caseLinks: input.caseLinks ?? [],
    ...(input.pageModeration ? { pageModeration: input.pageModeration } : {}),
  };
  const subjectText = showControls(item.subject ?? item.text.replace(/\s+/g, ' ').slice(0, 60));
  return {
    schemaVersion: 1,
    id: `${item.itemId}:clerk-routing`,
    kind: 'clerk-routing',
    channel: 'email',
    to: policy.contacts.clerk.address,
    council: policy.council.id,
    itemId: item.itemId,
    ref,
    subject:
      `[${ref}] ${input.caseNote ? `${input.caseNote.subjectTag} ` : ''}${decision.hold ? 'HOLD ' : ''}${consentPending ? 'CONSENT PENDING ' : ''}${channel}: ${subjectText}`.replace(
        /[\r\n]+/g,
        ' ',
      ),
    text: routingText(parts),
    html: clerkHtml(parts),
    ...(input.replyAddress ? { replyTo: input.replyAddress } : reply.address ? { replyTo: reply.address } : {}),
    createdAt: input.createdAt,
  };
}

type ResidentReply = ReturnType<typeof residentReplyAddress>;

/** The routing email's content, rendered as text (routingText) and HTML (clerkHtml). */
type RoutingParts = Parameters<typeof clerkHtml>[0];

/** What the clerk must heed before anything else: consent, holds, an untrustworthy reply address, shortened text. */
function routingWarnings(input: ClerkRoutingInput, reply: ResidentReply, shortened: boolean): string[] {
  const { item, decision, ref, policy, consentStatus } = input;
  const warnings: string[] = [];
  if (consentStatus !== 'granted' && consentStatus !== 'not-needed') {
    const closed = consentStatus === 'declined' || consentStatus === 'expired';
    warnings.push(
      `DATA CONSENT ${consentStatus === 'declined' ? 'DECLINED' : consentStatus === 'expired' ? 'EXPIRED' : 'NOT YET GIVEN'}: do not pass this correspondence or the sender's personal data on to anyone outside the Council (councillors, agencies or other bodies)${closed ? '.' : ' until the sender has completed the data consent form.'} (${policy.consent.clause})`,
    );
  }
  if (decision.hold) warnings.push(HOLD_WARNING[decision.hold]);
  if (reply.warning) warnings.push(reply.warning);
  if (item.textTruncated) warnings.push('The text below was shortened to fit; the full original is kept in the mail store.');
  if (shortened) warnings.push(SHORTENED_NOTE.replace('<reference>', ref));
  return warnings;
}

/** The facts table: reference, channel, sender, headers the sender set, when, subject, consent, classification. */
function routingFacts(input: ClerkRoutingInput, channel: string): [string, string][] {
  const { item, decision, ref, consentStatus } = input;
  const senderLine = item.sender.name ? `${item.sender.name} <${item.sender.id || 'unknown'}>` : item.sender.id || 'unknown (the provider did not say)';
  const facts: [string, string][] = [
    ['Reference', ref],
    ['Channel', channel],
    ['From', senderLine],
    ...(item.headerFrom && item.headerFrom.id !== item.sender.id ? ([['Header From (not verified)', item.headerFrom.id]] as [string, string][]) : []),
    ...(item.replyTo?.length ? ([['Reply-To (set by the sender)', item.replyTo.join(', ')]] as [string, string][]) : []),
    ['Received', londonDateTime(item.receivedAt)],
    ...(item.subject !== undefined ? ([['Subject', item.subject]] as [string, string][]) : []),
    ['Data consent', CONSENT_LABEL[consentStatus]],
    ['Classification', `${decision.classification} (policy ${decision.policyVersion})`],
  ];
  return facts.map(([k, v]) => [k, showControls(v)]);
}

/** How the clerk answers the sender: through the hub's reply address, on the channel, or by writing themselves. */
function howToAnswer(input: ClerkRoutingInput, channel: string, reply: ResidentReply): string {
  if (input.replyAddress) {
    return `Reply to this email to answer the sender on ${channel}: the hub sends your reply (without the quoted email and your signature) from the council. Put commands on the first line if needed: #close #foi #sar #complaint #not-foi #extend #clarify.`;
  }
  if (input.item.channel !== 'email') return `Answer the sender on ${channel} (this email cannot reach them).`;
  if (reply.address) return `Reply to this email to answer the sender directly (it goes to ${reply.address}).`;
  return reply.authenticated
    ? "The sender's address cannot be used as a reply address: write to them yourself, checking the address above."
    : "The sender's address could not be authenticated, so replying to this email does not reach it: check who sent this before writing to them.";
}

function routingText(p: RoutingParts): string {
  return [
    ...p.warnings.map((w) => `*** ${w}`),
    ...(p.warnings.length ? [''] : []),
    ...p.caseLines,
    ...(p.caseLines.length ? [''] : []),
    ...p.facts.map(([k, v]) => `${k}: ${v}`),
    '',
    'Message:',
    p.text,
    '',
    `Attachments: ${p.attachments.length ? '' : 'none'}`,
    ...p.attachments.map((a) => `- ${a}`),
    '',
    `${p.whyHeading}:`,
    ...p.reasons.map((r) => `- ${r}`),
    ...(p.flags.length ? ['', 'Moderation flags:', ...p.flags.map((f) => `- ${f}`)] : []),
    ...(p.pageModeration
      ? ['', 'On the Facebook Page:', ...p.pageModeration.lines.map((l) => `- ${l}`), ...p.pageModeration.links.map((l) => `- ${l.label}: ${l.url}`)]
      : []),
    '',
    p.answer,
    ...(p.caseLinks.length ? ['', 'Or change the case with one of these links (each asks you to confirm):', ...p.caseLinks.map((l) => `- ${l}`)] : []),
  ].join('\n');
}

/**
 * Inline styles (mail clients drop <style> blocks): a readable sans-serif
 * face, spacing, a bordered facts table and a marked warning box.
 */
const CSS = {
  body: 'margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#0b0c0c;background:#ffffff',
  wrap: 'max-width:42rem',
  warning: 'margin:0 0 12px;padding:8px 12px;border-left:6px solid #b10e1e;background:#fdf2f2',
  note: 'margin:0 0 12px;padding:8px 12px;border-left:6px solid #0b3d91;background:#f0f4fa',
  table: 'border-collapse:collapse;margin:0 0 16px;width:100%',
  th: 'text-align:left;vertical-align:top;padding:6px 12px 6px 0;border-bottom:1px solid #d8d8d8;color:#505a5f;font-weight:normal;white-space:nowrap',
  td: 'vertical-align:top;padding:6px 0;border-bottom:1px solid #d8d8d8;overflow-wrap:anywhere',
  h2: 'font-size:18px;margin:20px 0 8px',
  message: 'white-space:pre-wrap;margin:0;padding:12px;background:#f3f2f1;border-left:4px solid #b1b4b6;overflow-wrap:anywhere',
  list: 'margin:0 0 12px;padding-left:20px',
} as const;

function clerkHtml(parts: {
  readonly warnings: readonly string[];
  readonly caseLines: readonly string[];
  readonly facts: readonly [string, string][];
  readonly text: string;
  readonly attachments: readonly string[];
  readonly whyHeading: string;
  readonly reasons: readonly string[];
  readonly flags: readonly string[];
  readonly answer: string;
  readonly pageModeration?: { readonly lines: readonly string[]; readonly links: readonly { readonly label: string; readonly url: string }[] };
  /** `Label: url` lines of the case's signed links. */
  readonly caseLinks: readonly string[];
}): string {
  const list = (items: readonly string[]) => `<ul style="${CSS.list}">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  const h2 = (title: string) => `<h2 style="${CSS.h2}">${escapeHtml(title)}</h2>`;
  return [
    `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body style="${CSS.body}"><div style="${CSS.wrap}">`,
    ...parts.warnings.map((w) => `<p style="${CSS.warning}"><strong>${escapeHtml(w)}</strong></p>`),
    ...parts.caseLines.map((l) => `<p style="${CSS.note}"><strong>${escapeHtml(l)}</strong></p>`),
    `<table style="${CSS.table}">`,
    ...parts.facts.map(([k, v]) => `<tr><th scope="row" style="${CSS.th}">${escapeHtml(k)}</th><td style="${CSS.td}">${escapeHtml(v)}</td></tr>`),
    '</table>',
    h2('Message'),
    `<div style="${CSS.message}">${escapeHtml(parts.text)}</div>`,
    h2('Attachments'),
    parts.attachments.length ? list(parts.attachments) : '<p>None.</p>',
    h2(parts.whyHeading),
    list(parts.reasons),
    ...(parts.flags.length ? [h2('Moderation flags'), list(parts.flags)] : []),
    ...(parts.pageModeration
      ? [
          h2('On the Facebook Page'),
          list(parts.pageModeration.lines),
          `<p>${parts.pageModeration.links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join(' &middot; ')}</p>`,
        ]
      : []),
    `<p>${escapeHtml(parts.answer)}</p>`,
    ...(parts.caseLinks.length
      ? [
          '<p>Or change the case (each link asks you to confirm):</p>',
          `<ul>${parts.caseLinks.map((l) => `<li><a href="${escapeHtml(l.slice(l.indexOf(': ') + 2))}">${escapeHtml(l.slice(0, l.indexOf(': ')))}</a></li>`).join('')}</ul>`,
        ]
      : []),
    '</div></body></html>',
  ].join('\n');
}

/**
 * Direction overrides, embeddings and isolates (U+202A–E, U+2066–9) in a
 * one-line value would let a sender reverse what the clerk reads, e.g. an
 * address beside a display name or `invoice\u202Efdp.exe` shown as
 * `invoiceexe.pdf`. They are shown as visible `[U+202E]` marks instead.
 */
export function showControls(value: string): string {
  return value.replace(/[\u202A-\u202E\u2066-\u2069]/g, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase()}]`);
}

/**
 * Where the clerk's reply to a routed email goes. The resident's Reply-To is
 * honoured only when the From is authenticated, and the clerk is warned when
 * it points somewhere else: an unauthenticated Reply-To could silently send
 * the clerk's answer, with the resident's personal data, to a stranger.
 */
export function residentReplyAddress(item: InboundItem): { address?: string; authenticated: boolean; warning?: string } {
  if (item.channel !== 'email') return { authenticated: false };
  const auth = mailAuth(item);
  const given = item.replyTo?.[0];
  if (auth.status !== 'authenticated') {
    return {
      authenticated: false,
      ...(given
        ? {
            warning: `REPLY-TO NOT USED: the sender asked for answers to go to ${showControls(given)}, but the sender could not be authenticated, so this email's Reply-To does not point there.`,
          }
        : {}),
    };
  }
  // One the SES sender would refuse (IDN domain, quoted local part, junk) must not stop the clerk getting the item.
  const address = [given, auth.address].map(plainMailbox).find(Boolean);
  const differs = given !== undefined && plainMailbox(given)?.toLowerCase() !== auth.address;
  return {
    authenticated: true,
    ...(address ? { address } : {}),
    ...(differs
      ? {
          warning: `REPLY-TO DIFFERS: the sender asked for answers to go to ${showControls(given)}, not to their authenticated address ${auth.address}. Replying to this email goes to ${address ?? 'neither'}: make sure that address is theirs before sending personal data to it.`,
        }
      : {}),
  };
}

/** The bare address when it is a plain mailbox the mail composer accepts, else undefined. */
function plainMailbox(address: string | undefined): string | undefined {
  if (!address) return undefined;
  try {
    return bareAddress(address);
  } catch {
    return undefined;
  }
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map(
      (p) =>
        `<p>${escapeHtml(p)
          .replace(/\n/g, '<br>')
          .replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`)}</p>`,
    )
    .join('\n');
}
