import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The DocumentClient every store expects. Region, credentials and endpoint
 * come from the standard SDK configuration (AWS_ENDPOINT_URL_DYNAMODB points
 * it at dynalite locally).
 */
export function createDocumentClient(config: ConstructorParameters<typeof DynamoDBClient>[0] = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient(config);
  // With no logger configured, the SDK's logger middleware still redacts every response for a no-op logger
  // (a walk over every attribute of every item read: ~15% of the CPU a large Query costs the caller).
  if (!config.logger) client.middlewareStack.remove('loggerMiddleware');
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** One page of a Query or Scan. */
interface Page {
  readonly Items?: Record<string, unknown>[] | undefined;
  readonly LastEvaluatedKey?: Record<string, unknown> | undefined;
}

/**
 * Every item of a paged Query or Scan, in order: `request(start)` sends one
 * call from that key (DynamoDB returns at most 1 MB per call, so a result is
 * complete only once a page comes back without LastEvaluatedKey).
 */
export async function* allItems(request: (start: Record<string, unknown> | undefined) => Promise<Page>): AsyncGenerator<Record<string, unknown>> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await request(start);
    yield* out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

/** True when DynamoDB refused a write because its condition did not hold (the expected outcome of a lost race). */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}
