import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliverOutboxMessage } from '../../shared/delivery/deliver.ts';
import type { AuditEvent, OutboxMessage } from '../../shared/model/index.ts';
import { loadPolicy, parsePolicy } from '../../shared/policy/load.ts';
import type { Policy } from '../../shared/policy/schema.ts';
import { checkDigests, LocalDigestStore, LocalKeySigner, parseDigest } from '../../shared/store/audit-digest.ts';
import { runHourlyDigest } from '../../shared/store/hourly-digest.ts';
import { eventHash, GENESIS_HASH } from '../../shared/store/hash.ts';

/**
 * Optionally, each digest is emailed to the auditors the policy lists
 * (`audit.digestRecipients`): one email per digest to each, from the hub's
 * SES identity through deliver, with nothing personal in it.
 */

const stilton = loadPolicy('stilton');
const AUDITORS = ['internal.auditor@example.org.uk', 'rfo@example.org.uk'];
const withAuditors = (recipients: unknown): unknown => ({
  ...structuredClone(stilton),
  audit: { digestRecipients: recipients, clause: 'default: the council names its auditors' },
});

function hub(policy: Policy, clock: { now: Date }) {
  const dir = mkdtempSync(join(tmpdir(), 'digest-mail-'));
  const signer = new LocalKeySigner(join(dir, 'key.pem'));
  const store = new LocalDigestStore(join(dir, 'digests'));
  const events: AuditEvent[] = [];
  const published: OutboxMessage[] = [];
  const audit = {
    council: policy.council.id,
    headMark: async () => (events.length ? { seq: events.length, hash: events.at(-1)!.hash } : undefined),
    async *eventsAfter(seq: number) {
      yield* events.slice(seq);
    },
  };
  const appendTo = (seq: number) => {
    while (events.length < seq) {
      const fields = {
        council: policy.council.id,
        seq: events.length + 1,
        ref: 'S-2026-000001',
        type: 'reply-sent' as const,
        at: '2026-04-01T09:00:00.000Z',
        itemId: 'i1',
        data: {},
        prevHash: events.at(-1)?.hash ?? GENESIS_HASH,
      };
      events.push({ ...fields, hash: eventHash(fields) } as AuditEvent);
    }
  };
  const run = () => runHourlyDigest({ policy, audit, store, signer, publish: async (m) => void published.push(...m), now: () => clock.now });
  return { signer, store, published, run, appendTo };
}

describe('digest emails to the policy auditors', () => {
  it('the policy field is optional and validated: lower-case addresses, 1 to 5, not the hub itself, no repeats', () => {
    expect(stilton.audit).toBeUndefined();
    expect(parsePolicy(withAuditors(AUDITORS), 'a.json').audit?.digestRecipients).toEqual(AUDITORS);
    expect(() => parsePolicy(withAuditors(['Auditor@Example.org.uk']), 'a.json')).toThrow(/audit\.digestRecipients\.0: expected the address in lower case/);
    expect(() => parsePolicy(withAuditors([]), 'a.json')).toThrow(/at least one auditor/);
    expect(() => parsePolicy(withAuditors(['a@x.uk', 'b@x.uk', 'c@x.uk', 'd@x.uk', 'e@x.uk', 'f@x.uk']), 'a.json')).toThrow(/at most 5/);
    expect(() => parsePolicy(withAuditors([stilton.contacts.hubAddresses[0]]), 'a.json')).toThrow(/not one the hub sends from/);
    expect(() => parsePolicy(withAuditors(['a@x.uk', 'a@x.uk']), 'a.json')).toThrow(/appears twice/);
  });

  it('no auditors listed: digests are written, nothing is emailed', async () => {
    const h = hub(stilton, { now: new Date('2026-04-01T10:00:00Z') });
    h.appendTo(3);
    expect(await h.run()).toMatchObject({ written: true, number: 1, emailed: 0 });
    expect(h.published).toEqual([]);
  });

  it('one email per digest to each auditor, the digest in it verifies, and nothing personal is in it or in the result', async () => {
    const policy = parsePolicy(withAuditors(AUDITORS), 'a.json');
    const clock = { now: new Date('2026-04-01T10:00:00Z') };
    const h = hub(policy, clock);
    h.appendTo(7);
    const result = await h.run();
    expect(result).toEqual({ written: true, number: 1, seq: 7, emailed: 2 });
    expect(JSON.stringify(result)).not.toContain('@');
    expect(h.published.map((m) => [m.to, m.kind, m.channel, m.id, m.ref])).toEqual([
      [AUDITORS[0], 'audit-digest', 'email', 'audit-digest:stilton:1:0', undefined],
      [AUDITORS[1], 'audit-digest', 'email', 'audit-digest:stilton:1:1', undefined],
    ]);
    // Ids and subject carry no address (deliver logs the id and kind).
    for (const m of h.published) expect(`${m.id} ${m.itemId} ${m.subject} ${m.text}`).not.toMatch(/@/);
    // The email saved as a file is a digest verify accepts.
    const emailed = parseDigest(h.published[0]!.text)!;
    expect(emailed).toMatchObject({ number: 1, seq: 7, council: 'stilton' });
    expect(checkDigests([emailed], await h.signer.publicKeyPem(), 'stilton')).toMatchObject({ findings: [], checkpoints: [{ seq: 7 }] });
  });

  it('a run after a failed publish (or the next hour) publishes the same messages again, and deliver sends each once; none after two hours', async () => {
    const policy = parsePolicy(withAuditors(AUDITORS.slice(0, 1)), 'a.json');
    const clock = { now: new Date('2026-04-01T10:00:00Z') };
    const h = hub(policy, clock);
    h.appendTo(2);
    await h.run();
    clock.now = new Date('2026-04-01T11:00:00Z');
    expect(await h.run()).toMatchObject({ written: false, number: 1, emailed: 1 });
    clock.now = new Date('2026-04-01T12:30:00Z');
    expect(await h.run()).toMatchObject({ written: false, emailed: 0 });
    expect(h.published.map((m) => m.id)).toEqual(['audit-digest:stilton:1:0', 'audit-digest:stilton:1:0']);

    const records = new Map<string, Record<string, unknown>>();
    const ops = {
      claim: async (key: string, o: { value?: Record<string, unknown> }) => {
        if (records.has(key)) return { claimed: false, existing: records.get(key)! };
        records.set(key, o.value ?? {});
        return { claimed: true };
      },
      put: async (key: string, value: Record<string, unknown>) => void records.set(key, value),
      delete: async (key: string) => void records.delete(key),
    };
    let sent = 0;
    const deps = {
      ops,
      audit: () => ({ append: async () => undefined }),
      send: async () => {
        sent++;
        return { status: 'sent' as const, provider: 'ses' };
      },
    };
    for (const m of h.published) await deliverOutboxMessage(m, deps);
    expect(sent).toBe(1);
  });
});
