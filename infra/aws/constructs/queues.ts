import { Duration, type Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { type FunctionId, QUEUES } from '../../../shared/topology.ts';
import { queueConstructId } from '../names.ts';

/** The one queue that is not in the topology: async invocations (SES, SNS, schedule) that failed every retry. Cloud only: locally those calls are synchronous. */
export const ASYNC_FAILURE_QUEUE_ID = 'async-failures';

export type Queues = Record<keyof typeof QUEUES, sqs.Queue>;

export interface HubQueues {
  readonly queues: Queues;
  readonly deadLetterQueues: Queues;
  readonly asyncFailures: sqs.Queue;
}

/** SQS, from the topology, each with its dead-letter queue. SSE-SQS (see docs/deploy.md for why not a customer managed key). */
export function addQueues(stack: Stack): HubQueues {
  const queues = {} as Queues;
  const deadLetterQueues = {} as Queues;
  for (const def of Object.values(QUEUES)) {
    const fifo = 'fifo' in def && def.fifo ? { fifo: true } : {};
    const dlq = new sqs.Queue(stack, queueConstructId(def.dlqId), {
      ...fifo,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      maxMessageSizeBytes: def.maximumMessageSizeBytes,
    });
    deadLetterQueues[def.id] = dlq;
    queues[def.id] = new sqs.Queue(stack, queueConstructId(def.id), {
      ...fifo,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(def.retentionDays),
      maxMessageSizeBytes: def.maximumMessageSizeBytes,
      deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
    });
  }
  return { queues, deadLetterQueues, asyncFailures: addAsyncFailureQueue(stack) };
}

function addAsyncFailureQueue(stack: Stack): sqs.Queue {
  const asyncFailures = new sqs.Queue(stack, queueConstructId(ASYNC_FAILURE_QUEUE_ID), {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    maxMessageSizeBytes: 262_144,
  });
  Validations.of(asyncFailures).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the failure destination of asynchronous invocations (SES, SNS, schedule); an alarm watches its depth.',
  });
  return asyncFailures;
}

/** SQS consumers, from the topology. */
export function connectConsumers(queues: Queues, functions: Record<FunctionId, lambda.Function>): void {
  for (const def of Object.values(QUEUES)) {
    functions[def.consumer].addEventSource(
      new SqsEventSource(queues[def.id], {
        batchSize: def.batchSize,
        ...(def.maxBatchingWindowSeconds > 0 ? { maxBatchingWindow: Duration.seconds(def.maxBatchingWindowSeconds) } : {}),
        reportBatchItemFailures: true,
        maxConcurrency: def.maxConcurrency,
      }),
    );
  }
}
