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
