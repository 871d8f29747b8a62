import { CHANNEL_REGISTRY } from '../../shared/channels/registry.ts';
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
  return (
    String(value ?? '')
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&#39;')
      // Direction overrides could reverse what sits beside a value (an address after a name): show them as marks.
      .replace(/[\u202A-\u202E\u2066-\u2069]/g, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase()}]`)
  );
}

export interface HomePageInput {
  readonly councilName: string;
  readonly items: readonly ItemView[];
  readonly outbox: readonly OutboxEntry[];
  readonly httpUrl: string;
  readonly smtpPort: number;
  readonly now?: Date;
  /** The page's query string: `q` (reference or words), `channel`, `status`, `page`. */
  readonly query?: URLSearchParams;
}

/** Items per page: a clerk reads a page, not a 50,000-pixel scroll. */
export const PAGE_SIZE = 10;
const STATUSES = ['formal', 'informal', 'ignored'] as const;

export interface ItemFilter {
  readonly q: string;
  readonly channel: string;
  readonly status: string;
  readonly page: number;
}

export function readFilter(query: URLSearchParams | undefined): ItemFilter {
  const pick = (name: string, allowed: readonly string[]) => {
    const value = query?.get(name)?.trim() ?? '';
    return allowed.includes(value) ? value : '';
  };
  const page = Number.parseInt(query?.get('page') ?? '1', 10);
  return {
    q: (query?.get('q') ?? '').trim().slice(0, 100),
    channel: pick('channel', Object.keys(CHANNEL_NAMES)),
    status: pick('status', STATUSES),
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/** Items matching the filter: `q` matches a reference (any case) or words in the sender, subject or text. */
export function filterItems(items: readonly ItemView[], filter: ItemFilter): ItemView[] {
  const q = filter.q.toLowerCase();
  return items.filter(
    (i) =>
      (!filter.channel || i.channel === filter.channel) &&
      (!filter.status || i.classification === filter.status) &&
      (!q || [i.ref, i.sender, i.subject, i.text].some((v) => v?.toLowerCase().includes(q))),
  );
}

const CHANNEL_NAMES: Record<string, string> = Object.fromEntries(Object.entries(CHANNEL_REGISTRY).map(([id, c]) => [id, c.label]));

const KIND_NAMES: Record<string, string> = {
  'auto-reply': 'Standard reply',
  'clerk-routing': 'Sent to the clerk',
  'consent-request': 'Consent request',
  'consent-reminder': 'Consent reminder',
  'consent-outcome': 'Consent outcome to the clerk',
  'complaint-invitation': 'Formal complaint invitation',
  'budget-alert': 'Daily outbound limit reached (alert to the clerk)',
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
  'formal-acknowledgement': 'Formal correspondence: the sender is told its reference',
  'unverified-sender': 'The sender could not be verified: held for the clerk to check',
  'unauthenticated-sender': 'The sender address could not be authenticated: nothing is sent back to it',
  'sms-destination': 'A number the policy does not let the hub text: nothing is sent to it',
  'replay-window': 'An old event replayed: ignored',
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
  const filter = readFilter(input.query);
  const matching = filterItems(input.items, filter);
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const page = Math.min(filter.page, pages);
  const shown = matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const formal = input.items.filter((i) => i.classification === 'formal').length;
  const informal = input.items.filter((i) => i.classification === 'informal').length;
  const ignored = input.items.filter((i) => i.classification === 'ignored').length;
  const when = londonDateTime(input.now ?? new Date());
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
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
  code { font-size: .9em; overflow-wrap: anywhere; }
  a { color: #0b3d91; } a:focus-visible, input:focus-visible, select:focus-visible, button:focus-visible { outline: 3px solid var(--ink); outline-offset: 2px; }
  form.filter { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; margin: 0 0 1rem; }
  form.filter label { display: block; font-weight: 600; }
  form.filter input, form.filter select, form.filter button { font: inherit; min-height: 44px; padding: .3rem .5rem; border: 2px solid var(--ink); border-radius: 4px; background: #fff; color: var(--ink); max-width: 100%; }
  form.filter button { background: #0b3d91; color: #fff; font-weight: 600; padding: .3rem 1rem; }
  .pager a { display: inline-block; min-height: 44px; line-height: 44px; padding: 0 .5rem; }
  @media (max-width: 40rem) {
    body { padding: 1rem; font-size: 16px; }
    dl { grid-template-columns: 1fr; } dd { margin-bottom: .35rem; }
    table, thead, tbody, tr, th, td { display: block; } thead { position: absolute; left: -10000px; }
    td { border: 0; padding: .15rem 0; } tr { border-bottom: 1px solid var(--line); padding: .5rem 0; } td.text { max-width: none; }
  }
</style>
</head>
<body>
<header>
<h1>${esc(input.councilName)}</h1>
<p class="lede">Communications hub, running locally. ${input.items.length} recent items: ${formal} formal, ${informal} informal, ${ignored} ignored. Shown at ${esc(when)}; reload the page to see new items.</p>
</header>
<main>
<h2 id="items">Recent items</h2>
${
  input.items.length === 0
    ? '<p>Nothing has arrived yet. Run <code>npm run demo</code> in another terminal to send an example on every channel.</p>'
    : `${renderFilterForm(filter)}
${renderPager(filter, page, pages, matching.length, 'top')}
${shown.length ? shown.map(renderItem).join('\n') : '<p>No items match. <a href="/#items">Show all items</a>.</p>'}
${pages > 1 ? renderPager(filter, page, pages, matching.length, 'bottom') : ''}`
}
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

function renderFilterForm(filter: ItemFilter): string {
  const options = (values: readonly [string, string][], selected: string) =>
    values.map(([value, label]) => `<option value="${esc(value)}"${value === selected ? ' selected' : ''}>${esc(label)}</option>`).join('');
  return `<form class="filter" method="get" action="/#items" role="search" aria-label="Find items">
<div><label for="q">Reference or words</label><input id="q" name="q" type="search" value="${esc(filter.q)}" placeholder="e.g. DEM-2026-000002"></div>
<div><label for="channel">Channel</label><select id="channel" name="channel">${options([['', 'All channels'], ...Object.entries(CHANNEL_NAMES)], filter.channel)}</select></div>
<div><label for="status">Classification</label><select id="status" name="status">${options([['', 'All'], ...STATUSES.map((s): [string, string] => [s, s])], filter.status)}</select></div>
<div><button type="submit">Show</button></div>
</form>`;
}

function renderPager(filter: ItemFilter, page: number, pages: number, total: number, where: string): string {
  const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);
  const link = (to: number, label: string, rel: string) => {
    const query = new URLSearchParams({
      ...(filter.q ? { q: filter.q } : {}),
      ...(filter.channel ? { channel: filter.channel } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      page: String(to),
    });
    return `<a rel="${rel}" href="/?${esc(query.toString())}#items">${label}</a>`;
  };
  const links = [page > 1 ? link(page - 1, 'Newer items', 'prev') : '', page < pages ? link(page + 1, 'Older items', 'next') : ''].filter(Boolean).join(' ');
  return `<nav class="pager" aria-label="Pages of items (${where})"><p>Items ${first}–${last} of ${total}, page ${page} of ${pages}. ${links}</p></nav>`;
}

const AUDIENCE_WORDS: Readonly<Record<string, string>> = {
  subscribe: 'Subscribed to the newsletter',
  unsubscribe: 'Unsubscribed from the newsletter',
  profile: 'Updated their newsletter details',
  upemail: 'Changed the email address the newsletter goes to',
  cleaned: 'Removed from the newsletter by Mailchimp (the address bounced)',
  campaign: 'A newsletter was sent',
};

/** A reason in words; the audit trail keeps rule ids and clauses only, so some are worded from the item. */
function reasonText(reason: ItemView['reasons'][number], item: ItemView): string {
  if (reason.detail) return reason.detail;
  if (reason.rule === 'mailchimp-audience' && item.audienceEvent) {
    return `${AUDIENCE_WORDS[item.audienceEvent] ?? `Newsletter audience event "${item.audienceEvent}"`}, kept as a consent record`;
  }
  if (reason.rule === 'channel-formality') {
    const channel = nameOf(CHANNEL_NAMES, item.channel).replace(/^Email$/, 'email');
    const formal = item.classification === 'formal';
    return `The policy ${formal ? 'treats' : 'does not treat'} ${channel} as formal correspondence${formal ? '' : ': it is not official contact with the council'}`;
  }
  return ruleName(reason.rule);
}

/** One line per message sent, e.g. "Standard reply by SMS to +447700900456", "Sent to the clerk by email (clerk@…)". */
function sentLine(o: OutboxEntry): string {
  const channel = nameOf(CHANNEL_NAMES, o.channel).replace(/^Email$/, 'email');
  if (o.kind === 'clerk-routing') return `Sent to the clerk by ${channel} (${o.to})`;
  if (o.kind === 'consent-outcome') return `Consent outcome sent to the clerk by ${channel} (${o.to})`;
  return `${nameOf(KIND_NAMES, o.kind)} sent by ${channel} to ${o.to}`;
}

function nameOf(names: Readonly<Record<string, string>>, key: string): string {
  return Object.hasOwn(names, key) ? names[key]! : String(key);
}

/** Escaped text with its web links clickable (consent links in the outbox). */
function withLinks(text: string): string {
  return esc(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
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
        .map((r) => `<li>${esc(reasonText(r, item))} <span class="clause">(${esc(r.clause)}; rule <code>${esc(r.rule)}</code>)</span></li>`)
        .join('')}</ul>`
    : '';
  const flags = item.flags.length
    ? `<p><strong>Flagged:</strong></p><ul>${item.flags
        .map((f) => `<li>${esc(f.category)}: ${esc(f.action)} <span class="clause">(${esc(f.clause)})</span></li>`)
        .join('')}</ul>`
    : '';
  const sent = item.outbox.length
    ? `<p><strong>Sent:</strong></p><ul>${item.outbox.map((o) => `<li>${esc(sentLine(o))}</li>`).join('')}</ul>`
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
        `<tr><td>${esc(londonDateTime(o.at))}</td><td>${esc(KIND_NAMES[o.kind] ?? o.kind)}${o.ref ? `<br><span class="clause">${esc(o.ref)}</span>` : ''}</td><td>${esc(CHANNEL_NAMES[o.channel] ?? o.channel)}<br>${esc(o.to)}</td><td class="text">${o.subject !== undefined ? `<strong>${esc(o.subject)}</strong>\n` : ''}${withLinks(clip(o.text, 600))}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">To</th><th scope="col">Message</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
