import middy from '@middy/core';
import type { OutboxMessage } from '../shared/model/index.ts';
import { loadPolicy } from '../shared/policy/load.ts';
import { log } from '../shared/runtime/log.ts';
import { LocalDigestStore, LocalKeySigner, type DigestSigner, type DigestStore } from '../shared/store/audit-digest.ts';
import { AuditStore } from '../shared/store/audit-store.ts';
import { createDocumentClient } from '../shared/store/client.ts';
import { runHourlyDigest } from '../shared/store/hourly-digest.ts';
import { ENV } from '../shared/topology.ts';

/** Hourly: a signed digest of the chain when anything was appended since the last one, emailed to the policy's auditors (shared/store/hourly-digest.ts). */
async function digestNow(): Promise<void> {
  const policy = loadPolicy(process.env[ENV.council] ?? 'demo', { trustPresets: true });
  const tableName = process.env[ENV.auditTable];
  if (!tableName) throw new Error(`${ENV.auditTable} is not set`);
  const audit = new AuditStore({ client: createDocumentClient(), tableName, council: policy.council.id });
  const { store, signer } = await digestTarget(policy.retention.formal.years);
  const result = await runHourlyDigest({ policy, audit, store, signer, publish, now: () => new Date() });
  // Facts only: how many auditors were emailed, never who.
  log.info(result.written ? 'audit digest written' : 'nothing appended since the last digest', { council: policy.council.id, ...result });
}

async function digestTarget(retainYears: number): Promise<{ store: DigestStore; signer: DigestSigner }> {
  const bucket = process.env[ENV.digestBucket];
  const keyId = process.env[ENV.signingKeyId];
  if (bucket && keyId) {
    const [{ KMSClient }, { S3Client }, { KmsDigestSigner, S3DigestStore }] = await Promise.all([import('@aws-sdk/client-kms'), import('@aws-sdk/client-s3'), import('../shared/store/audit-digest-aws.ts')]);
    return { store: new S3DigestStore({ client: new S3Client({}), bucket, retainYears }), signer: new KmsDigestSigner({ keyId, client: new KMSClient({}) }) };
  }
  const dir = process.env[ENV.digestDir];
  const keyFile = process.env[ENV.signingKeyFile];
  if (!dir || !keyFile) throw new Error(`${ENV.digestBucket} and ${ENV.signingKeyId} (or locally ${ENV.digestDir} and ${ENV.signingKeyFile}) must be set`);
  return { store: new LocalDigestStore(dir), signer: new LocalKeySigner(keyFile) };
}

async function publish(messages: readonly OutboxMessage[]): Promise<void> {
  const queueUrl = process.env[ENV.outboxQueueUrl];
  if (!queueUrl) throw new Error(`${ENV.outboxQueueUrl} is not set`);
  const [{ SQSClient }, { OutboxPublisher }] = await Promise.all([import('@aws-sdk/client-sqs'), import('../shared/queue/outbox.ts')]);
  await new OutboxPublisher({ client: new SQSClient({}), queueUrl }).publish(messages);
}

export const handler = middy().handler(digestNow);
