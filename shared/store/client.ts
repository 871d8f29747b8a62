import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The DocumentClient every store expects. Region, credentials and endpoint
 * come from the standard SDK configuration (AWS_ENDPOINT_URL_DYNAMODB points
 * it at dynalite locally).
 */
export function createDocumentClient(config: ConstructorParameters<typeof DynamoDBClient>[0] = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
