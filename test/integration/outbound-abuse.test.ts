import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../shared/local/emulators.ts';
import type { InboundItem, OutboxMessage } from '../../shared/model/index.ts';
import { processInboundItem, type ClassifyDeps } from '../../shared/pipeline/classify.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { OutboxPublisher } from '../../shared/queue/outbox.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';

/**
 * Issue 12, tried as an attacker would: what one inbound message (or a flood
 * of them) can make the hub send, end to end through classify on the emulators.
 */

const KEY = 'test-consent-signing-key';
const policy = loadPolicy('stilton');
// Saturday 14 March 2026, 10:00 in London: outside office hours (out-of-office replies apply).
const now = new Date('2026-03-14T10:00:00.000Z');

let emu: Emulators;
let documents: DynamoDBDocumentClient;
let sqs: SQSClient;
let deps: ClassifyDeps;
let seq = 0;

function email(over: Partial<InboundItem> = {}): InboundItem {
  const n = ++seq;
  return {
    schemaVersion: 1,
    itemId: `ses:abuse-${n}`,
    channel: 'email',
    provider: 'ses',
    kind: 'email',
    providerMessageId: `abuse-${n}`,
    receivedAt: now.toISOString(),
    sender: { id: `resident${n}@example.org` },
    recipients: ['clerk@stiltonparishcouncil.org'],
    subject: 'Pothole on the High Street',
    text: 'Dear Clerk, there is a pothole outside number 12.',
    attachments: [],
    thread: { messageId: `<abuse-${n}@example.org>` },
    transport: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS', returnPath: `resident${n}@example.org` },
    ...over,
  };
}

async function drainOutbox(): Promise<OutboxMessage[]> {
  const out: OutboxMessage[] = [];
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emu.queueUrls.outbox, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!got.Messages?.length) return out;
    for (const m of got.Messages) {
      out.push(JSON.parse(m.Body!) as OutboxMessage);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: emu.queueUrls.outbox, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'outbound-abuse-' });
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  documents = createDocumentClient({ ...config, endpoint: emu.dynamodbEndpoint });
  sqs = new SQSClient({ ...config, endpoint: emu.sqsEndpoint });
  deps = {
    audit: new AuditStore({ client: documents, tableName: emu.tableNames.audit, council: policy.council.id }),
    ops: new OpsStore({ client: documents, tableName: emu.tableNames.ops, clock: () => now.getTime() }),
    outbox: new OutboxPublisher({ client: sqs, queueUrl: emu.queueUrls.outbox }),
    policy,
    secrets: { CONSENT_SIGNING_KEY: KEY },
    now: () => now,
    publicBaseUrl: 'https://hub.example.org',
  };
});
afterAll(async () => {
  documents?.destroy();
  sqs?.destroy();
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
