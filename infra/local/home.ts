import { londonDateTime } from '../../shared/runtime/london-time.ts';
import type { OutboxEntry } from './outbox.ts';
import type { ItemView } from './records.ts';

/**
 * The local home page: what came in, what the council's policy decided and
 * why (rule and clause), what went out, and where consent stands. Plain HTML
 * for a clerk; no JavaScript. Every value that could come from a resident
 * passes through `esc`.
 */

export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
    // Direction overrides could reverse what sits beside a value (an address after a name): show them as marks.
    .replace(/[\u202A-\u202E\u2066-\u2069]/g, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase()}]`);
}

export interface HomePageInput {
  readonly councilName: string;
  readonly items: readonly ItemView[];
  readonly outbox: readonly OutboxEntry[];
  readonly httpUrl: string;
  readonly smtpPort: number;
  readonly now?: Date;
}

const CHANNEL_NAMES: Record<string, string> = {
  messenger: 'Facebook Messenger',
  'facebook-comment': 'Facebook comment',
  email: 'Email',
  sms: 'SMS',
  mailchimp: 'Mailchimp',
};

const KIND_NAMES: Record<string, string> = {
  'auto-reply': 'Standard reply',
  'clerk-routing': 'Sent to the clerk',
  'consent-request': 'Consent request',
  'consent-reminder': 'Consent reminder',
  'consent-outcome': 'Consent outcome to the clerk',
  'complaint-invitation': 'Formal complaint invitation',
};

/** The engine's rule ids in words (the audit trail keeps ids and clauses, never the engine's sentences). */
const RULE_NAMES: Record<string, string> = {
  'channel-formality': 'What the policy says about this channel',
  'official-address': 'Sent to an official council address',
  'copied-to-clerk': 'The clerk was copied in, so it is official correspondence',
  'consent-follow-up': 'New formal correspondence: the data consent form goes to the resident before action is taken',
  'consent-on-file': 'The resident already gave consent for this matter',
  'existing-thread': 'A reply in correspondence already on file: no new consent form',
  'automatic-mail': 'Automatic mail (out-of-office, bounce, list): no automatic reply or consent form',
  'out-of-office': 'Arrived outside office hours: the reply says when the inbox is next monitored',
  'rate-limit': 'This sender already had the standard reply recently',
  'unverified-sender': 'The sender could not be verified: held for the clerk to check',
  'spam-verdict': 'Marked as spam: ignored, never answered',
  'virus-verdict': 'A virus was found: ignored, never answered',
  echo: 'Our own message coming back: ignored',
  'own-sender': 'Sent from one of our own addresses or numbers: ignored',
  'mailchimp-audience': 'A newsletter audience change, kept as a consent record',
  'sms-keyword': 'An SMS keyword (STOP, START, HELP), kept as a consent record',
  'moderation-hold': 'Held for the clerk because of its content',
  'moderation-formal': 'Treated as formal because of its content',
  'formal-complaint-invitation': 'The resident is invited to make a formal complaint',
  'policy-breach-notice': 'The resident is told which part of the policy the message breaks',
};

export function ruleName(rule: string): string {
  if (rule.startsWith('moderation:')) return `Flagged by the moderation rules: ${rule.slice('moderation:'.length).replaceAll('-', ' ')}`;
  return RULE_NAMES[rule] ?? rule;
}

const CONSENT_NAMES: Record<string, string> = {
  'not-needed': 'not needed',
  requested: 'requested, waiting for the resident',
  reminded: 'reminder sent, waiting',
  granted: 'granted',
  declined: 'declined: do not pass the data on',
  expired: 'expired without an answer: do not pass the data on',
};

export function renderHomePage(input: HomePageInput): string {
  const formal = input.items.filter((i) => i.classification === 'formal').length;
  const informal = input.items.filter((i) => i.classification === 'informal').length;
  const ignored = input.items.filter((i) => i.classification === 'ignored').length;
  const when = londonDateTime(input.now ?? new Date());
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="15">
<title>${esc(input.councilName)}: communications hub (local)</title>
<style>
  :root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #d8d8d8; --formal: #0b5394; --informal: #38761d; --ignored: #666; --warn: #8a1c1c; }
  body { font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0 auto; max-width: 62rem; padding: 1.5rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 2px solid var(--ink); }
  p.lede { color: var(--muted); margin-top: 0; }
  article { border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
  article h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
  .tag { display: inline-block; font-size: .8rem; font-weight: 600; padding: .05rem .5rem; border-radius: 3px; color: #fff; vertical-align: middle; }
  .formal { background: var(--formal); } .informal { background: var(--informal); } .ignored { background: var(--ignored); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
  dt { color: var(--muted); } dd { margin: 0; }
  blockquote { margin: .5rem 0; padding: .5rem .75rem; background: #f6f6f6; border-left: 4px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
  ul { margin: .25rem 0; padding-left: 1.25rem; } li { margin: .15rem 0; }
  .clause { font-variant-numeric: tabular-nums; color: var(--muted); }
  .warn { color: var(--warn); font-weight: 600; }
  table { border-collapse: collapse; width: 100%; font-size: .95rem; } th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
  td.text { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 28rem; }
  code { font-size: .9em; }
</style>
</head>
<body>
<header>
<h1>${esc(input.councilName)}</h1>
<p class="lede">Communications hub, running locally. ${input.items.length} recent items: ${formal} formal, ${informal} informal, ${ignored} ignored. Updated ${esc(when)}; this page refreshes every 15 seconds.</p>
</header>
<main>
<h2>Recent items</h2>
${input.items.length === 0 ? '<p>Nothing has arrived yet. Run <code>npm run demo</code> in another terminal to send an example on every channel.</p>' : input.items.map(renderItem).join('\n')}
<h2>Outbox: everything the hub sent</h2>
${renderOutbox(input.outbox)}
<h2>Try it</h2>
<ul>
  <li><code>npm run demo</code> sends a realistic, signed example on every channel.</li>
  <li>Email: SMTP on <code>localhost:${esc(input.smtpPort)}</code>, e.g. to <code>clerk@</code> the council's address.</li>
  <li>Machine-readable: <a href="/local/outbox"><code>GET /local/outbox</code></a> and <a href="/local/items"><code>GET /local/items</code></a>.</li>
</ul>
</main>
</body>
</html>
`;
}

function renderItem(item: ItemView): string {
  const title = item.ref ? `Reference ${esc(item.ref)}` : `${item.classification === 'ignored' ? 'Ignored' : 'Informal'} item (no audit record)`;
  const consent = item.consentStatus
    ? `<dt>Data consent</dt><dd${item.consentStatus === 'declined' || item.consentStatus === 'expired' ? ' class="warn"' : ''}>${esc(CONSENT_NAMES[item.consentStatus] ?? item.consentStatus)}</dd>`
    : '';
  const content =
    item.text !== undefined
      ? `<dt>From</dt><dd>${esc(item.sender)}</dd>${item.subject !== undefined ? `<dt>Subject</dt><dd>${esc(item.subject)}</dd>` : ''}`
      : '';
  const reasons = item.reasons.length
    ? `<p><strong>Why:</strong></p><ul>${item.reasons
        .map((r) => `<li>${esc(r.detail ?? ruleName(r.rule))} <span class="clause">(${esc(r.clause)}; rule <code>${esc(r.rule)}</code>)</span></li>`)
        .join('')}</ul>`
    : '';
  const flags = item.flags.length
    ? `<p><strong>Flagged:</strong></p><ul>${item.flags
        .map((f) => `<li>${esc(f.category)}: ${esc(f.action)} <span class="clause">(${esc(f.clause)})</span></li>`)
        .join('')}</ul>`
    : '';
  const sent = item.outbox.length
    ? `<p><strong>Sent:</strong></p><ul>${item.outbox
        .map((o) => `<li>${esc(KIND_NAMES[o.kind] ?? o.kind)} to ${esc(o.to)} by ${esc(CHANNEL_NAMES[o.channel] ?? o.channel)}</li>`)
        .join('')}</ul>`
    : '<p><strong>Sent:</strong> nothing.</p>';
  return `<article>
<h3><span class="tag ${esc(item.classification)}">${esc(item.classification)}</span> ${title}</h3>
<dl><dt>Channel</dt><dd>${esc(CHANNEL_NAMES[item.channel] ?? item.channel)}</dd><dt>Received</dt><dd>${esc(londonDateTime(item.receivedAt))}</dd>${content}${consent}</dl>
${item.text !== undefined ? `<blockquote>${esc(clip(item.text, 800))}</blockquote>` : ''}
${reasons}${flags}${sent}
${item.events.length ? `<p class="clause">Audit trail: ${item.events.map((e) => esc(e.type)).join(' → ')}</p>` : ''}
</article>`;
}

function renderOutbox(outbox: readonly OutboxEntry[]): string {
  if (outbox.length === 0) return '<p>Nothing has been sent yet.</p>';
  const rows = [...outbox]
    .reverse()
    .map(
      (o) =>
        `<tr><td>${esc(londonDateTime(o.at))}</td><td>${esc(KIND_NAMES[o.kind] ?? o.kind)}${o.ref ? `<br><span class="clause">${esc(o.ref)}</span>` : ''}</td><td>${esc(CHANNEL_NAMES[o.channel] ?? o.channel)}<br>${esc(o.to)}</td><td class="text">${o.subject !== undefined ? `<strong>${esc(o.subject)}</strong>\n` : ''}${esc(clip(o.text, 600))}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">To</th><th scope="col">Message</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
