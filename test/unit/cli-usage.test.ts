import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { didYouMean, oneOf, parseOptions, UsageError } from '../../shared/cli/args.ts';

const ROOT = join(import.meta.dirname, '../..');

function hub(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/hub.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, HUB_DATA_DIR: join(ROOT, 'no-such-dir') },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('hub usage errors (what the auditor sees)', () => {
  it('names a misspelt option in one line, suggests the right one and points at --help, exit 2', () => {
    const out = hub(['audit', 'list', '--form', '2026-01-01']);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe("hub: unknown option --form (did you mean --from?)\nRun 'hub audit --help' for the options.\n");
  });

  it('prints no usage text after an error, only with --help', () => {
    const bad = hub(['audit', 'list', '--from', '2026-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(2);
    const help = hub(['audit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: hub audit');
  });
});

describe('shared option parser', () => {
  const spec = { from: { type: 'string', hint: 'YYYY-MM-DD' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

  it('reads long, inline and short forms and keeps positionals', () => {
    expect(parseOptions(['list', '--from=2026-01-01', '--json', '-h'], spec)).toEqual({
      values: { from: '2026-01-01', json: true, help: true },
      positionals: ['list'],
    });
    expect(parseOptions(['--from', '2026-01-01', '--', '--json'], spec).positionals).toEqual(['--json']);
  });

  it.each([
    [['--form', 'x'], 'unknown option --form (did you mean --from?)'],
    [['-x'], 'unknown option -x'],
    [['--from'], 'option --from needs a value (YYYY-MM-DD)'],
    [['--from', '--json'], 'option --from needs a value (YYYY-MM-DD)'],
    [['--json=yes'], 'option --json takes no value'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseOptions(argv, spec)).toThrow(new UsageError(message));
  });

  it('suggests near misses only', () => {
    expect(didYouMean('chanel', ['channel', 'consent'])).toBe('channel');
    expect(didYouMean('sender-has', ['sender', 'sender-hash'])).toBe('sender-hash');
    expect(didYouMean('colour', ['from', 'to', 'json'])).toBeUndefined();
    expect(oneOf('SMS', ['sms', 'email'], '--channel')).toBe('sms');
    expect(() => oneOf('emial', ['sms', 'email'], '--channel')).toThrow('(did you mean email?)');
  });
});
