import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { recordClerkConsent } from '../pipeline/consent-record.ts';
import { loadPolicy } from '../policy/load.ts';
import { AuditStore } from '../store/audit-store.ts';
import { createDocumentClient } from '../store/client.ts';
import { OpsStore } from '../store/ops-store.ts';
import { reportUsageError, UsageError } from './args.ts';
import { readLocalHubInfo } from './audit.ts';
import { localHubDocumentClient } from './local-hub-clients.ts';
import { CONSENT_USAGE, parseConsentArgs, type ConsentArgs } from './consent.ts';

const HELP = 'hub consent --help';

/** Process shell of `hub consent …` (argv after `consent`). */
export async function consentMain(argv: readonly string[]): Promise<number> {
  let args: ConsentArgs;
  try {
    args = parseConsentArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(error, process.stderr, HELP);
    throw error;
  }
  if (args.help || !args.record) {
    process.stdout.write(CONSENT_USAGE);
    return 0;
  }
  try {
    const { audit, ops, council } = await openStores(args);
    const policy = loadPolicy(process.env.HUB_COUNCIL?.trim() || council, { trustPresets: true });
    const result = await recordClerkConsent({ ...args.record, at: new Date() }, { policy, audit, ops });
    if (!result.ok) {
      process.stderr.write(`hub: ${result.reason}\n`);
      return 1;
    }
    const word = args.record.answer === 'granted' ? 'GIVEN' : 'DECLINED';
    process.stdout.write(`${result.summary.ref}: data consent ${word} (${args.record.how}), recorded by ${args.record.recordedBy}; was ${result.previous}.\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(error, process.stderr, HELP);
    const e = error as { code?: string; message?: string };
    process.stderr.write(`hub: ${e.code === 'ECONNREFUSED' ? 'cannot reach the tables (is the local hub running?)' : (e.message ?? String(error))}\n`);
    return 1;
  }
}

async function openStores(args: ConsentArgs): Promise<{ audit: AuditStore; ops: OpsStore; council: string }> {
  if (args.local) {
    const info = readLocalHubInfo();
    if (!info.opsTable) throw new UsageError('the local hub did not say where its operational table is');
    const client = localHubDocumentClient(info);
    return {
      audit: new AuditStore({ client, tableName: info.auditTable, council: info.council }),
      ops: new OpsStore({ client, tableName: info.opsTable }),
      council: info.council,
    };
  }
  const region = args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'eu-west-2';
  const cf = new CloudFormationClient({ region });
  let outputs: Record<string, string>;
  try {
    const out = await cf.send(new DescribeStacksCommand({ StackName: args.stack }));
    outputs = Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } finally {
    cf.destroy();
  }
  const { AuditTableName: auditTable, OpsTableName: opsTable, Council: council } = outputs;
  if (!auditTable || !opsTable || !council) throw new UsageError(`stack ${args.stack} lacks the AuditTableName, OpsTableName or Council output`);
  const client = createDocumentClient({ region });
  return { audit: new AuditStore({ client, tableName: auditTable, council }), ops: new OpsStore({ client, tableName: opsTable }), council };
}
