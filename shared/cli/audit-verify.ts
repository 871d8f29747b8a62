import type { Finding } from '../store/audit-verify.ts';
import { verifyAudit, type SignedCheckpoint, type VerifyReport, type VerifySource } from '../store/verify-audit.ts';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuditStore } from '../store/audit-store.ts';
import { checkDigests, parseDigest, type DigestSigner, type DigestStore, type SignedDigest } from '../store/audit-digest.ts';
import { UsageError, type OptionSpecs } from './args.ts';
import { londonDateTime } from '../runtime/london-time.ts';

/**
 * `hub audit verify`: its options, its run and its output. The checks
 * themselves are in shared/store/verify-audit.ts.
 */

export const VERIFY_OPTIONS = {
  anchor: { type: 'string', hint: 'SEQ:HASH as verify prints it after "Head:" (several: comma-separated)' },
  digest: { type: 'string', hint: 'a digest file you kept (several: comma-separated)' },
  'allow-empty': { type: 'boolean' },
} as const satisfies OptionSpecs;

/** Where the digests and the key are in AWS, for a caller (the auditor role) that cannot read the stack outputs. */
export const DIGEST_OPTIONS = {
  'digest-bucket': { type: 'string', hint: 'the stack output DigestBucketName' },
  'signing-key': { type: 'string', hint: 'the stack output AuditSigningKeyArn' },
  'public-key': { type: 'string', hint: 'a PEM file with the public key you kept (hub audit key)' },
} as const satisfies OptionSpecs;

export interface DigestLocation {
  readonly bucket?: string;
  readonly signingKey?: string;
  /** Check signatures with this key (the one the auditor kept), not the hub's current one. */
  readonly publicKeyFile?: string;
}

export function digestLocation(v: { 'digest-bucket'?: string; 'signing-key'?: string; 'public-key'?: string }): DigestLocation {
  return {
    ...(v['digest-bucket'] !== undefined ? { bucket: v['digest-bucket'] } : {}),
    ...(v['signing-key'] !== undefined ? { signingKey: v['signing-key'] } : {}),
    ...(v['public-key'] !== undefined ? { publicKeyFile: v['public-key'] } : {}),
  };
}

/** The kept public key, read once: a file that is not a public key is a usage error, not a finding. */
export function readPublicKeyFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
    createPublicKey(pem);
  } catch {
    throw new UsageError(`--public-key ${file}: not a readable PEM public key (hub audit key prints one)`);
  }
  return pem;
}

export interface VerifyArgs {
  readonly anchors: readonly SignedCheckpoint[];
  readonly digestFiles: readonly string[];
  readonly allowEmpty: boolean;
}

export const NO_VERIFY_ARGS: VerifyArgs = { anchors: [], digestFiles: [], allowEmpty: false };

/** Where digests live and how to check them (local files and key, or S3 and KMS). */
export interface DigestAccess {
  readonly store: DigestStore;
  publicKeyPem(): Promise<string>;
  /** Absent for a reader (the auditor role cannot sign). */
  readonly signer?: DigestSigner;
}

export function verifyArgs(v: { anchor?: string; digest?: string; 'allow-empty'?: boolean }, command: string): VerifyArgs {
  if ((v.anchor !== undefined || v.digest !== undefined || v['allow-empty']) && command !== 'verify')
    throw new UsageError('--anchor, --digest and --allow-empty are for verify');
  const anchors = (v.anchor ?? '')
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const anchor = parseAnchor(part);
      if (!anchor) throw new UsageError(`--anchor must be SEQ:HASH (an event number and its 64-hex hash, as verify prints them), got "${part.slice(0, 80)}"`);
      return anchor;
    });
  const digestFiles = (v.digest ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return { anchors, digestFiles, allowEmpty: v['allow-empty'] ?? false };
}

export interface VerifyContext {
  readonly store: VerifySource;
  readonly out: { write(text: string): void };
  readonly digests?: DigestAccess;
  /** `--public-key FILE`: check signatures with the key the auditor kept, so a replaced hub key cannot vouch for re-signed digests. */
  readonly publicKeyFile?: string;
}

export async function runVerify(ctx: VerifyContext, args: VerifyArgs, json: boolean): Promise<number> {
  const findings: Finding[] = [];
  const anchors = [...args.anchors];
  let digests: SignedCheckpoint[] = [];
  const publicKey = ctx.publicKeyFile ? readPublicKeyFile(ctx.publicKeyFile) : await ctx.digests?.publicKeyPem();
  if (ctx.digests && publicKey) {
    const stored = checkDigests(await ctx.digests.store.list(ctx.store.council), publicKey, ctx.store.council);
    digests = stored.checkpoints;
    findings.push(...stored.findings);
  }
  if (args.digestFiles.length && !publicKey) {
    throw new UsageError('--digest needs a public key: --public-key FILE (the one you kept), --local, or the stack outputs (AuditSigningKeyArn)');
  }
  for (const file of args.digestFiles) {
    const digest = readDigestFile(file);
    if (digest.council !== ctx.store.council) throw new UsageError(`--digest ${file} is a digest of ${digest.council}, not of ${ctx.store.council}`);
    const kept = checkDigests([digest], publicKey!, ctx.store.council);
    anchors.push(...kept.checkpoints.map((c) => ({ ...c, label: `the digest you kept (${file})` })));
    findings.push(...kept.findings);
  }
  const report = await verifyAudit(ctx.store, { anchors, digests, findings, allowEmpty: args.allowEmpty });
  ctx.out.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatVerifyReport(report));
  return report.ok ? 0 : 1;
}

/** `--anchor SEQ:HASH`: a head the auditor kept (from an earlier verify, the minutes, a digest). */
export function parseAnchor(value: string): SignedCheckpoint | undefined {
  const match = /^(\d{1,12}):([0-9a-fA-F]{64})$/.exec(value.trim());
  if (!match) return undefined;
  const seq = Number(match[1]);
  if (seq < 1) return undefined;
  return { seq, hash: match[2]!.toLowerCase(), label: `the anchor you gave (${seq}:${match[2]!.slice(0, 12).toLowerCase()}…)` };
}

export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [];
  const scope = `${count(report.events, 'event')}, ${count(report.items, 'item')}, ${count(report.digests, 'digest')}, ${count(report.anchors, 'anchor')} checked`;
  if (report.ok) {
    lines.push(`OK: the ${report.council} audit trail verifies: ${scope}.`);
    if (report.pending > 0)
      lines.push(`${count(report.pending, 'event')} recorded in the last minutes ${report.pending === 1 ? 'is' : 'are'} still on the way into the chain.`);
    lines.push(`Head: ${report.events}:${report.headHash}`);
    lines.push(
      'Keep that line (or a digest, hub audit digest): a later "hub audit verify --anchor <it>" proves nothing up to it was changed or removed since.',
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(`FAILED: the ${report.council} audit trail has ${count(report.findings.length, 'finding')} (${scope}):`);
  for (const finding of report.findings) lines.push(...describeFinding(finding));
  return `${lines.join('\n')}\n`;
}

function describeFinding(finding: Finding): string[] {
  const where = [finding.seq !== undefined ? `event ${finding.seq}` : undefined, finding.type, finding.ref].filter(Boolean).join(' · ');
  return [`- [${finding.code}]${where ? ` ${where}:` : ''} ${finding.problem}`, `    next: ${finding.next}`];
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-GB')} ${noun}${n === 1 ? '' : 's'}`;
}

function readDigestFile(file: string): SignedDigest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--digest ${file}: cannot read the file`);
  }
  const digest = parseDigest(text);
  if (!digest) throw new UsageError(`--digest ${file}: not a hub digest (expected the JSON that hub audit digest writes)`);
  return digest;
}

type DigestSource = Pick<AuditStore, 'council' | 'headMark' | 'eventsAfter'>;

/** `hub audit digest`: sign and store a digest of the chain now, and print it (keep a copy). */
export async function runDigest(ctx: { store: DigestSource; out: { write(text: string): void }; digests?: DigestAccess }, json: boolean): Promise<number> {
  if (!ctx.digests?.signer)
    throw new UsageError('digest needs the signing key: use --local, or run it with a role allowed to sign (the hourly auditDigest function does this in AWS)');
  const { writeDigest } = await import('../store/write-digest.ts');
  const { digest } = await writeDigest(ctx.store, ctx.digests.store, ctx.digests.signer, { now: new Date(), onlyIfChanged: false });
  if (!digest) {
    ctx.out.write(json ? 'null\n' : `Nothing to sign: the audit trail of ${ctx.store.council} has no events yet.\n`);
    return 0;
  }
  ctx.out.write(
    json
      ? `${JSON.stringify(digest, null, 2)}\n`
      : `Digest ${digest.number} of ${digest.council}: event ${digest.seq}, head ${digest.headHash}, signed ${londonDateTime(digest.time)}.\nKeep a copy of it outside the hub (hub audit digest --json > file); later, hub audit verify --digest file proves the chain still holds it.\n`,
  );
  return 0;
}

/** `hub audit key`: the public key digests are signed with (keep it with the digests). */
export async function runKey(ctx: { out: { write(text: string): void }; digests?: DigestAccess }): Promise<number> {
  if (!ctx.digests) throw new UsageError('key needs --local or the stack outputs (AuditSigningKeyArn)');
  ctx.out.write(await ctx.digests.publicKeyPem());
  return 0;
}
