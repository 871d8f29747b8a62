// Reference for classify and the consent functions: DynamoDB and SQS clients.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});

export const handler = async (event: { id?: string; body?: string }) => {
  const put = new PutItemCommand({ TableName: process.env.AUDIT_TABLE, Item: { pk: { S: event.id ?? '' }, sk: { S: 'x' } } });
  const send = new SendMessageCommand({ QueueUrl: process.env.OUTBOX_QUEUE_URL, MessageBody: event.body ?? '' });
  return { clients: [typeof dynamodb.send, typeof sqs.send], inputs: [put.input, send.input] };
};
