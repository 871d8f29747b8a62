// Reference for the retention sweep: DynamoDB (records), S3 (the raw mail and oversized bodies it erases) and SQS
// (each erasure is an audit event, appended through the audit queue).
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const dynamodb = new DynamoDBClient({});
const s3 = new S3Client({});
const sqs = new SQSClient({});

export const handler = async (event: { id?: string; key?: string; body?: string }) => {
  const put = new PutItemCommand({ TableName: process.env.AUDIT_TABLE, Item: { pk: { S: event.id ?? '' }, sk: { S: 'x' } } });
  const del = new DeleteObjectCommand({ Bucket: process.env.MAIL_BUCKET, Key: event.key ?? '' });
  const send = new SendMessageCommand({ QueueUrl: process.env.AUDIT_QUEUE_URL, MessageBody: event.body ?? '' });
  return { clients: [typeof dynamodb.send, typeof s3.send, typeof sqs.send], inputs: [put.input, del.input, send.input] };
};
