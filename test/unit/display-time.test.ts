import { describe, expect, it } from 'vitest';
import type { Decision, InboundItem } from '../../shared/model/index.ts';
import { composeClerkRouting } from '../../shared/pipeline/compose.ts';
import { consentOutcomeMessage } from '../../shared/pipeline/consent.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { londonDateTime } from '../../shared/runtime/london-time.ts';
import { renderHomePage } from '../../infra/local/home.ts';
import type { AuditSummary } from '../../shared/model/index.ts';

/** Issue 17 item 7: one time format, Europe/London local time, wherever a person reads a time. */

// 22:33 UTC in July is 23:33 in London (BST); in November it is 22:33 (GMT).
const SUMMER = '2026-07-14T22:33:10.390Z';
const WINTER = '2026-11-27T22:33:10.390Z';
const ISO_OR_UTC = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

describe('londonDateTime', () => {
  it('shows the London wall clock with its zone, summer and winter, across the clock change', () => {
    expect(londonDateTime(SUMMER)).toBe('14 Jul 2026, 23:33 BST');
    expect(londonDateTime(WINTER)).toBe('27 Nov 2026, 22:33 GMT');
    expect(londonDateTime(new Date('2026-03-29T00:59:00Z'))).toBe('29 Mar 2026, 00:59 GMT');
    expect(londonDateTime(new Date('2026-03-29T01:00:00Z'))).toBe('29 Mar 2026, 02:00 BST');
    expect(londonDateTime('2026-07-31T23:30:00Z')).toBe('1 Aug 2026, 00:30 BST');
    expect(londonDateTime('not a time')).toBe('not a time');
  });
});

describe('every place a person reads a time uses it', () => {
  const policy = loadPolicy('demo');
  const item: InboundItem = {
    schemaVersion: 1,
    itemId: 'ses:t1',
    channel: 'email',
    provider: 'ses',
    kind: 'email',
    providerMessageId: 't1',
    receivedAt: SUMMER,
    sender: { id: 'resident@example.org' },
    recipients: [policy.contacts.clerk.address],
    subject: 'Bins',
    text: 'The bins were not collected.',
    attachments: [],
    thread: {},
    transport: {},
  };
  const decision: Decision = {
    classification: 'formal',
    reasons: [{ rule: 'official-address', clause: 'x', detail: 'Official.' }],
    flags: [],
    actions: [],
    policyVersion: policy.version,
  };

  it('the clerk email', () => {
    const mail = composeClerkRouting({ item, decision, ref: 'DEM-2026-000001', policy, consentStatus: 'requested', createdAt: SUMMER });
    expect(mail.text).toContain('Received: 14 Jul 2026, 23:33 BST');
    expect(mail.text).not.toMatch(ISO_OR_UTC);
    expect(mail.html).not.toMatch(ISO_OR_UTC);
  });

  it('the consent outcome email', () => {
    const summary = { ref: 'DEM-2026-000001', receivedAt: SUMMER } as AuditSummary;
    const mail = consentOutcomeMessage(summary, 'grant', WINTER, policy);
    expect(mail.text).toContain('Recorded 27 Nov 2026, 22:33 GMT');
    expect(mail.text).not.toMatch(ISO_OR_UTC);
  });

  it('the home page', () => {
    const html = renderHomePage({
      councilName: 'Demo',
      httpUrl: 'http://localhost:3000',
      smtpPort: 2525,
      now: new Date(WINTER),
      outbox: [{ id: 'o1', channel: 'sms', provider: 'twilio', to: '+447700900001', kind: 'auto-reply', text: 'Hello', at: SUMMER }],
      items: [{ itemId: 'i1', channel: 'sms', classification: 'informal', receivedAt: SUMMER, reasons: [], flags: [], actions: [], outbox: [], events: [] }],
    });
    expect(html).toContain('14 Jul 2026, 23:33 BST');
    expect(html).toContain('27 Nov 2026, 22:33 GMT');
    expect(html.replace(/<[^>]+>/g, ' ')).not.toMatch(ISO_OR_UTC);
  });
});
