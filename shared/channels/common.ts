import { createHmac, timingSafeEqual } from 'node:crypto';

/** Small pure helpers shared by the channel parsers: type guards, signatures, ids. */

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export const asObject = (value: unknown): Json | undefined => (isObject(value) ? value : undefined);

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A non-empty string, or a finite number as its decimal string (Meta sends some ids as numbers). */
export function asId(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const asNumber = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** Compare two secrets/signatures in constant time (for equal lengths; a length mismatch is not secret). */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return left.length === right.length && timingSafeEqual(left, right);
}

export function hmac(algorithm: 'sha1' | 'sha256', key: string, data: string | Buffer): Buffer {
  return createHmac(algorithm, key).update(data).digest();
}

/** One SHA-256 for the whole hub (shared/store/hash.ts); it loads nothing but node:crypto. */
export { sha256Hex } from '../store/hash.ts';

/** ISO 8601 from epoch milliseconds, or undefined for nonsense values. */
export function isoFromMillis(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

/** Counts events skipped by reason, for the request log. */
export class SkipCounter {
  readonly counts: Record<string, number> = {};
  add(reason: string): void {
    const key = `skipped_${reason}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
}

/**
 * The URL + sorted-parameters string Twilio and Mandrill sign: keys sorted,
 * each `key + value` appended with no separator (repeated keys: values sorted).
 */
export function urlWithSortedParams(url: string, params: readonly (readonly [string, string])[]): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of params) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  let data = url;
  for (const key of [...byKey.keys()].sort(compareCodeUnits)) {
    for (const value of byKey.get(key)!.sort(compareCodeUnits)) data += key + value;
  }
  return data;
}

const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Bounds for provider-supplied lists and header-like strings, so a hostile
 * message (10,000 recipients, a 2 MB header) still becomes one item that fits
 * on the queue instead of failing to enqueue on every retry.
 */
export const MAX_LIST_ENTRIES = 50;
export const MAX_FIELD_CHARS = 1_000;

/** At most `max` characters, never ending on half a surrogate pair. */
export function clip(value: string, max: number = MAX_FIELD_CHARS): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

export const clipOptional = (value: string | undefined, max?: number): string | undefined => (value === undefined ? undefined : clip(value, max));

/** Drop undefined fields so items serialise without noise. */
export function optional<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
