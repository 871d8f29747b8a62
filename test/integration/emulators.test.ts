import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { QUEUES, TABLES } from '../../shared/topology.ts';

describe('emulators', () => {
  let emu: Emulators;
  beforeAll(async () => {
    emu = await startEmulators();
  });
  afterAll(async () => emu?.stop());

  it('creates every table with the indexes the topology defines', async () => {
    const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
    const audit = await client.send(new DescribeTableCommand({ TableName: emu.tableNames.audit }));
    expect(audit.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(TABLES.audit.indexes.map((i) => i.name).sort());
    client.destroy();
  });

  it('creates every queue with its dead-letter redrive', async () => {
    const client = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.sqsEndpoint });
    const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: emu.queueUrls.inbound, AttributeNames: ['All'] }));
    const redrive = JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}');
    expect(redrive.maxReceiveCount).toBe(QUEUES.inbound.maxReceiveCount);
    expect(attributes.Attributes?.VisibilityTimeout).toBe(String(QUEUES.inbound.visibilityTimeoutSeconds));
    client.destroy();
  });
});
