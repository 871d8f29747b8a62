import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CaseStore } from '../store/case-store.ts';
import { createDocumentClient } from '../store/client.ts';
import { reportUsageError, UsageError } from './args.ts';
import { readLocalHubInfo } from './audit.ts';
import { localHubDocumentClient } from './local-hub-clients.ts';
import { CASES_USAGE, parseCasesArgs, runCases, type CasesArgs } from './cases.ts';

/** Process shell of `hub cases …` (argv after `cases`): find the ops table, run, one line on failure. */
export async function casesMain(argv: readonly string[]): Promise<number> {
  let args: CasesArgs;
  try {
    args = parseCasesArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(error, process.stderr, 'hub cases --help');
    throw error;
  }
  if (args.help) {
    process.stdout.write(CASES_USAGE);
    return 0;
  }
  try {
    const cases = await openCases(args);
    return await runCases(args, { cases, out: { write: (t) => void process.stdout.write(t) } });
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(error, process.stderr, 'hub cases --help');
    const e = error as { code?: string; name?: string; message?: string };
    process.stderr.write(
      `hub: ${e.code === 'ECONNREFUSED' ? 'cannot reach the operational table (is the local hub running?)' : (e.message ?? String(error))}\n`,
    );
    return 1;
  }
}

async function openCases(args: CasesArgs): Promise<CaseStore> {
  if (args.local) {
    const info = readLocalHubInfo();
    const client = localHubDocumentClient(info);
    const table = args.table ?? info.opsTable;
    if (!table) throw new UsageError('the local hub did not say where its operational table is; pass --table');
    return new CaseStore({ client, tableName: table });
  }
  const region = args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'eu-west-2';
  let table = args.table;
  if (!table) {
    const cf = new CloudFormationClient({ region });
    try {
      const out = await cf.send(new DescribeStacksCommand({ StackName: args.stack }));
      table = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'OpsTableName')?.OutputValue;
    } finally {
      cf.destroy();
    }
  }
  if (!table) throw new UsageError(`stack ${args.stack} has no OpsTableName output; pass --table`);
  return new CaseStore({ client: createDocumentClient({ region }), tableName: table });
}
