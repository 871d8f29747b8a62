import { madeOnce } from '../runtime/once.ts';
import { FileMailStore, mailLocation, SdkS3MailStore, type RawMailStore } from './mail-stores.ts';

let s3: (() => Promise<RawMailStore>) | undefined;

/**
 * The raw-mail store for functions that need it only now and then (classify
 * for oversized bodies, deliver for a clerk's attachments). The S3 client is
 * imported on first use as a rare client (`#rare-clients/s3`), which a Lambda
 * bundle keeps in a file of its own that a cold start does not load
 * (infra/aws/bundling.ts). MAIL_DIR (local hub, tests) is read on each
 * call; the S3 store is made once per container.
 */
export async function lazyRawMailStore(env: NodeJS.ProcessEnv = process.env): Promise<RawMailStore> {
  const where = mailLocation(env);
  if ('dir' in where) return new FileMailStore(where.dir);
  const { bucket } = where;
  s3 ??= madeOnce(async () => new SdkS3MailStore(bucket, await import('#rare-clients/s3')));
  return s3();
}
