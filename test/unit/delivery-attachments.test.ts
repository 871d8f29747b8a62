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
    const msg: OutboxMessage = { schemaVersion: 1, id: 'ses:1:clerk-answer:x', kind: 'clerk-answer', channel: 'email', to: 'resident@example.net', council: 'demo', itemId: 'ses:1', ref: 'DEM-2026-000001', subject: 'Re: FOI', text: 'Attached.', createdAt: '2026-06-01T10:00:00Z' };
    const raw = Buffer.from(buildSendEmailInput(msg, env, new Date('2026-06-01T10:00:00Z'), files).Content!.Raw!.Data!).toString();
    expect(raw).toContain("filename*=UTF-8''contract.pdf");
    expect(raw).not.toMatch(/^Auto-Submitted:/m);
    await expect(attachmentsOf('inbound/gone', env)).rejects.toMatchObject({ reason: 'attachments-gone', retryable: false });
  });
});
