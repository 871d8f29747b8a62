// Reference for every ingest function: the SQS client and nothing else.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const sqs = new SQSClient({});

export const handler = async (event: { body?: string }) => {
  const command = new SendMessageCommand({ QueueUrl: process.env.INBOUND_QUEUE_URL, MessageBody: event.body ?? '' });
  return { client: typeof sqs.send, input: command.input };
};
