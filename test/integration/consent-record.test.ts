import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { recordClerkConsent } from '../../shared/pipeline/consent-record.ts';
import { openRequestKey } from '../../shared/pipeline/consent-matters.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';

const policy = loadPolicy('stilton');
let emu: Emulators;
let documents: DynamoDBDocumentClient;
let audit: AuditStore;
let ops: OpsStore;

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'consent-record-' });
  documents = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
  audit = new AuditStore({ client: documents, tableName: emu.tableNames.audit, council: policy.council.id });
  ops = new OpsStore({ client: documents, tableName: emu.tableNames.ops });
});
afterAll(async () => {
  documents?.destroy();
  await emu?.stop();
});

async function awaitingConsent(ref: string) {
  await audit.putSummary({
    ref,
    council: policy.council.id,
    itemId: `twilio:${ref}`,
    channel: 'sms',
    provider: 'twilio',
    classification: 'formal',
    receivedAt: '2026-03-10T10:00:00.000Z',
    day: '2026-03-10',
    senderHash: `hash-${ref}`,
    consentStatus: 'requested',
    retainUntil: '2032-03-10',
  });
  await ops.claim(openRequestKey(`hash-${ref}`), { ttlSeconds: 86_400, value: { ref } });
  await ops.putDue('consent-reminder', '2026-03-17T10:00:00.000Z', ref, { ref });
}

describe('hub consent record', () => {
  it('records consent given by phone: audited with how and who, the status changes, the reminder and the open request are closed', async () => {
    await awaitingConsent('STL-2026-000101');
    const result = await recordClerkConsent(
      {
        ref: 'STL-2026-000101',
        answer: 'granted',
        how: 'phone',
        note: 'Mrs Example rang to say yes',
        recordedBy: 'jclerk',
        at: new Date('2026-03-11T09:30:00Z'),
      },
      { policy, audit, ops },
    );
    expect(result).toMatchObject({ ok: true, previous: 'requested' });
    expect((await audit.getSummary('STL-2026-000101'))?.consentStatus).toBe('granted');
    const [event] = (await audit.eventsFor('STL-2026-000101')).filter((e) => e.type === 'consent-granted');
    expect(event?.data).toMatchObject({
      recordedByClerk: true,
      how: 'phone',
      recordedBy: 'jclerk',
      previous: 'requested',
      noteSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The note may name the resident: it is kept beside the chain, not in it.
    expect(JSON.stringify(event)).not.toContain('Mrs Example');
    expect(await ops.get('CONSENT-NOTE#STL-2026-000101#2026-03-11T09:30:00.000Z')).toMatchObject({ note: 'Mrs Example rang to say yes', recordedBy: 'jclerk' });
    expect(await ops.queryDue('consent-reminder', '2026-04-01T00:00:00.000Z')).toEqual([]);
    expect((await ops.claim(openRequestKey('hash-STL-2026-000101'), { ttlSeconds: 60, value: { ref: 'next' } })).claimed).toBe(true);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('a later decline (consent withdrawn) is recorded too and replaces the status', async () => {
    await awaitingConsent('STL-2026-000102');
    const deps = { policy, audit, ops };
    await recordClerkConsent({ ref: 'STL-2026-000102', answer: 'granted', how: 'paper', recordedBy: 'jclerk', at: new Date('2026-03-11T09:00:00Z') }, deps);
    await recordClerkConsent(
      { ref: 'STL-2026-000102', answer: 'declined', how: 'in-person', recordedBy: 'deputy', at: new Date('2026-03-12T09:00:00Z') },
      deps,
    );
    expect((await audit.getSummary('STL-2026-000102'))?.consentStatus).toBe('declined');
    const types = (await audit.eventsFor('STL-2026-000102')).map((e) => [e.type, e.data.recordedBy]);
    expect(types).toEqual([
      ['consent-granted', 'jclerk'],
      ['consent-declined', 'deputy'],
    ]);
  });

  it('an unknown reference is refused, and nothing is written', async () => {
    expect(
      await recordClerkConsent({ ref: 'STL-2026-999999', answer: 'granted', how: 'phone', recordedBy: 'jclerk', at: new Date() }, { policy, audit, ops }),
    ).toEqual({ ok: false, reason: 'no record with reference STL-2026-999999' });
  });
});
