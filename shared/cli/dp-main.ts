import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { FileMailStore, S3MailStore } from '../channels/raw-mail-store.ts';
import { HoldError, HoldStore } from '../dataprotection/holds.ts';
import { FileRawMailEraser, S3RawMailEraser, type RawMailEraser } from '../dataprotection/raw-mail.ts';
import { OutputDirectoryError } from '../dataprotection/sar.ts';
import { isPresetName, loadPolicy } from '../policy/load.ts';
import type { Policy } from '../policy/schema.ts';
import { AuditStore } from '../store/audit-store.ts';
import { createDocumentClient } from '../store/client.ts';
import { reportUsageError, UsageError } from './args.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { batchSender } from '../queue/batch.ts';
import { SqsAuditQueue } from '../store/audit-queue.ts';
import { readLocalHubInfo } from './audit.ts';
import { localHubAuditQueue, localHubDocumentClient } from './local-hub-clients.ts';
import { DP_USAGE, dpHelpCommand, parseDpArgs, runDp, type DpArgs, type DpContext } from './dataprotection.ts';
import { stackOutputs } from './stack-outputs.ts';

/**
 * Process shell of the data-protection commands: parse, open the audit and
 * operational tables and the raw-mail store (local hub, or AWS as the DPO
 * role), run, and turn every expected failure into one line.
 */
export async function dpMain(argv: readonly string[]): Promise<number> {
  let args: DpArgs;
  try {
    args = parseDpArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(error, process.stderr, dpHelpCommand(argv));
    throw error;
  }
  if (args.help) {
    process.stdout.write(DP_USAGE);
    return 0;
  }
  try {
    const ctx = await openContext(args);
    return await runDp(args, ctx);
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(error, process.stderr, dpHelpCommand(argv));
    if (error instanceof OutputDirectoryError) return reportUsageError(new UsageError(error.message), process.stderr, dpHelpCommand(argv));
    process.stderr.write(`hub: ${error instanceof HoldError ? error.message : describe(error)}\n`);
    return 1;
  }
}

async function openContext(args: DpArgs): Promise<DpContext> {
  const operator = process.env.HUB_OPERATOR?.trim() || safeUser();
  const out = { write: (text: string) => void process.stdout.write(text) };
  const err = { write: (text: string) => void process.stderr.write(text) };
  const envKey = process.env.HUB_SENDER_KEY?.trim() || undefined;
  if (args.local) {
    const dataDir = resolve(process.env.HUB_DATA_DIR?.trim() || '.hub');
    const info = readLocalHubInfo(dataDir);
    const client = localHubDocumentClient(info);
    // Locally the commands act as the stack's data protection officer role, so what it may not do in AWS fails here too.
    const iam = await import('../../infra/local/iam/enforce.ts');
    if (iam.installIamEnforcement({ onDenial: (d) => process.stderr.write(`hub: ${iam.describeDenial(d)}\n`) })) iam.bindPrincipal(client, 'dpo');
    const auditTable = args.table ?? info.auditTable;
    const queue = localHubAuditQueue(info);
    const audit = new AuditStore({ client, tableName: auditTable, council: args.council ?? info.council, ...(queue ? { queue } : {}) });
    const opsTable = args.opsTable ?? info.opsTable;
    const senderKey = envKey ?? info.senderKey;
    const policy = policyFor(audit.council);
    return {
      audit,
      holds: new HoldStore({ client, tableName: auditTable, audit }),
      ...(opsTable ? { ops: { client, tableName: opsTable } } : {}),
      rawMail: new FileRawMailEraser(join(dataDir, 'mail')),
      bodies: new FileMailStore(join(dataDir, 'mail')),
      ...(senderKey ? { senderKey } : {}),
      ...(policy ? { policy } : {}),
      operator,
      out,
      err,
    };
  }
  const region = args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'eu-west-2';
  const outputs = args.table && args.council && args.opsTable ? {} : await stackOutputs(args.stack, region);
  const table = args.table ?? outputs.AuditTableName;
  const council = args.council ?? outputs.Council;
  const opsTable = args.opsTable ?? outputs.OpsTableName;
  const bucket = args.mailBucket ?? outputs.MailBucketName;
  if (!table || !council) throw new UsageError(`no audit table or council: pass --table and --council, or --stack with the hub's outputs`);
  const client = createDocumentClient({ region });
  const queue = outputs.AuditQueueUrl ? new SqsAuditQueue({ queueUrl: outputs.AuditQueueUrl, sender: batchSender(new SQSClient({ region })) }) : undefined;
  const audit = new AuditStore({ client, tableName: table, council, ...(queue ? { queue } : {}) });
  const rawMail: RawMailEraser | undefined = bucket ? new S3RawMailEraser(bucket, new S3Client({ region })) : undefined;
  const policy = policyFor(council);
  return {
    audit,
    holds: new HoldStore({ client, tableName: table, audit }),
    ...(opsTable ? { ops: { client, tableName: opsTable } } : {}),
    ...(rawMail ? { rawMail } : {}),
    ...(bucket ? { bodies: new S3MailStore(bucket, new S3Client({ region })) } : {}),
    ...(envKey ? { senderKey: envKey } : {}),
    ...(policy ? { policy } : {}),
    operator,
    out,
    err,
  };
}

/** The council's policy, for its name and standard texts in a SAR report: HUB_COUNCIL, else a preset of the same id. */
function policyFor(council: string): Policy | undefined {
  const name = process.env.HUB_COUNCIL?.trim() || council;
  try {
    return isPresetName(name) || name.endsWith('.json') ? loadPolicy(name) : undefined;
  } catch {
    return undefined;
  }
}

function safeUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string };
  if (e.code === 'ECONNREFUSED') return 'cannot reach the tables (is the local hub running?)';
  if (e.name === 'AccessDeniedException') return `access denied: run as the data protection officer role (DpoRoleArn). ${e.message ?? ''}`.trim();
  if (e.name === 'CredentialsProviderError') return 'no AWS credentials found: assume the data protection officer role (DpoRoleArn), or use --local';
  return e.message ?? String(error);
}
