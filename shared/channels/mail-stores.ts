import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sha256Hex } from '../store/hash.ts';
import { ENV, MAIL_BUCKET, MANDRILL_INTAKE } from '../topology.ts';

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

/** An object with its user metadata (x-amz-meta-*, names lower-cased); undefined when there is no such object. */
export interface MailObject {
  readonly bytes: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
}

/** What the Mandrill intake needs besides get/put: the metadata API Gateway wrote, and removing the object once taken. */
export interface IntakeMailStore extends RawMailStore {
  getObject(key: string): Promise<MailObject | undefined>;
  delete(key: string): Promise<void>;
}

/**
 * The IAM check a local stand-in for S3 makes before each call (infra/local/iam
 * sets it; in AWS S3 itself decides). Kept here, not imported, so no function
 * bundle carries the local runtime.
 */
export type LocalS3AccessCheck = (action: 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject' | 's3:ListBucket', key?: string) => Promise<void>;
let localAccessCheck: LocalS3AccessCheck | undefined;

export function setLocalS3AccessCheck(check: LocalS3AccessCheck | undefined): void {
  localAccessCheck = check;
}

/** Sidecar file of a local object's user metadata. */
const METADATA_SUFFIX = '.metadata.json';

export function mailKey(messageId: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${env[ENV.mailPrefix] ?? MAIL_BUCKET.objectPrefix}${messageId}`;
}

/**
 * Where the Mandrill intake keeps an inbound mail's raw MIME: under the
 * raw-mail prefix, named by a hash of the item id (Mandrill ids are not safe
 * as keys), so erasure can find it from the item id as it does for SES mail.
 */
export function mandrillRawMailKey(itemId: string): string {
  return `${MANDRILL_INTAKE.rawMailPrefix}${sha256Hex(itemId).slice(0, 40)}`;
}

export class FileMailStore implements IntakeMailStore {
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
    await localAccessCheck?.('s3:GetObject', key);
    return readFile(this.path(key)).catch(asS3WouldAnswer);
  }
  async put(key: string, bytes: Uint8Array, metadata?: Readonly<Record<string, string>>): Promise<void> {
    await localAccessCheck?.('s3:PutObject', key);
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    if (metadata) await writeFile(`${path}${METADATA_SUFFIX}`, JSON.stringify(metadata));
    await writeFile(path, bytes);
  }
  async getObject(key: string): Promise<MailObject | undefined> {
    await localAccessCheck?.('s3:GetObject', key);
    const path = this.path(key);
    try {
      const bytes = await readFile(path);
      const metadata = await readFile(`${path}${METADATA_SUFFIX}`, 'utf8').then(
        (text) => JSON.parse(text) as Record<string, string>,
        () => ({}),
      );
      return { bytes, metadata };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await localAccessCheck?.('s3:ListBucket'); // NoSuchKey only for a caller that may list the bucket, as in S3
      return undefined;
    }
  }
  async delete(key: string): Promise<void> {
    await localAccessCheck?.('s3:DeleteObject', key);
    const path = this.path(key);
    await rm(`${path}${METADATA_SUFFIX}`, { force: true });
    await rm(path, { force: true });
  }
}

/**
 * Rethrows a read's error as S3 would answer it. A missing key is NoSuchKey
 * (here: ENOENT) only for a caller that may s3:ListBucket the bucket; S3
 * answers anyone else 403 AccessDenied, and so does the local check.
 */
async function asS3WouldAnswer(error: unknown): Promise<never> {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') await localAccessCheck?.('s3:ListBucket');
  throw error;
}

/** The parts of @aws-sdk/client-s3 the S3 store uses. */
export interface S3MailSdk {
  readonly S3Client: typeof S3Client;
  readonly GetObjectCommand: typeof GetObjectCommand;
  readonly PutObjectCommand: typeof PutObjectCommand;
  readonly DeleteObjectCommand: typeof DeleteObjectCommand;
}

/** S3 adapter over the SDK classes it is given. */
export class SdkS3MailStore implements IntakeMailStore {
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
  async getObject(key: string): Promise<MailObject | undefined> {
    try {
      const object = await this.s3.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!object.Body) throw new Error('empty mail object');
      return { bytes: await object.Body.transformToByteArray(), metadata: object.Metadata ?? {} };
    } catch (error) {
      // S3 notifications are at-least-once: a repeated one finds the object already taken and deleted.
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
  async delete(key: string): Promise<void> {
    await this.s3.send(new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
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
