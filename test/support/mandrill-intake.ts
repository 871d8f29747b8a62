import { randomUUID } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import { runAs } from '../../infra/local/iam/enforce.ts';
import { FileMailStore } from '../../shared/channels/mail-stores.ts';
import { MAIL_BUCKET, MANDRILL_INTAKE } from '../../shared/topology.ts';

/**
 * What API Gateway's S3 integration leaves for mandrillIntake: the POST body
 * stored under the intake prefix by the integration role, X-Mandrill-Signature
 * as metadata, and S3's ObjectCreated event naming it.
 */
export async function storedMandrillPost(mailDir: string, body: string | Buffer, signature: string): Promise<{ key: string; event: S3Event }> {
  const store = new FileMailStore(mailDir);
  const key = `${MAIL_BUCKET.mandrillIntakePrefix}${randomUUID()}`;
  await runAs('mandrillIntegration', () => store.put(key, Buffer.from(body), { [MANDRILL_INTAKE.signatureMetadata]: signature }));
  const event = {
    Records: [
      { eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: store.bucket }, object: { key, size: Buffer.byteLength(body) } } },
    ],
  } as unknown as S3Event;
  return { key, event };
}
