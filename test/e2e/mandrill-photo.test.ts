import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemView } from '../../infra/local/records.ts';
import { mandrillInbound } from '../../infra/local/traffic.ts';
import { startLocalHubProcess, type LocalHubProcess } from '../support/local-hub-process.ts';

/**
 * Issue 10: a resident's formal mail with one 2 MB photo, through Mandrill, on
 * the running local hub (`npm start` as a child process). Mandrill sends the
 * photo twice, base64 and form-encoded, so the POST is about 6 MB: the old
 * path (HTTP API -> Lambda, whose event is limited to 6 MB) answered 413 and
 * the mail was lost. Now the intake stores it and the clerk gets it.
 */

const CLERK = 'clerk@demo-parish.example.org.uk';
const PHOTO = 2 * 1024 * 1024;

describe('Mandrill mail with a 2 MB photo, on the local hub', () => {
  let hub: LocalHubProcess;

  beforeAll(async () => {
    hub = await startLocalHubProcess('hub-mandrill-photo-');
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
  });

  it('is answered 200, recorded as formal and routed to the clerk with its attachment listed; nothing is denied', async () => {
    const sent = await mandrillInbound(hub.target, {
      from: 'jane.resident@example.co.uk',
      fromName: 'Jane Resident',
      to: CLERK,
      subject: 'Formal complaint: fly-tipping in Mill Lane',
      text: 'Dear Clerk,\n\nI wish to make a formal complaint about the rubbish dumped in Mill Lane again. A photo is attached.\n\nJane Resident',
      messageId: '<photo-e2e@mail.example.co.uk>',
      attachment: { filename: 'mill-lane.jpg', contentType: 'image/jpeg', bytes: Buffer.alloc(PHOTO, 0xab) },
    });
    expect(sent.status).toBe(200);
    const item = await hub.until('the photo mail to be recorded', async () => {
      const items = (await (await fetch(`${hub.target.baseUrl}/local/items`)).json()) as ItemView[];
      return items.find((i) => i.subject === 'Formal complaint: fly-tipping in Mill Lane');
    });
    expect(item).toMatchObject({ channel: 'email', classification: 'formal' });
    const routing = await hub.until('the routing email', async () =>
      (await hub.outbox()).find((e) => e.kind === 'clerk-routing' && e.ref === item.ref && e.to === CLERK),
    );
    expect(routing.text).toContain(`mill-lane.jpg — image/jpeg, ${PHOTO} bytes`);
    const iam = (await (await fetch(`${hub.target.baseUrl}/local/iam`)).json()) as {
      enforcement: boolean;
      evaluated: Record<string, number>;
      denials: unknown[];
    };
    expect(iam).toMatchObject({ enforcement: true, denials: [] });
    expect(iam.evaluated.mandrillIntegration).toBeGreaterThan(0);
    expect(iam.evaluated.mandrillIntake).toBeGreaterThan(0);
  }, 60_000);
});
