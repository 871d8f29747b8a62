import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { parseEumSnsEvent } from '../shared/channels/eum-sms.ts';
import { enqueueItems } from '../shared/queue/publish.ts';
import { log } from '../shared/runtime/log.ts';

/** AWS End User Messaging two-way SMS via SNS: a thrown error makes SNS/Lambda retry; malformed records are skipped. */
export const handler = middy<SNSEvent, void>().handler(async (event) => {
  const { items, malformed } = parseEumSnsEvent(event, new Date());
  await enqueueItems(items);
  log.info('sms inbound', { enqueued: items.length, malformed });
  if (malformed > 0) log.warn('malformed SNS records skipped', { malformed });
});
