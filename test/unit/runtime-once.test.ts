import { describe, expect, it } from 'vitest';
import { madeOnce } from '../../shared/runtime/once.ts';

describe('madeOnce (the link pages’ wiring, made on first request)', () => {
  it('makes the value once and shares it between callers', async () => {
    let made = 0;
    const value = madeOnce(async () => ++made);
    expect(await Promise.all([value(), value()])).toEqual([1, 1]);
    expect(await value()).toBe(1);
  });

  it('does not keep a failure: the next call makes it again', async () => {
    let calls = 0;
    const value = madeOnce(async () => {
      calls += 1;
      if (calls === 1) throw new Error('secrets not reachable');
      return 'wired';
    });
    await expect(value()).rejects.toThrow('secrets not reachable');
    expect(await value()).toBe('wired');
    expect(calls).toBe(2);
  });
});
