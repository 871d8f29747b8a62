import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { FileMailStore, type IntakeMailStore, mailLocation, SdkS3MailStore } from './mail-stores.ts';

export { FileMailStore, mailKey, type RawMailStore } from './mail-stores.ts';

/**
 * For functions that read raw mail on every event (ses-inbound) and the CLI.
 * The client is imported statically: a dynamic import() made esbuild bundle
 * the whole @aws-sdk/client-s3 (every command, +55 KB to parse at each cold
 * start) and only deferred the client's load to the first event, which always
 * needs it. Functions that need S3 only now and then use lazy-mail-store.ts.
 */
const SDK = { S3Client, GetObjectCommand, PutObjectCommand, DeleteObjectCommand };

export class S3MailStore extends SdkS3MailStore {
  constructor(bucket: string, client: S3Client = new S3Client({})) {
    super(bucket, SDK, client);
  }
}

let store: IntakeMailStore | undefined;

/** MAIL_DIR set: the filesystem store; otherwise S3 on MAIL_BUCKET. Cached per container. */
export function rawMailStore(env: NodeJS.ProcessEnv = process.env): IntakeMailStore {
  if (store) return store;
  const where = mailLocation(env);
  return (store = 'dir' in where ? new FileMailStore(where.dir) : new S3MailStore(where.bucket));
}

/** For tests that switch stores between cases. */
export function resetRawMailStore(): void {
  store = undefined;
}
