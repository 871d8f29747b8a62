import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { applyEnv, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { startProviderFakes, type ProviderFakes } from '../../infra/local/provider-fakes.ts';
import type { InboundItem, OutboxMessage } from '../../shared/model/index.ts';
import { DEFAULT_PROVIDER_TIMEOUT_MS, deliverOutboxMessage } from '../../shared/delivery/deliver.ts';
import { DeliveryError } from '../../shared/delivery/errors.ts';
import { handleModerationLink } from '../../shared/moderation/clerk-actions.ts';
import { processInboundItem, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { OutboxPublisher } from '../../shared/queue/outbox.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import type { Secrets } from '../../shared/runtime/secrets.ts';
import { drainQueue } from '../support/queue.ts';

/**
 * Acting on the Facebook Page (issue 15; withyham.txt §6.13, stilton.txt §8):
 * classify hides a breaching comment under the demo policy, deliver carries
 * it out against the Graph fake and audits it with its clause, the clerk's
 * signed links act once and expire, repeat offenders are counted.
 */

const KEY = 'test-moderation-signing-key';
const policy = loadPolicy('demo');
const now = new Date('2026-03-10T10:00:00.000Z');

let emu: Emulators;
let fakes: ProviderFakes;
let restoreEnv: () => void;
let documents: DynamoDBDocumentClient;
let sqs: SQSClient;
let deps: ClassifyDeps;
let audit: AuditStore;
let ops: OpsStore;
let seq = 0;

function comment(text: string, author = 'user-1001'): InboundItem {
  const n = ++seq;
  return {
    schemaVersion: 1,
    itemId: `meta:post_1_c${n}:add`,
    channel: 'facebook-comment',
    provider: 'meta',
    kind: 'comment',
    providerMessageId: `post_1_c${n}:add`,
    receivedAt: now.toISOString(),
    sender: { id: author, name: 'A Commenter' },
    recipients: [policy.contacts.messengerPageId!],
    text,
    attachments: [],
    thread: { postId: 'page_post_1', parentId: 'page_post_1' },
    transport: {},
  };
}

async function outbox(): Promise<OutboxMessage[]> {
  return (await drainQueue(sqs, emu.queueUrls.outbox)).map((m) => JSON.parse(m.Body!) as OutboxMessage);
}

const deliverDeps = () => ({
  ops,
  audit: () => audit,
  now: () => now,
  // The production timeout: the Graph fake answers, and a send it accepted but a stall timed out would be sent twice.
  timeoutMs: DEFAULT_PROVIDER_TIMEOUT_MS,
  secrets: async () => ({ MESSENGER_PAGE_TOKEN: 'page-token' }) as Secrets,
});
const linkDeps = () => ({ policy, ops, audit, publish: (m: OutboxMessage[]) => deps.outbox.publish(m), signingKey: KEY, now: () => now });
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'moderation-page-' });
  fakes = await startProviderFakes();
  restoreEnv = applyEnv({ ...fakes.env, MESSENGER_PAGE_TOKEN: 'page-token', MESSENGER_PAGE_ID: policy.contacts.messengerPageId! });
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  documents = createDocumentClient({ ...config, endpoint: emu.dynamodbEndpoint });
  sqs = new SQSClient({ ...config, endpoint: emu.sqsEndpoint });
  audit = new AuditStore({ client: documents, tableName: emu.tableNames.audit, council: policy.council.id });
  ops = new OpsStore({ client: documents, tableName: emu.tableNames.ops, clock: () => now.getTime() });
  deps = {
    audit,
    ops,
    outbox: new OutboxPublisher({ client: sqs, queueUrl: emu.queueUrls.outbox }),
    policy,
    secrets: { CONSENT_SIGNING_KEY: KEY },
    now: () => now,
    publicBaseUrl: 'https://hub.example.org',
  };
});
afterAll(async () => {
  restoreEnv?.();
  documents?.destroy();
  sqs?.destroy();
  await fakes?.stop();
  await emu?.stop();
});
beforeEach(async () => {
  fakes.reset();
  await outbox();
});

describe('a breaching Page comment', () => {
  it('is hidden on the Page at once, the note posted, the clerk told with links, and every step audited with its clause', async () => {
    const item = comment('You lot are f***ing useless, get a grip');
    const outcome = await processInboundItem(item, deps);
    expect(outcome.ref).toMatch(/^DEM-2026-/);
    const messages = await outbox();
    // The demo policy also answers a personal attack with its policy-breach notice (a Private Reply).
    const kinds = messages.map((m) => m.kind).sort();
    expect(kinds).toEqual(['auto-reply', 'clerk-routing', 'page-action', 'public-note']);
    const hide = messages.find((m) => m.kind === 'page-action')!;
    expect(hide).toMatchObject({ to: 'post_1_c1', pageAction: { action: 'hide', by: 'policy' } });
    expect(hide.pageAction!.clause).toContain('demo §7(a)');
    const routing = messages.find((m) => m.kind === 'clerk-routing')!;
    expect(routing.text).toContain('Hidden at once (reversibly) under the policy');
    for (const label of ['Hide the comment', 'Unhide the comment', 'Delete the comment', 'Block the author from the Page'])
      expect(routing.text).toContain(`${label}: https://hub.example.org/moderation/`);
    expect(routing.html).toContain('href="https://hub.example.org/moderation/');

    for (const m of messages.filter((x) => x.kind === 'page-action' || x.kind === 'public-note'))
      expect((await deliverOutboxMessage(m, deliverDeps())).state).toBe('sent');
    expect(fakes.page().hidden).toEqual(['post_1_c1']);
    const note = fakes.delivered('page').find((c) => c.metadata === 'public-note')!;
    expect(note).toMatchObject({ to: 'page_post_1', text: policy.texts.policyBreachNotice });
    expect(String(note.headers.authorization)).toBe('Bearer page-token');

    const events = await audit.eventsFor(outcome.ref!);
    const requested = events.filter((e) => e.type === 'page-action-requested').map((e) => e.data);
    expect(requested).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'hide', by: 'policy', clause: hide.pageAction!.clause }),
        expect.objectContaining({ action: 'public-note', by: 'policy' }),
      ]),
    );
    const done = events.filter((e) => e.type === 'page-action').map((e) => e.data);
    expect(done).toEqual([expect.objectContaining({ action: 'hide', by: 'policy', clause: hide.pageAction!.clause, outboxId: hide.id })]);
    expect(JSON.stringify(events)).not.toContain('user-1001');
    expect((await audit.verify()).ok).toBe(true);
  });

  it('a Graph outage delays the hide and the retry carries it out once', async () => {
    const outcome = await processInboundItem(comment('Absolute sh1t council this'), deps);
    const hide = (await outbox()).find((m) => m.kind === 'page-action')!;
    fakes.failNext(1, 500);
    await expect(deliverOutboxMessage(hide, deliverDeps())).rejects.toBeInstanceOf(DeliveryError);
    expect(fakes.page().hidden).toEqual([]);
    expect((await deliverOutboxMessage(hide, deliverDeps())).state).toBe('sent');
    expect((await deliverOutboxMessage(hide, deliverDeps())).duplicate).toBe(true);
    expect(fakes.delivered('page').length).toBe(1);
    expect(fakes.page().hidden).toEqual([hide.to]);
    expect((await audit.eventsFor(outcome.ref!)).filter((e) => e.type === 'page-action')).toHaveLength(1);
  });

  it("the clerk's links show a button on GET, act once on POST, and expire", async () => {
    const outcome = await processInboundItem(comment('Cllr Brown took backhanders from the developer'), deps);
    const messages = await outbox();
    // Libel is ask-clerk in the demo policy: nothing is done on the Page until the clerk asks.
    expect(messages.map((m) => m.kind)).toEqual(['clerk-routing']);
    const routing = messages[0]!;
    const url = (label: string) =>
      routing.text
        .split('\n')
        .find((l) => l.startsWith(`- ${label}: `))!
        .slice(`- ${label}: `.length);
    const token = tokenOf(url('Delete the comment'));

    const page = await handleModerationLink({ method: 'GET', token }, linkDeps());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post">');
    expect(await outbox()).toEqual([]);

    const first = await handleModerationLink({ method: 'POST', token }, linkDeps());
    expect(first.statusCode).toBe(200);
    const [action] = await outbox();
    expect(action).toMatchObject({ kind: 'page-action', to: 'post_1_c3', pageAction: { action: 'delete', by: 'clerk' } });
    expect((await deliverOutboxMessage(action!, deliverDeps())).state).toBe('sent');
    expect(fakes.page().deleted).toEqual(['post_1_c3']);

    const again = await handleModerationLink({ method: 'POST', token }, linkDeps());
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('already been used');
    expect((await handleModerationLink({ method: 'GET', token }, linkDeps())).statusCode).toBe(410);
    expect(await outbox()).toEqual([]);

    const events = (await audit.eventsFor(outcome.ref!)).filter((e) => e.type.startsWith('page-action'));
    expect(events.map((e) => [e.type, e.data.action, e.data.by])).toEqual([
      ['page-action-requested', 'delete', 'clerk'],
      ['page-action', 'delete', 'clerk'],
    ]);

    const blockToken = tokenOf(url('Block the author from the Page'));
    const tampered = `${blockToken.slice(0, -2)}xx`;
    expect((await handleModerationLink({ method: 'POST', token: tampered }, linkDeps())).statusCode).toBe(404);
    const later = new Date(now.getTime() + (policy.pageModeration!.linkExpiryHours + 1) * 3_600_000);
    const expired = await handleModerationLink({ method: 'POST', token: blockToken }, { ...linkDeps(), now: () => later });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('expired');
    expect(await outbox()).toEqual([]);
  });

  it('counts repeat offenders per author over the window and suggests blocking at the threshold', async () => {
    const threshold = policy.pageModeration!.repeatOffenders.threshold;
    let routing: OutboxMessage | undefined;
    for (let i = 0; i < threshold; i++) {
      await processInboundItem(comment(`Shut up you pillock number ${i}`, 'user-2002'), deps);
      routing = (await outbox()).find((m) => m.kind === 'clerk-routing');
      expect(routing!.text.includes('REPEAT OFFENDER'), `comment ${i + 1}`).toBe(i + 1 >= threshold);
    }
    expect(routing!.text).toContain(`breaching comments in the last ${policy.pageModeration!.repeatOffenders.windowDays} days: ${threshold}`);
    // Another author starts from one.
    await processInboundItem(comment('Shut up you pillock', 'user-3003'), deps);
    expect((await outbox()).find((m) => m.kind === 'clerk-routing')!.text).toContain('days: 1.');
  });

  it('an ordinary comment does nothing on the Page', async () => {
    await processInboundItem(comment('Thanks for sorting the streetlight on Mill Lane so quickly', 'user-4004'), deps);
    expect((await outbox()).map((m) => m.kind)).toEqual(['auto-reply']);
  });
});
