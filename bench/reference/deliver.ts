// Reference for deliver: DynamoDB (idempotency, audit), SQS, SES v2 and End User Messaging SMS.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});
const ses = new SESv2Client({});
const sms = new PinpointSMSVoiceV2Client({});

export const handler = async (event: { id?: string; to?: string; text?: string }) => {
  const put = new PutItemCommand({ TableName: process.env.OPS_TABLE, Item: { pk: { S: event.id ?? '' }, sk: { S: 'x' } } });
  const send = new SendMessageCommand({ QueueUrl: process.env.OUTBOX_QUEUE_URL, MessageBody: event.text ?? '' });
  const email = new SendEmailCommand({
    FromEmailAddress: process.env.SES_FROM_ADDRESS,
    Destination: { ToAddresses: [event.to ?? ''] },
    Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: event.text ?? '' } } } },
  });
  const text = new SendTextMessageCommand({ DestinationPhoneNumber: event.to ?? '', MessageBody: event.text ?? '' });
  return {
    clients: [typeof dynamodb.send, typeof sqs.send, typeof ses.send, typeof sms.send],
    inputs: [put.input, send.input, email.input, text.input],
  };
};
