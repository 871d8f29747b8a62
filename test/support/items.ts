import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Emulators } from '../../infra/local/emulators.ts';
import type { InboundItem, OutboxMessage } from '../../shared/model/index.ts';
import type { ClassifyDeps } from '../../shared/pipeline/classify.ts';
import type { Policy } from '../../shared/policy/schema.ts';
import { OutboxPublisher, type OutboxSink } from '../../shared/queue/outbox.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { CaseStore } from '../../shared/store/case-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { drainQueue } from './queue.ts';

/**
 * The integration tests' one builder of inbound items and of classify on the
 * emulators. Each item is new (its id, message id and, unless given, its
 * sender carry a counter), received at the test's clock; anything can be
 * overridden.
 */
export function itemBuilder(tag: string, clock: () => Date, policy: Policy) {
  let seq = 0;
  return {
    /** An email from a resident whose mail authenticates (SPF, DKIM and DMARC pass) to the council's clerk. */
    email(over: Partial<InboundItem> = {}): InboundItem {
      const n = ++seq;
      return {
        schemaVersion: 1,
        itemId: `ses:${tag}-${n}`,
        channel: 'email',
        provider: 'ses',
        kind: 'email',
        providerMessageId: `${tag}-${n}`,
        receivedAt: clock().toISOString(),
        sender: { id: `resident${n}@example.org` },
        recipients: [policy.contacts.clerk.address],
        subject: 'Pothole on the High Street',
        text: 'Dear Clerk, there is a pothole outside number 12.',
        attachments: [],
        thread: { messageId: `<${tag}-${n}@example.org>` },
        transport: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS', returnPath: `resident${n}@example.org` },
        ...over,
      };
    },
    /** A text through Twilio to the council's first SMS number. */
    sms(from: string, over: Partial<InboundItem> = {}): InboundItem {
      const n = ++seq;
      return {
        schemaVersion: 1,
        itemId: `twilio:SM${tag}${n}`,
        channel: 'sms',
        provider: 'twilio',
        kind: 'sms',
        providerMessageId: `SM${tag}${n}`,
        receivedAt: clock().toISOString(),
        sender: { id: from },
        recipients: [policy.contacts.smsNumbers[0] ?? '+447700900101'],
        text: 'Street light out at the bus stop on High St',
        attachments: [],
        thread: {},
        transport: {},
        ...over,
      };
    },
    /** A Messenger message to the council's Page. */
    messenger(psid: string, over: Partial<InboundItem> = {}): InboundItem {
      const n = ++seq;
      return {
        schemaVersion: 1,
        itemId: `meta:mid.${tag}${n}`,
        channel: 'messenger',
        provider: 'meta',
        kind: 'message',
        providerMessageId: `mid.${tag}${n}`,
        receivedAt: clock().toISOString(),
        sender: { id: psid },
        recipients: [policy.contacts.messengerPageId ?? '100000000000999'],
        text: 'Hello, when is the next meeting?',
        attachments: [],
        thread: {},
        transport: {},
        ...over,
      };
    },
  };
}

/** Classify's dependencies on the emulators' tables, with the test's clock; the outbox is the emulators' queue unless given. */
export function classifyOnEmulators(
  emu: Emulators,
  policy: Policy,
  clock: () => Date,
  options: { outbox?: OutboxSink; cases?: boolean; signingKey?: string } = {},
) {
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const documents: DynamoDBDocumentClient = createDocumentClient({ ...config, endpoint: emu.dynamodbEndpoint });
  const sqs = new SQSClient({ ...config, endpoint: emu.sqsEndpoint });
  const deps: ClassifyDeps = {
    audit: new AuditStore({ client: documents, tableName: emu.tableNames.audit, council: policy.council.id }),
    ops: new OpsStore({ client: documents, tableName: emu.tableNames.ops, clock: () => clock().getTime() }),
    ...(options.cases ? { cases: new CaseStore({ client: documents, tableName: emu.tableNames.ops }) } : {}),
    outbox: options.outbox ?? new OutboxPublisher({ client: sqs, queueUrl: emu.queueUrls.outbox }),
    policy,
    secrets: { CONSENT_SIGNING_KEY: options.signingKey ?? 'test-consent-signing-key' },
    now: clock,
    publicBaseUrl: 'https://hub.example.org/',
  };
  /** Every message on the emulators' outbox queue, removed from it. */
  const drainOutbox = async (): Promise<OutboxMessage[]> => (await drainQueue(sqs, emu.queueUrls.outbox)).map((m) => JSON.parse(m.Body!) as OutboxMessage);
  const close = () => {
    documents.destroy();
    sqs.destroy();
  };
  return { deps, documents, sqs, drainOutbox, close };
}
