import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/local-aws.ts';
import { batchSender } from '../queue/batch.ts';
import { localAuditQueue, type SqsAuditQueue } from '../store/audit-queue.ts';
import { createDocumentClient } from '../store/client.ts';
import type { LocalHubInfo } from './audit.ts';

/** How every `hub … --local` command reaches the running local hub's emulators (its hub.json). */

/** One attempt: a hub that is not running should say so at once, not after the SDK's retries. */
export function localHubDocumentClient(info: LocalHubInfo): ReturnType<typeof createDocumentClient> {
  return createDocumentClient({ endpoint: info.dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
}

/** Events the CLI records (an erasure) go to the hub's appender, the chain's only writer. */
export function localHubAuditQueue(info: LocalHubInfo): SqsAuditQueue | undefined {
  return localAuditQueue(info, batchSender(new SQSClient({ endpoint: info.sqsEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS })));
}
