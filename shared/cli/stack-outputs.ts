import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** The hub stack's outputs (AuditTableName, OpsTableName, Council …), read once by the CLI. */
export async function stackOutputs(stackName: string, region: string): Promise<Record<string, string>> {
  const client = new CloudFormationClient({ region });
  try {
    const result = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = result.Stacks?.[0]?.Outputs ?? [];
    return Object.fromEntries(outputs.map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } finally {
    client.destroy();
  }
}
