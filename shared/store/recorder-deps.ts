import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { councilPolicy } from '../policy/council-policy.ts';
import type { Policy } from '../policy/schema.ts';
import { requireEnv } from '../runtime/env.ts';
import { lazyBatchSender } from '../queue/lazy-batch-sender.ts';
import { auditQueueFromEnv } from './audit-queue.ts';
import { AuditStore } from './audit-store.ts';
import { createDocumentClient } from './client.ts';
import { OpsStore } from './ops-store.ts';

/** What every function that records audit events and keeps ops records is wired with. */
export interface RecorderDeps {
  readonly policy: Policy;
  /** One DynamoDB client for every store the function builds. */
  readonly client: DynamoDBDocumentClient;
  /** Records through the FIFO audit queue: the appender is the chain's single writer. */
  readonly audit: AuditStore;
  readonly ops: OpsStore;
  now(): Date;
}

/**
 * The council's policy and its stores from the environment. The modules are
 * imported statically: every invocation needs them, and in a code-split bundle
 * five lazy imports become five more files to load on the first call.
 */
export async function recorderDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<RecorderDeps> {
  const { auditTable, opsTable } = requireEnv(['auditTable', 'opsTable'], env);
  const policy = await councilPolicy(env);
  const client = createDocumentClient();
  return {
    policy,
    client,
    audit: new AuditStore({ client, tableName: auditTable, council: policy.council.id, queue: auditQueueFromEnv(lazyBatchSender, env) }),
    ops: new OpsStore({ client, tableName: opsTable }),
    now: () => new Date(),
  };
}
