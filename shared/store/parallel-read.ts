import { EVENT_PREFIX, seqKey } from './audit-appender.ts';

/**
 * Reads that page through DynamoDB several at a time (verify's I/O).
 *
 * The chain, in seq order. One Query pages serially
 * (each page waits for the one before), so a long chain is read as several
 * sort-key ranges queried at once, and yielded strictly in order.
 *
 * The ranges tile every sort key that begins with `EVENT#`, whatever the
 * HEAD mark says: a range ends on a key inclusively and the next starts on
 * that same key (the one item with that key is kept once), and the last range
 * is open-ended. So an event stored under an unexpected key, or above a
 * HEAD mark that was lowered, is read exactly as a single Query would read it.
 * The mark only decides where the boundaries fall.
 */

/** Events per range: about two 1 MB pages of typical events. */
export const RANGE_EVENTS = 5_000;
/** Ranges read at once ahead of the one being yielded (bounds memory to READ_AHEAD × RANGE_EVENTS events). */
export const READ_AHEAD = 4;
/** However high a (possibly forged) HEAD mark claims the chain goes. */
const MAX_RANGES = 256;

export interface SortKeyRange {
  readonly from: string;
  /** Inclusive; absent: every key from `from` on. */
  readonly to?: string;
  /** The previous range ended on `from` (inclusively): do not yield that item twice. */
  readonly skipFrom: boolean;
}

/** Ranges covering every `EVENT#` key, split so that each holds about `size` events of a chain whose head is `head`. */
export function planChainRanges(head: number | undefined, size = RANGE_EVENTS): SortKeyRange[] {
  if (!head || head <= size) return [{ from: EVENT_PREFIX, skipFrom: false }];
  const count = Math.min(Math.ceil(head / size), MAX_RANGES);
  const step = Math.ceil(head / count);
  const ranges: SortKeyRange[] = [];
  for (let i = 0; i < count; i++) {
    ranges.push({ from: i === 0 ? EVENT_PREFIX : seqKey(i * step), to: seqKey((i + 1) * step), skipFrom: i > 0 });
  }
  ranges.push({ from: seqKey(count * step), skipFrom: true });
  return ranges;
}

/** Whether an item a range query returned belongs to that range's share of the chain. */
export function inRange(range: SortKeyRange, sk: unknown): boolean {
  return typeof sk === 'string' && sk.startsWith(EVENT_PREFIX) && !(range.skipFrom && sk === range.from);
}

/** One page of a range: its items and where the next page starts. */
export type RangePage = { readonly items: readonly Record<string, unknown>[]; readonly next?: Record<string, unknown> };
export type RangeQuery = (range: SortKeyRange, start: Record<string, unknown> | undefined) => Promise<RangePage>;

/**
 * Every item of the ranges, in range order. Closed ranges are read whole,
 * up to READ_AHEAD at once; the open-ended last range (normally empty: the
 * events above the HEAD mark) is streamed page by page once the others are
 * done, so a chain with no usable mark is still read in bounded memory.
 */
export async function* readRanges(ranges: readonly SortKeyRange[], query: RangeQuery, readAhead = READ_AHEAD): AsyncGenerator<Record<string, unknown>> {
  const closed = ranges.filter((r) => r.to !== undefined);
  const open = ranges.filter((r) => r.to === undefined);
  const reading: Promise<Record<string, unknown>[]>[] = [];
  let next = 0;
  const fill = () => {
    while (reading.length < readAhead && next < closed.length) {
      const whole = readWhole(closed[next++]!, query);
      // A range that fails while an earlier one is yielded must not be an unhandled rejection; awaiting it still throws.
      whole.catch(() => undefined);
      reading.push(whole);
    }
  };
  fill();
  while (reading.length > 0) {
    const items = await reading.shift()!;
    fill();
    yield* items;
  }
  for (const range of open) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await query(range, start);
      for (const item of page.items) if (inRange(range, item.sk)) yield item;
      start = page.next;
    } while (start);
  }
}

async function readWhole(range: SortKeyRange, query: RangeQuery): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await query(range, start);
    for (const item of page.items) if (inRange(range, item.sk)) items.push(item);
    start = page.next;
  } while (start);
  return items;
}

/**
 * The items of several paged reads run at once, in whatever order their pages
 * arrive (for reads whose order does not matter). A failure in any read is
 * thrown once the pages already read have been yielded.
 */
export async function* mergePages<T>(reads: readonly AsyncIterable<readonly T[]>[]): AsyncGenerator<T> {
  const pages: (readonly T[])[] = [];
  let wake: (() => void) | undefined;
  let running = reads.length;
  let failure: unknown;
  for (const read of reads) {
    void (async () => {
      try {
        for await (const page of read) {
          pages.push(page);
          wake?.();
        }
      } catch (error) {
        failure ??= error;
      } finally {
        running -= 1;
        wake?.();
      }
    })();
  }
  while (running > 0 || pages.length > 0) {
    const page = pages.shift();
    if (page) yield* page;
    else if (failure) break;
    else await new Promise<void>((resolve) => (wake = resolve));
  }
  if (failure) throw failure;
}
