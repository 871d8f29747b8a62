import { endianness } from 'node:os';

/** Code points as base64 of little-endian 32-bit integers. */
export function packCodePoints(codePoints: readonly number[]): string {
  const bytes = Buffer.alloc(codePoints.length * 4);
  for (const [i, c] of codePoints.entries()) bytes.writeInt32LE(c, i * 4);
  return bytes.toString('base64');
}

export function unpackCodePoints(packed: string): Int32Array {
  const bytes = Buffer.from(packed, 'base64');
  // Every Lambda architecture is little-endian, so the common case is one native copy.
  if (endianness() === 'LE') return new Int32Array(Uint8Array.from(bytes).buffer);
  return Int32Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readInt32LE(i * 4));
}
