import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ENV, MAIL_BUCKET } from '../topology.ts';

/**
 * Where raw inbound MIME lives: S3 in AWS (the SES receipt rule's S3 action
 * writes it), a directory locally (the local hub's SMTP server writes it).
 * Keys are the full object key (prefix + SES messageId).
 */
export interface RawMailStore {
  /** For the item's `raw` pointer (its `received` event's rawKey, which erasure deletes); both stores have one. */
  readonly bucket?: string;
  get(key: string): Promise<Uint8Array>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export function mailKey(messageId: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${env[ENV.mailPrefix] ?? MAIL_BUCKET.objectPrefix}${messageId}`;
}

export class FileMailStore implements RawMailStore {
  /** Locally the directory stands for the bucket: items point at their raw mail as in AWS, so erasure finds it. */
  readonly bucket = `local-${MAIL_BUCKET.id}`;
  readonly directory: string;
  constructor(directory: string) {
    this.directory = resolve(directory);
  }
  private path(key: string): string {
    const path = resolve(join(this.directory, key));
    // Keys come from events: never let one escape the directory.
    if (!path.startsWith(this.directory + sep)) throw new Error('mail key outside the mail directory');
    return path;
  }
  async get(key: string): Promise<Uint8Array> {
    return readFile(this.path(key));
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
}

/**
 * S3 adapter. The client is imported statically: a dynamic import() made
 * esbuild bundle the whole @aws-sdk/client-s3 (every command, +55 KB to parse
 * at each cold start) and only deferred the client's load to the first event,
 * which always needs it.
 */
export class S3MailStore implements RawMailStore {
  readonly bucket: string;
  private readonly s3: S3Client;
  constructor(bucket: string, client: S3Client = new S3Client({})) {
    this.bucket = bucket;
    this.s3 = client;
  }
  async get(key: string): Promise<Uint8Array> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!object.Body) throw new Error('empty mail object');
    return object.Body.transformToByteArray();
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes }));
  }
}

let store: RawMailStore | undefined;

/** MAIL_DIR set: the filesystem store; otherwise S3 on MAIL_BUCKET. Cached per container. */
export function rawMailStore(env: NodeJS.ProcessEnv = process.env): RawMailStore {
  if (store) return store;
  const dir = env[ENV.mailDir];
  if (dir) return (store = new FileMailStore(dir));
  const bucket = env[ENV.mailBucket];
  if (!bucket) throw new Error(`${ENV.mailBucket} or ${ENV.mailDir} must be set`);
  return (store = new S3MailStore(bucket));
}

/** For tests that switch stores between cases. */
export function resetRawMailStore(): void {
  store = undefined;
}
