import { randomUUID } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import { runAs } from '../../infra/local/iam/enforce.ts';
import { objectCreatedEvent } from '../../infra/local/s3-event.ts';
import { FileMailStore } from '../../shared/channels/mail-stores.ts';
import { MAIL_BUCKET, MANDRILL_INTAKE } from '../../shared/topology.ts';

/**
 * What API Gateway's S3 integration leaves for mandrillIntake: the POST body
 * stored under the intake prefix by the integration role, X-Mandrill-Signature
 * as metadata, and S3's ObjectCreated event naming it. `requestId` names the
 * object (default a fresh UUID).
 */
export async function storedMandrillPost(
  mailDir: string,
  body: string | Buffer,
  signature: string,
  requestId: string = randomUUID(),
): Promise<{ key: string; event: S3Event }> {
  const store = new FileMailStore(mailDir);
  const key = `${MAIL_BUCKET.mandrillIntakePrefix}${requestId}`;
  await runAs('mandrillIntegration', () => store.put(key, Buffer.from(body), { [MANDRILL_INTAKE.signatureMetadata]: signature }));
  return { key, event: objectCreatedEvent(store.bucket, key, Buffer.byteLength(body)) };
}
