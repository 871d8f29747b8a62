import { describe, expect, it } from 'vitest';
import type { Decision, InboundItem } from '../../shared/model/index.ts';
import { composeClerkRouting } from '../../shared/pipeline/compose.ts';
import { loadPolicy } from '../../shared/policy/load.ts';

/** Issue 17 items 3 and 14: the clerk's email reads as what the decision was, and is styled. */

const policy = loadPolicy('demo');
const comment: InboundItem = {
  schemaVersion: 1,
  itemId: 'meta:c1',
  channel: 'facebook-comment',
  provider: 'meta',
  kind: 'comment',
  providerMessageId: '111_222',
  receivedAt: '2026-01-05T10:00:00.000Z',
  sender: { id: '7788990011223344', name: 'Jane Smith' },
  recipients: ['104123456789012'],
  text: 'The council broke the law by holding the budget meeting in secret.',
  attachments: [],
  thread: {},
  transport: {},
};
const held: Decision = {
  classification: 'informal',
  hold: 'moderation',
  reasons: [{ rule: 'channel-formality', clause: 'demo §6', detail: 'The policy does not treat facebook-comment as formal correspondence.' }],
  flags: [{ category: 'alleges-breach', evidence: ['broke the law'], clause: 'demo §6.13', action: 'invite-formal-complaint' }],
  actions: [{ type: 'audit' }, { type: 'route-to-clerk', hold: 'moderation' }],
  policyVersion: policy.version,
};

describe('clerk email', () => {
  const heldCommentMail = () =>
    composeClerkRouting({ item: comment, decision: held, ref: 'DEM-2026-000003', policy, consentStatus: 'not-needed', createdAt: comment.receivedAt });

  it('a held informal comment says informal, and its reasons heading says the same', () => {
    const mail = heldCommentMail();
    expect(mail.text).toContain('Classification: informal');
    expect(mail.text).toContain('Why this is informal and held for you:');
    expect(mail.text).not.toContain('Why this is formal');
    expect(mail.html).toContain('Why this is informal and held for you</h2>');
    expect(mail.html).not.toContain('Why this is formal');
  });

  it('a formal item keeps "Why this is formal"', () => {
    const formal: Decision = { ...held, classification: 'formal', hold: undefined, actions: [{ type: 'audit' }, { type: 'route-to-clerk' }] };
    const mail = composeClerkRouting({
      item: { ...comment, channel: 'email', kind: 'email', sender: { id: 'a@example.org' } },
      decision: formal,
      ref: 'DEM-2026-000004',
      policy,
      consentStatus: 'requested',
      createdAt: comment.receivedAt,
    });
    expect(mail.text).toContain('Why this is formal:');
  });

  it('has a styled HTML part: sans-serif text, spacing, a readable facts table, a marked warning', () => {
    const mail = heldCommentMail();
    const html = mail.html!;
    expect(html).toMatch(/<body style="[^"]*font-family:Arial,Helvetica,sans-serif[^"]*line-height:1\.5/);
    expect(html).toMatch(/<meta name="viewport"/);
    expect(html).toMatch(/<th scope="row" style="[^"]*padding:/);
    expect(html).toMatch(/<p style="[^"]*border-left:6px solid #b10e1e[^"]*"><strong>HOLD:/);
    expect(html).not.toMatch(/<table>|<th align/);
  });
});
