import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { INTAKE_REJECTED_MESSAGE, intakeKeys, takeMandrillIntake } from '../shared/channels/mandrill-intake.ts';
import { rawMailStore } from '../shared/channels/raw-mail-store.ts';
import { enqueueItems } from '../shared/queue/publish.ts';
import { log } from '../shared/runtime/log.ts';
import { loadSecrets } from '../shared/runtime/secrets.ts';

/** S3 ObjectCreated on mandrill-intake/ (Event invocation): a thrown error makes Lambda retry the event; the object stays until taken. */
export const handler = middy<S3Event, void>().handler(async (event) => {
  const started = Date.now();
  const { keys, foreign } = intakeKeys(event);
  if (foreign > 0) log.warn('mandrill intake: records outside the intake prefix skipped', { foreign });
  const deps = { store: rawMailStore(), enqueue: enqueueItems, secrets: await loadSecrets() };
  for (const key of keys) {
    const outcome = await takeMandrillIntake(key, deps);
    // Counts and the reason only: the POST's content is a resident's mail.
    if (outcome.rejected) log.warn(INTAKE_REJECTED_MESSAGE, { reason: outcome.rejected, requestId: key.split('/').pop() });
    else log.info('mandrill intake', { enqueued: outcome.enqueued, ...outcome.skipped, ...(outcome.gone ? { gone: true } : {}), ms: Date.now() - started });
  }
});
