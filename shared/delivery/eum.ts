import { PinpointSMSVoiceV2Client, SendTextMessageCommand, type SendTextMessageCommandInput } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { OutboxMessage } from '../model/index.ts';
import { ENV } from '../topology.ts';
import { capText, classifyAwsError, retryable } from './errors.ts';
import type { SendContext, SendResult } from './types.ts';
import { SMS_MAX_TEXT } from './twilio.ts';

/**
 * AWS End User Messaging SMS `SendTextMessage`. The client honours
 * AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 (the local fakes use it). SDK retries
 * are off: the queue retries with backoff, so one mechanism owns retries.
 */

let client: PinpointSMSVoiceV2Client | undefined;
let clientTimeout = 0;

function smsClient(timeoutMs: number): PinpointSMSVoiceV2Client {
  if (!client || clientTimeout !== timeoutMs) {
    client?.destroy();
    client = new PinpointSMSVoiceV2Client({
      maxAttempts: 1,
      requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
    });
    clientTimeout = timeoutMs;
  }
  return client;
}

export function buildSendTextInput(msg: OutboxMessage, env: NodeJS.ProcessEnv): SendTextMessageCommandInput {
  const origination = env[ENV.smsOriginationIdentity] ?? msg.from;
  if (!origination) throw retryable('sms-origination-identity-missing');
  return {
    DestinationPhoneNumber: msg.to,
    OriginationIdentity: origination,
    MessageBody: capText(msg.text, SMS_MAX_TEXT),
    MessageType: 'TRANSACTIONAL',
    // Context reaches the event destinations: ids only, no personal data.
    Context: { outboxId: msg.id, kind: msg.kind },
  };
}

export async function sendEum(msg: OutboxMessage, ctx: SendContext): Promise<SendResult> {
  const input = buildSendTextInput(msg, ctx.env);
  try {
    const out = await smsClient(ctx.timeoutMs).send(new SendTextMessageCommand(input), { abortSignal: AbortSignal.timeout(ctx.timeoutMs) });
    return { status: 'sent', provider: 'aws-sms', ...(out.MessageId ? { providerMessageId: out.MessageId } : {}) };
  } catch (error) {
    throw classifyAwsError(error);
  }
}
