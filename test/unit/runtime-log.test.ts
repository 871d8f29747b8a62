import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../shared/runtime/log.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  return { out, err, json: (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

afterEach(() => vi.restoreAllMocks());

describe('log (Powertools-shaped JSON lines)', () => {
  it('writes one JSON line per entry with the Powertools fields first, then the attributes', () => {
    const c = capture();
    createLogger({ LOG_LEVEL: 'INFO', _X_AMZN_TRACE_ID: 'Root=1-abc-def;Parent=12;Sampled=1' }).info('request', { route: 'messenger', status: 200 });
    expect(c.out).toHaveLength(1);
    expect(c.out[0]!.endsWith('\n')).toBe(true);
    const [entry] = c.json(c.out);
    expect(Object.keys(entry!)).toEqual(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id', 'route', 'status']);
    expect(entry).toMatchObject({
      level: 'INFO',
      message: 'request',
      service: 'parish-comms-hub',
      sampling_rate: 0,
      xray_trace_id: '1-abc-def',
      route: 'messenger',
      status: 200,
    });
    expect(new Date(entry!.timestamp as string).toISOString()).toBe(entry!.timestamp);
  });

  it('sends warnings and errors to stderr and formats errors with name, location, message, stack and cause', () => {
    const c = capture();
    const logger = createLogger({ LOG_LEVEL: 'INFO' });
    logger.warn('retry', { outboxId: 'o1' });
    logger.error('failed', { outboxId: 'o1', error: new TypeError('boom', { cause: new Error('inner') }) });
    expect(c.out).toEqual([]);
    const [warn, error] = c.json(c.err);
    expect(warn).toMatchObject({ level: 'WARN', outboxId: 'o1' });
    expect('xray_trace_id' in warn!).toBe(false);
    const formatted = error!.error as Record<string, any>;
    expect(formatted).toMatchObject({ name: 'TypeError', message: 'boom', cause: { name: 'Error', message: 'inner' } });
    expect(formatted.location).toMatch(/:\d+$/);
    expect(formatted.stack).toContain('TypeError: boom');
  });

  it.each([
    [{ LOG_LEVEL: 'WARN' }, ['WARN', 'ERROR']],
    [{ LOG_LEVEL: 'debug' }, ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    [{ VITEST: 'true' }, []],
    [{}, ['INFO', 'WARN', 'ERROR']],
    [{ LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'ERROR' }, ['ERROR']],
  ])('filters by level: %j', (env, expected) => {
    const c = capture();
    const logger = createLogger(env as NodeJS.ProcessEnv);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(
      c
        .json([...c.out, ...c.err])
        .map((e) => e.level)
        .sort(),
    ).toEqual([...expected].sort());
  });
});
