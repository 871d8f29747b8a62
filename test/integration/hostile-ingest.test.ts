import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { asRole } from '../support/as-role.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, S3Event, SESEvent } from 'aws-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetRawMailStore } from '../../shared/channels/raw-mail-store.ts';
import { applyEnv, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { resetSecretsCache } from '../../shared/runtime/secrets.ts';
import { TEST_SECRETS } from '../fixtures/channels/env.ts';
import { formBody, httpEvent, lambdaContext } from '../support/http-events.ts';
import { HOST, messengerSignature, queueBody, sortedParamsSignature } from '../support/hostile.ts';
import { storedMandrillPost } from '../support/mandrill-intake.ts';
import { drainQueue } from '../support/queue.ts';
import type { InboundItem } from '../../shared/model/inbound-item.ts';

/**
 * Hostile requests through the real handlers (functions/*.ts) onto the local
 * SQS emulator: what lands on the queue is exactly what SQS and the classify
 * consumer accept, refused requests put nothing there, and a replay repeats
 * the same itemIds.
 */

type HttpHandler = (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyStructuredResultV2>;

let emu: Emulators;
let restoreEnv: () => void;
let sqs: SQSClient;
let mailDir: string;
let messenger: HttpHandler;
let mandrill: (event: S3Event, context: ReturnType<typeof lambdaContext>) => Promise<void>;
let ses: (event: SESEvent, context: ReturnType<typeof lambdaContext>) => Promise<void>;

beforeAll(async () => {
  emu = await startEmulators({ prefix: `hostile-${process.pid}-` });
  mailDir = mkdtempSync(join(tmpdir(), 'hostile-maildir-'));
  restoreEnv = applyEnv({ ...emu.env, ...TEST_SECRETS, MAIL_DIR: mailDir, MAIL_PREFIX: 'inbound/', MANDRILL_WEBHOOK_URL: `https://${HOST}/webhooks/mandrill` });
  delete process.env.SECRETS_ARN;
  delete process.env.PUBLIC_BASE_URL;
  resetSecretsCache();
  resetRawMailStore();
  sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.sqsEndpoint });
  messenger = asRole('messengerWebhook', (await import('../../functions/messenger-webhook.ts')).handler) as unknown as HttpHandler;
  mandrill = asRole('mandrillIntake', (await import('../../functions/mandrill-intake.ts')).handler) as unknown as typeof mandrill;
  ses = asRole('sesInbound', (await import('../../functions/ses-inbound.ts')).handler) as unknown as typeof ses;
});

afterAll(async () => {
  sqs?.destroy();
  restoreEnv?.();
  resetRawMailStore();
  await emu?.stop();
  if (mailDir) rmSync(mailDir, { recursive: true, force: true });
});

beforeEach(async () => {
  process.env.INBOUND_QUEUE_URL = emu.queueUrls.inbound;
  await drain();
});

/** Everything on the inbound queue, each body checked as the consumer would, then deleted. */
async function drain(): Promise<InboundItem[]> {
  return (await drainQueue(sqs, emu.queueUrls.inbound)).map((m) => {
    const item = JSON.parse(m.Body!) as InboundItem;
    // The queued body is already the bounded form: serialising it again changes nothing and passes every check.
    expect(queueBody(item).body).toBe(m.Body);
    return item;
  });
}

const PAGE = TEST_SECRETS.MESSENGER_PAGE_ID;

describe('hostile input through the real handlers onto local SQS', () => {
  it('SES: a mail to 10,000 recipients with 5,000 path-traversal attachments and a 2 MB header is queued as one item', async () => {
    const to = Array.from({ length: 10_000 }, (_, i) => `"<script>${i}" <r${i}@example.org>`).join(', ');
    let raw = `From: "Ann \u202Egro.licnuoc@krelc" <ann@example.org>\r\nTo: ${to}\r\nSubject: =?UTF-8?B?${Buffer.from('Hedge\r\nBcc: v@example.com').toString('base64')}?=\r\nList-Unsubscribe: <${'u'.repeat(2_000_000)}>\r\nMessage-ID: <huge@example.org>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe hedge \u0000 on Mill Road\r\n`;
    for (let i = 0; i < 5_000; i++) raw += `--b\r\nContent-Disposition: attachment; size=-1; filename="${'../'.repeat(30)}etc/passwd${i}"\r\n\r\nx\r\n`;
    raw += '--b--\r\n';
    mkdirSync(join(mailDir, 'inbound'), { recursive: true });
    writeFileSync(join(mailDir, 'inbound', 'hostile-ses-1'), raw);
    const event = {
      Records: [
        {
          eventSource: 'aws:ses',
          eventVersion: '1.0',
          ses: {
            mail: { messageId: 'hostile-ses-1', source: 'ann@example.org', timestamp: '2026-01-05T10:00:00.000Z' },
            receipt: { recipients: ['clerk@demo-parish.example.org'] },
          },
        },
      ],
    } as unknown as SESEvent;
    await ses(event, lambdaContext('ses-inbound'));
    const items = await drain();
    expect(items.map((i) => i.itemId)).toEqual(['ses:hostile-ses-1']);
    expect(items[0]!.recipients.length).toBeGreaterThan(0);
    expect(items[0]!.attachments.every((a) => a.sizeBytes === 1)).toBe(true);
  }, 30_000);

  it('Mandrill: 30,000 recipients in one signed inbound mail is queued, not an error Lambda retries until the event is dropped', async () => {
    const to = Array.from({ length: 30_000 }, (_, i) => `resident.number.${i}@example.org`).join(', ');
    const events = JSON.stringify([
      {
        event: 'inbound',
        _id: 'hostile-mandrill-1',
        ts: 1767261600,
        msg: { from_email: 'a@example.org', raw_msg: `From: a@example.org\r\nTo: ${to}\r\nSubject: x\r\n\r\nhello` },
      },
    ]);
    const body = formBody({ mandrill_events: events });
    const signature = sortedParamsSignature(`https://${HOST}/webhooks/mandrill`, body, TEST_SECRETS.MANDRILL_WEBHOOK_KEY);
    await mandrill((await storedMandrillPost(mailDir, body, signature)).event, lambdaContext('mandrill'));
    expect((await drain()).map((i) => i.itemId)).toEqual(['mandrill:hostile-mandrill-1']);
  });

  it('Messenger: forged signatures queue nothing; a replay of an accepted body queues the same itemIds again', async () => {
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: 1,
          messaging: ['a', 'b', 'c'].map((x, i) => ({
            sender: { id: `psid-${x}` },
            recipient: { id: PAGE },
            timestamp: 1767261600000 + i,
            message: { mid: `m_replay_${x}`, text: `<script>alert("${x}")</script>\u0000` },
          })),
        },
      ],
    });
    const post = (raw: string, signature: string) =>
      messenger(
        httpEvent({ path: '/webhooks/messenger', domainName: HOST, body: raw, headers: { 'x-hub-signature-256': signature } }),
        lambdaContext('messenger'),
      );
    for (const [raw, signature] of [
      [body, ''],
      [body, `SHA256=${messengerSignature(body).slice(7)}`],
      [body, messengerSignature(body).slice(0, -1)],
      [`${body}\n`, messengerSignature(body)],
      [body.replace('psid-a', 'psid-z'), messengerSignature(body)],
    ]) {
      expect((await post(raw!, signature!)).statusCode).toBe(401);
    }
    expect(await drain()).toEqual([]);
    expect((await post(body, messengerSignature(body))).statusCode).toBe(200);
    const first = (await drain()).map((i) => i.itemId).sort();
    expect((await post(body, messengerSignature(body))).statusCode).toBe(200);
    const replay = (await drain()).map((i) => i.itemId).sort();
    expect(first).toEqual(['meta:m_replay_a', 'meta:m_replay_b', 'meta:m_replay_c']);
    expect(replay).toEqual(first);
  });
});
