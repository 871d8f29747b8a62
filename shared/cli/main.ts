import { SQSClient } from '@aws-sdk/client-sqs';
import { join, resolve } from 'node:path';
import { LOCAL_DIGEST_DIR, LOCAL_SIGNING_KEY_FILE, LocalDigestStore, LocalKeySigner } from '../store/audit-digest.ts';
import { batchSender } from '../queue/batch.ts';
import { SqsAuditQueue } from '../store/audit-queue.ts';
import type { DigestAccess } from './audit-verify.ts';
import { AuditStore } from '../store/audit-store.ts';
import { createDocumentClient } from '../store/client.ts';
import { parseAuditArgs, readLocalHubInfo, runAudit, USAGE, type AuditArgs } from './audit.ts';
import { localHubAuditQueue, localHubDocumentClient } from './local-hub-clients.ts';
import { reportUsageError, UsageError } from './args.ts';
import { DP_GROUPS } from './dataprotection.ts';
import { dpMain } from './dp-main.ts';
import { stackOutputs } from './stack-outputs.ts';

const HELP = 'hub audit --help';

/**
 * Process shell of `hub`: parse, find the table (local hub, --table or the
 * stack outputs), run, and turn every expected failure into one clear line
 * and a non-zero exit, never a stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv[0]?.toLowerCase() === 'cases') return (await import('./cases-main.ts')).casesMain(argv.slice(1));
  if ((DP_GROUPS as readonly string[]).includes(argv[0] ?? '')) return dpMain(argv);
  if (argv[0]?.toLowerCase() === 'consent') return (await import('./consent-main.ts')).consentMain(argv.slice(1));
  let args: AuditArgs;
  try {
    args = parseAuditArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(error, process.stderr, HELP);
    throw error;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const { store, senderKey, digests } = await openStore(args);
    const out = { write: (text: string) => void process.stdout.write(text) };
    const progress = { write: (text: string) => void process.stderr.write(text) };
    return await runAudit(args, { store, out, progress, ...(senderKey ? { senderKey } : {}), ...(digests ? { digests } : {}) });
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(error, process.stderr, HELP);
    process.stderr.write(`hub: ${describe(error)}\n`);
    return 1;
  }
}

async function openStore(args: AuditArgs): Promise<{ store: AuditStore; senderKey?: string; digests?: DigestAccess }> {
  const envKey = process.env.HUB_SENDER_KEY?.trim() || undefined;
  if (args.local) {
    const info = readLocalHubInfo();
    const client = localHubDocumentClient(info);
    // Locally the CLI acts as the stack's auditor role, so a read it may not do in AWS fails here too.
    const iam = await import('../../infra/local/iam/enforce.ts');
    if (iam.installIamEnforcement({ onDenial: (d) => process.stderr.write(`hub: ${iam.describeDenial(d)}\n`) })) iam.bindPrincipal(client, 'auditor');
    const queue = localHubAuditQueue(info);
    const store = new AuditStore({ client, tableName: args.table ?? info.auditTable, council: args.council ?? info.council, ...(queue ? { queue } : {}) });
    return { store, senderKey: envKey ?? info.senderKey, digests: localDigestAccess(resolve(process.env.HUB_DATA_DIR?.trim() || '.hub')) };
  }
  const region = args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'eu-west-2';
  let table = args.table;
  let council = args.council;
  let queueUrl: string | undefined;
  let outputs: Record<string, string> = {};
  if (!table || !council) {
    outputs = await stackOutputs(args.stack, region);
    table ??= outputs.AuditTableName;
    council ??= outputs.Council;
    queueUrl = outputs.AuditQueueUrl;
  }
  const bucket = args.digests.bucket ?? outputs.DigestBucketName;
  const keyArn = args.digests.signingKey ?? outputs.AuditSigningKeyArn;
  const retainYears = outputs.DigestRetentionYears ? Number(outputs.DigestRetentionYears) : undefined;
  const digests = bucket && keyArn ? await awsDigestAccess({ bucket, keyArn, ...(retainYears ? { retainYears } : {}) }, region) : undefined;
  if (!table) throw new UsageError(`stack ${args.stack} has no AuditTableName output; pass --table`);
  if (!council) throw new UsageError(`stack ${args.stack} has no Council output; pass --council`);
  const queue = queueUrl ? new SqsAuditQueue({ queueUrl, sender: batchSender(new SQSClient({ region })) }) : undefined;
  const store = new AuditStore({ client: createDocumentClient({ region }), tableName: table, council, ...(queue ? { queue } : {}) });
  return { store, ...(envKey ? { senderKey: envKey } : {}), ...(digests ? { digests } : {}) };
}

/** Locally: digests under HUB_DATA_DIR/digests, signed with HUB_DATA_DIR/audit-signing-key.pem (the hub's auditDigest function uses the same). */
function localDigestAccess(dataDir: string): DigestAccess {
  const signer = new LocalKeySigner(join(dataDir, LOCAL_SIGNING_KEY_FILE));
  return { store: new LocalDigestStore(join(dataDir, LOCAL_DIGEST_DIR)), signer, publicKeyPem: () => signer.publicKeyPem() };
}

/** In AWS: the Object Lock bucket and the KMS key (the auditor role may read and get the public key; signing is the auditDigest function's). */
async function awsDigestAccess(where: { bucket: string; keyArn: string; retainYears?: number }, region: string): Promise<DigestAccess> {
  const [{ KMSClient }, { S3Client }, { KmsDigestSigner, S3DigestStore }] = await Promise.all([
    import('@aws-sdk/client-kms'),
    import('@aws-sdk/client-s3'),
    import('../store/audit-digest-aws.ts'),
  ]);
  const signer = new KmsDigestSigner({ keyId: where.keyArn, client: new KMSClient({ region }) });
  return {
    store: new S3DigestStore({ client: new S3Client({ region }), bucket: where.bucket, ...(where.retainYears ? { retainYears: where.retainYears } : {}) }),
    signer,
    publicKeyPem: () => signer.publicKeyPem(),
  };
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string };
  if (e.code === 'ECONNREFUSED') return 'cannot reach the audit table (is the local hub running?)';
  if (e.name === 'ResourceNotFoundException') return `audit table not found: ${e.message ?? ''}`.trim();
  if (e.name === 'AccessDeniedException') return `access denied: ${e.message ?? ''}`.trim();
  if (e.name === 'CredentialsProviderError') return 'no AWS credentials found: configure a profile (for example the auditor role) or use --local';
  return e.message ?? String(error);
}
