import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FileMailStore } from '../../shared/channels/mail-stores.ts';
import { MAIL_BUCKET, MANDRILL_INTAKE } from '../../shared/topology.ts';
import { send } from './hub-http.ts';
import { type Cleanup, describe, sleep } from './hub-util.ts';
import { runAs } from './iam/enforce.ts';
import { HandlerMissingError, invokeAsync } from './lambda.ts';
import { objectCreatedEvent } from './s3-event.ts';

/**
 * Mandrill's intake as API Gateway's REST API and S3 run it in AWS
 * (infra/aws/constructs/mandrill-intake.ts): HEAD is 200; a POST without
 * X-Mandrill-Signature is 400 and stores nothing; otherwise the body is
 * written to the mail store as the integration role (IAM enforcement
 * evaluates the PutObject), the answer is 200 with an empty body, and S3's
 * notification invokes mandrillIntake asynchronously (retried twice, as
 * Lambda does). Over 10 MB the front answers 413 (hub-http.ts). Objects not
 * yet taken when the hub stops are handed over again at the next start.
 */
/** The URL Mandrill is given locally: the one the local clients (demo, load, tests) post to, at 127.0.0.1. */
export function localMandrillUrl(httpUrl: string): string {
  return `${httpUrl.replace('//localhost:', '//127.0.0.1:')}${MANDRILL_INTAKE.path}`;
}

export interface LocalMandrillIntake {
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
  /** Stored POSTs mandrillIntake has not taken yet (the load run waits for them as for pending SES mail). */
  pending(): number;
}

export function startMandrillIntake(o: { mailDir: string; logger: { warn(message: string): void }; cleanup: Cleanup }): LocalMandrillIntake {
  const store = new FileMailStore(o.mailDir);
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  const notify = (key: string): void => {
    const run = deliver(key).finally(() => inFlight.delete(run));
    inFlight.add(run);
  };
  const deliver = async (key: string): Promise<void> => {
    for (const delay of [0, 1000, 2000]) {
      if (delay) await sleep(delay);
      if (stopping) return; // the object stays: handed over at the next start
      try {
        await invokeAsync('mandrillIntake', objectCreatedEvent(store.bucket, key));
        return;
      } catch (error) {
        o.logger.warn(`mandrillIntake: ${describe(error)}`);
        if (error instanceof HandlerMissingError) return;
      }
    }
    // Lambda would hand the event to the async-failure queue; the object stays in mandrill-intake/ until the next start.
  };
  o.cleanup.push(() => Promise.all(inFlight).then(() => undefined));
  o.cleanup.push(() => void (stopping = true));
  for (const key of waitingKeys(o.mailDir)) notify(key);

  return {
    pending: () => waitingKeys(o.mailDir).length,
    async handle(req, res, body) {
      const method = (req.method ?? 'GET').toUpperCase();
      if (method === 'HEAD') return send(res, 200, '');
      if (method !== 'POST') return send(res, 403, { message: 'Missing Authentication Token' });
      const signature = req.headers['x-mandrill-signature'];
      if (typeof signature !== 'string') return send(res, 400, { message: 'Missing required request parameters: [X-Mandrill-Signature]' });
      const key = `${MAIL_BUCKET.mandrillIntakePrefix}${randomUUID()}`;
      try {
        await runAs('mandrillIntegration', () => store.put(key, body, { [MANDRILL_INTAKE.signatureMetadata]: signature }));
      } catch (error) {
        // The integration response maps S3's failure to 503, so Mandrill retries.
        o.logger.warn(`mandrill intake: not stored: ${describe(error)}`);
        return send(res, 503, { message: 'not stored, retry' });
      }
      send(res, 200, '');
      notify(key);
    },
  };
}

/** Intake objects left from an earlier run (metadata sidecars are not objects). */
function waitingKeys(mailDir: string): string[] {
  try {
    return readdirSync(join(mailDir, MAIL_BUCKET.mandrillIntakePrefix))
      .filter((name) => !name.endsWith('.json') && !name.endsWith('.tmp'))
      .map((name) => `${MAIL_BUCKET.mandrillIntakePrefix}${name}`);
  } catch {
    return [];
  }
}
