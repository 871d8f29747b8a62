import middy from '@middy/core';
import type { SESEvent } from 'aws-lambda';
import { rawMailStore } from '../shared/channels/raw-mail-store.ts';
import { handleSesEvent } from '../shared/channels/ses.ts';
import { enqueueItems } from '../shared/queue/publish.ts';
import { log } from '../shared/runtime/log.ts';

/** SES receipt rule Lambda action (Event invocation): a thrown error makes Lambda retry the event. */
export const handler = middy<SESEvent, void>().handler(async (event) => {
  const started = Date.now();
  const result = await handleSesEvent(event, { store: rawMailStore(), enqueue: (items) => enqueueItems(items) });
  log.info('ses inbound', { ...result, ms: Date.now() - started });
  if (result.malformed > 0) log.warn('malformed SES records skipped', { malformed: result.malformed });
});
