import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/cli/args.ts';
import { parseDpArgs } from '../../shared/cli/dataprotection.ts';
import { retainUntilFor } from '../../shared/dataprotection/retention.ts';
import { isPastRetention } from '../../shared/dataprotection/retention.ts';
import { sarHtml } from '../../shared/dataprotection/sar-report.ts';
import type { AuditSummary } from '../../shared/model/index.ts';
import { loadPolicy } from '../../shared/policy/load.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('hub sar / erase / hold arguments', () => {
  it.each([
    [['sar', 'export', '--out', '/tmp/x'], /sar export needs --sender/],
    [['sar', 'export', '--sender', 'a@b.org'], /needs --out DIR/],
    [['sar', 'exprot'], /unknown sar command "exprot"/],
    [['erase', '--reason', 'SAR-1'], /erase needs --sender ID or --reference REF/],
    [['erase', '--reference', 'STL-2026-000001'], /needs --reason/],
    [['erase', '--sender', 'a@b.org', '--reference', 'STL-2026-000001', '--reason', 'R1'], /not both/],
    [['erase', '--refrence', 'STL-2026-000001', '--reason', 'R1'], /unknown option --refrence \(did you mean --reference\?\)/],
    [['erase', '--reference', 'STL-2026-000001', '--reason', 'asked by jo@example.org'], /permanent audit trail/],
    [['erase', '--reference', 'STL-2026-000001', '--reason', 'call 07700 900123'], /permanent audit trail/],
    [['hold', 'add', '--reason', 'FOI-1'], /needs a reference/],
    [['hold', 'add', 'STL-2026-000001'], /needs --reason/],
    [['hold', 'list', 'extra'], /unexpected argument "extra"/],
    [['hold'], /missing hold command/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseDpArgs(argv)).toThrow(UsageError);
    expect(() => parseDpArgs(argv)).toThrow(message);
  });

  it('takes every identity given and upper-cases references', () => {
    const sar = parseDpArgs(['sar', 'export', '--sender', 'A@B.org', '--sender', '+44 7700 900123', '--out', 'dir', '--local']);
    expect(sar).toMatchObject({ command: 'sar export', senders: ['A@B.org', '+44 7700 900123'], out: 'dir', local: true });
    expect(parseDpArgs(['hold', 'add', 'stl-2026-000001', '--reason', 'FOI-2026-007'])).toMatchObject({ ref: 'STL-2026-000001', reason: 'FOI-2026-007' });
  });

  it('the hub command prints the problem in one line (and where help is) and exits 2', () => {
    const run = spawnSync(process.execPath, [resolve(ROOT, 'bin/hub.js'), 'erase', '--refrence', 'X', '--reason', 'R'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual(['hub: unknown option --refrence (did you mean --reference?)', "Run 'hub erase --help' for the options."]);
  });
});

describe('retention periods', () => {
  const policy = loadPolicy('stilton');
  const summary = (classification: AuditSummary['classification'], receivedAt: string) => ({ classification, receivedAt }) as AuditSummary;

  it('formal content is kept six years, informal a year, each with its reason in the preset', () => {
    expect(retainUntilFor('formal', '2026-03-10T10:00:00.000Z', policy)).toBe('2032-03-10');
    expect(retainUntilFor('informal', '2026-03-10T10:00:00.000Z', policy)).toBe('2027-03-10');
    expect(policy.retention.formal.clause).toMatch(/Limitation Act/);
    expect(policy.retention.informal.note).toMatch(/NALC/);
    expect(policy.retention.rawMail?.days).toBe(30);
  });

  it('an item is past retention only after its last day (London)', () => {
    expect(isPastRetention(summary('formal', '2026-03-10T10:00:00.000Z'), policy, new Date('2032-03-10T23:30:00.000Z'))).toBe(false);
    expect(isPastRetention(summary('formal', '2026-03-10T10:00:00.000Z'), policy, new Date('2032-03-11T00:30:00.000Z'))).toBe(true);
  });
});

describe('subject access report', () => {
  it('escapes everything the resident wrote', () => {
    const html = sarHtml(
      { exportId: 'SAR-1', council: 'stilton', councilName: 'Stilton <PC>', generatedAt: '2026-04-01T09:00:00.000Z', identities: ['<b>x</b>@example.org'] },
      {
        items: [
          {
            summary: {
              ref: 'STL-2026-000001',
              channel: 'email',
              provider: 'ses',
              receivedAt: '2026-03-10T10:00:00.000Z',
              classification: 'formal',
              consentStatus: 'requested',
              retainUntil: '2032-03-10',
            } as AuditSummary,
            content: {
              sender: { id: 'x@example.org', name: '<img src=x onerror=alert(1)>' },
              subject: '"hi"',
              text: '<script>alert(1)</script>',
              attachments: [{ filename: '<a>.jpg', contentType: 'image/jpeg' }],
            },
            consent: [],
            sentToThem: [],
            forwardedToClerk: [],
            history: [],
          },
        ],
        informal: [],
        consentPerMatter: [],
        consentLedger: [],
        searched: [],
        excluded: 0,
        consentNotes: [{ ref: 'STL-2026-000001', at: '2026-03-11T10:00:00.000Z', how: 'phone', recordedBy: 'clerk', note: '<iframe>Mrs X agreed</iframe>' }],
        openConsentRequest: [],
        caseReminders: [],
        themes: [{ day: '2026-03-10', topic: 'Parking', example: '<svg onload=alert(1)>' }],
        messengerLastMessage: [],
        moderationOffences: [],
        rawMail: [],
        unclassified: {},
      },
    );
    expect(html).not.toMatch(/<script>|<img|<b>x|<a>|<iframe>|<svg/);
    expect(html).toContain('&#60;iframe&#62;Mrs X agreed');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });
});
