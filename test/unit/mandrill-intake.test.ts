import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { S3Event } from 'aws-lambda';
import { objectCreatedEvent } from '../../infra/local/s3-event.ts';
import { intakeKeys, takeMandrillIntake } from '../../shared/channels/mandrill-intake.ts';
import { mandrillRawMailKey, type IntakeMailStore, type MailObject } from '../../shared/channels/mail-stores.ts';
import { rawMailKeyOf } from '../../shared/dataprotection/key-classes.ts';
import type { InboundItem } from '../../shared/model/inbound-item.ts';
import type { Secrets } from '../../shared/runtime/secrets.ts';
import { MAIL_BUCKET } from '../../shared/topology.ts';
import { fixture, TEST_SECRETS } from '../fixtures/channels/env.ts';

/** takeMandrillIntake against an in-memory bucket: what is queued, kept and deleted, and what a failure leaves for the retry. */

const URL_SIGNED = 'https://abc123.execute-api.eu-west-2.amazonaws.com/mandrill/webhooks/mandrill';
const ENV = { MANDRILL_WEBHOOK_URL: URL_SIGNED };
const events = fixture('mandrill-events.json').toString('utf8');
const body = new URLSearchParams({ mandrill_events: events }).toString();
const sign = (key: string, url = URL_SIGNED) => createHmac('sha1', key).update(`${url}mandrill_events${events}`).digest('base64');

class MemoryStore implements IntakeMailStore {
  readonly bucket = 'mail';
  readonly objects = new Map<string, MailObject>();
  failPut = false;
  async get(key: string): Promise<Uint8Array> {
    return this.objects.get(key)!.bytes;
  }
  async put(key: string, bytes: Uint8Array, metadata: Record<string, string> = {}): Promise<void> {
    if (this.failPut) throw Object.assign(new Error('SlowDown'), { name: 'SlowDown' });
    this.objects.set(key, { bytes, metadata });
  }
  async getObject(key: string): Promise<MailObject | undefined> {
    return this.objects.get(key);
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}

function setup(signature: string | undefined) {
  const store = new MemoryStore();
  const key = 'mandrill-intake/req-1';
  store.objects.set(key, { bytes: Buffer.from(body), metadata: signature === undefined ? {} : { 'mandrill-signature': signature } });
  const queued: InboundItem[] = [];
  let failEnqueue = false;
  const deps = {
    store,
    enqueue: async (items: readonly InboundItem[]) => {
      if (failEnqueue) throw new Error('queue unavailable');
      queued.push(...items);
    },
    secrets: TEST_SECRETS as unknown as Secrets,
    env: ENV,
    now: new Date('2026-01-01T10:20:00Z'),
  };
  return { store, key, queued, deps, failQueue: () => void (failEnqueue = true) };
}

describe('takeMandrillIntake', () => {
  it('a POST signed for the configured URL: queues its inbound mails with their raw MIME kept, then deletes the intake object', async () => {
    const { store, key, queued, deps } = setup(sign(TEST_SECRETS.MANDRILL_WEBHOOK_KEY));
    expect(await takeMandrillIntake(key, deps)).toMatchObject({ enqueued: 2 });
    expect(queued.map((i) => i.itemId).sort()).toEqual(['mandrill:<bob-42@example.net>', 'mandrill:mandrill-inbound-0001']);
    for (const item of queued) {
      expect(item.raw).toEqual({ bucket: 'mail', key: mandrillRawMailKey(item.itemId) });
      // Erasure finds it from the item id alone (informal mail has no events naming it).
      expect(rawMailKeyOf(item.itemId)).toBe(item.raw!.key);
      expect(Buffer.from(store.objects.get(item.raw!.key)!.bytes).toString('utf8')).toMatch(/^(Received|From):/);
    }
    expect(store.objects.has(key)).toBe(false);
  });

  it('the signature is checked over the configured URL, never one the request could choose', async () => {
    const { store, key, queued, deps } = setup(sign(TEST_SECRETS.MANDRILL_WEBHOOK_KEY, 'https://attacker.example/webhooks/mandrill'));
    expect(await takeMandrillIntake(key, deps)).toMatchObject({ rejected: 'signature', enqueued: 0 });
    expect(queued).toEqual([]);
    expect([...store.objects.keys()]).toEqual([]);
  });

  it('a wrong key or no signature: rejected, nothing queued or kept, the object deleted', async () => {
    for (const signature of [sign('not-the-key'), undefined]) {
      const { store, key, queued, deps } = setup(signature);
      expect(await takeMandrillIntake(key, deps)).toMatchObject({ rejected: 'signature' });
      expect(queued).toEqual([]);
      expect(store.objects.size).toBe(0);
    }
  });

  it('a queue or store outage throws (Lambda retries the event) and leaves the intake object for the retry', async () => {
    const queue = setup(sign(TEST_SECRETS.MANDRILL_WEBHOOK_KEY));
    queue.failQueue();
    await expect(takeMandrillIntake(queue.key, queue.deps)).rejects.toThrow('queue unavailable');
    expect(queue.store.objects.has(queue.key)).toBe(true);
    const store = setup(sign(TEST_SECRETS.MANDRILL_WEBHOOK_KEY));
    store.store.failPut = true;
    await expect(takeMandrillIntake(store.key, store.deps)).rejects.toThrow('SlowDown');
    expect(store.store.objects.has(store.key)).toBe(true);
    expect(store.queued).toEqual([]);
  });

  it('an object already taken (a repeated notification) is nothing to do', async () => {
    const { key, queued, deps } = setup(sign(TEST_SECRETS.MANDRILL_WEBHOOK_KEY));
    await takeMandrillIntake(key, deps);
    expect(await takeMandrillIntake(key, deps)).toEqual({ enqueued: 0, skipped: {}, gone: true });
    expect(queued).toHaveLength(2);
  });

  it('without MANDRILL_WEBHOOK_URL it fails loudly rather than check against a guess', async () => {
    const { key, deps } = setup(sign(TEST_SECRETS.MANDRILL_WEBHOOK_KEY));
    await expect(takeMandrillIntake(key, { ...deps, env: {} })).rejects.toThrow('MANDRILL_WEBHOOK_URL');
  });
});

describe('intakeKeys', () => {
  it('decodes S3 event keys and skips anything outside the intake prefix', () => {
    const event = {
      Records: [
        { s3: { object: { key: 'mandrill-intake/abc-1%2B2' } } },
        { s3: { object: { key: 'inbound/some-ses-mail' } } },
        { s3: { object: { key: 'mandrill-intake/../inbound/x' } } },
        {},
      ],
    } as unknown as S3Event;
    expect(intakeKeys(event)).toEqual({ keys: ['mandrill-intake/abc-1+2'], foreign: 3 });
  });

  it("reads back every key API Gateway's extended request id can make ('/', '+', '=' and base64's letters) as S3's event spells it", () => {
    const ids = ['LgLnUHxTjoEFXXQ=', 'Ab+c/dE9fGhIjKw=', 'a b', '++//=='];
    const keys = ids.map((id) => `${MAIL_BUCKET.mandrillIntakePrefix}${id}`);
    const event = { Records: keys.map((key) => objectCreatedEvent('mail', key).Records[0]) } as S3Event;
    expect(event.Records[1]!.s3.object.key).toBe('mandrill-intake/Ab%2Bc/dE9fGhIjKw%3D');
    expect(intakeKeys(event)).toEqual({ keys, foreign: 0 });
  });
});
