import { FileMailStore, mailLocation, SdkS3MailStore, type RawMailStore } from './mail-stores.ts';

let s3: Promise<RawMailStore> | undefined;

/**
 * The raw-mail store for functions that need it only now and then (classify
 * for oversized bodies, deliver for a clerk's attachments). @aws-sdk/client-s3
 * is imported on first use and nothing here imports it statically, so in
 * those bundles it is a chunk of its own (infra/aws/bundling.ts: code
 * splitting) that a cold start does not load. MAIL_DIR (local hub, tests) is read on each
 * call; the S3 store is made once per container.
 */
export async function lazyRawMailStore(env: NodeJS.ProcessEnv = process.env): Promise<RawMailStore> {
  const where = mailLocation(env);
  if ('dir' in where) return new FileMailStore(where.dir);
  s3 ??= import('@aws-sdk/client-s3').then(
    (sdk) => new SdkS3MailStore(where.bucket, sdk),
    (error: unknown) => {
      s3 = undefined; // let the next event try again
      throw error;
    },
  );
  return s3;
}
