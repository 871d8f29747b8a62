import { councilPolicy } from '../policy/council-policy.ts';
import { lazyOutboxPublisher } from '../queue/lazy-outbox-publisher.ts';
import { requireEnv } from '../runtime/env.ts';
import { ENV } from '../topology.ts';
import type { DigestSigner, DigestStore } from './audit-digest.ts';
import { AuditStore } from './audit-store.ts';
import { createDocumentClient } from './client.ts';
import type { HourlyDigestDeps } from './hourly-digest.ts';

/**
 * Production wiring of the hourly audit digest from the environment. The
 * stores are imported statically (every run needs them; in a code-split
 * bundle a lazy import is one more file to load); KMS and S3, or their local
 * stand-ins, load with the target the environment names.
 */
export async function hourlyDigestDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<HourlyDigestDeps> {
  const { auditTable, outboxQueueUrl } = requireEnv(['auditTable', 'outboxQueueUrl'], env);
  const policy = await councilPolicy(env);
  const audit = new AuditStore({ client: createDocumentClient(), tableName: auditTable, council: policy.council.id });
  const { store, signer } = await digestTargetFromEnv(policy.retention.formal.years, env);
  return { policy, audit, store, signer, publish: lazyOutboxPublisher(outboxQueueUrl), now: () => new Date() };
}

/** KMS and the Object Lock bucket in AWS; locally a key file and a directory of create-only files. */
async function digestTargetFromEnv(retainYears: number, env: NodeJS.ProcessEnv): Promise<{ store: DigestStore; signer: DigestSigner }> {
  const bucket = env[ENV.digestBucket];
  const keyId = env[ENV.signingKeyId];
  if (bucket && keyId) {
    const [{ KMSClient }, { S3Client }, { KmsDigestSigner, S3DigestStore }] = await Promise.all([
      import('@aws-sdk/client-kms'),
      import('@aws-sdk/client-s3'),
      import('./audit-digest-aws.ts'),
    ]);
    return { store: new S3DigestStore({ client: new S3Client({}), bucket, retainYears }), signer: new KmsDigestSigner({ keyId, client: new KMSClient({}) }) };
  }
  const dir = env[ENV.digestDir];
  const keyFile = env[ENV.signingKeyFile];
  if (!dir || !keyFile) throw new Error(`${ENV.digestBucket} and ${ENV.signingKeyId} (or locally ${ENV.digestDir} and ${ENV.signingKeyFile}) must be set`);
  const { LocalDigestStore, LocalKeySigner } = await import('./audit-digest.ts');
  return { store: new LocalDigestStore(dir), signer: new LocalKeySigner(keyFile) };
}
