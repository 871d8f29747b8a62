import type { SubjectItem, SubjectRecords } from './subject.ts';

/**
 * The subject access report, as JSON (complete, for machines and for the
 * council's file) and as one self-contained HTML page a resident can read.
 * Pure: every value from the records is escaped; nothing is fetched.
 */

export interface SarMeta {
  readonly exportId: string;
  readonly council: string;
  readonly councilName: string;
  readonly generatedAt: string;
  readonly identities: readonly string[];
}

/** What was not searched, and why: the clerk must look there by hand (docs/data-protection.md). */
export const NOT_SEARCHED: readonly string[] = [
  "The clerk's and councillors' own mailboxes, where formal items were forwarded: search them for the same addresses.",
  'Items whose personal data was already erased: they no longer carry the sender hash, so they cannot be found by sender (by design).',
  'Messages still queued for processing (at most 14 days) and backups of the tables (point-in-time recovery, 35 days).',
  "The content of raw email as received (listed below with the day it is deleted, not read): it is the same as the item content above, and for the clerk's replies the answer that was sent to you.",
];

export function sarDocument(meta: SarMeta, records: SubjectRecords): Record<string, unknown> {
  return {
    exportId: meta.exportId,
    council: meta.council,
    councilName: meta.councilName,
    generatedAt: meta.generatedAt,
    identities: meta.identities,
    items: records.items.map((item) => ({
      reference: item.summary.ref,
      channel: item.summary.channel,
      provider: item.summary.provider,
      receivedAt: item.summary.receivedAt,
      classification: item.summary.classification,
      consentStatus: item.summary.consentStatus,
      keptUntil: item.summary.retainUntil,
      ...(item.content ? { content: item.content } : {}),
      ...(item.erased ? { erased: item.erased } : {}),
      ...(item.decision ? { decision: item.decision } : {}),
      consent: item.consent,
      messagesSentToYou: item.sentToThem,
      forwardedToClerk: item.forwardedToClerk,
      ...(item.hold ? { legalHold: item.hold } : {}),
      ...(item.case ? { case: item.case } : {}),
      history: item.history.map((e) => ({ seq: e.seq, at: e.at, type: e.type, data: e.data, hash: e.hash })),
    })),
    informalMessages: records.informal,
    consentPerMatter: records.consentPerMatter,
    consentLedger: records.consentLedger,
    consentNotes: records.consentNotes,
    openConsentRequest: records.openConsentRequest,
    caseReminders: records.caseReminders,
    digestThemes: records.themes,
    messengerLastMessage: records.messengerLastMessage,
    moderationOffences: records.moderationOffences,
    rawMailCopies: records.rawMail,
  };
}

export function sarManifest(
  meta: SarMeta,
  records: SubjectRecords,
  files: readonly { name: string; bytes: number; sha256: string }[],
): Record<string, unknown> {
  return {
    exportId: meta.exportId,
    council: meta.council,
    generatedAt: meta.generatedAt,
    identitiesSearched: meta.identities,
    searched: records.searched,
    excludedAsSomeoneElses: records.excluded,
    // Records of a kind the scan does not know (anyone's, per key prefix): tell the developers; never expected.
    unclassifiedRecords: records.unclassified,
    notSearched: NOT_SEARCHED,
    files,
  };
}

export function sarHtml(meta: SarMeta, records: SubjectRecords): string {
  const items = records.items.map(itemSection).join('\n');
  const informal = records.informal.length
    ? `<table><thead><tr><th scope="col">Received</th><th scope="col">Channel</th><th scope="col">Treated as</th><th scope="col">Why (policy clause)</th><th scope="col">What we did</th></tr></thead><tbody>${records.informal
        .map(
          (r) =>
            `<tr><td>${esc(r.receivedAt)}</td><td>${esc(r.channel)}</td><td>${esc(r.classification)}</td><td>${reasonsList(r.reasons)}</td><td>${esc(list(r.actions).join(', '))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>None.</p>';
  const consent = [
    ...records.consentPerMatter.map((c) => `<li>${esc(c.ref)}: ${esc(c.status)} (${esc(c.at)})</li>`),
    ...records.consentLedger.map((c) => `<li>Messaging preference: last change ${esc(c.lastChange)} on ${esc(c.at)}${c.optedOut ? ' (opted out)' : ''}</li>`),
  ];
  return `<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Subject access report ${esc(meta.exportId)}: ${esc(meta.councilName)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}section{border-top:2px solid #333;margin-top:2rem}</style>
</head>
<body>
<h1>Personal data held by ${esc(meta.councilName)}</h1>
<p>Subject access report ${esc(meta.exportId)}, produced ${esc(meta.generatedAt)}, for the identities: ${meta.identities.map((i) => `<strong>${esc(i)}</strong>`).join(', ')}.</p>
<h2>What was searched</h2>
<ul>${records.searched.map((s) => `<li>${esc(s.source)}: ${s.found} found</li>`).join('')}</ul>
<p>Not searched by this report:</p>
<ul>${NOT_SEARCHED.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<h2>Your messages recorded as correspondence (${records.items.length})</h2>
${items || '<p>None.</p>'}
<h2>Other messages (informal; no text kept) (${records.informal.length})</h2>
${informal}
<h2>Data consent and messaging preferences</h2>
${consent.length ? `<ul>${consent.join('')}</ul>` : '<p>None recorded.</p>'}
${otherRecordsHtml(records)}
</body>
</html>
`;
}

/** The operational records beyond items and consent, one list each; a section only when something was found. */
function otherRecordsHtml(r: SubjectRecords): string {
  const section = (title: string, rows: string[]) => (rows.length ? `<h2>${esc(title)}</h2><ul>${rows.map((row) => `<li>${row}</li>`).join('')}</ul>` : '');
  return [
    section(
      "The clerk's notes on your data consent",
      r.consentNotes.map((n) => `${esc(n.ref)}, ${esc(n.at)}, by ${esc(n.how)}, recorded by ${esc(n.recordedBy)}: <pre>${esc(n.note)}</pre>`),
    ),
    section(
      'Open request for your data consent',
      r.openConsentRequest.map((o) => `${esc(o.ref)}, open until ${esc(o.expiresAt)}`),
    ),
    section(
      "Reminders of the council's deadline to answer you",
      r.caseReminders.map((c) => `${esc(c.ref)}: reminder on ${esc(c.remindOn.slice(0, 10))} (${esc(c.label)}), due ${esc(c.dueOn)}`),
    ),
    section(
      "Topics your informal messages were counted under in the clerk's daily summary",
      r.themes.map((t) => `${esc(t.day)}: ${esc(t.topic)}${t.example ? ` (example quoted from your message: "${esc(t.example)}")` : ''}`),
    ),
    section('Time of your latest Messenger message (kept 2 days, for the reply window)', r.messengerLastMessage.map(esc)),
    section('Page comments of yours that broke the moderation rules (kept for the repeat-offender window)', r.moderationOffences.map(esc)),
    section(
      'Raw copies of email (deleted automatically on the day shown)',
      r.rawMail.map((m) => `${esc(m.what)}${m.ref ? ` (${esc(m.ref)})` : ''}, received ${esc(m.receivedAt)}, deleted by ${esc(m.deletedBy)}`),
    ),
  ].join('\n');
}

function itemSection(item: SubjectItem): string {
  const s = item.summary;
  const c = item.content;
  const rows: [string, string][] = [
    ['Received', esc(s.receivedAt)],
    ['Channel', `${esc(s.channel)} (${esc(s.provider)})`],
    ['Treated as', esc(s.classification)],
    ['Data consent', esc(s.consentStatus)],
    ['Kept until', esc(s.retainUntil)],
  ];
  if (item.erased) rows.push(['Personal data', `erased on ${esc(item.erased.at.slice(0, 10))} because ${esc(item.erased.reason)}`]);
  if (c) {
    rows.push(['From', esc([c.sender.name, c.sender.id].filter(Boolean).join(' '))]);
    if (c.subject !== undefined) rows.push(['Subject', esc(c.subject)]);
    if (c.attachments.length)
      rows.push([
        'Attachments (names only; files are not kept)',
        c.attachments
          .map((a) => `${esc(a.filename ?? 'unnamed')} (${esc(a.contentType ?? '')}, ${a.sizeBytes === undefined ? 'size unknown' : `${a.sizeBytes} bytes`})`)
          .join('<br>'),
      ]);
  }
  if (item.case) {
    const k = item.case;
    rows.push([
      'Case',
      esc(
        [
          k.type,
          k.status,
          k.dueOn ? `due ${k.dueOn}` : '',
          k.answeredAt ? `answered ${k.answeredAt.slice(0, 10)}` : '',
          k.closedAt ? `closed ${k.closedAt.slice(0, 10)}` : '',
        ]
          .filter(Boolean)
          .join(', '),
      ),
    ]);
  }
  if (item.hold) rows.push(['Legal hold', `${esc(item.hold.reason)} since ${esc(item.hold.since)}`]);
  const decision = item.decision ? `<h4>Why it was treated this way</h4>${reasonsList(item.decision.reasons)}` : '';
  const sent = item.sentToThem.length
    ? `<h4>Messages sent to you</h4><ul>${item.sentToThem.map((m) => `<li>${esc(m.at)}: ${esc(m.kind)} by ${esc(m.channel)}, ${esc(m.outcome)}${m.reason ? ` (${esc(m.reason)})` : ''}${m.standardText ? `<pre>${esc(m.standardText)}</pre>` : ''}</li>`).join('')}</ul>`
    : '';
  const clerk = item.forwardedToClerk.length ? `<p>Forwarded to the clerk: ${item.forwardedToClerk.map(esc).join(', ')}.</p>` : '';
  const history = `<h4>Full history</h4><ol>${item.history.map((e) => `<li>${esc(e.at)}: ${esc(e.type)}</li>`).join('')}</ol>`;
  return `<section>
<h3>${esc(s.ref)}</h3>
<table><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>
${c ? `<h4>Message</h4><pre>${esc(c.text)}</pre>` : ''}
${decision}${sent}${clerk}${history}
</section>`;
}

function reasonsList(reasons: unknown): string {
  const items = Array.isArray(reasons) ? (reasons as { rule?: unknown; clause?: unknown }[]) : [];
  return items.length ? `<ul>${items.map((r) => `<li>${esc(String(r.rule ?? ''))} (${esc(String(r.clause ?? ''))})</li>`).join('')}</ul>` : '';
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function esc(value: string | undefined): string {
  return (value ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
