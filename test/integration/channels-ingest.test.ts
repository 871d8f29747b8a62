import * as v from 'valibot';
import { asRole } from '../support/as-role.ts';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, S3Event, SESEvent, SNSEvent } from 'aws-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyEnv, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { FileMailStore, resetRawMailStore } from '../../shared/channels/raw-mail-store.ts';
import { InboundItem } from '../../shared/model/inbound-item.ts';
import { resetSecretsCache } from '../../shared/runtime/secrets.ts';
import { fixture, jsonFixture, TEST_SECRETS } from '../fixtures/channels/env.ts';
import { messengerSignature, sortedParamsSignature } from '../support/hostile.ts';
import { formBody, httpEvent, lambdaContext } from '../support/http-events.ts';
import { storedMandrillPost } from '../support/mandrill-intake.ts';
import { drainQueue } from '../support/queue.ts';

/** Real handlers (functions/*.ts) against the in-process SQS emulator: one queued InboundItem per provider event. */

type HttpHandler = (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;

let emu: Emulators;
let restoreEnv: () => void;
let sqs: SQSClient;
let mailDir: string;
const handlers = {} as Record<'messenger' | 'twilio' | 'mailchimp', HttpHandler> & {
  mandrill: (event: S3Event, context: ReturnType<typeof lambdaContext>) => Promise<void>;
  ses: (event: SESEvent, context: ReturnType<typeof lambdaContext>) => Promise<void>;
  sms: (event: SNSEvent, context: ReturnType<typeof lambdaContext>) => Promise<void>;
};

beforeAll(async () => {
  emu = await startEmulators({ prefix: `channels-${process.pid}-` });
  mailDir = mkdtempSync(join(tmpdir(), 'channels-maildir-'));
  restoreEnv = applyEnv({ ...emu.env, ...TEST_SECRETS, MAIL_DIR: mailDir, MAIL_PREFIX: 'inbound/', MANDRILL_WEBHOOK_URL: `http://${HOST}/webhooks/mandrill` });
  delete process.env.SECRETS_ARN;
  delete process.env.PUBLIC_BASE_URL;
  resetSecretsCache();
  resetRawMailStore();
  sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.sqsEndpoint });
  handlers.messenger = asRole('messengerWebhook', (await import('../../functions/messenger-webhook.ts')).handler) as unknown as HttpHandler;
  handlers.twilio = asRole('twilioWebhook', (await import('../../functions/twilio-webhook.ts')).handler) as unknown as HttpHandler;
  handlers.mailchimp = asRole('mailchimpWebhook', (await import('../../functions/mailchimp-webhook.ts')).handler) as unknown as HttpHandler;
  handlers.mandrill = asRole('mandrillIntake', (await import('../../functions/mandrill-intake.ts')).handler) as unknown as typeof handlers.mandrill;
  handlers.ses = asRole('sesInbound', (await import('../../functions/ses-inbound.ts')).handler) as unknown as typeof handlers.ses;
  handlers.sms = asRole('smsInbound', (await import('../../functions/sms-inbound.ts')).handler) as unknown as typeof handlers.sms;
});

afterAll(async () => {
  sqs?.destroy();
  restoreEnv?.();
  await emu?.stop();
  rmSync(mailDir, { recursive: true, force: true });
});

beforeEach(async () => {
  process.env.INBOUND_QUEUE_URL = emu.queueUrls.inbound;
  await drain();
});

/** Everything currently on the inbound queue, validated against the schema and deleted. */
async function drain(): Promise<InboundItem[]> {
  return (await drainQueue(sqs, emu.queueUrls.inbound)).map((m) => v.parse(InboundItem, JSON.parse(m.Body!)));
}

const HOST = 'localhost:3000';
const messengerPost = (body: string | Buffer) =>
  httpEvent({
    path: '/webhooks/messenger',
    headers: {
      host: HOST,
      'x-forwarded-proto': 'http',
      'content-type': 'application/json',
      'x-hub-signature-256': messengerSignature(body),
    },
    body,
  });
const batchOf = (count: number) =>
  JSON.stringify({
    object: 'page',
    entry: [
      {
        id: TEST_SECRETS.MESSENGER_PAGE_ID,
        time: 1767261600000,
        messaging: Array.from({ length: count }, (_, i) => ({
          sender: { id: `psid-${i}` },
          recipient: { id: TEST_SECRETS.MESSENGER_PAGE_ID },
          timestamp: 1767261600000 + i,
          message: { mid: `m_batch_${i}`, text: `Pothole number ${i} on the B1043` },
        })),
      },
    ],
  });

describe('ingest to queue', () => {
  it('Messenger: a batch of 50 events becomes exactly 50 queued items, and a retry repeats the same item ids', async () => {
    const body = batchOf(50);
    expect((await handlers.messenger(messengerPost(body), lambdaContext())).statusCode).toBe(200);
    const first = await drain();
    expect(first).toHaveLength(50);
    expect(new Set(first.map((i) => i.itemId))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `meta:m_batch_${i}`)));
    expect(first.find((i) => i.itemId === 'meta:m_batch_7')).toMatchObject({
      sender: { id: 'psid-7' },
      text: 'Pothole number 7 on the B1043',
      channel: 'messenger',
    });

    expect((await handlers.messenger(messengerPost(body), lambdaContext())).statusCode).toBe(200);
    const retry = await drain();
    expect(retry.map((i) => i.itemId).sort()).toEqual(first.map((i) => i.itemId).sort());
  });

  it("Messenger: echoes, reads and the Page's own comments put nothing on the queue", async () => {
    for (const name of ['messenger-echoes.json', 'messenger-feed.json', 'messenger-postback-read-delivery.json']) {
      expect((await handlers.messenger(messengerPost(fixture(name)), lambdaContext())).statusCode).toBe(200);
    }
    const items = await drain();
    expect(items.map((i) => i.itemId).sort()).toEqual(['meta:987654321098765_112233445566778:add', 'meta:m_GhI789']);
  });

  it('Twilio: one queued SMS item, answered with empty TwiML', async () => {
    const params = jsonFixture<Record<string, string>>('twilio-sms.json');
    const signature = sortedParamsSignature(`http://${HOST}/webhooks/twilio`, formBody(params), TEST_SECRETS.TWILIO_AUTH_TOKEN);
    const res = await handlers.twilio(
      httpEvent({
        path: '/webhooks/twilio',
        headers: { host: HOST, 'x-forwarded-proto': 'http', 'x-twilio-signature': signature },
        body: formBody(params),
        base64: true,
      }),
      lambdaContext(),
    );
    expect(res).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/xml' } });
    expect(await drain()).toMatchObject([{ itemId: 'twilio:SM1f0e8ae6ade43cb3c0ce4525424e404f', sender: { id: '+447700900456' } }]);
  });

  it('Mailchimp: one queued audience event per POST; 404 and nothing queued for a wrong secret', async () => {
    const events = jsonFixture<Record<string, Record<string, string>>>('mailchimp-events.json');
    const call = (secret: string) =>
      handlers.mailchimp(
        httpEvent({ path: `/webhooks/mailchimp/${secret}`, pathParameters: { secret }, body: formBody(events.unsubscribe!) }),
        lambdaContext(),
      );
    expect((await call('nope')).statusCode).toBe(404);
    expect((await call(TEST_SECRETS.MAILCHIMP_WEBHOOK_SECRET)).statusCode).toBe(200);
    expect(await drain()).toMatchObject([{ channel: 'mailchimp', kind: 'audience-event', audience: { type: 'unsubscribe', reason: 'manual' } }]);
  });

  it("Mandrill: a stored POST's inbound events become queued email items, other events none; the intake object is deleted", async () => {
    const fields = { mandrill_events: fixture('mandrill-events.json').toString('utf8') };
    const signature = sortedParamsSignature(`http://${HOST}/webhooks/mandrill`, formBody(fields), TEST_SECRETS.MANDRILL_WEBHOOK_KEY);
    const { key, event } = await storedMandrillPost(mailDir, formBody(fields), signature);
    await handlers.mandrill(event, lambdaContext());
    expect((await drain()).map((i) => i.itemId).sort()).toEqual(['mandrill:<bob-42@example.net>', 'mandrill:mandrill-inbound-0001']);
    expect(existsSync(join(mailDir, key))).toBe(false);
    // S3 notifications are at-least-once: a repeat finds the object taken and queues nothing.
    await handlers.mandrill(event, lambdaContext());
    expect(await drain()).toEqual([]);
  });

  it('SES: reads the raw mail from MAIL_DIR and queues one email item; a redelivery has the same id', async () => {
    const event = jsonFixture<SESEvent>('ses-event.json');
    const messageId = event.Records[0]!.ses.mail.messageId;
    await new FileMailStore(mailDir).put(`inbound/${messageId}`, fixture('ses-mail.eml'));
    await handlers.ses(event, lambdaContext());
    await handlers.ses(event, lambdaContext());
    const items = await drain();
    expect(items.map((i) => i.itemId)).toEqual([`ses:${messageId}`, `ses:${messageId}`]);
    expect(items[0]).toMatchObject({ subject: 'Overgrown hedge on Mill Road – café side', transport: { dmarc: 'FAIL' } });
    // As in AWS, the item points at its raw mail, so erasure can delete the local copy too.
    expect(items[0]?.raw).toEqual({ bucket: 'local-mail', key: `inbound/${messageId}` });
  });

  it('EUM SMS: the SNS record becomes one queued item; malformed records are skipped', async () => {
    const event = jsonFixture<SNSEvent>('eum-sns.json');
    const bad = { ...event.Records[0]!, Sns: { ...event.Records[0]!.Sns, Message: '{oops' } };
    await handlers.sms({ Records: [bad, event.Records[0]!] }, lambdaContext());
    expect(await drain()).toMatchObject([{ itemId: 'aws-sms:cae173d2-66b9-564c-8309-21f858e9fb84', receivedAt: '2026-01-05T11:00:00.123Z' }]);
  });

  describe('when the queue cannot take the items', () => {
    beforeEach(() => {
      // A queue the role may send to (its name maps to the stack's inbound queue) that does not exist.
      process.env.INBOUND_QUEUE_URL = `${emu.sqsEndpoint}/123456789012/channels-deleted-inbound`;
    });

    it('webhooks answer 5xx so the provider retries', async () => {
      const res = await handlers.messenger(messengerPost(batchOf(3)), lambdaContext());
      expect(res.statusCode).toBe(503);
    });

    it('the SES and SNS handlers throw so Lambda retries the event', async () => {
      const event = jsonFixture<SESEvent>('ses-event.json');
      await new FileMailStore(mailDir).put(`inbound/${event.Records[0]!.ses.mail.messageId}`, fixture('ses-mail.eml'));
      await expect(handlers.ses(event, lambdaContext())).rejects.toThrow();
      await expect(handlers.sms(jsonFixture<SNSEvent>('eum-sns.json'), lambdaContext())).rejects.toThrow();
    });
  });
});
