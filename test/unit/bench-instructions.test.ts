import { describe, expect, it } from 'vitest';
import { collectedInstructions } from '../../bench/lib/instructions.ts';

describe('instruction counts for the cold-start bench (npm run bench -- --instructions)', () => {
  it("reads callgrind's total from its summary, not from the other numbers it prints", () => {
    const stderr = [
      '==123== Callgrind, a call-graph generating cache profiler',
      '==123== Using Valgrind-3.19.0',
      '==123== Events    : Ir',
      '==123== Collected : 357017817',
      '==123== I   refs:      357,017,817',
    ].join('\n');
    expect(collectedInstructions(stderr)).toBe(357_017_817);
  });

  it('fails loudly when valgrind printed no count (the probe crashed, or valgrind is missing a tool)', () => {
    expect(() => collectedInstructions('==123== valgrind: failed to start tool')).toThrow(/no instruction count/);
  });
});
