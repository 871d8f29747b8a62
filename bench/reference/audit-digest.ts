// Reference for the hourly audit digest: DynamoDB (the chain), KMS (signing), S3 (the Object Lock bucket), SQS (the digest mail).
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const dynamodb = new DynamoDBClient({});
const kms = new KMSClient({});
const s3 = new S3Client({});
const sqs = new SQSClient({});

export const handler = async (event: { id?: string; body?: string }) => {
  const query = new QueryCommand({
    TableName: process.env.AUDIT_TABLE,
    KeyConditionExpression: 'pk = :p',
    ExpressionAttributeValues: { ':p': { S: event.id ?? '' } },
  });
  const sign = new SignCommand({ KeyId: 'alias/x', Message: new Uint8Array(32), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
  const put = new PutObjectCommand({ Bucket: process.env.MAIL_BUCKET, Key: event.id ?? '', Body: event.body ?? '' });
  const send = new SendMessageCommand({ QueueUrl: process.env.OUTBOX_QUEUE_URL, MessageBody: event.body ?? '' });
  return { clients: [typeof dynamodb.send, typeof kms.send, typeof s3.send, typeof sqs.send], inputs: [query.input, sign.input, put.input, send.input] };
};
