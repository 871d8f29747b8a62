import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as signBytes, verify as verifyBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, GENESIS_HASH } from './hash.ts';
import type { Finding } from './audit-verify.ts';
import type { SignedCheckpoint } from './verify-audit.ts';

/**
 * Signed digests of a council's chain, kept outside the table: {council,
 * seq, head hash, time}, numbered 1, 2, 3… per council, signed with an
 * asymmetric key (KMS in AWS, a key file under HUB_DATA_DIR locally) and
 * written once to a store nobody can overwrite (S3 Object Lock in compliance
 * mode in AWS; create-only files locally). Someone who rewrites the table,
 * even with every hash recomputed, cannot make the chain match a digest
 * again without the signing key; a deleted digest shows as a gap in the
 * numbers (and in AWS cannot be deleted before its retention ends).
 */

/** Under HUB_DATA_DIR (the local hub's auditDigest function and `hub audit … --local`). */
export const LOCAL_DIGEST_DIR = 'digests';
/** In the digest bucket: `digests/<council>/<number, 8 digits>.json`. */
export const DIGEST_OBJECT_PREFIX = 'digests/';
export const LOCAL_SIGNING_KEY_FILE = 'audit-signing-key.pem';

export interface DigestPayload {
  readonly version: 1;
  readonly council: string;
  /** 1, 2, 3… per council: a missing number is a deleted digest. */
  readonly number: number;
  /** The chain's head when signed. */
  readonly seq: number;
  readonly headHash: string;
  readonly time: string;
}

export interface SignedDigest extends DigestPayload {
  readonly algorithm: 'ECDSA_SHA_256';
  /** KMS key ARN, or `local:<fingerprint>`. */
  readonly keyId: string;
  /** DER-encoded ECDSA signature over the canonical JSON of the payload, base64. */
  readonly signature: string;
}

export interface DigestSigner {
  readonly keyId: string;
  sign(message: Buffer): Promise<Buffer>;
  /** SPKI PEM of the public key. */
  publicKeyPem(): Promise<string>;
}

/** A digest as the store holds it: in AWS, every version of every digest object. */
export type StoredDigest = SignedDigest & {
  /** S3: a delete marker hides this (still locked) version from ordinary reads. */
  readonly hiddenByDeleteMarker?: true;
};

export interface DigestStore {
  /** Write once: fails if that number exists. */
  put(digest: SignedDigest): Promise<void>;
  /** Every digest of the council (verify): in AWS every version, so an overwrite or a delete marker cannot hide one. */
  list(council: string): Promise<StoredDigest[]>;
  /** The digest with that number, if there is one. */
  get(council: string, number: number): Promise<SignedDigest | undefined>;
}

/**
 * The council's last digest in O(log n) reads, not n: doubling, then
 * bisecting on the numbers (1, 2, 3… with no gaps; Object Lock keeps them).
 * The hourly digest must not cost more as the years of digests pile up.
 */
export async function latestDigest(store: Pick<DigestStore, 'get'>, council: string): Promise<SignedDigest | undefined> {
  let found: SignedDigest | undefined;
  let missing = 1;
  for (let probe = 1; ; probe *= 2) {
    const digest = await store.get(council, probe);
    if (!digest) {
      missing = probe;
      break;
    }
    found = digest;
  }
  let low = found?.number ?? 0;
  while (missing - low > 1) {
    const middle = Math.floor((low + missing) / 2);
    const digest = await store.get(council, middle);
    if (digest) [low, found] = [middle, digest];
    else missing = middle;
  }
  return found;
}

export function digestMessage(payload: DigestPayload): Buffer {
  const { version, council, number, seq, headHash, time } = payload;
  return Buffer.from(canonicalJson({ version, council, number, seq, headHash, time }), 'utf8');
}

export async function signDigest(payload: DigestPayload, signer: DigestSigner): Promise<SignedDigest> {
  const signature = await signer.sign(digestMessage(payload));
  return { ...payload, algorithm: 'ECDSA_SHA_256', keyId: signer.keyId, signature: signature.toString('base64') };
}

export function digestSignatureValid(digest: SignedDigest, publicKeyPem: string): boolean {
  try {
    return verifyBytes('sha256', digestMessage(digest), createPublicKey(publicKeyPem), Buffer.from(digest.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Around the digest in the email to auditors (shared/store/digest-mail.ts). */
export const DIGEST_MAIL_BEGIN = '-----BEGIN HUB AUDIT DIGEST-----';
export const DIGEST_MAIL_END = '-----END HUB AUDIT DIGEST-----';

/** Parses a digest file the auditor kept (`verify --digest FILE`): the JSON, or the digest email saved as text. */
export function parseDigest(text: string): SignedDigest | undefined {
  const begin = text.indexOf(DIGEST_MAIL_BEGIN);
  const end = text.indexOf(DIGEST_MAIL_END);
  const json = begin >= 0 && end > begin ? text.slice(begin + DIGEST_MAIL_BEGIN.length, end) : text;
  try {
    const d = JSON.parse(json) as Partial<SignedDigest>;
    const ok =
      d.version === 1 &&
      typeof d.council === 'string' &&
      Number.isInteger(d.number) &&
      Number.isInteger(d.seq) &&
      typeof d.headHash === 'string' &&
      typeof d.time === 'string' &&
      typeof d.signature === 'string' &&
      typeof d.keyId === 'string';
    return ok ? (d as SignedDigest) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The digests as verify uses them: each signature checked, the numbers
 * checked for gaps, the rest handed on as checkpoints the chain must hold.
 */
export function checkDigests(
  digests: readonly StoredDigest[],
  publicKeyPem: string,
  council: string,
): { checkpoints: SignedCheckpoint[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const checkpoints: SignedCheckpoint[] = [];
  const byNumber = new Map<number, StoredDigest[]>();
  for (const d of digests.filter((d) => d.council === council)) byNumber.set(d.number, [...(byNumber.get(d.number) ?? []), d]);
  let expected = 1;
  for (const number of [...byNumber.keys()].sort((a, b) => a - b)) {
    if (number > expected) findings.push(missingDigests(council, expected, number - 1));
    expected = number + 1;
    const versions = byNumber.get(number)!;
    findings.push(...storeFindings(number, versions));
    for (const digest of versions) {
      const label = `digest ${digest.number} (${digest.time})`;
      if (!digestSignatureValid(digest, publicKeyPem)) {
        findings.push({
          code: 'digest',
          seq: digest.seq,
          problem: `${label}: its signature does not verify with the hub's public key (forged or altered)`,
          next: 'Do not rely on this digest; check the public key (hub audit key) against the one you kept.',
        });
        continue;
      }
      checkpoints.push({ seq: digest.seq, hash: digest.headHash, label });
    }
  }
  return { checkpoints, findings };
}

function missingDigests(council: string, from: number, to: number): Finding {
  const which = from === to ? `digest ${from} of ${council} is` : `digests ${from}–${to} of ${council} are`;
  return {
    code: 'digest',
    problem: `${which} missing from the digest store (deleted)`,
    next: 'Compare the chain with the copies of digests you kept (hub audit verify --digest FILE). In AWS a locked digest cannot be deleted before its retention date: find out how this one went (CloudTrail).',
  };
}

/** AWS: a second version of a digest (someone wrote over it) or a delete marker (someone deleted it); the locked versions are still there and each is checked. */
function storeFindings(number: number, versions: readonly StoredDigest[]): Finding[] {
  const findings: Finding[] = [];
  if (new Set(versions.map(({ hiddenByDeleteMarker: _, ...v }) => canonicalJson(v))).size > 1) {
    findings.push({
      code: 'digest',
      problem: `digest ${number} has ${versions.length} different versions in the digest store (written over)`,
      next: "Every version is checked below; the first one written is the hub's. Find out who wrote the others (CloudTrail S3 data events).",
    });
  }
  if (versions.some((v) => v.hiddenByDeleteMarker)) {
    findings.push({
      code: 'digest',
      problem: `digest ${number} was deleted in the digest store (a delete marker hides it; its locked version is still there and was checked)`,
      next: "Find out who deleted it (CloudTrail); remove the delete marker to restore it (aws s3api delete-object with the marker's version id).",
    });
  }
  return findings;
}

/** The next digest: the chain's head now, numbered after the last one. */
export function nextDigestPayload(council: string, last: SignedDigest | undefined, head: { seq: number; hash: string }, now: Date): DigestPayload {
  return { version: 1, council, number: (last?.number ?? 0) + 1, seq: head.seq, headHash: head.seq === 0 ? GENESIS_HASH : head.hash, time: now.toISOString() };
}

/** `00000042.json`: names sort in number order. */
export function digestFileName(number: number): string {
  return `${String(number).padStart(8, '0')}.json`;
}

// ---------------------------------------------------------------- local (HUB_DATA_DIR)

/** An ECDSA P-256 key pair in a file under HUB_DATA_DIR, made on first use (private key mode 0600). */
export class LocalKeySigner implements DigestSigner {
  readonly keyId: string;
  private readonly privatePem: string;

  constructor(file: string) {
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      try {
        writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // Another process (the hub, `hub audit --local`) made it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    this.privatePem = readFileSync(file, 'utf8');
    const spki = createPublicKey(createPrivateKey(this.privatePem)).export({ type: 'spki', format: 'der' });
    this.keyId = `local:${Buffer.from(spki).toString('base64').slice(-16)}`;
  }

  async sign(message: Buffer): Promise<Buffer> {
    return signBytes('sha256', message, createPrivateKey(this.privatePem));
  }

  async publicKeyPem(): Promise<string> {
    return String(createPublicKey(createPrivateKey(this.privatePem)).export({ type: 'spki', format: 'pem' }));
  }
}

/** Create-only files, read-only once written: the local stand-in for the Object Lock bucket. */
export class LocalDigestStore implements DigestStore {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async put(digest: SignedDigest): Promise<void> {
    mkdirSync(join(this.dir, digest.council), { recursive: true });
    const file = this.file(digest.council, digest.number);
    writeFileSync(file, `${JSON.stringify(digest, null, 2)}\n`, { flag: 'wx' });
    chmodSync(file, 0o444);
  }

  async get(council: string, number: number): Promise<SignedDigest | undefined> {
    const file = this.file(council, number);
    return existsSync(file) ? parseDigest(readFileSync(file, 'utf8')) : undefined;
  }

  private file(council: string, number: number): string {
    return join(this.dir, council, digestFileName(number));
  }

  async list(council: string): Promise<SignedDigest[]> {
    const dir = join(this.dir, council);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => parseDigest(readFileSync(join(dir, f), 'utf8')))
      .filter((d): d is SignedDigest => d !== undefined);
  }
}
