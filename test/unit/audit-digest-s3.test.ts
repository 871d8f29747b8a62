import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../shared/store/hash.ts';
import { checkDigests, LocalKeySigner, nextDigestPayload, signDigest, type SignedDigest } from '../../shared/store/audit-digest.ts';
import { digestKey, S3DigestStore } from '../../shared/store/audit-digest-aws.ts';

/**
 * The digest store in AWS, under S3's real rules: the bucket is versioned
 * (Object Lock needs it), so writing over a digest adds a version and a
 * delete adds a marker; neither removes the locked version. verify reads
 * every version, so neither can hide a digest. (A fake S3 client: there is
 * no S3 emulator here; the calls and their parameters are what is checked.)
 */

type Version = { Key: string; VersionId: string; IsLatest: boolean; body: string };

function fakeS3(versions: Version[], markers: { Key: string; IsLatest: boolean }[] = []) {
  const calls: { name: string; input: any }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: any }) => {
      const name = command.constructor.name;
      calls.push({ name, input: command.input });
      const body = (text: string) => ({ Body: { transformToString: async () => text } });
      switch (name) {
        case 'ListObjectVersionsCommand':
          return { Versions: versions.map(({ body: _b, ...v }) => v), DeleteMarkers: markers, IsTruncated: false };
        case 'GetObjectCommand': {
          const v = command.input.VersionId
            ? versions.find((x) => x.VersionId === command.input.VersionId)
            : versions.find((x) => x.Key === command.input.Key && x.IsLatest);
          if (!v || (!command.input.VersionId && markers.some((m) => m.Key === v.Key && m.IsLatest)))
            throw new NoSuchKey({ message: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
          return body(v.body);
        }
        case 'PutObjectCommand':
          return {};
      }
      throw new Error(`unexpected ${name}`);
    },
  };
  return { client: client as unknown as S3Client, calls };
}

async function digests(count: number): Promise<{ signed: SignedDigest[]; pem: string; signer: LocalKeySigner }> {
  const signer = new LocalKeySigner(join(mkdtempSync(join(tmpdir(), 'digest-s3-')), 'key.pem'));
  const signed: SignedDigest[] = [];
  for (let i = 1; i <= count; i++)
    signed.push(
      await signDigest(
        nextDigestPayload('stilton', signed.at(-1), { seq: i * 10, hash: GENESIS_HASH.replace(/0$/, String(i)) }, new Date(Date.UTC(2026, 3, i))),
        signer,
      ),
    );
  return { signed, pem: await signer.publicKeyPem(), signer };
}

const version = (d: SignedDigest, id: string, latest = true): Version => ({
  Key: digestKey(d.council, d.number),
  VersionId: id,
  IsLatest: latest,
  body: JSON.stringify(d),
});

describe('digests in S3', () => {
  it('writes each digest once, locked in COMPLIANCE mode until its time plus the formal retention', async () => {
    const { signed } = await digests(1);
    const s3 = fakeS3([]);
    await new S3DigestStore({ client: s3.client, bucket: 'b', retainYears: 6 }).put(signed[0]!);
    expect(s3.calls).toEqual([
      {
        name: 'PutObjectCommand',
        input: expect.objectContaining({
          Key: 'digests/stilton/00000001.json',
          IfNoneMatch: '*',
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: new Date('2032-04-01T00:00:00.000Z'),
          ChecksumAlgorithm: 'SHA256',
        }),
      },
    ]);
  });

  it('verify sees a digest written over (two versions) and checks both; the forged one fails its signature', async () => {
    const { signed, pem } = await digests(2);
    const forged = { ...signed[1]!, seq: 5 };
    const s3 = fakeS3([version(signed[0]!, 'v1'), version(signed[1]!, 'v2', false), version(forged, 'v3')]);
    const listed = await new S3DigestStore({ client: s3.client, bucket: 'b', retainYears: 6 }).list('stilton');
    expect(listed).toHaveLength(3);
    const { findings, checkpoints } = checkDigests(listed, pem, 'stilton');
    expect(findings.map((f) => f.problem)).toEqual([
      'digest 2 has 2 different versions in the digest store (written over)',
      expect.stringMatching(/^digest 2 .*signature does not verify/),
    ]);
    expect(checkpoints.map((c) => c.seq)).toEqual([10, 20]);
    expect(s3.calls.filter((c) => c.name === 'GetObjectCommand').map((c) => c.input.VersionId)).toEqual(['v1', 'v2', 'v3']);
  });

  it('verify sees a deleted digest (a delete marker), still checks its locked version, and reports no gap', async () => {
    const { signed, pem } = await digests(3);
    const s3 = fakeS3(
      [version(signed[0]!, 'v1'), version(signed[1]!, 'v2', false), version(signed[2]!, 'v3')],
      [{ Key: digestKey('stilton', 2), IsLatest: true }],
    );
    const store = new S3DigestStore({ client: s3.client, bucket: 'b', retainYears: 6 });
    const { findings, checkpoints } = checkDigests(await store.list('stilton'), pem, 'stilton');
    expect(findings.map((f) => f.problem)).toEqual([
      'digest 2 was deleted in the digest store (a delete marker hides it; its locked version is still there and was checked)',
    ]);
    expect(checkpoints.map((c) => c.seq)).toEqual([10, 20, 30]);
    // An ordinary read no longer finds it.
    expect(await store.get('stilton', 2)).toBeUndefined();
    expect(await store.get('stilton', 3)).toMatchObject({ number: 3 });
  });
});
