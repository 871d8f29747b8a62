import * as v from 'valibot';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyEnv, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { startHttpFront, type HttpFront } from '../../infra/local/hub-http.ts';
import { startMandrillIntake } from '../../infra/local/hub-mandrill.ts';
import type { Cleanup } from '../../infra/local/hub-util.ts';
import { evaluatedCalls } from '../../infra/local/iam/enforce.ts';
import { INTAKE_REJECTED_MESSAGE, NO_RECORDS_MESSAGE } from '../../shared/channels/mandrill-intake.ts';
import { resetRawMailStore } from '../../shared/channels/raw-mail-store.ts';
import { InboundItem } from '../../shared/model/inbound-item.ts';
import { log } from '../../shared/runtime/log.ts';
import { resetSecretsCache } from '../../shared/runtime/secrets.ts';
import { MAIL_BUCKET } from '../../shared/topology.ts';
import { TEST_SECRETS } from '../fixtures/channels/env.ts';
import { asRole } from '../support/as-role.ts';
import { sortedParamsSignature } from '../support/hostile.ts';
import { lambdaContext } from '../support/http-events.ts';
import { storedMandrillPost } from '../support/mandrill-intake.ts';
import { drainQueue } from '../support/queue.ts';

/**
 * Mandrill's intake end to end as the local hub runs it (REST API -> S3 ->
 * mandrillIntake), under IAM enforcement: the integration role writes the
 * POST, the function reads, verifies, keeps each mail's raw MIME, enqueues and
 * deletes. On the old path (HTTP API -> Lambda) a POST over about 4.7 MB was
 * refused with 413 before any code ran: one 2 MB photo lost the mail.
 */

let emu: Emulators;
let restoreEnv: () => void;
let sqs: SQSClient;
let mailDir: string;
let front: HttpFront;
let url: string;
const cleanup: Cleanup = [];
const warnings: string[] = [];

beforeAll(async () => {
  emu = await startEmulators({ prefix: `mandrill-intake-${process.pid}-` });
  mailDir = mkdtempSync(join(tmpdir(), 'mandrill-intake-'));
  front = await startHttpFront(0, { warn: (m) => warnings.push(m) });
  url = `http://127.0.0.1:${front.port}/webhooks/mandrill`;
  restoreEnv = applyEnv({ ...emu.env, ...TEST_SECRETS, MAIL_DIR: mailDir, MAIL_PREFIX: MAIL_BUCKET.objectPrefix, MANDRILL_WEBHOOK_URL: url });
  delete process.env.SECRETS_ARN;
  resetSecretsCache();
  resetRawMailStore();
  sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.sqsEndpoint });
  const intake = startMandrillIntake({ mailDir, logger: { warn: (m) => warnings.push(m) }, cleanup });
  front.serve((req, res, body) => intake.handle(req, res, body));
});

afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  await front?.close();
  sqs?.destroy();
  restoreEnv?.();
  await emu?.stop();
  rmSync(mailDir, { recursive: true, force: true });
});

beforeEach(async () => {
  process.env.INBOUND_QUEUE_URL = emu.queueUrls.inbound;
  await drainQueue(sqs, emu.queueUrls.inbound);
  warnings.length = 0;
});

/** Intake objects left in the bucket (a key may hold '/': files at any depth; metadata sidecars are not objects). */
const intakeObjects = () => {
  const dir = join(mailDir, MAIL_BUCKET.mandrillIntakePrefix);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.metadata.json'))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
};

/** After the intake has taken every stored POST (it enqueues before it deletes), the inbound queue holds nothing. */
async function nothingQueued(): Promise<void> {
  await intakeDrained();
  expect(await drainQueue(sqs, emu.queueUrls.inbound)).toEqual([]);
}

async function queued(count: number): Promise<InboundItem[]> {
  const items: InboundItem[] = [];
  for (let i = 0; i < 100 && items.length < count; i++) {
    items.push(...(await drainQueue(sqs, emu.queueUrls.inbound)).map((m) => v.parse(InboundItem, JSON.parse(m.Body!))));
    if (items.length < count) await new Promise((r) => setTimeout(r, 100));
  }
  return items;
}

/** Waits until the intake has taken (and deleted) every stored POST. */
async function intakeDrained(): Promise<void> {
  for (let i = 0; i < 100 && intakeObjects().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(intakeObjects()).toEqual([]);
}

/** An inbound mail with one attachment of `photoBytes`, as Mandrill posts it: raw_msg and attachments{} both carry it, base64. */
function photoMail(id: string, photoBytes: number): string {
  const photo = Buffer.alloc(photoBytes, 7).toString('base64');
  const raw = [
    'From: Jane Smith <resident@example.co.uk>',
    'To: enquiries@inbound.parish.example.org.uk',
    'Subject: Fly-tipping in Mill Lane (photo attached)',
    `Message-Id: <${id}@mail.example.co.uk>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'I wish to make a formal complaint: rubbish has been dumped in Mill Lane again. Photo attached.',
    '--b1',
    'Content-Type: image/jpeg; name="lane.jpg"',
    'Content-Disposition: attachment; filename="lane.jpg"',
    'Content-Transfer-Encoding: base64',
    '',
    ...(photo.match(/.{1,76}/g) ?? []),
    '--b1--',
    '',
  ].join('\r\n');
  const event = {
    event: 'inbound',
    ts: 1767262500,
    _id: id,
    msg: {
      raw_msg: raw,
      headers: { 'Message-Id': `<${id}@mail.example.co.uk>` },
      text: 'I wish to make a formal complaint: rubbish has been dumped in Mill Lane again. Photo attached.',
      from_email: 'resident@example.co.uk',
      from_name: 'Jane Smith',
      email: 'enquiries@inbound.parish.example.org.uk',
      subject: 'Fly-tipping in Mill Lane (photo attached)',
      attachments: { 'lane.jpg': { name: 'lane.jpg', type: 'image/jpeg', base64: true, content: photo } },
      spf: { result: 'pass' },
      dkim: { signed: true, valid: true },
    },
  };
  return JSON.stringify([event]);
}

/** The form Mandrill posts and its X-Mandrill-Signature over the configured URL. */
function signedForm(events: string, key: string = TEST_SECRETS.MANDRILL_WEBHOOK_KEY): { body: string; signature: string } {
  const body = new URLSearchParams({ mandrill_events: events }).toString();
  return { body, signature: sortedParamsSignature(url, body, key) };
}

function post(events: string, options: { key?: string; signature?: string | null } = {}): Promise<Response> {
  const { body, signature: signed } = signedForm(events, options.key);
  const signature = options.signature === undefined ? signed : options.signature;
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-mandrill-signature': signature }) },
    body,
  });
}

describe('Mandrill intake (REST API -> S3 -> mandrillIntake)', () => {
  it('one mail with a 2 MB photo (a POST over 4.7 MB) is answered 200 and queued whole, its raw MIME kept for the clerk', async () => {
    const events = photoMail('photo-0001', 2 * 1024 * 1024);
    const bytes = Buffer.byteLength(new URLSearchParams({ mandrill_events: events }).toString());
    expect(bytes).toBeGreaterThan(4_700_000);
    expect(bytes).toBeLessThan(10 * 1024 * 1024);
    const res = await post(events);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const [item, ...rest] = await queued(1);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      itemId: 'mandrill:photo-0001',
      provider: 'mandrill',
      sender: { id: 'resident@example.co.uk' },
      attachments: [{ filename: 'lane.jpg', contentType: 'image/jpeg' }],
      raw: { bucket: `local-${MAIL_BUCKET.id}` },
    });
    expect(item!.text).toContain('formal complaint');
    // The raw MIME is kept under the raw-mail prefix (deliver forwards the clerk's attachments from it; erasure deletes it).
    expect(readFileSync(join(mailDir, item!.raw!.key), 'utf8')).toContain('filename="lane.jpg"');
    expect(item!.raw!.key.startsWith(MAIL_BUCKET.objectPrefix)).toBe(true);
    await intakeDrained();
    // Both sides ran under their roles from the synthesised stack (zero denials is the global check).
    expect(evaluatedCalls().mandrillIntegration ?? 0).toBeGreaterThan(0);
    expect(evaluatedCalls().mandrillIntake ?? 0).toBeGreaterThan(0);
  });

  it('a POST whose signature fails is answered 200 (already stored) but records nothing and keeps nothing', async () => {
    const rawMail = () => (existsSync(join(mailDir, MAIL_BUCKET.objectPrefix)) ? readdirSync(join(mailDir, MAIL_BUCKET.objectPrefix)) : []);
    const before = rawMail();
    const events = photoMail('forged-0001', 1024);
    const res = await post(events, { key: 'not-the-key' });
    expect(res.status).toBe(200);
    await nothingQueued();
    expect(rawMail()).toEqual(before);
  });

  it("Mandrill's creation check: HEAD is 200, and an empty batch signed with test-webhook is taken and records nothing", async () => {
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    expect((await post('[]', { key: 'test-webhook' })).status).toBe(200);
    await nothingQueued();
  });

  it('without X-Mandrill-Signature the POST is refused with 400 and nothing is stored', async () => {
    const res = await post(photoMail('unsigned-0001', 10), { signature: null });
    expect(res.status).toBe(400);
    expect(intakeObjects()).toEqual([]);
    await nothingQueued();
  });

  it('over 10 MB is refused with 413 and nothing is stored', async () => {
    const res = await post(photoMail('huge-0001', 6 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(intakeObjects()).toEqual([]);
  });

  it('a mail over the MIME part limit is still recorded, header-only with the reason, its raw MIME kept', async () => {
    const parts = Array.from({ length: 5_001 }, () => '--b1\r\nContent-Type: text/plain\r\n\r\nx').join('\r\n');
    const raw = `From: resident@example.co.uk\r\nSubject: Many parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n${parts}\r\n--b1--\r\n`;
    const events = JSON.stringify([
      { event: 'inbound', _id: 'parts-0001', msg: { raw_msg: raw, from_email: 'resident@example.co.uk', subject: 'Many parts' } },
    ]);
    expect((await post(events)).status).toBe(200);
    const [item] = await queued(1);
    expect(item).toMatchObject({ itemId: 'mandrill:parts-0001', subject: 'Many parts', attachments: [], raw: {} });
    expect(item!.text).toContain('more than 5000 MIME parts');
    await intakeDrained();
  });
});

describe('mandrillIntake as S3 and Lambda invoke it (at-least-once, replays, logs)', () => {
  const intake = () => import('../../functions/mandrill-intake.ts').then((m) => asRole('mandrillIntake', m.handler));
  afterEach(() => vi.restoreAllMocks());

  it('a repeated notification for a POST already taken is acknowledged as gone, not an AccessDenied retried into the failure queue', async () => {
    const info = vi.spyOn(log, 'info');
    const { body, signature } = signedForm(photoMail('twice-0001', 10));
    const { event } = await storedMandrillPost(mailDir, body, signature, 'twice-0001-request');
    const handler = await intake();
    await handler(event, lambdaContext('mandrillIntake'));
    await handler(event, lambdaContext('mandrillIntake'));
    expect((await queued(1)).map((i) => i.itemId)).toEqual(['mandrill:twice-0001']);
    await nothingQueued();
    expect(info.mock.calls.map(([, attributes]) => attributes)).toEqual([
      expect.objectContaining({ enqueued: 1 }),
      expect.objectContaining({ enqueued: 0, gone: true, requestId: 'twice-0001-request' }),
    ]);
  });

  it("a replay given the failure queue's whole message (Lambda's envelope) warns and takes nothing; its requestPayload is taken", async () => {
    const warn = vi.spyOn(log, 'warn');
    const { body, signature } = signedForm(photoMail('replay-0001', 10));
    const { event } = await storedMandrillPost(mailDir, body, signature);
    const envelope = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: 'r-1',
        functionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:mandrillIntake',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'queue unavailable' },
    };
    const handler = await intake();
    await handler(envelope as unknown as S3Event, lambdaContext('mandrillIntake'));
    expect(warn.mock.calls).toEqual([[NO_RECORDS_MESSAGE]]);
    expect(intakeObjects()).toHaveLength(1);
    await handler(envelope.requestPayload, lambdaContext('mandrillIntake'));
    expect((await queued(1)).map((i) => i.itemId)).toEqual(['mandrill:replay-0001']);
    await nothingQueued();
  });

  it('logs the whole request id after the prefix (API Gateway ids may hold / + =) and event types it skips under `skipped`', async () => {
    const info = vi.spyOn(log, 'info');
    const warn = vi.spyOn(log, 'warn');
    const handler = await intake();
    const skipped = signedForm(JSON.stringify([{ event: 'message' }, { event: 'level' }]));
    await handler((await storedMandrillPost(mailDir, skipped.body, skipped.signature, 'Ab+c/d=')).event, lambdaContext('mandrillIntake'));
    expect(info.mock.calls).toEqual([['mandrill intake', expect.objectContaining({ enqueued: 0, skipped: { skipped_message: 1, skipped_level: 1 } })]]);
    const forged = signedForm(photoMail('forged-0002', 10), 'not-the-key');
    await handler((await storedMandrillPost(mailDir, forged.body, forged.signature, 'Xy+z/w=')).event, lambdaContext('mandrillIntake'));
    expect(warn.mock.calls).toEqual([[INTAKE_REJECTED_MESSAGE, { reason: 'signature', requestId: 'Xy+z/w=' }]]);
    await nothingQueued();
  });
});
