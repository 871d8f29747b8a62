import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ENV, MAIL_BUCKET } from '../topology.ts';

/**
 * Where raw inbound MIME lives: S3 in AWS (the SES receipt rule's S3 action
 * writes it), a directory locally (the local hub's SMTP server writes it).
 * Keys are the full object key (prefix + SES messageId).
 *
 * This module imports no AWS SDK code: the S3 classes are handed in, so a
 * function that reads raw mail rarely can import the client lazily and leave
 * it out of its bundle (lazy-mail-store.ts, infra/aws/bundling.ts).
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

/** The parts of @aws-sdk/client-s3 the S3 store uses. */
export interface S3MailSdk {
  readonly S3Client: typeof S3Client;
  readonly GetObjectCommand: typeof GetObjectCommand;
  readonly PutObjectCommand: typeof PutObjectCommand;
}

/** S3 adapter over the SDK classes it is given. */
export class SdkS3MailStore implements RawMailStore {
  readonly bucket: string;
  private readonly sdk: S3MailSdk;
  private readonly s3: S3Client;
  constructor(bucket: string, sdk: S3MailSdk, client: S3Client = new sdk.S3Client({})) {
    this.bucket = bucket;
    this.sdk = sdk;
    this.s3 = client;
  }
  async get(key: string): Promise<Uint8Array> {
    const object = await this.s3.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!object.Body) throw new Error('empty mail object');
    return object.Body.transformToByteArray();
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.s3.send(new this.sdk.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes }));
  }
}

/** MAIL_DIR, else MAIL_BUCKET (one must be set). */
export function mailLocation(env: NodeJS.ProcessEnv): { dir: string } | { bucket: string } {
  const dir = env[ENV.mailDir];
  if (dir) return { dir };
  const bucket = env[ENV.mailBucket];
  if (!bucket) throw new Error(`${ENV.mailBucket} or ${ENV.mailDir} must be set`);
  return { bucket };
}
