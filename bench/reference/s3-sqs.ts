// Reference for ses-inbound: read the raw MIME from S3, enqueue on SQS.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const s3 = new S3Client({});
const sqs = new SQSClient({});

export const handler = async (event: { key?: string; body?: string }) => {
  const get = new GetObjectCommand({ Bucket: process.env.MAIL_BUCKET, Key: event.key ?? '' });
  const send = new SendMessageCommand({ QueueUrl: process.env.INBOUND_QUEUE_URL, MessageBody: event.body ?? '' });
  return { clients: [typeof s3.send, typeof sqs.send], inputs: [get.input, send.input] };
};
