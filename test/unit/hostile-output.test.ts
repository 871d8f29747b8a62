import fc from 'fast-check';
import PostalMime from 'postal-mime';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHomePage } from '../../infra/local/home.ts';
import type { ItemView } from '../../infra/local/records.ts';
import { parseMime } from '../../shared/channels/email.ts';
import { sesItem } from '../../shared/channels/ses.ts';
import { buildSendEmailInput } from '../../shared/delivery/email.ts';
import type { Decision, InboundItem, OutboxMessage } from '../../shared/model/index.ts';
import { CONSENT_STATUSES } from '../../shared/model/audit.ts';
import { composeAutoReply, composeClerkRouting, replyTargetFor } from '../../shared/pipeline/compose.ts';
import { renderConsentForm, renderConsentRecorded, renderProblem } from '../../shared/pipeline/consent-page.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { BIDI_CONTROLS, buildMime, expectSafeHtml, hostileString, injection, mimeHeaders, mimeParts, runs, SEED } from '../support/hostile.ts';

/**
 * Resident text reaching people: the clerk's email (HTML part and the raw
 * MIME the SES sender builds), the resident's auto-reply, the local home page
 * and the consent pages. Markup is always escaped, no value adds a header
 * line, and direction overrides cannot disguise the sender or a filename.
 */

beforeAll(() => console.info(`hostile-output: fast-check seed ${SEED}`));

const policy = loadPolicy('demo');
const ENV = { SES_FROM_ADDRESS: 'Demo Parish Council Hub <hub@demo-parish.example.org>' };
const NOW = new Date('2026-03-10T10:00:00Z');
const CLERK = policy.contacts.clerk.address;
const CLERK_EMAIL_TAGS = ['!doctype', 'html', 'head', 'meta', 'body', 'p', 'strong', 'table', 'tr', 'th', 'td', 'h2', 'div', 'ul', 'li'];
const OUR_HEADERS = [
  'from',
  'to',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'auto-submitted',
  'x-hub-outbox-id',
  'x-hub-kind',
  'x-hub-ref',
  'mime-version',
  'content-type',
];

const decision = (evidence: string[]): Decision => ({
  classification: 'formal',
  reasons: [{ rule: 'official-address', clause: 'demo.txt §3', detail: 'Sent to an official council address.' }],
  flags: [{ category: 'personal-attack', evidence, clause: 'demo.txt §7', action: 'flag' }],
  actions: [{ type: 'audit' }, { type: 'route-to-clerk' }],
  policyVersion: policy.version,
});

const hostileItem = fc
  .record({
    channel: fc.constantFrom('email', 'messenger', 'sms', 'facebook-comment'),
    name: hostileString,
    id: fc.oneof(fc.constant('resident@example.org'), hostileString),
    headerFrom: hostileString,
    replyTo: fc.oneof(fc.constant('resident.home@example.org'), fc.constant('"quoted local"@example.org'), fc.constant('a@exämple.org'), hostileString),
    subject: fc.option(hostileString, { nil: undefined }),
    text: hostileString,
    filename: hostileString,
    contentType: hostileString,
    url: hostileString,
    evidence: hostileString,
    truncated: fc.boolean(),
  })
  .map((v): { item: InboundItem; evidence: string } => ({
    evidence: v.evidence,
    item: {
      schemaVersion: 1,
      itemId: 'ses:hostile',
      channel: v.channel as InboundItem['channel'],
      provider: 'ses',
      kind: 'email',
      providerMessageId: 'hostile',
      receivedAt: '2026-03-10T09:59:00.000Z',
      sender: { id: v.id, name: v.name },
      headerFrom: { id: v.headerFrom },
      recipients: [CLERK],
      replyTo: [v.replyTo],
      ...(v.subject !== undefined ? { subject: v.subject } : {}),
      text: v.text,
      ...(v.truncated ? { textTruncated: true } : {}),
      attachments: [{ filename: v.filename, contentType: v.contentType, sizeBytes: -1, url: v.url }],
      thread: { messageId: `<${v.subject ?? 'x'}@example.org>` },
      transport: {},
    },
  }));

const clerkEmail = (item: InboundItem, evidence: string, consentStatus: (typeof CONSENT_STATUSES)[number] = 'requested') =>
  composeClerkRouting({ item, decision: decision([evidence]), ref: 'DEM-2026-000001', policy, consentStatus, createdAt: NOW.toISOString() });

/** The raw MIME the SES sender would send for an outbox message, checked line by line and parsed back. */
async function sentMime(msg: OutboxMessage) {
  const input = buildSendEmailInput(msg, ENV, NOW);
  const raw = Buffer.from(input.Content!.Raw!.Data!).toString('utf8');
  const headers = mimeHeaders(raw);
  for (const [name] of headers) expect(OUR_HEADERS).toContain(name.toLowerCase());
  for (const once of ['from', 'to', 'subject', 'reply-to', 'date']) expect(headers.filter(([n]) => n.toLowerCase() === once).length).toBeLessThanOrEqual(1);
  const parsed = await PostalMime.parse(raw);
  expect(parsed.bcc ?? []).toEqual([]);
  expect(parsed.cc ?? []).toEqual([]);
  expect(parsed.subject ?? '').not.toMatch(/[\r\n]/);
  return { raw, headers, parsed, input };
}

describe('the clerk routing email', () => {
  it('property: its HTML only ever contains the template markup, whatever the resident sent', () => {
    fc.assert(
      fc.property(hostileItem, fc.constantFrom(...CONSENT_STATUSES), ({ item, evidence }, consent) => {
        const msg = clerkEmail(item, evidence, consent);
        expectSafeHtml(msg.html!, CLERK_EMAIL_TAGS);
        expect(msg.subject).not.toMatch(/[\r\n]/);
      }),
      runs(200),
    );
  });

  it('property: the raw MIME for SES gains no header, and goes to the clerk alone, whatever the resident sent', async () => {
    await fc.assert(
      fc.asyncProperty(hostileItem, async ({ item, evidence }) => {
        const { input, parsed } = await sentMime(clerkEmail(item, evidence));
        expect(input.Destination?.ToAddresses).toEqual([CLERK]);
        expect(parsed.to?.map((a) => a.address)).toEqual([CLERK]);
        expect((parsed.replyTo ?? []).length).toBeLessThanOrEqual(1);
      }),
      runs(150),
    );
  });

  it('a hostile Reply-To that is not a plain mailbox never stops the clerk getting the item', async () => {
    for (const replyTo of ['"quoted local"@example.org', 'a@exämple.org', 'a@[127.0.0.1]', 'x\r\nBcc: v@example.com', '<script>@example.org', '']) {
      const item: InboundItem = {
        ...fc.sample(hostileItem, { numRuns: 1, seed: SEED })[0]!.item,
        channel: 'email',
        sender: { id: 'resident@example.org' },
        replyTo: [replyTo],
      };
      const { parsed } = await sentMime(clerkEmail(item, 'x'));
      expect(parsed.to?.[0]?.address).toBe(CLERK);
      for (const a of parsed.replyTo ?? []) expect(a.address).toMatch(/^[^\s<>"]+@[a-z0-9.-]+$/);
    }
  });

  it('end to end: a hostile inbound mail (encoded words hiding CR/LF, NUL, invalid UTF-8) cannot add a header to the clerk email', async () => {
    await fc.assert(
      fc.asyncProperty(mimeParts, async (parts) => {
        const parsedMail = await parseMime(buildMime(parts));
        const item = sesItem({ mail: { messageId: 'e2e0001', source: 'resident@example.org', timestamp: NOW.toISOString() }, receipt: {} }, parsedMail, NOW);
        const msg = clerkEmail(item, 'x');
        expectSafeHtml(msg.html!, CLERK_EMAIL_TAGS);
        await sentMime(msg);
      }),
      runs(100),
    );
  });

  it('a direction override cannot disguise the sender, the subject or an attachment name', () => {
    const item: InboundItem = {
      ...fc.sample(hostileItem, { numRuns: 1, seed: SEED })[0]!.item,
      channel: 'email',
      sender: { id: 'resident@example.org', name: 'Clerk \u202Egro.licnuoc@krelc' },
      headerFrom: { id: 'x\u2066@example.org' },
      subject: 'Invoice \u202Bpaid\u202C',
      attachments: [{ filename: 'invoice\u202Efdp.exe', contentType: 'application/x-msdownload\u2067' }],
    };
    const msg = clerkEmail(item, 'x');
    for (const part of [msg.text, msg.html!, msg.subject!]) {
      const facts =
        part.split(/Message:|<h2[^>]*>Message<\/h2>/)[0]! + (part.split(/Attachments:|<h2[^>]*>Attachments<\/h2>/)[1] ?? '').split(/Why this is formal/)[0]!;
      expect(facts).not.toMatch(BIDI_CONTROLS);
    }
    // Still there for the clerk to see, as a visible mark.
    expect(msg.text).toContain('invoice');
    expect(msg.text).toMatch(/U\+202E/);
  });
});

describe("the resident's automatic reply", () => {
  it('property: a hostile subject becomes one Subject line and the reply goes only to the sender', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, async (subject) => {
        const item: InboundItem = {
          ...fc.sample(hostileItem, { numRuns: 1, seed: SEED })[0]!.item,
          channel: 'email',
          sender: { id: 'resident@example.org' },
          subject,
          transport: { spf: 'PASS', returnPath: 'resident@example.org' },
        };
        const reply = composeAutoReply({
          target: replyTargetFor(item)!,
          policy,
          text: 'Thank you <b>for</b> writing: https://example.org/"onmouseover=alert(1)',
          createdAt: NOW.toISOString(),
        });
        expectSafeHtml(reply.html!, ['p', 'br', 'a']);
        const { parsed } = await sentMime(reply);
        expect(parsed.to?.map((a) => a.address)).toEqual(['resident@example.org']);
      }),
      runs(100),
    );
  });
});

describe('the local home page', () => {
  const HOME_TAGS = [
    '!doctype',
    'html',
    'head',
    'meta',
    'title',
    'style',
    'body',
    'header',
    'h1',
    'h2',
    'h3',
    'p',
    'main',
    'code',
    'ul',
    'li',
    'a',
    'article',
    'span',
    'dl',
    'dt',
    'dd',
    'blockquote',
    'strong',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'br',
    'form',
    'div',
    'label',
    'input',
    'select',
    'option',
    'button',
    'nav',
  ];

  it('property: every value from a resident or the stores is escaped', () => {
    const view = fc.record({ a: hostileString, b: hostileString, c: hostileString, d: hostileString, e: hostileString, f: hostileString });
    fc.assert(
      fc.property(view, hostileString, ({ a, b, c, d, e, f }, council) => {
        const item: ItemView = {
          itemId: a,
          ref: b,
          channel: c,
          classification: d,
          receivedAt: e,
          consentStatus: f,
          reasons: [{ rule: a, clause: b, detail: c }],
          flags: [{ category: d, clause: e, action: f }],
          actions: [a],
          sender: `${a} <${b}>`,
          subject: c,
          text: d,
          events: [{ type: e, at: f }],
          outbox: [{ id: a, channel: b, provider: 'ses', to: c, kind: d, subject: e, text: f, ref: a, at: b }],
        };
        const html = renderHomePage({ councilName: council, items: [item], outbox: item.outbox, httpUrl: 'http://localhost:3000', smtpPort: 2525, now: NOW });
        expectSafeHtml(html, HOME_TAGS);
        expect(html).not.toMatch(/javascript:alert[^<]*<\/a>|href="javascript/);
      }),
      runs(200),
    );
  });

  it('a direction override in a name cannot reverse the address shown beside it', () => {
    const item: ItemView = {
      itemId: 'i',
      ref: 'DEM-1',
      channel: 'email',
      classification: 'formal',
      receivedAt: NOW.toISOString(),
      reasons: [],
      flags: [],
      actions: [],
      sender: 'Clerk \u202Egro.licnuoc@krelc <evil@example.com>',
      subject: 'a\u2066b',
      text: 'x',
      events: [],
      outbox: [],
    };
    const html = renderHomePage({ councilName: 'Demo', items: [item], outbox: [], httpUrl: 'http://localhost:3000', smtpPort: 2525, now: NOW });
    expect(html).not.toMatch(BIDI_CONTROLS);
  });
});

describe('the consent pages', () => {
  const CONSENT_TAGS = [
    '!doctype',
    'html',
    'head',
    'meta',
    'title',
    'style',
    'body',
    'main',
    'p',
    'h1',
    'div',
    'strong',
    'span',
    'form',
    'fieldset',
    'legend',
    'input',
    'label',
    'button',
  ];

  it('property: a hostile council name or reference never adds markup or an attribute', () => {
    fc.assert(
      fc.property(
        hostileString,
        fc.oneof(hostileString, injection),
        fc.boolean(),
        fc.constantFrom('not-found', 'expired', 'closed', 'too-large', 'unsupported', 'method') as fc.Arbitrary<'not-found'>,
        (councilName, reference, flag, problem) => {
          for (const html of [
            renderConsentForm({ councilName, reference, missingChoice: flag }),
            renderConsentRecorded({ councilName, reference, choice: flag ? 'grant' : 'decline', alreadyRecorded: flag }),
            renderProblem(problem, councilName, reference),
          ]) {
            expectSafeHtml(html, CONSENT_TAGS);
            // Unquoted-attribute and template tricks need = or `; they are escaped too.
            expect(html.replace(/<[^>]*>/g, '')).not.toMatch(/[`]/);
          }
        },
      ),
      runs(200),
    );
  });
});
