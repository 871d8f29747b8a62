// Reference for the retention sweep: DynamoDB (records) and S3 (raw mail and oversized bodies it erases).
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';

const dynamodb = new DynamoDBClient({});
const s3 = new S3Client({});

export const handler = async (event: { id?: string; key?: string }) => {
  const put = new PutItemCommand({ TableName: process.env.AUDIT_TABLE, Item: { pk: { S: event.id ?? '' }, sk: { S: 'x' } } });
  const del = new DeleteObjectCommand({ Bucket: process.env.MAIL_BUCKET, Key: event.key ?? '' });
  return { clients: [typeof dynamodb.send, typeof s3.send], inputs: [put.input, del.input] };
};
