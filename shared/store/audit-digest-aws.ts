import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DIGEST_OBJECT_PREFIX,
  digestFileName,
  parseDigest,
  type DigestSigner,
  type DigestStore,
  type SignedDigest,
  type StoredDigest,
} from './audit-digest.ts';

/**
 * The digest signer and store in AWS: an asymmetric KMS key (ECC_NIST_P256,
 * SIGN_VERIFY; the private key never leaves KMS) and an S3 bucket with
 * Object Lock in compliance mode (nobody, the account root included, can
 * delete or overwrite a digest before its retention date).
 */

export class KmsDigestSigner implements DigestSigner {
  readonly keyId: string;
  private readonly client: KMSClient;

  constructor(options: { keyId: string; client: KMSClient }) {
    this.keyId = options.keyId;
    this.client = options.client;
  }

  async sign(message: Buffer): Promise<Buffer> {
    const { SignCommand } = await import('@aws-sdk/client-kms');
    const out = await this.client.send(new SignCommand({ KeyId: this.keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
    if (!out.Signature) throw new Error('KMS returned no signature');
    return Buffer.from(out.Signature);
  }

  async publicKeyPem(): Promise<string> {
    const { GetPublicKeyCommand } = await import('@aws-sdk/client-kms');
    const out = await this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
    if (!out.PublicKey) throw new Error('KMS returned no public key');
    const base64 = Buffer.from(out.PublicKey)
      .toString('base64')
      .replace(/(.{64})/g, '$1\n');
    return `-----BEGIN PUBLIC KEY-----\n${base64.trimEnd()}\n-----END PUBLIC KEY-----\n`;
  }
}

export class S3DigestStore implements DigestStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  /** Retention in years from the policy's formal retention (retention.formal.years); unknown (a CLI without the stack outputs): the bucket's default retention applies. */
  private readonly retainYears: number | undefined;

  constructor(options: { client: S3Client; bucket: string; retainYears?: number }) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.retainYears = options.retainYears;
  }

  async put(digest: SignedDigest): Promise<void> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const until = new Date(digest.time);
    until.setUTCFullYear(until.getUTCFullYear() + (this.retainYears ?? 0));
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: digestKey(digest.council, digest.number),
        Body: `${JSON.stringify(digest, null, 2)}\n`,
        ContentType: 'application/json',
        // Write once: a second digest with the same number fails (412) rather than replacing the first.
        IfNoneMatch: '*',
        ...(this.retainYears ? { ObjectLockMode: 'COMPLIANCE' as const, ObjectLockRetainUntilDate: until } : {}),
        ChecksumAlgorithm: 'SHA256',
      }),
    );
  }

  async get(council: string, number: number): Promise<SignedDigest | undefined> {
    const { GetObjectCommand, NoSuchKey } = await import('@aws-sdk/client-s3');
    try {
      const body = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: digestKey(council, number) }));
      return parseDigest((await body.Body?.transformToString()) ?? '');
    } catch (error) {
      // With s3:ListBucket, a missing key is NoSuchKey (404), not AccessDenied.
      if (error instanceof NoSuchKey || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * Every version of every digest of the council. The bucket is versioned (Object Lock needs it): a
   * write over a digest adds a version and a delete adds a marker, and neither touches the locked
   * version, so verify reads them all (s3:ListBucketVersions, s3:GetObjectVersion).
   */
  async list(council: string): Promise<StoredDigest[]> {
    const { GetObjectCommand, ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
    const found: { key: string; digest: SignedDigest }[] = [];
    const hidden = new Set<string>();
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectVersionsCommand({
          Bucket: this.bucket,
          Prefix: `${DIGEST_OBJECT_PREFIX}${council}/`,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
      );
      for (const marker of page.DeleteMarkers ?? []) if (marker.IsLatest && marker.Key) hidden.add(marker.Key);
      for (const version of page.Versions ?? []) {
        const body = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: version.Key, VersionId: version.VersionId }));
        const digest = parseDigest((await body.Body?.transformToString()) ?? '');
        if (digest) found.push({ key: version.Key!, digest });
      }
      [keyMarker, versionMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextVersionIdMarker] : [undefined, undefined];
    } while (keyMarker);
    return found.map(({ key, digest }) => (hidden.has(key) ? { ...digest, hiddenByDeleteMarker: true as const } : digest));
  }
}

export function digestKey(council: string, number: number): string {
  return `${DIGEST_OBJECT_PREFIX}${council}/${digestFileName(number)}`;
}
