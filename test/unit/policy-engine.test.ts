import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { Decision, InboundItem, type Action, type TransportFacts } from '../../shared/model/index.ts';
import { decide, type DecisionContext } from '../../shared/policy/engine.ts';
import { loadPolicy, type PresetName } from '../../shared/policy/load.ts';

// ── Real-looking items ─────────────────────────────────────────────────────────

type ItemOverrides = Partial<Omit<InboundItem, 'transport'>> & { transport?: Partial<TransportFacts> };
let seq = 0;

function item(
  base: Omit<InboundItem, 'schemaVersion' | 'itemId' | 'providerMessageId' | 'receivedAt' | 'attachments' | 'thread' | 'transport'>,
  over: ItemOverrides,
): InboundItem {
  const id = `m${++seq}`;
  return v.parse(InboundItem, {
    schemaVersion: 1,
    itemId: `${base.provider}:${id}`,
    providerMessageId: id,
    receivedAt: '2025-06-03T09:00:00.000Z',
    attachments: [],
    thread: {},
    ...base,
    ...over,
    transport: { ...(base.channel === 'email' ? { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' } : {}), ...over.transport },
  });
}

const email = (over: ItemOverrides = {}): InboundItem =>
  item(
    {
      channel: 'email',
      provider: 'ses',
      kind: 'email',
      sender: { id: 'margaret.hughes@btinternet.com', name: 'Margaret Hughes' },
      recipients: ['clerk@stiltonparishcouncil.org'],
      subject: 'Overgrown hedge on Church Street',
      text: 'Dear Clerk,\n\nThe hedge outside 14 Church Street is blocking the pavement and people with pushchairs have to step into the road. Could the council ask the owner to cut it back?\n\nKind regards,\nMargaret',
    },
    over,
  );

const messenger = (over: ItemOverrides = {}): InboundItem =>
  item(
    {
      channel: 'messenger',
      provider: 'meta',
      kind: 'message',
      sender: { id: '6523419087654321' },
      recipients: ['100000000000101'],
      text: 'Hi, when is the next parish council meeting? I want to ask about the playground.',
    },
    over,
  );

const comment = (over: ItemOverrides = {}): InboundItem =>
  item(
    {
      channel: 'facebook-comment',
      provider: 'meta',
      kind: 'comment',
      sender: { id: '2987654321098765', name: 'Dave Cooper' },
      recipients: ['100000000000101'],
      text: 'Great to see the new benches on the green!',
    },
    over,
  );

const sms = (over: ItemOverrides = {}): InboundItem =>
  item(
    {
      channel: 'sms',
      provider: 'aws-sms',
      kind: 'sms',
      sender: { id: '+447700900555' },
      recipients: ['+447700900101'],
      text: 'Street light out at the bus stop on High St',
    },
    over,
  );

const mailchimp = (type: 'subscribe' | 'unsubscribe' | 'profile' | 'upemail' | 'cleaned', over: ItemOverrides = {}): InboundItem =>
  item(
    {
      channel: 'mailchimp',
      provider: 'mailchimp',
      kind: 'audience-event',
      sender: { id: 'margaret.hughes@btinternet.com' },
      recipients: ['a1b2c3d4e5'],
      text: '',
      audience: { type, listId: 'a1b2c3d4e5', firedAt: '2025-06-03 09:00:00', ...(type === 'unsubscribe' ? { action: 'unsub', reason: 'manual' } : {}) },
    },
    over,
  );

// Tuesday 3 June 2025, 10:00 BST: inside every council's office hours.
const TUESDAY_10AM = new Date('2025-06-03T09:00:00Z');
const ctx = (over: Partial<DecisionContext> = {}): DecisionContext => ({ now: TUESDAY_10AM, consentOnFile: false, ...over });

function decideFor(council: PresetName, it: InboundItem, context: DecisionContext = ctx()): Decision {
  const decision = decide(it, loadPolicy(council), context);
  // Every decision is a valid Decision, explains itself and cites a clause for every reason.
  v.parse(Decision, decision);
  expect(decision.reasons.length).toBeGreaterThan(0);
  for (const r of decision.reasons) expect(r.clause.length, r.rule).toBeGreaterThan(0);
  expect(decision.policyVersion).toBe(loadPolicy(council).version);
  return decision;
}

const types = (d: Decision): string[] => d.actions.map((a) => a.type);
const replies = (d: Decision): Extract<Action, { type: 'auto-reply' }>[] =>
  d.actions.filter((a): a is Extract<Action, { type: 'auto-reply' }> => a.type === 'auto-reply');
const reason = (d: Decision, rule: string) => d.reasons.find((r) => r.rule === rule);

// ── Per-council tables ───────────────────────────────────────────────────────

interface Case {
  name: string;
  item: () => InboundItem;
  context?: Partial<DecisionContext>;
  classification: Decision['classification'];
  /** Rule id → expected clause (exact). */
  cites: Record<string, string>;
  actions: string[];
  reply?: string;
  hold?: Decision['hold'];
}

const tables: Record<PresetName, Case[]> = {
  withyham: [
    {
      name: 'Messenger is replied to but is not formal (§6.4)',
      item: () => messenger({ recipients: ['100000000000303'] }),
      classification: 'informal',
      cites: { 'channel-formality': 'withyham.txt §6.4' },
      actions: ['auto-reply'],
      reply: 'notOfficialContact',
    },
    {
      name: 'a page comment is not formal (§6.5)',
      item: () => comment({ recipients: ['100000000000303'] }),
      classification: 'informal',
      cites: { 'channel-formality': 'withyham.txt §6.5' },
      actions: ['auto-reply'],
      reply: 'notOfficialContact',
    },
    {
      name: 'email to the WPC address is formal (§6.3) and asks for permission to share (§4.5)',
      item: () => email({ recipients: ['clerk@withyham-pc.example.org.uk'] }),
      classification: 'formal',
      cites: { 'official-address': 'withyham.txt §6.3, §4.2', 'consent-follow-up': 'withyham.txt §4.5' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
    {
      name: 'an SMS is not an officially monitored channel (§6.3, §7.4)',
      item: () => sms({ recipients: ['+447700900303'] }),
      classification: 'informal',
      cites: { 'channel-formality': 'withyham.txt §6.3, §7.4' },
      actions: ['auto-reply'],
      reply: 'notOfficialContact',
    },
    {
      name: 'a page comment alleging a breach of the law is held and invited to complain formally (§6.13)',
      item: () =>
        comment({
          recipients: ['100000000000303'],
          text: 'The council broke the law by closing the footpath at Balls Green without any consultation. Disgraceful.',
        }),
      classification: 'informal',
      cites: { 'moderation:alleges-breach': 'withyham.txt §6.11, §6.13', 'formal-complaint-invitation': 'withyham.txt §6.11, §6.13' },
      actions: ['audit', 'route-to-clerk', 'auto-reply'],
      reply: 'formalComplaintInvitation',
      hold: 'moderation',
    },
    {
      name: 'an auto-reply loop: an Auto-Submitted reply to our consent request is never answered',
      item: () =>
        email({
          recipients: ['clerk@withyham-pc.example.org.uk'],
          subject: 'Automatic reply: Your correspondence WPC-2025-000012',
          text: 'I am away until 16 June with no access to email.',
          transport: { autoSubmitted: 'auto-replied' },
        }),
      classification: 'formal',
      cites: { 'automatic-mail': 'default: RFC 3834 §2' },
      actions: ['audit', 'route-to-clerk'],
    },
  ],
  stilton: [
    {
      name: 'a Facebook message is not official contact (§6)',
      item: () => messenger(),
      classification: 'informal',
      cites: { 'channel-formality': 'stilton.txt §6' },
      actions: ['auto-reply'],
      reply: 'notOfficialContact',
    },
    {
      name: 'email to the clerk is formal and gets the data consent form (§11)',
      item: () => email(),
      classification: 'formal',
      cites: { 'official-address': 'stilton.txt §6, §10', 'consent-follow-up': 'stilton.txt §11' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
    {
      name: 'a councillor email copied to the clerk becomes official (§12)',
      item: () =>
        email({
          sender: { id: 'cllr.baxter@gmail.com' },
          recipients: ['john.smith@hotmail.co.uk'],
          cc: ['clerk@stiltonparishcouncil.org'],
          subject: 'Re: parking on Fen Street',
          text: 'Dear Mr Smith, my personal view is that double yellow lines would help. Copying the Clerk.',
        }),
      classification: 'formal',
      cites: { 'copied-to-clerk': 'stilton.txt §12' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
    {
      name: 'a text to the council number is covered by the policy (§15)',
      item: () => sms(),
      classification: 'formal',
      cites: { 'channel-formality': 'stilton.txt §15', 'consent-follow-up': 'stilton.txt §11' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
    {
      name: 'a spoofed clerk address failing DMARC is held as unverified, never answered',
      item: () =>
        email({
          sender: { id: 'clerk@stiltonparishcouncil.org' },
          recipients: ['clerk@stiltonparishcouncil.org'],
          subject: 'Urgent: change of bank details for the grass-cutting contract',
          text: 'Please update the payee account to 12-34-56 87654321 before Friday.',
          transport: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL', dmarcPolicy: 'reject' },
        }),
      classification: 'formal',
      cites: { 'unverified-sender': 'default: DMARC (RFC 7489); SPF (RFC 7208) and DKIM (RFC 6376)' },
      actions: ['audit', 'route-to-clerk'],
      hold: 'unverified-sender',
    },
    {
      name: 'the clerk’s own authenticated mail coming back is ignored',
      item: () => email({ sender: { id: 'clerk@stiltonparishcouncil.org' }, text: 'Minutes attached.' }),
      classification: 'ignored',
      cites: { 'own-sender': 'default: loop prevention (sent from our own address, number or page)' },
      actions: ['none'],
    },
    {
      name: 'the echo of our own Messenger reply is ignored',
      item: () =>
        messenger({
          sender: { id: '100000000000101' },
          recipients: ['6523419087654321'],
          text: 'Thank you for your message.',
          transport: { isEcho: true, echoAppId: '1234567890' },
        }),
      classification: 'ignored',
      cites: { echo: 'default: loop prevention (our own message echoed back)' },
      actions: ['none'],
    },
    {
      name: 'a comment posted by our own page is ignored',
      item: () => comment({ sender: { id: '100000000000101' }, text: 'The Annual Parish Meeting is on 14 May.' }),
      classification: 'ignored',
      cites: { 'own-sender': 'default: loop prevention (sent from our own address, number or page)' },
      actions: ['none'],
    },
    {
      name: 'a Facebook comment alleging a breach of the law is invited to complain formally (§8)',
      item: () => comment({ text: 'This council is acting unlawfully by ignoring the planning objections. It is a breach of the code of conduct.' }),
      classification: 'informal',
      cites: { 'moderation:alleges-breach': 'stilton.txt §7(h), §8', 'formal-complaint-invitation': 'stilton.txt §7(h), §8' },
      actions: ['audit', 'route-to-clerk', 'auto-reply'],
      reply: 'formalComplaintInvitation',
      hold: 'moderation',
    },
    {
      name: 'an abusive comment is held for removal (§7(a), §8) and not answered',
      item: () => comment({ text: 'The clerk is a useless fucking idiot' }),
      classification: 'informal',
      cites: { 'moderation:obscene-or-racist': 'stilton.txt §7(a)' },
      actions: ['audit', 'route-to-clerk'],
      hold: 'moderation',
    },
    {
      name: 'consent already on file: no second form (§11)',
      item: () => email(),
      context: { consentOnFile: true },
      classification: 'formal',
      cites: { 'consent-on-file': 'stilton.txt §11', 'formal-acknowledgement': 'default: every formal item is acknowledged with its reference' },
      actions: ['audit', 'route-to-clerk', 'auto-reply'],
      reply: 'formalAcknowledgement',
    },
    {
      name: 'a reply in an existing thread is not new correspondence (§11)',
      item: () => email({ thread: { inReplyTo: '<STL-2025-000041@stiltonparishcouncil.org>' } }),
      context: { knownThreadRef: 'STL-2025-000041' },
      classification: 'formal',
      cites: { 'existing-thread': 'stilton.txt §11' },
      actions: ['audit', 'route-to-clerk'],
    },
    {
      name: 'mail SES marks as spam is ignored, never answered',
      item: () => email({ text: 'You have won £1,000,000', transport: { spam: 'FAIL' } }),
      classification: 'ignored',
      cites: { 'spam-verdict': 'default: never act on or answer mail the provider marks as spam' },
      actions: ['none'],
    },
    {
      name: 'Mandrill mail scoring above the SpamAssassin threshold is ignored',
      item: () => email({ provider: 'mandrill', transport: { spamScore: 7.2 } }),
      classification: 'ignored',
      cites: { 'spam-verdict': 'default: SpamAssassin required_score 5.0' },
      actions: ['none'],
    },
    {
      name: 'Mandrill mail scoring below the threshold is correspondence',
      item: () => email({ provider: 'mandrill', transport: { spamScore: 1.4 } }),
      classification: 'formal',
      cites: { 'official-address': 'stilton.txt §6, §10' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
    {
      name: 'mail carrying a virus is ignored',
      item: () => email({ transport: { virus: 'FAIL' } }),
      classification: 'ignored',
      cites: { 'virus-verdict': 'default: never act on mail that fails virus scanning' },
      actions: ['none'],
    },
    {
      name: 'SMS STOP is a consent-ledger opt-out, not answered',
      item: () => sms({ text: 'STOP', smsKeyword: 'STOP' }),
      classification: 'formal',
      cites: { 'sms-keyword': 'stilton.txt §15; default: SMS opt-out keywords (STOP/START/HELP are answered by the carrier or provider)' },
      actions: ['audit', 'consent-ledger'],
    },
  ],
  'west-end': [
    {
      name: 'email to enquiries@ is formal',
      item: () => email({ recipients: ['enquiries@westend-pc.gov.uk'] }),
      classification: 'formal',
      cites: {
        'official-address': 'west-end.txt "Parish Council email"',
        'consent-follow-up': 'west-end.txt "Parish Council email" ("new Emails requiring data to be passed on, will be followed up with a Data consent form")',
      },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
    {
      name: 'email to the deputy clerk is formal',
      item: () => email({ recipients: ['deputy.clerk@westend-pc.gov.uk'] }),
      classification: 'formal',
      cites: { 'official-address': 'west-end.txt "Parish Council email"' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
    {
      name: 'a Facebook message is not official contact',
      item: () => messenger({ recipients: ['100000000000202'] }),
      classification: 'informal',
      cites: { 'channel-formality': 'west-end.txt "Sending a message/post via Facebook or Twitter"' },
      actions: ['auto-reply'],
      reply: 'notOfficialContact',
    },
    {
      name: 'a text from our own number is ignored',
      item: () => sms({ sender: { id: '+447700900202' }, recipients: ['+447700900555'] }),
      classification: 'ignored',
      cites: { 'own-sender': 'default: loop prevention (sent from our own address, number or page)' },
      actions: ['none'],
    },
    {
      name: 'a Precedence: bulk newsletter to the clerk gets no reply and no form',
      item: () => email({ recipients: ['clerk@westend-pc.gov.uk'], sender: { id: 'news@hampshire-alc.example.org' }, transport: { precedence: 'bulk' } }),
      classification: 'formal',
      cites: { 'automatic-mail': 'default: RFC 3834 §2' },
      actions: ['audit', 'route-to-clerk'],
    },
  ],
  cassington: [
    {
      name: 'email to the clerk’s Gmail address is formal',
      item: () => email({ recipients: ['cassingtonclerk@gmail.com'] }),
      classification: 'formal',
      cites: { 'official-address': 'cassington.txt "Parish Council email"' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
    {
      name: 'email to another Gmail user is not to the council',
      item: () => email({ recipients: ['someone.else@gmail.com'], cc: ['another@gmail.com'] }),
      classification: 'formal',
      cites: { 'channel-formality': 'cassington.txt "Parish Council email"' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
    {
      name: 'a Facebook message: the council uses only its website and email',
      item: () => messenger(),
      classification: 'informal',
      cites: { 'channel-formality': 'default: cassington.txt "Introduction" (website and email only)' },
      actions: ['auto-reply'],
      reply: 'notOfficialContact',
    },
    {
      name: 'a bounce (null return path) is never answered',
      item: () =>
        email({
          sender: { id: 'mailer-daemon@googlemail.com' },
          recipients: ['cassingtonclerk@gmail.com'],
          subject: 'Delivery Status Notification (Failure)',
          text: 'Your message wasn’t delivered.',
          transport: { returnPath: '' },
        }),
      classification: 'formal',
      cites: { 'automatic-mail': 'default: RFC 3834 §2' },
      actions: ['audit', 'route-to-clerk'],
    },
  ],
  wherstead: [
    {
      name: 'a Mailchimp unsubscribe is a consent-ledger record',
      item: () => mailchimp('unsubscribe'),
      classification: 'formal',
      cites: { 'mailchimp-audience': 'wherstead.txt "Mailchimp"' },
      actions: ['audit', 'consent-ledger'],
    },
    {
      name: 'a Mailchimp subscribe is a consent-ledger record',
      item: () => mailchimp('subscribe'),
      classification: 'formal',
      cites: { 'mailchimp-audience': 'wherstead.txt "Mailchimp"' },
      actions: ['audit', 'consent-ledger'],
    },
    {
      name: 'a Facebook message: Wherstead has no Facebook, so not an official channel',
      item: () => messenger(),
      classification: 'informal',
      cites: { 'channel-formality': 'default: wherstead.txt introduction ("a website and uses email and Whatsapp")' },
      actions: ['auto-reply'],
      reply: 'notOfficialContact',
    },
    {
      name: 'email copied to the clerk is official',
      item: () => email({ recipients: ['cllr.jones@outlook.com'], cc: ['clerk@wherstead-pc.example.org.uk'] }),
      classification: 'formal',
      cites: { 'copied-to-clerk': 'wherstead.txt "Parish Council email" ("any emails copied to the Clerk become official")' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
  ],
  demo: [
    {
      name: 'a personal attack gets the policy-breach notice and is held',
      item: () => comment({ recipients: ['104123456789012'], text: 'Councillor Price is a liar and a moron.' }),
      classification: 'informal',
      cites: { 'moderation:personal-attack': 'demo §7(b)', 'policy-breach-notice': 'demo §7(b)' },
      actions: ['audit', 'route-to-clerk', 'auto-reply'],
      reply: 'policyBreachNotice',
      hold: 'moderation',
    },
    {
      name: 'a noreply sender gets no reply',
      item: () =>
        email({
          sender: { id: 'noreply@planning.example.gov.uk' },
          recipients: ['clerk@demo-parish.example.org.uk'],
          subject: 'Planning application 25/01234/FUL',
        }),
      classification: 'formal',
      cites: { 'automatic-mail': 'default: RFC 3834 §2' },
      actions: ['audit', 'route-to-clerk'],
    },
    {
      name: 'a text to the demo number is formal',
      item: () => sms({ recipients: ['+447700900123'] }),
      classification: 'formal',
      cites: { 'channel-formality': 'demo §15 (as stilton.txt §15)' },
      actions: ['audit', 'route-to-clerk', 'consent-request'],
    },
  ],
};

describe.each(Object.entries(tables) as [PresetName, Case[]][])('%s', (council, cases) => {
  it.each(cases)('$name', (c) => {
    const d = decideFor(council, c.item(), ctx(c.context));
    expect(d.classification).toBe(c.classification);
    for (const [rule, clause] of Object.entries(c.cites)) {
      expect(reason(d, rule)?.clause, `reason ${rule} in ${JSON.stringify(d.reasons)}`).toBe(clause);
    }
    expect(types(d)).toEqual(c.actions);
    expect(replies(d).map((r) => r.textKey)).toEqual(c.reply ? [c.reply] : []);
    expect(d.hold).toBe(c.hold);
  });
});

// ── The hard cases, in detail ───────────────────────────────────────────────

describe('automatic mail is never answered (RFC 3834)', () => {
  const automatic: [string, ItemOverrides][] = [
    ['Auto-Submitted: auto-replied', { transport: { autoSubmitted: 'auto-replied' } }],
    ['Auto-Submitted: auto-generated', { transport: { autoSubmitted: 'auto-generated' } }],
    ['Precedence: list', { transport: { precedence: 'list' } }],
    ['Precedence: junk', { transport: { precedence: 'junk' } }],
    ['List-Id', { transport: { listId: '<residents.stilton.example.org>' } }],
    ['null return path', { transport: { returnPath: '' } }],
    ['MAILER-DAEMON sender', { sender: { id: 'MAILER-DAEMON@mx.example.net' } }],
    ['postmaster sender', { sender: { id: 'postmaster@example.net' } }],
    ['no-reply sender', { sender: { id: 'no-reply@accounts.example.com' } }],
    ['owner- sender', { sender: { id: 'owner-parish-news@lists.example.org' } }],
    ['-request sender', { sender: { id: 'parish-news-request@lists.example.org' } }],
    ['X-Auto-Response-Suppress', { transport: { autoResponseSuppress: 'All' } }],
  ];

  it.each(automatic)('%s: no auto-reply, no consent form, even out of hours', (_label, over) => {
    const saturday = new Date('2025-06-07T10:00:00Z');
    const d = decideFor('cassington', email({ recipients: ['cassingtonclerk@gmail.com'], ...over }), ctx({ now: saturday }));
    expect(types(d)).toEqual(['audit', 'route-to-clerk']);
    expect(reason(d, 'automatic-mail')?.clause).toBe('default: RFC 3834 §2');
    expect(d.nextMonitoredAt).toBe('2025-06-09T09:00:00+01:00');
  });

  it('truncated headers: automatic-mail headers cannot be ruled out, so nothing automatic is sent', () => {
    const d = decideFor('stilton', email({ transport: { headersTruncated: true } }));
    expect(types(d)).toEqual(['audit', 'route-to-clerk']);
    expect(reason(d, 'automatic-mail')?.detail).toContain('headers truncated');
  });

  it('Auto-Submitted: no is a person writing', () => {
    const d = decideFor('stilton', email({ transport: { autoSubmitted: 'no' } }));
    expect(types(d)).toContain('consent-request');
    expect(reason(d, 'automatic-mail')).toBeUndefined();
  });

  it('an informal channel reply is not sent to automatic mail either', () => {
    const policy = structuredClone(loadPolicy('stilton')) as ReturnType<typeof loadPolicy> & { channels: { email: { formal: boolean } } };
    policy.channels.email.formal = false;
    const d = decide(email({ recipients: ['hub@notify.stiltonparishcouncil.org'], transport: { autoSubmitted: 'auto-replied' } }), policy, ctx());
    expect(d.classification).toBe('informal');
    expect(types(d)).toEqual(['none']);
  });
});

describe('unverified senders', () => {
  it('SPF and DKIM both failing is enough, even without DMARC', () => {
    const d = decideFor('stilton', email({ transport: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'NONE' } }));
    expect(d).toMatchObject({ classification: 'formal', hold: 'unverified-sender' });
    expect(types(d)).not.toContain('consent-request');
  });

  it('SPF failing alone (a forwarded mail with a good DKIM signature) is trusted', () => {
    const d = decideFor('stilton', email({ transport: { spf: 'FAIL', dkim: 'PASS', dmarc: 'PASS' } }));
    expect(d.hold).toBeUndefined();
    expect(types(d)).toContain('consent-request');
  });

  it('says that the spoofed sender claims to be our own address', () => {
    const d = decideFor('stilton', email({ sender: { id: 'clerk@stiltonparishcouncil.org' }, transport: { dmarc: 'FAIL' } }));
    expect(reason(d, 'unverified-sender')?.detail).toContain('claims to come from our own official address');
  });

  it('is not answered out of office hours either', () => {
    const d = decideFor(
      'cassington',
      email({ recipients: ['cassingtonclerk@gmail.com'], transport: { dmarc: 'FAIL' } }),
      ctx({ now: new Date('2025-06-03T13:00:00Z') }),
    );
    expect(replies(d)).toEqual([]);
    expect(d.nextMonitoredAt).toBe('2025-06-04T09:00:00+01:00');
  });
});

describe('the not-official-contact reply, at most once per sender per 7 days (RFC 3834 §2)', () => {
  const now = TUESDAY_10AM;
  const daysAgo = (n: number): string => new Date(now.getTime() - n * 86_400_000).toISOString();

  it('first message: replied, with the clerk’s address in the text', () => {
    const d = decideFor('stilton', messenger());
    expect(replies(d)[0]?.text).toContain('clerk@stiltonparishcouncil.org');
    expect(replies(d)[0]?.text).not.toMatch(/\{clerkEmail\}/);
  });

  it('second message two days later: no reply, and the reason says why', () => {
    const d = decideFor('stilton', messenger(), ctx({ lastAutoReplyAt: daysAgo(2) }));
    expect(d.classification).toBe('informal');
    expect(types(d)).toEqual(['none']);
    expect(reason(d, 'rate-limit')?.clause).toBe('default: RFC 3834 §2');
  });

  it('just under 7 days: still no reply', () => {
    const d = decideFor('withyham', comment(), ctx({ lastAutoReplyAt: new Date(now.getTime() - 7 * 86_400_000 + 60_000).toISOString() }));
    expect(replies(d)).toEqual([]);
  });

  it('after 8 days: replied again', () => {
    const d = decideFor('stilton', messenger(), ctx({ lastAutoReplyAt: daysAgo(8) }));
    expect(replies(d).map((r) => r.textKey)).toEqual(['notOfficialContact']);
    expect(reason(d, 'rate-limit')).toBeUndefined();
  });

  it('a council with a longer window is honoured', () => {
    const policy = structuredClone(loadPolicy('stilton')) as { autoReplyRateLimit: { windowDays: number } } & ReturnType<typeof loadPolicy>;
    policy.autoReplyRateLimit.windowDays = 14;
    expect(replies(decide(messenger(), policy, ctx({ lastAutoReplyAt: daysAgo(8) })))).toEqual([]);
  });

  it('uses the channel’s own text', () => {
    const bySms = decideFor('withyham', sms());
    const byComment = decideFor('withyham', comment());
    expect(replies(bySms)[0]?.text).toContain('texts are not a formal communication');
    expect(replies(byComment)[0]?.text).toContain('Comments on our Facebook page');
  });
});

describe('office hours (cassington.txt: 9am-1pm, Monday to Friday)', () => {
  const cassingtonEmail = () => email({ recipients: ['cassingtonclerk@gmail.com'] });

  it('2pm on a weekday: next monitored tomorrow at 9am, with an out-of-office reply', () => {
    const d = decideFor('cassington', cassingtonEmail(), ctx({ now: new Date('2025-06-03T13:00:00Z') }));
    expect(d.nextMonitoredAt).toBe('2025-06-04T09:00:00+01:00');
    expect(reason(d, 'out-of-office')?.clause).toBe('cassington.txt "Parish Council email"');
    expect(types(d)).toEqual(['audit', 'route-to-clerk', 'consent-request', 'auto-reply']);
    expect(replies(d)[0]).toMatchObject({ textKey: 'outOfOffice' });
    expect(replies(d)[0]?.text).toContain('Wednesday, 4 June 2025 at 09:00');
    // The reference is only known once the audit record is written; the pipeline fills it.
    expect(replies(d)[0]?.text).toContain('{reference}');
  });

  it('10am on a weekday: monitored now, no out-of-office reply', () => {
    const d = decideFor('cassington', cassingtonEmail(), ctx({ now: TUESDAY_10AM }));
    expect(d.nextMonitoredAt).toBeUndefined();
    expect(replies(d)).toEqual([]);
  });

  it('the August bank holiday: next monitored on the Tuesday', () => {
    const d = decideFor('cassington', cassingtonEmail(), ctx({ now: new Date('2025-08-25T09:30:00Z') }));
    expect(d.nextMonitoredAt).toBe('2025-08-26T09:00:00+01:00');
  });

  it('Friday afternoon: next monitored on Monday', () => {
    const d = decideFor('cassington', cassingtonEmail(), ctx({ now: new Date('2025-06-06T14:30:00Z') }));
    expect(d.nextMonitoredAt).toBe('2025-06-09T09:00:00+01:00');
  });

  it('the out-of-office reply to formal mail is not rate-limited: the limit is for informal replies (issue 17)', () => {
    const d = decideFor('cassington', cassingtonEmail(), ctx({ now: new Date('2025-06-03T13:00:00Z'), lastAutoReplyAt: '2025-06-02T13:00:00Z' }));
    expect(types(d)).toEqual(['audit', 'route-to-clerk', 'consent-request', 'auto-reply']);
    expect(replies(d).map((r) => r.textKey)).toEqual(['outOfOffice']);
    expect(reason(d, 'rate-limit')).toBeUndefined();
  });

  it("a resident's second formal email within the week is acknowledged with its reference (issue 17)", () => {
    const d = decideFor('stilton', email(), ctx({ now: new Date('2025-06-03T10:00:00Z'), lastAutoReplyAt: '2025-06-02T10:00:00Z', consentOnFile: true }));
    expect(replies(d).map((r) => r.textKey)).toEqual(['formalAcknowledgement']);
    expect(replies(d)[0]!.text).toContain('{reference}');
    expect(reason(d, 'rate-limit')).toBeUndefined();
  });

  it('a council whose policy has no out-of-office message records the time but does not reply (Withyham)', () => {
    const d = decideFor('withyham', email({ recipients: ['clerk@withyham-pc.example.org.uk'] }), ctx({ now: new Date('2025-06-07T10:00:00Z') }));
    expect(d.nextMonitoredAt).toBe('2025-06-09T09:00:00+01:00');
    expect(replies(d)).toEqual([]);
  });

  it('informal items out of hours also say when the page is next looked at', () => {
    const d = decideFor('stilton', messenger(), ctx({ now: new Date('2025-12-25T12:00:00Z') }));
    expect(d.nextMonitoredAt).toBe('2025-12-29T09:00:00+00:00');
    expect(replies(d).map((r) => r.textKey)).toEqual(['notOfficialContact']);
  });
});

describe('consent-ledger events', () => {
  it.each([
    ['subscribe', 'opt-in'],
    ['unsubscribe', 'opt-out'],
    ['profile', 'profile-update'],
    ['upemail', 'address-change'],
    ['cleaned', 'cleaned'],
  ] as const)('Mailchimp %s → %s, audited, no form, no reply', (type, change) => {
    const d = decideFor('wherstead', mailchimp(type));
    expect(d.actions).toEqual([{ type: 'audit' }, { type: 'consent-ledger', change }]);
  });

  it.each([
    ['STOP', 'opt-out'],
    ['START', 'opt-in'],
    ['HELP', 'help'],
  ] as const)('SMS %s → %s, no hub reply (the carrier answers)', (keyword, change) => {
    const d = decideFor('demo', sms({ recipients: ['+447700900123'], text: keyword.toLowerCase(), smsKeyword: keyword }));
    expect(d.classification).toBe('formal');
    expect(d.actions).toEqual([{ type: 'audit' }, { type: 'consent-ledger', change }]);
  });
});

describe('moderation', () => {
  it('records the matched words as evidence with the clause', () => {
    const d = decideFor('withyham', comment({ text: 'Buy cheap viagra at http://pills.example.com' }));
    const categories = d.flags.map((f) => f.category);
    expect(categories).toContain('commercial-or-spam');
    const spam = d.flags.find((f) => f.category === 'commercial-or-spam');
    expect(spam?.evidence.join(' ')).toMatch(/viagra/i);
    expect(spam?.clause).toBe('withyham.txt §6.11, §6.10');
  });

  it('flag-only categories still get the ordinary reply', () => {
    const d = decideFor('stilton', messenger({ text: 'Buy cheap viagra at http://pills.example.com' }));
    expect(d.hold).toBeUndefined();
    expect(replies(d).map((r) => r.textKey)).toEqual(['notOfficialContact']);
  });

  it('a flag-only category the policy hides on the Page holds the comment for the clerk, without a reply (stilton.txt §8)', () => {
    const d = decideFor('stilton', comment({ text: 'Buy cheap viagra at http://pills.example.com' }));
    expect(d.hold).toBe('moderation');
    expect(types(d)).toEqual(['audit', 'route-to-clerk']);
    expect(reason(d, 'moderation-hold')?.clause).toContain('stilton.txt §7(g)');
  });

  it('formal email alleging a breach reaches the clerk without a hold or an invitation: it already is formal correspondence', () => {
    const d = decideFor('stilton', email({ text: 'I believe the council acted unlawfully in awarding the contract and broke the law.' }));
    expect(d.flags.map((f) => f.category)).toContain('alleges-breach');
    expect(d.hold).toBeUndefined();
    expect(types(d)).toEqual(['audit', 'route-to-clerk', 'consent-request']);
    expect(reason(d, 'moderation-formal')).toBeDefined();
  });

  it('ordinary parish business raises no flags', () => {
    const d = decideFor('stilton', comment({ text: 'The potholes on Fen Street are getting worse, can someone look at them?' }));
    expect(d.flags).toEqual([]);
  });
});

describe('purity', () => {
  it('the same item, policy and context give the same decision', () => {
    const i = email();
    expect(decideFor('west-end', i)).toEqual(decideFor('west-end', i));
  });

  it('time comes only from the context', () => {
    const i = email({ recipients: ['cassingtonclerk@gmail.com'] });
    const inHours = decideFor('cassington', i, ctx({ now: new Date('2027-03-30T09:00:00Z') }));
    const afterEaster = decideFor('cassington', i, ctx({ now: new Date('2027-03-29T09:00:00Z') }));
    expect(inHours.nextMonitoredAt).toBeUndefined();
    expect(afterEaster.nextMonitoredAt).toBe('2027-03-30T09:00:00+01:00');
  });
});
