import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAs } from '../../infra/local/iam/enforce.ts';
import { asRole } from '../support/as-role.ts';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { applyEnv, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { startProviderFakes, type ProviderFakes } from '../../infra/local/provider-fakes.ts';
import { deliverOutboxMessage, type DeliverDeps } from '../../shared/delivery/deliver.ts';
import type { AuditSummary, OutboxMessage } from '../../shared/model/index.ts';
import { signConsentToken } from '../../shared/pipeline/consent-token.ts';
import { handleConsentForm, sweepConsent, type ConsentDeps } from '../../shared/pipeline/consent.ts';
import { CONSENT_EXPIRY_DUE, CONSENT_REMINDER_DUE, consentLink, type ConsentDueData } from '../../shared/pipeline/consent-request.ts';
import { composeConsentRequest, type ReplyTarget } from '../../shared/pipeline/compose.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import type { Policy } from '../../shared/policy/schema.ts';
import { OutboxPublisher } from '../../shared/queue/outbox.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { linkAuditQueue } from '../support/audit-queue.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { formBody, httpEvent, lambdaContext } from '../support/http-events.ts';

/**
 * The consent lifecycle on the emulators: the signed link's form (through
 * functions/consent-form.ts), the answer recorded once, the clerk told, and
 * the scheduled reminder and expiry with a controllable clock.
 */

const KEY = 'consent-key-for-tests';
const BASE = 'https://hub.example.org';
const DAY = 86_400_000;

let emu: Emulators;
let fakes: ProviderFakes;
let restoreEnv: () => void;
let sqs: SQSClient;
let audit: AuditStore;
let ops: OpsStore;
let publisher: OutboxPublisher;
let policy: Policy;
let formHandler: (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;
let clock = new Date('2026-03-02T09:00:00Z');
let counter = 0;

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'cns-' });
  fakes = await startProviderFakes();
  restoreEnv = applyEnv({
    ...emu.env,
    ...fakes.env,
    MESSENGER_APP_SECRET: 'a',
    MESSENGER_VERIFY_TOKEN: 'b',
    MESSENGER_PAGE_TOKEN: 'c',
    MAILCHIMP_WEBHOOK_SECRET: 'd',
    MANDRILL_WEBHOOK_KEY: 'e',
    TWILIO_AUTH_TOKEN: 'f',
    WHATSAPP_APP_SECRET: 'g',
    WHATSAPP_VERIFY_TOKEN: 'h',
    WHATSAPP_ACCESS_TOKEN: 'i',
    CONSENT_SIGNING_KEY: KEY,
    TWILIO_ACCOUNT_SID: 'AC1',
    PUBLIC_BASE_URL: BASE,
    HUB_COUNCIL: 'demo',
  });
  sqs = new SQSClient({});
  const client = createDocumentClient();
  policy = loadPolicy('demo');
  audit = new AuditStore({ client, tableName: emu.tableNames.audit, council: policy.council.id });
  ops = new OpsStore({ client, tableName: emu.tableNames.ops });
  publisher = new OutboxPublisher({ client: sqs, queueUrl: emu.queueUrls.outbox });
  formHandler = asRole('consentForm', (await import('../../functions/consent-form.ts')).handler) as unknown as typeof formHandler;
});

afterAll(async () => {
  restoreEnv?.();
  sqs?.destroy();
  await fakes?.stop();
  await emu?.stop();
});

beforeEach(async () => {
  fakes.reset();
  await takeOutbox();
});

function deps(over: Partial<ConsentDeps> = {}): ConsentDeps {
  return { policy, audit, ops, publish: (m) => publisher.publish(m), signingKey: KEY, publicBaseUrl: BASE, now: () => clock, ...over };
}

async function formalItem(status: AuditSummary['consentStatus'] = 'requested', ref = `DEM-2026-${String(++counter).padStart(6, '0')}`): Promise<AuditSummary> {
  const summary: AuditSummary = {
    ref,
    council: 'demo',
    itemId: `twilio:SM${counter}`,
    channel: 'sms',
    provider: 'twilio',
    classification: 'formal',
    receivedAt: clock.toISOString(),
    day: clock.toISOString().slice(0, 10),
    senderHash: `sender-${counter}`,
    consentStatus: status,
    retainUntil: '2033-03-02',
  };
  await audit.putSummary(summary);
  return summary;
}

const tokenFor = (ref: string, exp = Math.floor(Date.now() / 1000) + 3600) => signConsentToken({ council: 'demo', ref, exp }, KEY);

function request(token: string, method: 'GET' | 'POST', body?: string, contentType = 'application/x-www-form-urlencoded') {
  return formHandler(
    httpEvent({
      method,
      path: `/consent/${token}`,
      pathParameters: { token },
      ...(body !== undefined ? { body, headers: { 'content-type': contentType } } : {}),
    }),
    lambdaContext('consent-form'),
  );
}

async function takeOutbox(): Promise<OutboxMessage[]> {
  const messages: OutboxMessage[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emu.queueUrls.outbox, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!out.Messages?.length) return messages;
    for (const m of out.Messages) {
      messages.push(JSON.parse(m.Body!) as OutboxMessage);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: emu.queueUrls.outbox, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

/** What classify does when it asks for consent: the request message, and the reminder and expiry due entries. */
async function requestConsent(item: AuditSummary, to: string, t0: Date): Promise<OutboxMessage> {
  const target: ReplyTarget = { itemId: item.itemId, channel: 'sms', provider: 'twilio', to, from: '+447700900123' };
  const consentUrl = consentLink({ policy, ref: item.ref, requestedAt: t0, signingKey: KEY, publicBaseUrl: BASE });
  const expiresAt = new Date(t0.getTime() + policy.consent.expiresAfterDays * DAY).toISOString();
  const due: ConsentDueData = { ref: item.ref, itemId: item.itemId, senderHash: item.senderHash, consentUrl, expiresAt, target };
  await ops.putDue(CONSENT_REMINDER_DUE, new Date(t0.getTime() + policy.consent.reminderAfterDays * DAY).toISOString(), item.ref, due);
  await ops.putDue(CONSENT_EXPIRY_DUE, expiresAt, item.ref, due);
  return composeConsentRequest({ target, policy, ref: item.ref, consentUrl, expiresAt, createdAt: t0.toISOString() });
}

const deliverDeps: DeliverDeps = {
  get ops() {
    return ops;
  },
  audit: () => audit,
  now: () => clock,
};

// The consent form handler records through the FIFO audit queue: link what it named first.
const eventTypes = async (ref: string) => {
  await linkAuditQueue(sqs, emu.queueUrls.audit, createDocumentClient(), emu.tableNames.audit);
  return (await audit.eventsFor(ref)).map((e) => e.type);
};

describe('consent form', () => {
  it('shows the form, records a grant once, and tells the clerk', async () => {
    const item = await formalItem();
    const token = tokenFor(item.ref);

    const page = await request(token, 'GET');
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers?.['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain(item.ref);
    expect(page.body).toContain(policy.council.name);
    expect(page.body).toContain('name="choice" value="grant"');

    const answer = await request(token, 'POST', formBody({ choice: 'grant' }));
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('Thank you, we have your answer');
    expect(await eventTypes(item.ref)).toEqual(['consent-granted']);
    expect((await audit.getSummary(item.ref))?.consentStatus).toBe('granted');
    expect(await ops.consentStatus(item.senderHash, item.ref)).toBe('granted');
    const told = await takeOutbox();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ kind: 'consent-outcome', channel: 'email', to: policy.contacts.clerk.address, ref: item.ref });
    expect(told[0]!.text).toContain('GIVEN');

    // A second submission (even a different answer) shows what is on file and records nothing.
    const again = await request(token, 'POST', formBody({ choice: 'decline' }));
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('We already have your answer');
    expect(again.body).toContain('You said yes');
    expect(await eventTypes(item.ref)).toEqual(['consent-granted']);
    expect(await takeOutbox()).toEqual([]);
  });

  it('records a decline and tells the clerk plainly not to pass the data on', async () => {
    const item = await formalItem('reminded');
    const answer = await request(tokenFor(item.ref), 'POST', formBody({ choice: 'decline' }));
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('You said no');
    expect(await eventTypes(item.ref)).toEqual(['consent-declined']);
    expect((await audit.getSummary(item.ref))?.consentStatus).toBe('declined');
    expect(await ops.consentStatus(item.senderHash, item.ref)).toBe('declined');
    const [told] = await takeOutbox();
    expect(told?.text).toContain('DECLINED');
    expect(told?.text).toContain('Do NOT pass on');
  });

  it('finishes an answer whose recording was cut short, without recording it twice', async () => {
    const item = await formalItem();
    // As if a first POST claimed the answer and appended the event, then crashed.
    await ops.claim(`CONSENT-ANSWER#${item.ref}`, { ttlSeconds: 3600, value: { answer: 'grant', at: clock.toISOString() } });
    await audit.append({
      ref: item.ref,
      itemId: item.itemId,
      type: 'consent-granted',
      at: clock.toISOString(),
      data: {},
      eventKey: `${item.ref}:consent-answer`,
    });
    const retry = await request(tokenFor(item.ref), 'POST', formBody({ choice: 'grant' }));
    expect(retry.statusCode).toBe(200);
    expect(await eventTypes(item.ref)).toEqual(['consent-granted']);
    expect((await audit.getSummary(item.ref))?.consentStatus).toBe('granted');
    expect((await takeOutbox()).map((m) => m.kind)).toEqual(['consent-outcome']);
  });

  it('refuses tampered, expired and unknown links, and records nothing', async () => {
    const item = await formalItem();
    const token = tokenFor(item.ref);
    const [payload, mac] = token.split('.') as [string, string];
    const forged = `${Buffer.from(JSON.stringify({ c: 'demo', r: 'DEM-2026-999999', e: 4102444800 })).toString('base64url')}.${mac}`;
    const flipped = `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [forged, flipped, 'not-a-token']) {
      const answer = await request(bad, 'POST', formBody({ choice: 'grant' }));
      expect(answer.statusCode).toBe(404);
      expect(answer.body).toContain('Nothing has been recorded');
    }
    const expired = await request(tokenFor(item.ref, Math.floor(Date.now() / 1000) - 1), 'POST', formBody({ choice: 'grant' }));
    expect(expired.statusCode).toBe(410);
    expect((await request(tokenFor('DEM-2026-888888'), 'GET')).statusCode).toBe(404);
    expect(await eventTypes(item.ref)).toEqual([]);
    expect((await audit.getSummary(item.ref))?.consentStatus).toBe('requested');
    expect(await takeOutbox()).toEqual([]);
  });

  it('accepts only a small form-encoded answer', async () => {
    const item = await formalItem();
    const token = tokenFor(item.ref);
    expect((await request(token, 'POST', JSON.stringify({ choice: 'grant' }), 'application/json')).statusCode).toBe(415);
    expect((await request(token, 'POST', `choice=grant&pad=${'x'.repeat(9000)}`)).statusCode).toBe(413);
    const missing = await request(token, 'POST', formBody({ choice: 'maybe' }));
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('There is a problem');
    expect(await eventTypes(item.ref)).toEqual([]);
  });

  it('escapes a hostile reference and council name in the page', async () => {
    const item = await formalItem('requested', `DEM"><script>alert(1)</script>`);
    const hostile = { ...policy, council: { ...policy.council, name: `<img src=x onerror=alert(2)> Parish` } } as Policy;
    // Short links carry only well-formed references; the earlier long form (still accepted) can carry any.
    const payload = Buffer.from(JSON.stringify({ c: 'demo', r: item.ref, e: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
    const legacy = `${payload}.${createHmac('sha256', KEY).update(payload).digest('base64url')}`;
    const page = await runAs('consentForm', () => handleConsentForm({ method: 'GET', token: legacy }, deps({ policy: hostile })));
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&#60;img src&#61;x onerror&#61;alert(2)&#62; Parish');
  });
});

describe('consent reminders and expiry', () => {
  it('reminds after N days, expires after M days, tells the clerk, each once', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    clock = t0;
    const item = await formalItem();
    const request = await requestConsent(item, '+447700900456', t0);
    await runAs('deliver', () => deliverOutboxMessage(request, deliverDeps));
    expect(fakes.delivered('twilio')).toHaveLength(1);

    const { reminderAfterDays: n, expiresAfterDays: m } = policy.consent;
    clock = new Date(t0.getTime() + (n - 1) * DAY);
    expect(await runAs('consentSchedule', () => sweepConsent(deps()))).toMatchObject({ reminded: 0, expired: 0 });
    expect(await takeOutbox()).toEqual([]);

    clock = new Date(t0.getTime() + n * DAY + 60_000);
    expect(await runAs('consentSchedule', () => sweepConsent(deps()))).toMatchObject({ reminded: 1, expired: 0 });
    const [reminder] = await takeOutbox();
    expect(reminder).toMatchObject({ kind: 'consent-reminder', channel: 'sms', provider: 'twilio', to: '+447700900456', from: '+447700900123', ref: item.ref });
    expect(reminder!.text).toContain(`${BASE}/consent/`);
    expect((await audit.getSummary(item.ref))?.consentStatus).toBe('reminded');
    expect(await runAs('consentSchedule', () => sweepConsent(deps()))).toMatchObject({ reminded: 0 });
    expect(await takeOutbox()).toEqual([]);

    // The reminder goes out on the resident's channel; its link opens the form.
    await runAs('deliver', () => deliverOutboxMessage(reminder!, deliverDeps));
    expect(fakes.delivered('twilio').map((c) => c.text)).toContain(reminder!.text);
    const token = reminder!.text.match(/\/consent\/([A-Za-z0-9_.-]+)/)![1]!;
    const form = await runAs('consentForm', () => handleConsentForm({ method: 'GET', token }, deps()));
    expect(form.statusCode).toBe(200);

    clock = new Date(t0.getTime() + m * DAY + 60_000);
    expect(await runAs('consentSchedule', () => sweepConsent(deps()))).toMatchObject({ reminded: 0, expired: 1 });
    expect((await audit.getSummary(item.ref))?.consentStatus).toBe('expired');
    const told = await takeOutbox();
    expect(told.map((x) => [x.kind, x.to])).toEqual([['consent-outcome', policy.contacts.clerk.address]]);
    expect(told[0]!.text).toContain('EXPIRED');
    expect(await runAs('consentSchedule', () => sweepConsent(deps()))).toMatchObject({ reminded: 0, expired: 0 });
    expect(await takeOutbox()).toEqual([]);

    expect(await eventTypes(item.ref)).toEqual(['reply-sent', 'consent-reminded', 'reply-sent', 'consent-expired']);
    expect((await runAs('consentForm', () => handleConsentForm({ method: 'GET', token }, deps()))).statusCode).toBe(410);
  });

  it('does not expire or remind a matter the resident has already answered', async () => {
    const t0 = new Date('2026-04-01T09:00:00Z');
    clock = t0;
    const item = await formalItem();
    await requestConsent(item, '+447700900999', t0);
    clock = new Date(t0.getTime() + DAY);
    const answer = await runAs('consentForm', () =>
      handleConsentForm(
        { method: 'POST', token: tokenFor(item.ref), contentType: 'application/x-www-form-urlencoded', body: 'choice=grant', bodyBytes: 12 },
        deps(),
      ),
    );
    expect(answer.statusCode).toBe(200);
    await takeOutbox();
    clock = new Date(t0.getTime() + policy.consent.expiresAfterDays * DAY + 60_000);
    expect(await runAs('consentSchedule', () => sweepConsent(deps()))).toMatchObject({ reminded: 0, expired: 0 });
    expect((await audit.getSummary(item.ref))?.consentStatus).toBe('granted');
    expect(await eventTypes(item.ref)).toEqual(['consent-granted']);
    expect(await takeOutbox()).toEqual([]);
  });

  it('sends no reminder when the request itself could not be delivered, but still expires the matter', async () => {
    const t0 = new Date('2026-05-01T09:00:00Z');
    clock = t0;
    const item = await formalItem();
    const request = await requestConsent(item, '+447700900777', t0);
    fakes.failNext(1, 400, 21610);
    expect(await runAs('deliver', () => deliverOutboxMessage(request, deliverDeps))).toMatchObject({ state: 'failed', reason: 'recipient-opted-out' });
    clock = new Date(t0.getTime() + policy.consent.reminderAfterDays * DAY + 60_000);
    expect(await runAs('consentSchedule', () => sweepConsent(deps()))).toMatchObject({ reminded: 0 });
    expect(await takeOutbox()).toEqual([]);
    clock = new Date(t0.getTime() + policy.consent.expiresAfterDays * DAY + 60_000);
    expect(await runAs('consentSchedule', () => sweepConsent(deps()))).toMatchObject({ expired: 1 });
    expect(await eventTypes(item.ref)).toEqual(['delivery-failed', 'consent-expired']);
    expect((await takeOutbox()).map((m) => m.kind)).toEqual(['consent-outcome']);
  });

  it('settles a backlog larger than one page in one run, and stops starting entries when its time budget runs out', async () => {
    await runAs('consentSchedule', () => sweepConsent(deps()));
    const overdue = '2026-01-01T00:00:00.000Z';
    for (let i = 0; i < 230; i++)
      await ops.putDue(CONSENT_EXPIRY_DUE, overdue, `DEM-2025-${String(900_000 + i)}`, {
        ref: `DEM-2025-${String(900_000 + i)}`,
        itemId: 'backlog',
        senderHash: 'h',
        expiresAt: overdue,
      });
    let budget = 30;
    const cut = await runAs('consentSchedule', () => sweepConsent(deps(), { hasTime: () => budget-- > 0 }));
    expect(cut).toEqual({ reminded: 0, expired: 0, settled: 30, more: true });
    const rest = await runAs('consentSchedule', () => sweepConsent(deps()));
    expect(rest).toEqual({ reminded: 0, expired: 0, settled: 200, more: false });
    expect(await ops.queryDue(CONSENT_EXPIRY_DUE, clock.toISOString())).toEqual([]);
  });
});
