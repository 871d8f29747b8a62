import { rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Deletes the raw MIME of an erased email before the bucket's lifecycle rule
 * would (30 days by default): erasure means every copy we can find, and this
 * one is found by the `rawKey` of the item's `received` event.
 */
export interface RawMailEraser {
  delete(key: string): Promise<void>;
}

export class S3RawMailEraser implements RawMailEraser {
  private readonly bucket: string;
  private readonly s3: S3Client;
  constructor(bucket: string, s3: S3Client) {
    this.bucket = bucket;
    this.s3 = s3;
  }
  async delete(key: string): Promise<void> {
    // Deleting an absent key succeeds in S3: a repeat after a crash is harmless.
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

export class FileRawMailEraser implements RawMailEraser {
  private readonly directory: string;
  constructor(directory: string) {
    this.directory = resolve(directory);
  }
  async delete(key: string): Promise<void> {
    const path = resolve(join(this.directory, key));
    if (!path.startsWith(this.directory + sep)) throw new Error('mail key outside the mail directory');
    await rm(path, { force: true });
  }
}
