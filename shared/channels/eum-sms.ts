import type { SNSEvent } from 'aws-lambda';
import type { InboundItem } from '../model/inbound-item.ts';
import { asObject, asString, optional } from './common.ts';
import { AWS_SMS_KEYWORDS, smsKeyword } from './sms-keywords.ts';

/**
 * AWS End User Messaging two-way SMS delivered through SNS (reference/channels.md
 * §5b). The SNS message is a JSON string; the payload has no timestamp, so
 * the SNS Timestamp is receivedAt. A malformed record is reported, not thrown,
 * so one bad record cannot make SNS redeliver the good ones forever.
 */

export interface EumParseResult {
  readonly items: InboundItem[];
  readonly malformed: number;
}

export function parseEumSnsEvent(event: SNSEvent, now: Date): EumParseResult {
  const items: InboundItem[] = [];
  let malformed = 0;
  const records = Array.isArray((event as unknown as { Records?: unknown })?.Records) ? event.Records : [];
  for (const record of records) {
    const sns = asObject(asObject(record)?.Sns);
    const item = sns ? parseEumMessage(asString(sns.Message), asString(sns.Timestamp), now) : undefined;
    if (item) items.push(item);
    else malformed++;
  }
  return { items, malformed };
}

export function parseEumMessage(message: string | undefined, snsTimestamp: string | undefined, now: Date): InboundItem | undefined {
  if (!message) return undefined;
  let payload: Record<string, unknown> | undefined;
  try {
    payload = asObject(JSON.parse(message));
  } catch {
    return undefined;
  }
  const id = asString(payload?.inboundMessageId);
  const from = asString(payload?.originationNumber);
  if (!payload || !id || !from) return undefined;
  const body = asString(payload.messageBody) ?? '';
  const to = asString(payload.destinationNumber);
  const timestamp = snsTimestamp && !Number.isNaN(Date.parse(snsTimestamp)) ? new Date(snsTimestamp).toISOString() : now.toISOString();
  return {
    schemaVersion: 1,
    itemId: `aws-sms:${id}`,
    channel: 'sms',
    provider: 'aws-sms',
    kind: 'sms',
    providerMessageId: id,
    receivedAt: timestamp,
    sender: { id: from },
    recipients: to ? [to] : [],
    text: body,
    attachments: [],
    thread: {},
    transport: {},
    ...optional({ smsKeyword: smsKeyword(body, AWS_SMS_KEYWORDS) }),
  };
}
