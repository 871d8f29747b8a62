import { lazyOutboxPublisher } from '../queue/lazy-outbox-publisher.ts';
import { requireEnv } from '../runtime/env.ts';
import { recorderDepsFromEnv } from '../store/recorder-deps.ts';
import type { ClerkScheduleDeps } from './schedule.ts';
import { CaseStore } from '../store/case-store.ts';

/** Production wiring of the clerk schedule from the environment. */
export async function clerkScheduleDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ClerkScheduleDeps> {
  const { outboxQueueUrl, opsTable } = requireEnv(['auditTable', 'opsTable', 'outboxQueueUrl'], env);
  const { policy, client, audit, ops, now } = await recorderDepsFromEnv(env);
  return { policy, audit, ops, cases: new CaseStore({ client, tableName: opsTable }), publish: lazyOutboxPublisher(outboxQueueUrl), now };
}
