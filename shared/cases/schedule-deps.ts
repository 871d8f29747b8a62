import type { OutboxMessage } from '../model/index.ts';
import { ENV } from '../topology.ts';
import type { ClerkScheduleDeps } from './schedule.ts';

/** Production wiring of the clerk schedule from the environment. */
export async function clerkScheduleDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ClerkScheduleDeps> {
  const [{ createDocumentClient }, { AuditStore }, { OpsStore }, { CaseStore }, { loadPolicy }, { auditQueueFromEnv }] = await Promise.all([
    import('../store/client.ts'),
    import('../store/audit-store.ts'),
    import('../store/ops-store.ts'),
    import('../store/case-store.ts'),
    import('../policy/load.ts'),
    import('../store/audit-queue.ts'),
  ]);
  const policy = loadPolicy(env[ENV.council] ?? 'demo', { trustPresets: true });
  const client = createDocumentClient();
  const auditTable = env[ENV.auditTable];
  const opsTable = env[ENV.opsTable];
  const queueUrl = env[ENV.outboxQueueUrl];
  if (!auditTable || !opsTable || !queueUrl) throw new Error(`${ENV.auditTable}, ${ENV.opsTable} and ${ENV.outboxQueueUrl} must be set`);
  let publisher: Promise<{ publish(messages: readonly OutboxMessage[]): Promise<void> }> | undefined;
  return {
    policy,
    audit: new AuditStore({ client, tableName: auditTable, council: policy.council.id, queue: auditQueueFromEnv(env) }),
    ops: new OpsStore({ client, tableName: opsTable }),
    cases: new CaseStore({ client, tableName: opsTable }),
    publish: async (messages) => {
      if (messages.length === 0) return;
      publisher ??= Promise.all([import('@aws-sdk/client-sqs'), import('../queue/outbox.ts')]).then(
        ([{ SQSClient }, { OutboxPublisher }]) => new OutboxPublisher({ client: new SQSClient({}), queueUrl }),
      );
      await (await publisher).publish(messages);
    },
    now: () => new Date(),
  };
}
