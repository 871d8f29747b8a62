import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import type { InboundItem, OutboxMessage } from '../../shared/model/index.ts';
import { processInboundItem, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { runClerkSchedule, type ClerkScheduleDeps } from '../../shared/cases/schedule.ts';
import { classifyOnEmulators, itemBuilder } from '../support/items.ts';
import { runAs } from '../../infra/local/iam/enforce.ts';

/**
 * Reminders and the digest on the emulators, with the clock moved by hand
 * (stilton: office hours Monday to Friday 09:00-17:00; digest by default at
 * 09:00 on those days).
 */

const policy = loadPolicy('stilton');
let now = new Date('2026-05-22T10:00:00.000Z'); // Friday 22 May 2026, 11:00 BST
let emu: Emulators;
let classify: ClassifyDeps;
let schedule: ClerkScheduleDeps;
let published: OutboxMessage[] = [];

const items = itemBuilder('sched', () => now, policy);
const item = (over: Partial<InboundItem>): InboundItem => items.email({ subject: 'Question', text: 'Hello', ...over });

const run = async (at: string) => {
  now = new Date(at);
  published = [];
  const result = await runAs('clerkSchedule', () => runClerkSchedule(schedule));
  return { result, sent: published };
};

let close: () => void;

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'clerk-schedule-' });
  const publish = async (messages: readonly OutboxMessage[]) => void published.push(...messages);
  ({ deps: classify, close } = classifyOnEmulators(emu, policy, () => now, { outbox: { publish }, cases: true, signingKey: 'k' }));
  schedule = { policy, audit: classify.audit, ops: classify.ops, cases: classify.cases!, publish, now: () => now };
});
afterAll(async () => {
  close?.();
  await emu?.stop();
});

describe('clerk schedule', () => {
  it('sends no digest when there is nothing to say, and nothing outside office hours', async () => {
    expect((await run('2026-05-18T08:30:00.000Z')).result.digest).toBe('empty'); // Mon 09:30 BST, empty hub
    expect((await run('2026-05-18T18:00:00.000Z')).sent).toEqual([]); // 19:00: closed
  });

  it('FOI on the Friday before the bank holiday: due 22 June; reminders on 15 June, 19 June and 22 June at 09:00, once each', async () => {
    now = new Date('2026-05-22T10:00:00.000Z');
    published = [];
    const outcome = await runAs('classify', () =>
      processInboundItem(item({ subject: 'FOI request', text: 'Under the Freedom of Information Act please send me the grass cutting contract.' }), classify),
    );
    const routing = published.find((m) => m.kind === 'clerk-routing')!;
    expect(routing.subject).toContain('FOI due 22 Jun 2026');
    expect(routing.text).toContain('Due by Monday 22 June 2026');

    expect((await run('2026-06-12T10:00:00.000Z')).sent.filter((m) => m.kind === 'case-reminder')).toEqual([]);
    const first = (await run('2026-06-15T08:05:00.000Z')).sent.filter((m) => m.kind === 'case-reminder');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ to: policy.contacts.clerk.address, ref: outcome.ref });
    expect(first[0]!.subject).toContain('DUE IN 5 WORKING DAYS');
    expect((await run('2026-06-15T09:00:00.000Z')).sent.filter((m) => m.kind === 'case-reminder')).toEqual([]);
    expect((await run('2026-06-19T08:05:00.000Z')).sent.filter((m) => m.kind === 'case-reminder')[0]!.subject).toContain('DUE NEXT WORKING DAY');
    // The day itself, but the case has been answered meanwhile: no reminder.
    await classify.cases!.update(outcome.ref!, (c) => ({ ...c, status: 'answered', answeredAt: '2026-06-19T10:00:00.000Z' }));
    const last = await run('2026-06-22T08:05:00.000Z');
    expect(last.sent.filter((m) => m.kind === 'case-reminder')).toEqual([]);
    expect(last.result.dropped).toBe(1);
  });

  it('the digest arrives once, inside office hours, with open cases, consent pending, flags and informal themes', async () => {
    now = new Date('2026-06-23T07:00:00.000Z'); // Tue 08:00 BST
    await runAs('classify', () =>
      processInboundItem(item({ subject: 'Subject access request', text: 'Please send me a copy of all the personal data you hold about me.' }), classify),
    );
    for (const [n, text] of [
      'There is a huge pothole on Mill Road, call me on 07700 900123',
      'Another pothole by the school gates',
      'When is the fete this year?',
    ].entries()) {
      await runAs('classify', () =>
        processInboundItem(
          item({
            itemId: `meta:theme-${n}`,
            channel: 'messenger',
            provider: 'meta',
            kind: 'message',
            providerMessageId: `theme-${n}`,
            sender: { id: `90${n}` },
            recipients: [policy.contacts.messengerPageId!],
            subject: undefined,
            thread: {},
            transport: {},
            text,
          }),
          classify,
        ),
      );
    }
    expect((await run('2026-06-23T07:30:00.000Z')).result.digest).toBe('not-due'); // 08:30 BST: before office hours
    const { result, sent } = await run('2026-06-23T08:10:00.000Z'); // 09:10 BST
    expect(result.digest).toBe('sent');
    const digest = sent.find((m) => m.kind === 'clerk-digest')!;
    expect(digest.to).toBe(policy.contacts.clerk.address);
    expect(digest.text).toMatch(/Open cases, by due date:\n- STL-2026-\d{6} \(email, received 2026-06-23\) — SAR due Thursday 23 July 2026/);
    expect(digest.text).toContain('Data consent pending or expired:');
    expect(digest.text).toMatch(/Roads and potholes: 2 — e\.g\. "There is a huge pothole on Mill Road, call me on \[phone\]"/);
    expect(digest.text).toContain('Events and community: 1');
    expect(digest.text).not.toContain('07700 900123');
    expect((await run('2026-06-23T12:00:00.000Z')).result.digest).toBe('already-sent');
  });
});
