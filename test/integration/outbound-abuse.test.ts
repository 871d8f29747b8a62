import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import type { InboundItem, OutboxMessage } from '../../shared/model/index.ts';
import { processInboundItem, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { handleConsentForm, type ConsentDeps } from '../../shared/pipeline/consent.ts';
import { takeOutboundBudget } from '../../shared/pipeline/outbound-budget.ts';
import { recordClerkConsent } from '../../shared/pipeline/consent-record.ts';
import { verifyAudit } from '../../shared/store/verify-audit.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import type { Policy } from '../../shared/policy/schema.ts';
import { classifyOnEmulators, itemBuilder } from '../support/items.ts';

/**
 * Issue 12, tried as an attacker would: what one inbound message (or a flood
 * of them) can make the hub send, end to end through classify on the emulators.
 */

const KEY = 'test-consent-signing-key';
const policy = loadPolicy('stilton');
// Saturday 14 March 2026, 10:00 in London: outside office hours (out-of-office replies apply).
let now = new Date('2026-03-14T10:00:00.000Z');

let emu: Emulators;
let deps: ClassifyDeps;
let seq = 0;

const items = itemBuilder('abuse', () => now, policy);
const email = items.email;
const sms = (from: string, text?: string): InboundItem => items.sms(from, text ? { text } : {});

const withPolicy = (policy: Policy): ClassifyDeps => ({ ...deps, policy });

function consentDeps(): ConsentDeps {
  return {
    policy,
    audit: deps.audit,
    ops: deps.ops,
    publish: (m) => deps.outbox.publish(m),
    signingKey: KEY,
    publicBaseUrl: deps.publicBaseUrl,
    now: () => now,
  };
}

/** Answers the consent form behind the link in a consent request, as the resident would. */
async function answer(request: OutboxMessage, choice: 'grant' | 'decline'): Promise<string> {
  const token = /\/consent\/([A-Za-z0-9._-]+)/.exec(request.text)![1]!;
  const page = await handleConsentForm({ method: 'GET', token }, consentDeps());
  const res = await handleConsentForm({ method: 'POST', token, contentType: 'application/x-www-form-urlencoded', body: `choice=${choice}` }, consentDeps());
  expect(res.statusCode).toBe(200);
  return page.body;
}

let drainOutbox: () => Promise<OutboxMessage[]>;
let close: () => void;

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'outbound-abuse-' });
  ({ deps, drainOutbox, close } = classifyOnEmulators(emu, policy, () => now, { signingKey: KEY }));
});
afterAll(async () => {
  close?.();
  await emu?.stop();
});
beforeEach(async () => {
  await drainOutbox();
});

describe('backscatter', () => {
  it('a forged envelope sender (SPF FAIL, no DKIM, no DMARC) gets nothing; the clerk gets it held, with the reason and clause recorded', async () => {
    const forged = email({
      sender: { id: 'victim@example.net' },
      subject: 'URGENT: verify your account at http://evil.example',
      transport: { spf: 'FAIL', dkim: 'GRAY', dmarc: 'GRAY', spam: 'PASS', virus: 'PASS', returnPath: 'victim@example.net' },
    });
    const outcome = await processInboundItem(forged, deps);
    const sent = await drainOutbox();
    expect(sent.map((m) => [m.kind, m.to])).toEqual([['clerk-routing', policy.contacts.clerk.address]]);
    expect(sent.some((m) => m.to === 'victim@example.net' || (m.kind !== 'clerk-routing' && m.subject?.includes('evil.example')))).toBe(false);
    const events = await deps.audit.eventsFor(outcome.ref!);
    const classified = events.find((e) => e.type === 'classified')!;
    expect(classified.data).toMatchObject({ hold: 'unverified-sender' });
    expect(classified.data.reasons).toContainEqual({ rule: 'unverified-sender', clause: expect.stringContaining('RFC 7208') });
    expect(events.map((e) => e.type)).not.toContain('consent-requested');
  });

  it('the same mail authenticated (SPF PASS) gets the consent form and the out-of-office reply', async () => {
    await processInboundItem(email(), deps);
    const kinds = (await drainOutbox()).map((m) => m.kind).sort();
    expect(kinds).toEqual(['auto-reply', 'clerk-routing', 'consent-request']);
  });
});

describe('cost amplification', () => {
  it('20 texts from one number, all at once, give 1 consent SMS and 1 acknowledgement; every text still reaches the clerk', async () => {
    const items = Array.from({ length: 20 }, (_, i) => sms('+447700900777', `Complaint number ${i + 1} about the bins`));
    const outcomes = await Promise.all(items.map((item) => processInboundItem(item, deps)));
    const sent = await drainOutbox();
    expect(
      sent
        .filter((m) => m.to === '+447700900777')
        .map((m) => m.kind)
        .sort(),
    ).toEqual(['auto-reply', 'consent-request']);
    expect(sent.filter((m) => m.kind === 'clerk-routing')).toHaveLength(20);
    // Every matter is awaiting the one answer; the joined ones say which request they joined.
    const statuses = await Promise.all(outcomes.map(async (o) => (await deps.audit.getSummary(o.ref!))?.consentStatus));
    expect(new Set(statuses)).toEqual(new Set(['requested']));
    const joined = await Promise.all(
      outcomes.map(async (o) => (await deps.audit.eventsFor(o.ref!)).find((e) => e.type === 'consent-requested')?.data.joinedTo),
    );
    expect(joined.filter(Boolean)).toHaveLength(19);
    // Twenty concurrent appends contend for one audit chain: slow on a loaded machine, so a generous limit.
  }, 180_000);

  it('where texts are informal, 20 texts give 1 not-official-contact reply', async () => {
    const informal = { ...policy, channels: { ...policy.channels, sms: { ...policy.channels.sms, formal: false } } } as Policy;
    for (let i = 0; i < 20; i++) await processInboundItem(sms('+447700900778'), withPolicy(informal));
    const sent = (await drainOutbox()).filter((m) => m.to === '+447700900778');
    expect(sent.map((m) => m.kind)).toEqual(['auto-reply']);
  });

  it('a +882 (international satellite) number gets nothing; the reason is recorded; the clerk still gets the text', async () => {
    const outcome = await processInboundItem(sms('+882167000001'), deps);
    const sent = await drainOutbox();
    expect(sent.filter((m) => m.to === '+882167000001')).toEqual([]);
    expect(sent.map((m) => m.kind)).toEqual(['clerk-routing']);
    const classified = (await deps.audit.eventsFor(outcome.ref!)).find((e) => e.type === 'classified')!;
    expect(classified.data.reasons).toContainEqual({ rule: 'sms-destination', clause: 'default: Ofcom UK numbering plan (07 mobile range)' });
    expect(sent[0]!.text).toContain('outside the SMS destinations the policy allows');
  });

  it('premium-rate +4490 is refused too, as is an informal reply to it', async () => {
    const informal = { ...policy, channels: { ...policy.channels, sms: { ...policy.channels.sms, formal: false } } } as Policy;
    await processInboundItem(sms('+449098765432'), withPolicy(informal));
    expect((await drainOutbox()).filter((m) => m.to === '+449098765432')).toEqual([]);
  });

  it('a tripped daily budget stops replies, still records and routes everything, and sends the clerk one alert', async () => {
    const limited = { ...policy, outbound: { ...policy.outbound!, dailyLimits: { ...policy.outbound!.dailyLimits, sms: 3 } } } as Policy;
    // A fresh London day, so the earlier tests' texts do not count against it.
    now = new Date('2026-03-16T10:00:00.000Z');
    const items = Array.from({ length: 10 }, (_, i) => sms(`+4477009002${String(i).padStart(2, '0')}`));
    const outcomes = [];
    for (const item of items) outcomes.push(await processInboundItem(item, withPolicy(limited)));
    const sent = await drainOutbox();
    expect(sent.filter((m) => m.kind === 'consent-request')).toHaveLength(3);
    expect(sent.filter((m) => m.kind === 'clerk-routing')).toHaveLength(10);
    const alerts = sent.filter((m) => m.kind === 'budget-alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ to: policy.contacts.clerk.address, channel: 'email' });
    expect(alerts[0]!.text).toContain('3 automatic text messages (SMS)');
    // Each withheld request is on the record with why; the matter still awaits consent (the reminder carries the link).
    const skipped = await deps.audit.eventsFor(outcomes[9]!.ref!);
    expect(skipped.find((e) => e.type === 'reply-skipped')?.data).toMatchObject({ kind: 'consent-request', reason: expect.stringContaining('daily-limit') });
    expect((await deps.audit.getSummary(outcomes[9]!.ref!))?.consentStatus).toBe('requested');
    now = new Date('2026-03-14T10:00:00.000Z');
  });

  it('the budget answers each message once: a redelivery neither counts twice nor changes its answer; only the tripping message carries the alert', async () => {
    const limited = {
      ...policy,
      council: { ...policy.council, id: 'budget-once' },
      outbound: { ...policy.outbound!, dailyLimits: { ...policy.outbound!.dailyLimits, email: 1 } },
    } as Policy;
    const message = (id: string): OutboxMessage => ({
      schemaVersion: 1,
      id,
      kind: 'auto-reply',
      channel: 'email',
      to: 'r@example.org',
      council: 'budget-once',
      itemId: id,
      text: 'x',
      createdAt: now.toISOString(),
    });
    const at = now.toISOString();
    expect((await takeOutboundBudget(message('a'), limited, deps.ops, at)).granted).toBe(true);
    expect((await takeOutboundBudget(message('a'), limited, deps.ops, at)).granted).toBe(true);
    const tripped = await takeOutboundBudget(message('b'), limited, deps.ops, at);
    expect(tripped).toMatchObject({ granted: false, alert: { kind: 'budget-alert' } });
    expect(await takeOutboundBudget(message('b'), limited, deps.ops, at)).toMatchObject({ granted: false, alert: { id: tripped.alert!.id } });
    expect((await takeOutboundBudget(message('c'), limited, deps.ops, at)).alert).toBeUndefined();
  });
});

describe('consent per matter', () => {
  const thread = (_ref: OutboxMessage, item: InboundItem, over: Partial<InboundItem> = {}) =>
    email({
      sender: item.sender,
      transport: item.transport,
      thread: { messageId: `<reply-${seq}@example.org>`, inReplyTo: item.thread.messageId, references: [item.thread.messageId!] },
      ...over,
    });

  it('consent given for one reference is not used for another; later messages in its thread carry it', async () => {
    const first = email();
    await processInboundItem(first, deps);
    const request = (await drainOutbox()).find((m) => m.kind === 'consent-request')!;
    await answer(request, 'grant');
    await drainOutbox();

    // A new matter from the same sender asking not to be named: its own request, and not "GIVEN".
    const second = email({ sender: first.sender, transport: first.transport, subject: 'Noise from the pub', text: 'Please do NOT share my name with anyone.' });
    const outcome = await processInboundItem(second, deps);
    const sent = await drainOutbox();
    expect(sent.filter((m) => m.kind === 'consent-request')).toHaveLength(1);
    expect((await deps.audit.getSummary(outcome.ref!))?.consentStatus).toBe('requested');
    expect(sent.find((m) => m.kind === 'clerk-routing')!.text).not.toContain('Data consent: GIVEN');

    // A reply in the first matter's thread: consent on file for that matter, no new form.
    const reply = await processInboundItem(thread(request, first), deps);
    const replySent = await drainOutbox();
    expect(replySent.filter((m) => m.kind === 'consent-request')).toEqual([]);
    expect((await deps.audit.getSummary(reply.ref!))?.consentStatus).toBe('granted');
    expect(replySent.find((m) => m.kind === 'clerk-routing')!.text).toContain('Data consent: GIVEN');
  });

  it('a decline is honoured for its matter and shown on later messages in its thread', async () => {
    const first = email();
    const firstOutcome = await processInboundItem(first, deps);
    const request = (await drainOutbox()).find((m) => m.kind === 'consent-request')!;
    await answer(request, 'decline');
    const told = await drainOutbox();
    expect(told.find((m) => m.kind === 'consent-outcome')!.text).toContain('DECLINED');
    expect((await deps.audit.getSummary(firstOutcome.ref!))?.consentStatus).toBe('declined');

    const reply = await processInboundItem(thread(request, first), deps);
    const sent = await drainOutbox();
    expect((await deps.audit.getSummary(reply.ref!))?.consentStatus).toBe('declined');
    const routing = sent.find((m) => m.kind === 'clerk-routing')!;
    expect(routing.text).toContain('DATA CONSENT DECLINED');
    expect(routing.text).toContain('Data consent: DECLINED');
    expect(sent.filter((m) => m.kind === 'consent-request')).toEqual([]);

    // Later the resident phones the clerk and agrees: recorded for that matter only, on the record with who did it.
    const recorded = await recordClerkConsent(
      { ref: firstOutcome.ref!, answer: 'granted', how: 'phone', recordedBy: 'jclerk', at: now },
      { policy, audit: deps.audit, ops: deps.ops },
    );
    expect(recorded).toMatchObject({ ok: true, previous: 'declined' });
    expect((await deps.audit.getSummary(firstOutcome.ref!))?.consentStatus).toBe('granted');
    expect((await deps.audit.getSummary(reply.ref!))?.consentStatus).toBe('declined');
  });

  it('a new matter while a request is pending joins it: one form lists both, and its answer applies to both', async () => {
    const first = email();
    const a = await processInboundItem(first, deps);
    const request = (await drainOutbox()).find((m) => m.kind === 'consent-request')!;
    const b = await processInboundItem(email({ sender: first.sender, transport: first.transport, subject: 'Another matter' }), deps);
    expect((await drainOutbox()).filter((m) => m.kind === 'consent-request')).toEqual([]);

    const page = await answer(request, 'decline');
    expect(page).toContain(a.ref!);
    expect(page).toContain(b.ref!);
    expect((await deps.audit.getSummary(a.ref!))?.consentStatus).toBe('declined');
    expect((await deps.audit.getSummary(b.ref!))?.consentStatus).toBe('declined');
    const outcomes = (await drainOutbox()).filter((m) => m.kind === 'consent-outcome');
    expect(outcomes.map((m) => m.ref).sort()).toEqual([a.ref, b.ref].sort());

    // Answered: the sender's next matter gets a request of its own.
    await processInboundItem(email({ sender: first.sender, transport: first.transport, subject: 'A third matter' }), deps);
    expect((await drainOutbox()).filter((m) => m.kind === 'consent-request')).toHaveLength(1);
  });
});

describe('replay', () => {
  function messenger(receivedAt: string): InboundItem {
    const n = ++seq;
    return {
      schemaVersion: 1,
      itemId: `meta:mid.replay${n}`,
      channel: 'messenger',
      provider: 'meta',
      kind: 'message',
      providerMessageId: `mid.replay${n}`,
      receivedAt,
      sender: { id: `65432109876${n}` },
      recipients: [policy.contacts.messengerPageId!],
      text: 'Hello, when is the next meeting?',
      attachments: [],
      thread: {},
      transport: {},
    };
  }

  it('a Messenger event 8 days old by its own timestamp is acknowledged and ignored, with the reason logged; nothing is sent', async () => {
    const old = messenger(new Date(now.getTime() - 8 * 86_400_000).toISOString());
    const outcome = await processInboundItem(old, deps);
    expect(outcome.classification).toBe('ignored');
    expect(await drainOutbox()).toEqual([]);
    const logs = await deps.ops.listMinimalLogs(old.receivedAt.slice(0, 10));
    expect(logs.find((l) => l.itemId === old.itemId)?.reasons).toEqual([{ rule: 'replay-window', clause: expect.stringContaining('replay window') }]);
  });

  it('one 6 days old is still answered (a provider retrying late)', async () => {
    await processInboundItem(messenger(new Date(now.getTime() - 6 * 86_400_000).toISOString()), deps);
    expect((await drainOutbox()).map((m) => m.kind)).toEqual(['auto-reply']);
  });

  it('a formal item replayed 30+ days later (a Twilio capture: no timestamp to check) is still a duplicate: no new record, no new message', async () => {
    const text = sms('+447700900888');
    const first = await processInboundItem(text, deps);
    await drainOutbox();
    const saved = now;
    now = new Date(now.getTime() + 45 * 86_400_000);
    try {
      const again = await processInboundItem({ ...text, receivedAt: now.toISOString() }, deps);
      expect(again).toMatchObject({ duplicate: true, ref: first.ref });
      expect(await drainOutbox()).toEqual([]);
    } finally {
      now = saved;
    }
  });
});

describe('the audit trail', () => {
  it('verifies after all of the above: every summary status (joined matters, inherited, withheld, recorded by the clerk) is explained by its events', async () => {
    const report = await verifyAudit(deps.audit);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
