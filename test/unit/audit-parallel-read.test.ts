import { describe, expect, it } from 'vitest';
import { seqKey } from '../../shared/store/audit-appender.ts';
import { mergePages, planChainRanges, readRanges, type RangeQuery, type SortKeyRange } from '../../shared/store/parallel-read.ts';

/**
 * verify reads the chain as sort-key ranges queried at once. Whatever the
 * HEAD mark says, the ranges must give exactly what one Query of
 * begins_with(sk, 'EVENT#') gives, in the same order.
 */

/** A partition held in memory, queried as DynamoDB would: sorted keys, inclusive bounds, pages of `page` items. */
function partition(keys: string[], page = 3, delay: (range: SortKeyRange) => number = () => 0): { query: RangeQuery; calls: SortKeyRange[] } {
  const sorted = [...keys].sort();
  const calls: SortKeyRange[] = [];
  const query: RangeQuery = async (range, start) => {
    calls.push(range);
    await new Promise((resolve) => setTimeout(resolve, delay(range)));
    const inRange = sorted.filter((sk) => sk >= range.from && (range.to === undefined || sk <= range.to));
    const from = start ? inRange.indexOf(String(start.sk)) + 1 : 0;
    const items = inRange.slice(from, from + page).map((sk) => ({ sk }));
    return { items, ...(from + page < inRange.length ? { next: { sk: items.at(-1)!.sk } } : {}) };
  };
  return { query, calls };
}

async function collect(ranges: SortKeyRange[], query: RangeQuery): Promise<string[]> {
  const out: string[] = [];
  for await (const item of readRanges(ranges, query, 2)) out.push(String(item.sk));
  return out;
}

/** What a single Query with begins_with(sk, 'EVENT#') returns. */
const oneQuery = (keys: string[]) => [...keys].filter((k) => k.startsWith('EVENT#')).sort();

const chain = (n: number) => Array.from({ length: n }, (_, i) => seqKey(i + 1));

describe('reading the chain in parallel ranges', () => {
  it('tiles every EVENT# key: each range starts on the key the one before ended on, the last is open-ended', () => {
    const ranges = planChainRanges(23, 5);
    expect(ranges[0]).toEqual({ from: 'EVENT#', to: seqKey(5), skipFrom: false });
    for (let i = 1; i < ranges.length; i++) {
      expect(ranges[i]!.from).toBe(ranges[i - 1]!.to);
      expect(ranges[i]!.skipFrom).toBe(true);
    }
    expect(ranges.at(-1)!.to).toBeUndefined();
    expect(planChainRanges(undefined)).toEqual([{ from: 'EVENT#', skipFrom: false }]);
  });

  it('gives exactly what one Query gives, in order, with each boundary event once', async () => {
    const keys = chain(23);
    const { query } = partition(keys);
    expect(await collect(planChainRanges(23, 5), query)).toEqual(oneQuery(keys));
  });

  it('still reads events under unexpected keys, above the HEAD mark, and nothing outside EVENT#', async () => {
    // A key between two seq keys, events beyond a lowered mark, and other records in the partition.
    const keys = [...chain(30), `${seqKey(10)}x`, 'EVENT#', 'EVENTKEY', 'A', 'HEAD', 'EVENT$'];
    const { query } = partition(keys);
    const read = await collect(planChainRanges(12, 5), query);
    expect(read).toEqual(oneQuery(keys));
    expect(read).toContain(`${seqKey(10)}x`);
    expect(read).toContain(seqKey(30));
  });

  it('yields in range order even when later ranges answer first', async () => {
    const keys = chain(40);
    const { query } = partition(keys, 4, (range) => (range.from === 'EVENT#' ? 30 : 0));
    expect(await collect(planChainRanges(40, 10), query)).toEqual(oneQuery(keys));
  });

  it('queries at most a bounded number of ranges, however high a forged HEAD mark claims the chain goes', async () => {
    const keys = chain(12);
    const ranges = planChainRanges(1e12, 5);
    expect(ranges.length).toBeLessThanOrEqual(257);
    const { query } = partition(keys);
    expect(await collect(ranges, query)).toEqual(oneQuery(keys));
  });

  it('fails when a range fails, and never leaves the failure unhandled', async () => {
    const { query } = partition(chain(20));
    const failing: RangeQuery = (range, start) => (range.from === seqKey(15) ? Promise.reject(new Error('throttled')) : query(range, start));
    await expect(collect(planChainRanges(20, 5), failing)).rejects.toThrow('throttled');
  });
});

describe('merging paged reads', () => {
  async function* pages<T>(...list: T[][]): AsyncGenerator<T[]> {
    for (const page of list) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield page;
    }
  }

  it('yields every item of every read', async () => {
    const out: number[] = [];
    for await (const n of mergePages([pages([1, 2], [3]), pages([4]), pages<number>()])) out.push(n);
    expect(out.sort()).toEqual([1, 2, 3, 4]);
  });

  it('throws when any read fails', async () => {
    async function* broken(): AsyncGenerator<number[]> {
      yield [1];
      throw new Error('read failed');
    }
    const read = async () => {
      for await (const _ of mergePages([pages([1], [2]), broken()])) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow('read failed');
  });
});
