import { describe, expect, it } from 'vitest';
import { renderHomePage } from '../../infra/local/home.ts';
import type { OutboxEntry } from '../../infra/local/outbox.ts';
import type { ItemView } from '../../infra/local/records.ts';

/** Issue 17 item 11: the local home page a clerk reads. */

const CHANNELS = ['email', 'sms', 'messenger', 'facebook-comment'] as const;
const CLASSES = ['formal', 'informal', 'ignored'] as const;
const items: ItemView[] = Array.from({ length: 46 }, (_, i) => ({
  itemId: `item-${i}`,
  ...(i % 3 === 0 ? { ref: `DEM-2026-${String(i + 1).padStart(6, '0')}` } : {}),
  channel: CHANNELS[i % 4]!,
  classification: CLASSES[i % 3]!,
  receivedAt: new Date(Date.UTC(2026, 0, 5, 9, 0) - i * 60_000).toISOString(),
  reasons: [{ rule: 'channel-formality', clause: 'demo §6' }],
  flags: [],
  actions: [],
  events: [],
  outbox: [],
}));
const consentUrl = 'http://localhost:3000/consent/eyJhbGciOi.abc';
const outbox: OutboxEntry[] = [
  {
    id: 'o1',
    channel: 'sms',
    provider: 'twilio',
    to: '+447700900456',
    kind: 'consent-request',
    text: `Please complete our data consent form: ${consentUrl}`,
    ref: 'DEM-2026-000001',
    itemId: 'item-0',
    at: '2026-01-05T09:00:02Z',
  },
  {
    id: 'o2',
    channel: 'email',
    provider: 'ses',
    to: 'clerk@demo-parish.example.org.uk',
    kind: 'clerk-routing',
    text: 'x',
    ref: 'DEM-2026-000001',
    itemId: 'item-0',
    at: '2026-01-05T09:00:01Z',
  },
];
const withOutbox = items.map((i) => (i.itemId === 'item-0' ? { ...i, outbox } : i));
const render = (query = '') =>
  renderHomePage({
    councilName: 'Demo',
    items: withOutbox,
    outbox,
    httpUrl: 'http://localhost:3000',
    smtpPort: 2525,
    now: new Date('2026-01-05T10:00:00Z'),
    query: new URLSearchParams(query),
  });
const articles = (html: string) => html.match(/<article>/g)?.length ?? 0;

describe('local home page', () => {
  it('never reloads itself while someone reads it (axe meta-refresh, WCAG 2.2.1)', () => {
    expect(render()).not.toMatch(/http-equiv="refresh"/i);
  });

  it('makes the consent links in the outbox clickable', () => {
    expect(render()).toContain(`<a href="${consentUrl}">${consentUrl}</a>`);
  });

  it('shows one page of items at a time, with links to the others', () => {
    const first = render();
    expect(articles(first)).toBe(10);
    expect(first).toContain('Items 1–10 of 46, page 1 of 5.');
    expect(first).toMatch(/<a rel="next" href="\/\?page=2#items">Older items<\/a>/);
    const third = render('page=3');
    expect(third).toContain('Items 21–30 of 46, page 3 of 5.');
    expect(third).toContain('rel="prev"');
    expect(articles(render('page=5'))).toBe(6);
  });

  it('filters by reference (any case), channel and classification', () => {
    const byRef = render('q=dem-2026-000004');
    expect(articles(byRef)).toBe(1);
    expect(byRef).toContain('Reference DEM-2026-000004');
    const sms = render('channel=sms');
    expect(sms).toContain('Items 1–10 of 12');
    expect(render('status=formal&channel=email')).toContain('of 4,');
    expect(render('q=nothing-like-this')).toContain('No items match.');
    // The filter survives paging.
    expect(sms).toContain('href="/?channel=sms&amp;page=2#items"');
  });

  it('says who a message went to in plain words', () => {
    const html = render('q=DEM-2026-000001');
    expect(html).toContain('Sent to the clerk by email (clerk@demo-parish.example.org.uk)');
    expect(html).toContain('Consent request sent by SMS to +447700900456');
    expect(html).not.toMatch(/to clerk@[^ ]+ by Email/);
  });

  it('says what the policy says about the channel', () => {
    const html = render('channel=sms&status=informal');
    expect(html).toContain('The policy does not treat SMS as formal correspondence');
    expect(render('channel=email&status=formal')).toContain('The policy treats email as formal correspondence');
  });

  it('says what a newsletter audience event was (issue 17 item 6)', () => {
    const record: ItemView = {
      itemId: 'mc:1',
      ref: 'DEM-2026-000099',
      channel: 'mailchimp',
      classification: 'formal',
      receivedAt: '2026-01-05T09:00:00Z',
      reasons: [{ rule: 'mailchimp-audience', clause: 'demo §16' }],
      flags: [],
      actions: [],
      events: [],
      audienceEvent: 'unsubscribe',
      outbox: [],
    };
    const html = renderHomePage({
      councilName: 'Demo',
      items: [record],
      outbox: [],
      httpUrl: 'http://localhost:3000',
      smtpPort: 2525,
      query: new URLSearchParams(),
    });
    expect(html).toContain('Unsubscribed from the newsletter, kept as a consent record');
    expect(html).not.toContain('A newsletter audience change');
  });
});
