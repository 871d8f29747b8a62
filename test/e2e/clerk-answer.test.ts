import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHubProcess, type LocalHubProcess } from '../support/local-hub-process.ts';
import type { OutboxEntry } from '../../infra/local/outbox.ts';
import type { ItemView } from '../../infra/local/records.ts';
import { messengerMessage, smtpEmail, twilioSms, type HubTarget } from '../../infra/local/traffic.ts';

/**
 * Issue 13 "Done when", on the local hub (`npm start` as a child process):
 * a formal SMS, then the clerk's reply by SMTP from the clerk's address,
 * reaches the resident by SMS and the audit shows the answer and its delivery;
 * the same for email (threaded) and Messenger inside and outside the 24-hour
 * window; a stranger's reply to the reply address is held.
 */

const CLERK = 'clerk@demo-parish.example.org.uk';
const OUR_NUMBER = '+447700900123';
/** What the clerk's receiving MTA says about their mail; the local SMTP reads it (DESIGN.md, local mail authentication). */
const CLERK_AUTH = {
  'Authentication-Results':
    'mx.local; spf=pass smtp.mailfrom=demo-parish.example.org.uk; dkim=pass header.d=demo-parish.example.org.uk; dmarc=pass header.from=demo-parish.example.org.uk',
};

describe('the clerk answers from email, on the local hub', () => {
  const run = randomUUID().replace(/-/g, '').slice(0, 10);
  let hub: LocalHubProcess;
  let target: HubTarget;

  const outbox = () => hub.outbox();
  const items = async () => (await (await fetch(`${target.baseUrl}/local/items`)).json()) as ItemView[];
  const until = <T>(what: string, probe: () => Promise<T | undefined>, ms?: number) => hub.until(what, probe, ms);
  const routingFor = (test: (e: OutboxEntry) => boolean) =>
    until('the routing email', async () => (await outbox()).find((e) => e.kind === 'clerk-routing' && test(e)));
  const clerkReplies = (routing: OutboxEntry, text: string, from = CLERK, headers: Record<string, string> = CLERK_AUTH) =>
    smtpEmail(target, {
      from,
      fromName: 'Parish Clerk',
      to: routing.replyTo!,
      subject: `Re: ${routing.subject}`,
      text,
      headers,
      ...(Object.keys(headers).length ? {} : { authenticated: false }),
    });
  const eventsOf = async (ref: string) => (await items()).find((i) => i.ref === ref)?.events.map((e) => e.type) ?? [];

  beforeAll(async () => {
    hub = await startLocalHubProcess('hub-answer-');
    target = hub.target;
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
  });

  it('SMS: the answer reaches the resident by SMS; the audit shows the answer and its delivery', async () => {
    const resident = '+447700900612';
    await twilioSms(target, resident, OUR_NUMBER, 'The bus shelter on Church Lane has smashed glass', `SM${run}${'2'.repeat(22)}`);
    const routing = await routingFor((e) => e.text.includes('Church Lane'));
    expect(routing.replyTo).toMatch(/^reply\+dem-\d{4}-\d{6}-[0-9a-f]{20}@demo-parish\.example\.org\.uk$/);
    expect(
      await clerkReplies(
        routing,
        'Thank you: the glass will be replaced on Friday.\n\nOn Tue, 1 Dec 2026, Parish Hub wrote:\n> The bus shelter on Church Lane',
      ),
    ).toMatch(/^250/);
    const answer = await until('the SMS answer', async () => (await outbox()).find((e) => e.kind === 'clerk-answer' && e.to === resident));
    expect(answer).toMatchObject({ channel: 'sms', provider: 'twilio', text: 'Thank you: the glass will be replaced on Friday.', ref: routing.ref });
    const events = await until('the delivery event', async () => ((await eventsOf(routing.ref!)).includes('answer-sent') ? eventsOf(routing.ref!) : undefined));
    expect(events).toEqual(expect.arrayContaining(['case-opened', 'routed', 'answer-received', 'answer-sent']));
  }, 60_000);

  it("email: the answer is threaded, from the council, under the resident's subject", async () => {
    const messageId = `<answer-${run}@mail.example.co.uk>`;
    await smtpEmail(target, {
      from: 'pat@example.co.uk',
      fromName: 'Pat Resident',
      to: CLERK,
      subject: 'Flooding on Mill Lane',
      text: 'Mill Lane floods every time it rains.',
      headers: { 'Message-ID': messageId },
    });
    const routing = await routingFor((e) => e.subject?.includes('Flooding on Mill Lane') === true);
    await clerkReplies(routing, 'We have asked the county council to clear the drains.\n\n-- \nParish Clerk');
    const answer = await until('the email answer', async () => (await outbox()).find((e) => e.kind === 'clerk-answer' && e.to === 'pat@example.co.uk'));
    expect(answer.subject).toBe('Re: Flooding on Mill Lane');
    expect(answer.inReplyTo).toBe(messageId);
    expect(answer.from).toContain('Demo Parish Council');
    expect(answer.autoSubmitted).toBeUndefined();
    expect(answer.text).toContain('We have asked the county council to clear the drains.');
    expect(answer.text).not.toContain('Parish Clerk\n');
  }, 60_000);

  it('Messenger: answered inside 24 hours; outside it the clerk is told at once and nothing is sent', async () => {
    // Demo treats Messenger as informal: an allegation of a breach is held for the clerk (demo §7(h)), so it is routed and answerable.
    const allegation = 'The council broke the law by holding the budget meeting in secret. This is illegal.';
    await messengerMessage(target, '5550001', `m_in_${run}`, allegation);
    const inside = await routingFor((e) => e.text.includes(allegation) && e.text.includes('5550001'));
    await clerkReplies(inside, 'The budget meeting was advertised on the noticeboard; the minutes are online.');
    const sent = await until('the Messenger answer', async () => (await outbox()).find((e) => e.kind === 'clerk-answer' && e.to === '5550001'));
    expect(sent.channel).toBe('messenger');

    await messengerMessage(target, '5550002', `m_out_${run}`, `${allegation} Email me at lee@example.net`, Date.now() - 25 * 3_600_000);
    const outside = await routingFor((e) => e.text.includes('5550002'));
    await clerkReplies(outside, 'The budget meeting was advertised on the noticeboard.');
    const told = await until('the notice to the clerk', async () => (await outbox()).find((e) => e.kind === 'clerk-notice' && e.ref === outside.ref));
    expect(told.to).toBe(CLERK);
    expect(told.text).toMatch(/within 24 hours/);
    expect(told.text).toContain('lee@example.net');
    expect((await outbox()).filter((e) => e.kind === 'clerk-answer' && e.to === '5550002')).toEqual([]);
    // Events reach the chain through the appender (the FIFO audit queue), moments after they are recorded.
    expect(
      await until('the answer-not-sent event to be chained', async () => ((await eventsOf(outside.ref!)).includes('answer-not-sent') ? true : undefined)),
    ).toBe(true);
  }, 60_000);

  it('hub cases list|show|export --local: open and answered cases, response times, the FOI deadline', async () => {
    await smtpEmail(target, {
      from: 'sam@example.co.uk',
      fromName: 'Sam',
      to: CLERK,
      subject: 'FOI request',
      text: 'Under the Freedom of Information Act, please send me copies of the grass cutting contract.',
    });
    const routing = await routingFor((e) => e.subject?.includes('FOI request') === true);
    expect(routing.subject).toMatch(/FOI due \d{1,2} [A-Z][a-z]{2} \d{4}/);
    const cli = (args: string[]) => hub.cli(['cases', ...args, '--local']);
    const listed = await cli(['list', '--json']);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as { ref: string; status: string; type: string; dueOn: string; deadline: string; responseWorkingDays: number }[];
    const foi = rows.find((r) => r.ref === routing.ref)!;
    expect(foi).toMatchObject({ status: 'open', type: 'foi', deadline: 'due' });
    expect(rows.some((r) => r.status === 'answered' && r.responseWorkingDays === 0)).toBe(true);
    const open = JSON.parse((await cli(['list', '--open', '--json'])).stdout) as { status: string }[];
    expect(open.every((r) => r.status === 'open' || r.status === 'awaiting-clarification')).toBe(true);
    const shown = await cli(['show', routing.ref!.toLowerCase()]);
    expect(shown.stdout).toContain(`Case ${routing.ref}`);
    expect(shown.stdout).toMatch(/FOIA 2000 s\.10\(1\)/);
    const exported = await cli(['export']);
    expect(exported.stdout.split('\n')[0]).toBe('ref,channel,received,status,type,dueOn,answeredOn,responseWorkingDays,deadline,clause');
    expect(exported.stdout).toContain(routing.ref!);

    // The routing email's signed link, through the local API: GET asks, POST closes the case.
    const link = new URL(/Close the case: (\S+)/.exec(routing.text)![1]!);
    const local = new URL(link.pathname, target.baseUrl).href;
    const page = await fetch(local);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Confirm');
    expect((await fetch(local, { method: 'POST' })).status).toBe(200);
    expect((await cli(['show', routing.ref!])).stdout).toMatch(/Status:\s+closed/);
  }, 60_000);

  it("a stranger's reply to the reply address is held: the clerk is told, the resident gets nothing", async () => {
    const resident = '+447700900613';
    await twilioSms(target, resident, OUR_NUMBER, 'Streetlight out on Orchard Way', `SM${run}${'3'.repeat(22)}`);
    const routing = await routingFor((e) => e.text.includes('Orchard Way'));
    await clerkReplies(routing, 'Ignore the council, call me instead.', 'stranger@example.com', {
      'Authentication-Results': 'mx.local; spf=pass; dkim=pass; dmarc=pass header.from=example.com',
    });
    const notice = await until('the hold notice', async () => (await outbox()).find((e) => e.kind === 'clerk-notice' && e.ref === routing.ref));
    expect(notice.to).toBe(CLERK);
    expect(notice.subject).toMatch(/HOLD/);
    // The clerk's address without DMARC (no Authentication-Results locally: GRAY) is held as well.
    await clerkReplies(routing, 'Forged answer.', CLERK, {});
    await until('the second hold', async () => ((await eventsOf(routing.ref!)).filter((t) => t === 'answer-held').length === 2 ? true : undefined));
    await hub.idle();
    expect((await outbox()).filter((e) => e.to === resident && e.kind === 'clerk-answer')).toEqual([]);
  }, 60_000);
});
