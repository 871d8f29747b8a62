/**
 * The consent form pages: plain HTML that works without JavaScript and meets
 * WCAG 2.2 AA (language, title, one h1, fieldset/legend with labelled radio
 * buttons, visible focus, 7:1 text contrast, 44 px targets, no meaning carried
 * by colour alone, plain words). They say which message the form is about
 * (when, which channel, its subject: the resident's own words, shown only to
 * the holder of the link sent to the resident), link the council's privacy
 * notice and give a way to reach the clerk. Every value is HTML-escaped.
 */

import { londonDateTime } from '../runtime/london-time.ts';

export type ConsentChoice = 'grant' | 'decline';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Response headers for every consent page: never cached, never leaks the link (the token is a capability) through Referer. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const STYLE = `
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;font-size:1.1875rem;line-height:1.5;color:#0b0c0c;background:#fff}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.75rem;line-height:1.25;margin:0 0 1rem}
p{margin:0 0 1rem}
.ref{font-weight:700;white-space:nowrap}
.about{border-left:4px solid #505a5f;padding:.25rem 0 .25rem 1rem}
.about p{margin:0 0 .25rem}
fieldset{border:0;margin:0 0 1.5rem;padding:0}
legend{font-weight:700;font-size:1.25rem;margin-bottom:.75rem}
.choice{display:flex;align-items:center;gap:.75rem;min-height:44px;margin-bottom:.5rem}
.choice input{width:28px;height:28px;margin:0;flex:none;accent-color:#0b0c0c}
.choice label{padding:.5rem 0;cursor:pointer}
button{font:inherit;font-weight:700;min-height:44px;min-width:44px;padding:.6rem 1.25rem;border:2px solid #0b0c0c;border-radius:4px;background:#0b3d91;color:#fff;cursor:pointer}
a{color:#0b3d91}
:focus-visible{outline:3px solid #0b0c0c;outline-offset:3px;box-shadow:0 0 0 6px #ffdd00}
.error{border-left:6px solid #b10e1e;padding:.5rem 1rem;margin-bottom:1.5rem}
.error strong{display:block}
`;

export function page(title: string, councilName: string, content: string): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)} - ${escapeHtml(councilName)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p>${escapeHtml(councilName)}</p>
${content}
</main>
</body>
</html>
`;
}

const CHANNEL_WORDS: Readonly<Record<string, string>> = {
  email: 'email',
  messenger: 'Facebook Messenger',
  'facebook-comment': 'a Facebook comment',
  sms: 'text message (SMS)',
  mailchimp: 'the newsletter',
};

/** The message the form is about. */
export interface MessageAbout {
  readonly receivedAt: string;
  readonly channel: string;
  readonly subject?: string;
}

/** How the resident reaches the clerk and reads the council's privacy notice. */
export interface CouncilContact {
  readonly clerkEmail: string;
  /** A number the council treats texts to as official correspondence, for residents without email. */
  readonly smsNumber?: string;
  readonly privacyNoticeUrl?: string;
}

function aboutBlock(about: MessageAbout | undefined): string {
  if (!about) return '';
  const subject = about.subject ? `\n<p>Subject: ${escapeHtml(about.subject.slice(0, 200))}</p>` : '';
  return `<div class="about"><p>Your message: ${escapeHtml(CHANNEL_WORDS[about.channel] ?? about.channel)}, received ${escapeHtml(londonDateTime(about.receivedAt))}.</p>${subject}</div>\n`;
}

function privacyLine(contact: CouncilContact | undefined, councilName: string): string {
  if (!contact) return '';
  return contact.privacyNoticeUrl
    ? `<p>How the council uses and protects your details: <a href="${escapeHtml(contact.privacyNoticeUrl)}">${escapeHtml(councilName)} privacy notice</a>.</p>`
    : `<p>For the council's privacy notice, ask the clerk at <a href="mailto:${escapeHtml(contact.clerkEmail)}">${escapeHtml(contact.clerkEmail)}</a>.</p>`;
}

function changeAnswerLine(contact: CouncilContact | undefined, ref: string): string {
  if (!contact) return '<p>The clerk has been told. If you want to change your answer, please contact the clerk and quote your reference.</p>';
  const email = `<a href="mailto:${escapeHtml(contact.clerkEmail)}">${escapeHtml(contact.clerkEmail)}</a>`;
  const text = contact.smsNumber ? `, or send a text message to <span class="ref">${escapeHtml(contact.smsNumber)}</span>,` : '';
  return `<p>The clerk has been told. If you want to change your answer, email the clerk at ${email}${text} quoting your reference <span class="ref">${ref}</span>.</p>`;
}

export interface FormPageInput {
  readonly councilName: string;
  readonly reference: string;
  readonly about?: MessageAbout;
  readonly contact?: CouncilContact;
  /** Other matters (references) that joined this request: the one answer covers them too. */
  readonly alsoCovers?: readonly string[];
  /** Set when the resident sent the form without choosing. */
  readonly missingChoice?: boolean;
}

export function renderConsentForm(input: FormPageInput): string {
  const ref = escapeHtml(input.reference);
  const council = escapeHtml(input.councilName);
  const error = input.missingChoice
    ? `<div class="error" role="alert" id="choice-error"><strong>There is a problem</strong>Please choose one of the two answers below, then press Send my answer.</div>\n`
    : '';
  return page(
    input.missingChoice ? 'Error: Data consent' : 'Data consent',
    input.councilName,
    `<h1>Can we pass on your details?</h1>
${error}<p>You wrote to ${council}. Your reference is <span class="ref">${ref}</span>.</p>
${aboutBlock(input.about)}
${input.alsoCovers?.length ? `<p>You wrote to us about other matters while this form was waiting. Your answer also covers: ${input.alsoCovers.map((r) => `<span class="ref">${escapeHtml(r)}</span>`).join(', ')}.</p>\n` : ''}
<p>To act on your message, the council may need to pass your name and contact details to the people who can help, for example a county council department or a contractor.</p>
<p>We will not pass on your details unless you say yes.</p>
${privacyLine(input.contact, input.councilName)}
<form method="post">
<fieldset${input.missingChoice ? ' aria-describedby="choice-error"' : ''}>
<legend>Do you agree to the council passing on your details for this matter?</legend>
<div class="choice"><input type="radio" id="choice-grant" name="choice" value="grant" required><label for="choice-grant">Yes, you may pass on my details for this matter</label></div>
<div class="choice"><input type="radio" id="choice-decline" name="choice" value="decline"><label for="choice-decline">No, do not pass on my details</label></div>
</fieldset>
<button type="submit">Send my answer</button>
</form>`,
  );
}

export interface RecordedPageInput {
  readonly councilName: string;
  readonly reference: string;
  readonly choice: ConsentChoice;
  /** True when this visit did not record anything new (the answer was already on file). */
  readonly alreadyRecorded: boolean;
  readonly about?: MessageAbout;
  readonly contact?: CouncilContact;
}

export function renderConsentRecorded(input: RecordedPageInput): string {
  const ref = escapeHtml(input.reference);
  const answer =
    input.choice === 'grant'
      ? 'You said yes: the council may pass on your details for this matter.'
      : 'You said no: the council will not pass on your details.';
  const lead = input.alreadyRecorded ? 'We already have your answer' : 'Thank you, we have your answer';
  return page(
    'Answer recorded',
    input.councilName,
    `<h1>${lead}</h1>
<p>Reference <span class="ref">${ref}</span>.</p>
${aboutBlock(input.about)}<p>${answer}</p>
${changeAnswerLine(input.contact, ref)}
${privacyLine(input.contact, input.councilName)}`,
  );
}

export type ProblemKind = 'not-found' | 'expired' | 'closed' | 'too-large' | 'unsupported' | 'method';

const PROBLEMS: Record<ProblemKind, { status: number; title: string; text: string }> = {
  'not-found': {
    status: 404,
    title: 'Link not recognised',
    text: 'This link is not valid. Please check that you copied the whole link from the message we sent you. Nothing has been recorded.',
  },
  expired: {
    status: 410,
    title: 'This link has expired',
    text: 'The time to answer has passed, so nothing has been recorded. If you still want the council to act on your message, please contact the clerk.',
  },
  closed: {
    status: 410,
    title: 'This request has closed',
    text: 'The time to answer has passed, so nothing new has been recorded. If you still want the council to act on your message, please contact the clerk.',
  },
  'too-large': { status: 413, title: 'Form too large', text: 'The form sent was too large. Please go back and send it again.' },
  unsupported: { status: 415, title: 'Form not understood', text: 'Please send your answer using the form on this page.' },
  method: { status: 405, title: 'Not allowed', text: 'Please open the link from your message, then use the form.' },
};

export function problemStatus(kind: ProblemKind): number {
  return PROBLEMS[kind].status;
}

export function renderProblem(kind: ProblemKind, councilName: string, reference?: string): string {
  const problem = PROBLEMS[kind];
  const ref = reference ? `\n<p>Reference <span class="ref">${escapeHtml(reference)}</span>.</p>` : '';
  return page(problem.title, councilName, `<h1>${escapeHtml(problem.title)}</h1>${ref}\n<p>${escapeHtml(problem.text)}</p>`);
}
