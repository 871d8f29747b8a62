import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bindPrincipal, clearDenials, installIamEnforcement, recordedDenials, runAs } from '../../infra/local/iam/enforce.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { FileMailStore } from '../../shared/channels/mail-stores.ts';
import { attachmentsOf } from '../../shared/delivery/email.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { MAIL_BUCKET } from '../../shared/topology.ts';

/**
 * Enforcement is live: calls a role is not granted fail as AWS fails them,
 * before they reach the emulator, and are recorded.
 */

let emu: Emulators;
let documents: DynamoDBDocumentClient;
let sqs: SQSClient;
const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };

beforeAll(async () => {
  installIamEnforcement();
  emu = await startEmulators({ prefix: 'iam-enforcement-' });
  documents = createDocumentClient({ ...config, endpoint: emu.dynamodbEndpoint });
  sqs = new SQSClient({ ...config, endpoint: emu.sqsEndpoint });
});
afterAll(async () => {
  documents?.destroy();
  sqs?.destroy();
  await emu?.stop();
});
beforeEach(() => clearDenials());
// These tests expect denials; the global check (test/support/iam-setup.ts) must not see them.
afterEach(() => clearDenials());

describe('IAM enforcement against the synthesised roles', () => {
  it('a pipeline role may not update or delete a chained audit event: AccessDeniedException, HTTP 400, nothing written', async () => {
    const TableName = emu.tableNames.audit;
    await documents.send(new PutCommand({ TableName, Item: { pk: 'CHAIN#stilton', sk: 'EVENT#000001', hash: 'a' } }));
    const update = runAs('classify', () =>
      documents.send(
        new UpdateCommand({
          TableName,
          Key: { pk: 'CHAIN#stilton', sk: 'EVENT#000001' },
          UpdateExpression: 'SET #h = :h',
          ExpressionAttributeNames: { '#h': 'hash' },
          ExpressionAttributeValues: { ':h': 'forged' },
        }),
      ),
    );
    await expect(update).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    const remove = runAs('deliver', () => documents.send(new DeleteCommand({ TableName, Key: { pk: 'CHAIN#stilton', sk: 'EVENT#000001' } })));
    await expect(remove).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const { Item } = await documents.send(new GetCommand({ TableName, Key: { pk: 'CHAIN#stilton', sk: 'EVENT#000001' } }));
    expect(Item?.hash).toBe('a');
    expect(recordedDenials().map((d) => `${d.principal} ${d.action} ${d.detail}`)).toEqual([
      'classify dynamodb:UpdateItem audit key CHAIN#stilton',
      'deliver dynamodb:DeleteItem audit key CHAIN#stilton',
    ]);
  });

  it('the appender may note the seq in a pending event (dynamodb:LeadingKeys EVENTKEY#*); classify may not', async () => {
    await runAs('auditAppender', () =>
      documents.send(
        new UpdateCommand({
          TableName: emu.tableNames.audit,
          Key: { pk: 'EVENTKEY#x', sk: 'EVENTKEY' },
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'seq' },
          ExpressionAttributeValues: { ':s': 1 },
        }),
      ),
    );
    expect(recordedDenials()).toEqual([]);
    await expect(
      runAs('classify', () => documents.send(new PutCommand({ TableName: emu.tableNames.audit, Item: { pk: 'CHAIN#x', sk: 'EVENT#000000000001' } }))),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    clearDenials();
  });

  it('the auditor role reads but cannot write; an ingest webhook cannot touch the tables at all', async () => {
    const auditor = bindPrincipal(createDocumentClient({ ...config, endpoint: emu.dynamodbEndpoint }), 'auditor');
    await auditor.send(new GetCommand({ TableName: emu.tableNames.audit, Key: { pk: 'ITEM#X', sk: 'SUMMARY' } }));
    await expect(auditor.send(new PutCommand({ TableName: emu.tableNames.audit, Item: { pk: 'ITEM#X', sk: 'SUMMARY' } }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(
      runAs('messengerWebhook', () => documents.send(new GetCommand({ TableName: emu.tableNames.ops, Key: { pk: 'a', sk: 'b' } }))),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    auditor.destroy();
  });

  it('SQS: a webhook may send to the inbound queue but not the outbox, nor receive', async () => {
    await runAs('twilioWebhook', () => sqs.send(new SendMessageCommand({ QueueUrl: emu.queueUrls.inbound, MessageBody: '{}' })));
    await expect(runAs('twilioWebhook', () => sqs.send(new SendMessageCommand({ QueueUrl: emu.queueUrls.outbox, MessageBody: '{}' })))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(runAs('twilioWebhook', () => sqs.send(new ReceiveMessageCommand({ QueueUrl: emu.queueUrls.inbound })))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    expect(recordedDenials().map((d) => d.action)).toEqual(['sqs:SendMessage', 'sqs:ReceiveMessage']);
  });

  it('S3: the SES function may read raw mail under inbound/ only; classify may not read it', async () => {
    const s3 = new S3Client({ ...config, endpoint: 'http://127.0.0.1:9', forcePathStyle: true, maxAttempts: 1 });
    await expect(runAs('classify', () => s3.send(new GetObjectCommand({ Bucket: 'local-mail', Key: 'inbound/abc' })))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(runAs('sesInbound', () => s3.send(new GetObjectCommand({ Bucket: 'local-mail', Key: 'other/abc' })))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    // Allowed, so it goes on to the (absent) endpoint and fails there instead.
    await expect(runAs('sesInbound', () => s3.send(new GetObjectCommand({ Bucket: 'local-mail', Key: 'inbound/abc' })))).rejects.not.toMatchObject({
      name: 'AccessDenied',
    });
    s3.destroy();
  });

  it("the local mail store is evaluated as S3: Mandrill's integration role may only write the intake prefix, the intake function only read and delete it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iam-mail-'));
    try {
      const store = new FileMailStore(dir);
      await runAs('mandrillIntegration', () => store.put('mandrill-intake/req-1', Buffer.from('mandrill_events=[]'), { 'mandrill-signature': 'x' }));
      await expect(runAs('mandrillIntegration', () => store.put('inbound/forged', Buffer.from('x')))).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(runAs('mandrillIntake', () => store.get('content/stilton/STL-1'))).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(runAs('classify', () => store.getObject('mandrill-intake/req-1'))).rejects.toMatchObject({ name: 'AccessDenied' });
      expect((await runAs('mandrillIntake', () => store.getObject('mandrill-intake/req-1')))?.metadata).toEqual({ 'mandrill-signature': 'x' });
      await runAs('mandrillIntake', () => store.delete('mandrill-intake/req-1'));
      expect(existsSync(join(dir, 'inbound/forged'))).toBe(false);
      expect(recordedDenials().map((d) => `${d.principal} ${d.action} ${d.detail}`)).toEqual([
        'mandrillIntegration s3:PutObject object inbound/forged',
        'mandrillIntake s3:GetObject object content/stilton/STL-1',
        'classify s3:GetObject object mandrill-intake/req-1',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the local mail store answers a missing key as S3 does: NoSuchKey only for a role that may list the bucket, AccessDenied for any other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iam-mail-'));
    try {
      const store = new FileMailStore(dir);
      // sesInbound may read inbound/ but not list the bucket: S3 answers 403, not 404.
      await expect(runAs('sesInbound', () => store.get('inbound/expired'))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      // deliver may list: an expired reply is gone (a permanent 'attachments-gone'), not an outage to retry.
      await expect(runAs('deliver', () => store.get('inbound/expired'))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(runAs('deliver', () => attachmentsOf('inbound/expired', { MAIL_DIR: dir }))).rejects.toMatchObject({
        reason: 'attachments-gone',
        retryable: false,
      });
      // mandrillIntake may list: a repeated notification finds its object taken, and that is no error.
      expect(await runAs('mandrillIntake', () => store.getObject('mandrill-intake/taken'))).toBeUndefined();
      expect(recordedDenials().map((d) => `${d.principal} ${d.action} ${d.detail}`)).toEqual([`sesInbound s3:ListBucket bucket ${MAIL_BUCKET.id}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AWS limits the emulators do not enforce', () => {
  it('DynamoDB counts an item in UTF-8 bytes: 150,000 CJK characters (450 KB) are refused, 150,000 ASCII letters stored', async () => {
    const TableName = emu.tableNames.ops;
    const put = (text: string) => documents.send(new PutCommand({ TableName, Item: { pk: 'LIMIT#1', sk: 'VALUE', text } }));
    await expect(put('漢'.repeat(150_000))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
      $metadata: { httpStatusCode: 400 },
    });
    await put('a'.repeat(150_000));
  });

  it("SQS counts a message in UTF-8 bytes against the queue's maximum size", async () => {
    const big = '€'.repeat(400_000); // 1.2 MB in UTF-8, 400,000 UTF-16 units
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: emu.queueUrls.inbound, MessageBody: big }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: emu.queueUrls.inbound, MessageBody: '€'.repeat(300_000) }));
  });
});
