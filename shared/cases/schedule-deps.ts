import { councilOf, lazyOutboxPublisher, requireEnv } from '../runtime/env.ts';
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
  const { auditTable, opsTable, outboxQueueUrl } = requireEnv(['auditTable', 'opsTable', 'outboxQueueUrl'], env);
  const policy = loadPolicy(councilOf(env), { trustPresets: true });
  const client = createDocumentClient();
  return {
    policy,
    audit: new AuditStore({ client, tableName: auditTable, council: policy.council.id, queue: auditQueueFromEnv(env) }),
    ops: new OpsStore({ client, tableName: opsTable }),
    cases: new CaseStore({ client, tableName: opsTable }),
    publish: lazyOutboxPublisher(outboxQueueUrl),
    now: () => new Date(),
  };
}
