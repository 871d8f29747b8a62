import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { INTAKE_REJECTED_MESSAGE, intakeKeys, NO_RECORDS_MESSAGE, takeMandrillIntake } from '../shared/channels/mandrill-intake.ts';
import { rawMailStore } from '../shared/channels/raw-mail-store.ts';
import { enqueueItems } from '../shared/queue/publish.ts';
import { log } from '../shared/runtime/log.ts';
import { loadSecrets } from '../shared/runtime/secrets.ts';
import { MAIL_BUCKET } from '../shared/topology.ts';

/** S3 ObjectCreated on mandrill-intake/ (Event invocation): a thrown error makes Lambda retry the event; the object stays until taken. */
export const handler = middy<S3Event, void>().handler(async (event) => {
  const started = Date.now();
  const { keys, foreign } = intakeKeys(event);
  if (foreign > 0) log.warn('mandrill intake: records outside the intake prefix skipped', { foreign });
  // A replay made with the async-failure queue's whole message (Lambda's envelope) rather than its requestPayload lands here.
  if (keys.length === 0 && foreign === 0) log.warn(NO_RECORDS_MESSAGE);
  const deps = { store: rawMailStore(), enqueue: enqueueItems, secrets: await loadSecrets() };
  for (const key of keys) {
    const outcome = await takeMandrillIntake(key, deps);
    // Counts and the reason only: the POST's content is a resident's mail.
    const requestId = key.slice(MAIL_BUCKET.mandrillIntakePrefix.length);
    if (outcome.rejected) log.warn(INTAKE_REJECTED_MESSAGE, { reason: outcome.rejected, requestId });
    else
      log.info('mandrill intake', {
        enqueued: outcome.enqueued,
        skipped: outcome.skipped,
        ...(outcome.gone ? { gone: true, requestId } : {}),
        ms: Date.now() - started,
      });
  }
});
