import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SESEvent } from 'aws-lambda';
import { MAIL_BUCKET } from '../../shared/topology.ts';
import { CorruptDataError } from './errors.ts';
import { portError } from './hub-http.ts';
import { type Cleanup, describe, sleep, writeAtomically } from './hub-util.ts';
import { HandlerMissingError, invokeAsync } from './lambda.ts';
import { type LocalSmtp, startSmtp } from './smtp.ts';

export interface MailIntake {
  readonly smtp: LocalSmtp;
  /**
   * Hand mail to sesInbound from now on, and replay what waits in
   * mail-pending/. Its cleanup steps let mail being handled finish, then
   * leave the rest pending for the next start.
   */
  startDelivery(cleanup: Cleanup): void;
}

/**
 * SES receiving over SMTP. The listener starts early (its port is checked
 * with the HTTP port); mail accepted before the handlers can run is kept in
 * mail-pending/ and delivered by startDelivery.
 */
export async function startMailIntake(o: { port: number; mailDir: string; pendingDir: string; logger: { warn(message: string): void } }): Promise<MailIntake> {
  const { pendingDir, logger } = o;
  // Replaced by startDelivery; until then mail stays pending.
  let deliverMail: (event: SESEvent) => Promise<void> = async () => undefined;
  let smtp: LocalSmtp;
  try {
    smtp = await startSmtp({
      port: o.port,
      objectKeyPrefix: MAIL_BUCKET.objectPrefix,
      storeRawMail: async (key, raw) => writeAtomically(join(o.mailDir, key), raw),
      // Until the SES handler has taken the mail, its event waits in mail-pending/ (replayed at start).
      accept: async (event) => writeAtomically(join(pendingDir, `${event.Records[0]!.ses.mail.messageId}.json`), Buffer.from(JSON.stringify(event))),
      deliver: (event) => deliverMail(event),
    });
  } catch (error) {
    throw portError(error, 'HUB_SMTP_PORT', o.port);
  }

  const startDelivery = (cleanup: Cleanup): void => {
    let stopping = false;
    const mailInFlight = new Set<Promise<void>>();
    const deliverOnce = async (event: SESEvent) => {
      const pending = join(pendingDir, `${event.Records[0]!.ses.mail.messageId}.json`);
      // Lambda retries a failed asynchronous (Event) invocation twice; locally after 1 s and 2 s.
      for (const delay of [0, 1000, 2000]) {
        if (delay) await sleep(delay);
        if (stopping) return; // still pending: replayed at the next start
        try {
          await invokeAsync('sesInbound', event);
          rmSync(pending, { force: true });
          return;
        } catch (error) {
          logger.warn(`sesInbound: ${describe(error)}`);
          if (error instanceof HandlerMissingError) return;
        }
      }
      // Lambda would hand a thrice-failed event to its on-failure destination; here it stays pending.
    };
    deliverMail = (event) => {
      const run = deliverOnce(event).finally(() => mailInFlight.delete(run));
      mailInFlight.add(run);
      return run;
    };
    // Before the pollers and emulators stop: let mail already being handled finish.
    cleanup.push(() => Promise.all(mailInFlight).then(() => undefined));
    cleanup.push(() => void (stopping = true));
    for (const event of pendingEvents(pendingDir)) void deliverMail(event);
  };
  return { smtp, startDelivery };
}

/** The events waiting in mail-pending/, read one at a time (a corrupt one stops the start where it is). */
function* pendingEvents(pendingDir: string): Generator<SESEvent> {
  for (const file of readdirSync(pendingDir).filter((f) => f.endsWith('.json'))) {
    let event: SESEvent;
    try {
      event = JSON.parse(readFileSync(join(pendingDir, file), 'utf8')) as SESEvent;
    } catch {
      throw new CorruptDataError(`${join(pendingDir, file)} is not an SES event`);
    }
    yield event;
  }
}
