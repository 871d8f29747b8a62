import { madeOnce } from '../runtime/once.ts';
import type { SqsBatchSender } from './batch.ts';

/**
 * The SQS client and batch sender, imported on the first send and kept for the
 * container, for functions whose first request often sends nothing (a page
 * view). Functions that always send import them statically (`batchSender`):
 * in a code-split bundle each lazy import is more files to load.
 */
// Pure: a bundle that imports this module but never sends through it drops it, and its import()s with it.
export const lazyBatchSender: SqsBatchSender = /* @__PURE__ */ madeOnce(async () => {
  const [{ SQSClient }, { sendInBatches }] = await Promise.all([import('@aws-sdk/client-sqs'), import('./batch.ts')]);
  return { client: new SQSClient({}), sendInBatches };
});
