import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHubProcess, type LocalHubProcess } from '../support/local-hub-process.ts';
import { smtpEmail, type HubTarget } from '../../infra/local/traffic.ts';

/**
 * Issue 13: the daily digest on the running local hub (`npm start` as a child
 * process). The clerk schedule is fired as its EventBridge rule fires it, at
 * chosen moments (`POST /local/schedules/clerk-sweep` with the event's time):
 * nothing on a day with nothing to say; with a case open, nothing before the
 * demo policy's office hours (Mon-Fri 09:00-17:00, demo §10) or on a Saturday,
 * and exactly one digest to the clerk on a weekday once 09:00 has passed.
 * The days are in March 2027 (GMT, no bank holiday), far from the real date
 * the hub's own 30-second timer runs for.
 */

const CLERK = 'clerk@demo-parish.example.org.uk';

describe('the daily digest, on the local hub', () => {
  let hub: LocalHubProcess;
  let target: HubTarget;

  const outbox = () => hub.outbox();
  const digestsFor = async (date: string) => (await outbox()).filter((e) => e.kind === 'clerk-digest' && e.itemId === `digest:${date}`);
  const fire = async (time: string) => {
    const res = await fetch(`${target.baseUrl}/local/schedules/clerk-sweep`, { method: 'POST', body: JSON.stringify({ time }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { result: { digest: string } }).result.digest;
  };
  const until = <T>(what: string, probe: () => Promise<T | undefined>, ms?: number) => hub.until(what, probe, ms);

  beforeAll(async () => {
    hub = await startLocalHubProcess('hub-digest-');
    target = hub.target;
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
  });

  it('a rule firing that names no schedule, or a time without a zone, is refused', async () => {
    expect((await fetch(`${target.baseUrl}/local/schedules/clerk-sweeep`, { method: 'POST' })).status).toBe(404);
    const bad = await fetch(`${target.baseUrl}/local/schedules/clerk-sweep`, { method: 'POST', body: JSON.stringify({ time: '2027-03-02 09:30' }) });
    expect(bad.status).toBe(400);
  });

  it('nothing to say: no digest, even at 09:30 on a weekday', async () => {
    expect(await fire('2027-03-02T09:30:00Z')).toBe('empty');
    await hub.idle();
    expect(await digestsFor('2027-03-02')).toEqual([]);
  });

  it('with a case open: none before 09:00 or on a Saturday, one on a weekday after 09:00, and only one', async () => {
    await smtpEmail(target, {
      from: 'robin@example.co.uk',
      fromName: 'Robin Resident',
      to: CLERK,
      subject: 'Information request',
      text: 'Under the Freedom of Information Act, please send me copies of the play area inspection reports for 2026.',
    });
    const routing = await until('the routing email', async () =>
      (await outbox()).find((e) => e.kind === 'clerk-routing' && e.subject?.includes('Information request')),
    );

    expect(await fire('2027-03-03T08:45:00Z')).toBe('not-due'); // Wednesday, before office hours
    expect(await fire('2027-03-06T10:00:00Z')).toBe('not-due'); // Saturday
    expect(await fire('2027-03-03T09:15:00Z')).toBe('sent');
    expect(await fire('2027-03-03T09:30:00Z')).toBe('already-sent');
    expect(await fire('2027-03-03T16:45:00Z')).toBe('already-sent');

    const [digest, ...more] = await until('the digest', async () => ((await digestsFor('2027-03-03')).length ? digestsFor('2027-03-03') : undefined));
    expect(more).toEqual([]);
    expect(digest).toMatchObject({ channel: 'email', to: CLERK });
    expect(digest!.text).toContain('Daily digest for Demo Parish Council, Wednesday 3 March 2027.');
    expect(digest!.text).toMatch(new RegExp(`${routing.ref} \\(email, received \\d{4}-\\d{2}-\\d{2}\\) — FOI due .* — OVERDUE`));
    expect(await digestsFor('2027-03-06')).toEqual([]);
    await hub.idle();
    expect(await digestsFor('2027-03-03')).toHaveLength(1);
  }, 60_000);
});
