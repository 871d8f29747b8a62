import { SQSClient } from '@aws-sdk/client-sqs';
import type { RawMailStore } from '../channels/mail-stores.ts';
import { councilPolicy } from '../policy/council-policy.ts';
import { OutboxPublisher } from '../queue/outbox.ts';
import { requireEnv } from '../runtime/env.ts';
import { batchSender } from '../queue/batch.ts';
import { auditQueueFromEnv } from '../store/audit-queue.ts';
import { AuditStore } from '../store/audit-store.ts';
import { CaseStore } from '../store/case-store.ts';
import { createDocumentClient } from '../store/client.ts';
import { OpsStore } from '../store/ops-store.ts';
import type { ClassifyDeps } from './classify.ts';
import { consentBaseUrl } from './consent-token.ts';

/**
 * Production wiring of classify from the environment: everything but the
 * secrets, which the handler loads per batch (shared/runtime/secrets.ts caches
 * them). classify uses the stores on every item, so they are built at start.
 */
export async function classifyDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Omit<ClassifyDeps, 'secrets'>> {
  const { auditTable, opsTable, outboxQueueUrl } = requireEnv(['auditTable', 'opsTable', 'outboxQueueUrl'], env);
  const policy = await councilPolicy(env);
  const documents = createDocumentClient();
  const sqs = new SQSClient({});
  // Consent links: CONSENT_BASE_URL where it differs from PUBLIC_BASE_URL (the local hub, where PUBLIC_BASE_URL stays unset).
  const publicBaseUrl = consentBaseUrl(env) ?? requireEnv(['publicBaseUrl'], env).publicBaseUrl;
  return {
    policy,
    audit: new AuditStore({ client: documents, tableName: auditTable, council: policy.council.id, queue: auditQueueFromEnv(batchSender(sqs), env) }),
    ops: new OpsStore({ client: documents, tableName: opsTable }),
    cases: new CaseStore({ client: documents, tableName: opsTable }),
    outbox: new OutboxPublisher({ client: sqs, queueUrl: outboxQueueUrl }),
    publicBaseUrl,
    bodies: lazyBodies,
    now: () => new Date(),
  };
}

/** Bodies too large for a DynamoDB record go to the raw-mail bucket; the S3 client loads only when one arrives. */
const lazyBodies: RawMailStore = {
  get: async (key) => (await import('../channels/lazy-mail-store.ts')).lazyRawMailStore().then((store) => store.get(key)),
  put: async (key, bytes) => (await import('../channels/lazy-mail-store.ts')).lazyRawMailStore().then((store) => store.put(key, bytes)),
};
