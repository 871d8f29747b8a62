import middy from '@middy/core';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { InboundItem } from '../shared/model/inbound-item.ts';
import { processInboundItem } from '../shared/pipeline/classify.ts';
import { consentBaseUrl } from '../shared/pipeline/consent-token.ts';
import { loadPolicy } from '../shared/policy/load.ts';
import { sqsBatchHandler } from '../shared/queue/consume.ts';
import { OutboxPublisher } from '../shared/queue/outbox.ts';
import { log } from '../shared/runtime/log.ts';
import { loadSecrets } from '../shared/runtime/secrets.ts';
import { auditQueueFromEnv } from '../shared/store/audit-queue.ts';
import { AuditStore } from '../shared/store/audit-store.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { OpsStore } from '../shared/store/ops-store.ts';
import { CaseStore } from '../shared/store/case-store.ts';
import { ENV } from '../shared/topology.ts';
import type { RawMailStore } from '../shared/channels/raw-mail-store.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const policy = loadPolicy(process.env[ENV.council] ?? 'demo', { trustPresets: true });
const documents = createDocumentClient();
const sqs = new SQSClient({});
const audit = new AuditStore({ client: documents, tableName: env(ENV.auditTable), council: policy.council.id, queue: auditQueueFromEnv(process.env, sqs) });
const ops = new OpsStore({ client: documents, tableName: env(ENV.opsTable) });
const cases = new CaseStore({ client: documents, tableName: env(ENV.opsTable) });
const outbox = new OutboxPublisher({ client: sqs, queueUrl: env(ENV.outboxQueueUrl) });
// Consent links: CONSENT_BASE_URL where it differs from PUBLIC_BASE_URL (the local hub, where PUBLIC_BASE_URL stays unset).
const publicBaseUrl = consentBaseUrl() ?? env(ENV.publicBaseUrl);
// Bodies too large for a DynamoDB record go to the raw-mail bucket; the S3 client loads only when one arrives.
const bodies: RawMailStore = {
  get: async (key) => (await import('../shared/channels/raw-mail-store.ts')).rawMailStore().get(key),
  put: async (key, bytes) => (await import('../shared/channels/raw-mail-store.ts')).rawMailStore().put(key, bytes),
};

const consume = sqsBatchHandler(
  InboundItem,
  async (item) => {
    const secrets = await loadSecrets();
    const outcome = await processInboundItem(item, { audit, ops, outbox, policy, secrets, now: () => new Date(), publicBaseUrl, cases, bodies });
    log.info('classified', { itemId: outcome.itemId, classification: outcome.classification, ref: outcome.ref, outbox: outcome.outboxIds.length, duplicate: outcome.duplicate });
  },
  { name: 'classify' },
);

export const handler = middy<SQSEvent>().handler(consume);
