import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attachmentsOf, buildSendEmailInput } from '../../shared/delivery/email.ts';
import type { OutboxMessage } from '../../shared/model/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hub-attach-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("deliver: the clerk's attachments", () => {
  it('are read back from the stored reply and sent with the answer; a reply the store no longer has fails for good', async () => {
    mkdirSync(join(dir, 'inbound'), { recursive: true });
    const boundary = 'b1';
    writeFileSync(
      join(dir, 'inbound', 'reply-1'),
      [
        'From: clerk@example.org',
        'To: reply+x@hub.example.org',
        'Subject: Re: FOI',
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain',
        '',
        'Attached.',
        `--${boundary}`,
        'Content-Type: application/pdf; name="contract.pdf"',
        'Content-Disposition: attachment; filename="contract.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 test').toString('base64'),
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    const env = { MAIL_DIR: dir, SES_FROM_ADDRESS: 'hub@hub.example.org' };
    const files = await attachmentsOf('inbound/reply-1', env);
    expect(files.map((f) => [f.filename, f.contentType, Buffer.from(f.content).toString()])).toEqual([['contract.pdf', 'application/pdf', '%PDF-1.4 test']]);
    const msg: OutboxMessage = {
      schemaVersion: 1,
      id: 'ses:1:clerk-answer:x',
      kind: 'clerk-answer',
      channel: 'email',
      to: 'resident@example.net',
      council: 'demo',
      itemId: 'ses:1',
      ref: 'DEM-2026-000001',
      subject: 'Re: FOI',
      text: 'Attached.',
      createdAt: '2026-06-01T10:00:00Z',
    };
    const raw = Buffer.from(buildSendEmailInput(msg, env, new Date('2026-06-01T10:00:00Z'), files).Content!.Raw!.Data!).toString();
    expect(raw).toContain("filename*=UTF-8''contract.pdf");
    expect(raw).not.toMatch(/^Auto-Submitted:/m);
    await expect(attachmentsOf('inbound/gone', env)).rejects.toMatchObject({ reason: 'attachments-gone', retryable: false });
  });
});

describe("deliver: the clerk's answer refused by the channel", () => {
  it('tells the clerk once, with the reason; a delivered answer tells nobody', async () => {
    const { deliverOutboxMessage } = await import('../../shared/delivery/deliver.ts');
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
    const events: string[] = [];
    const notices: OutboxMessage[] = [];
    const answer: OutboxMessage = {
      schemaVersion: 1,
      id: 'meta:m1:clerk-answer:abc',
      kind: 'clerk-answer',
      channel: 'messenger',
      to: '7001',
      council: 'demo',
      itemId: 'meta:m1',
      ref: 'DEM-2026-000009',
      text: 'Hello',
      lastUserMessageAt: '2026-06-01T10:00:00Z',
      notifyOnFailure: 'clerk@example.org',
      createdAt: '2026-06-02T11:00:00Z',
    };
    const deps = {
      ops,
      audit: () => ({ append: async (e: { type: string }) => void events.push(e.type) }),
      send: async () => ({ status: 'skipped' as const, provider: 'meta', reason: 'outside-24h-window' }),
      notify: async (m: readonly OutboxMessage[]) => void notices.push(...m),
      now: () => new Date('2026-06-02T11:00:00Z'),
    };
    await deliverOutboxMessage(answer, deps);
    await deliverOutboxMessage(answer, deps);
    expect(events).toEqual(['reply-skipped']);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'clerk-notice', to: 'clerk@example.org', ref: 'DEM-2026-000009' });
    expect(notices[0]!.text).toContain('outside-24h-window');

    await deliverOutboxMessage({ ...answer, id: 'meta:m1:clerk-answer:def' }, { ...deps, send: async () => ({ status: 'sent' as const, provider: 'meta' }) });
    expect(events.at(-1)).toBe('answer-sent');
    expect(notices).toHaveLength(1);
  });
});
