import { createHash, createHmac } from 'node:crypto';

/**
 * Hashing for the audit trail: canonical JSON (object keys sorted at every
 * depth, undefined dropped) so the same facts always give the same bytes, and
 * the same hash after a DynamoDB round trip.
 */

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalise(value));
}

function canonicalise(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonicalise(v)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = canonicalise(v);
  }
  return out;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The fields of an audit event that its hash covers (every field but the hash itself). */
export interface ChainedFields {
  readonly council: string;
  readonly seq: number;
  readonly ref: string;
  readonly type: string;
  readonly at: string;
  readonly itemId: string;
  readonly data: Record<string, unknown>;
  readonly prevHash: string;
}

export function eventHash(fields: ChainedFields): string {
  const { council, seq, ref, type, at, itemId, data, prevHash } = fields;
  return sha256Hex(canonicalJson({ council, seq, ref, type, at, itemId, data, prevHash }));
}

/**
 * Pseudonymous sender identifier: HMAC-SHA256 of the normalised identity
 * (trimmed, lower-cased; spaces removed from phone numbers). Same address on
 * email and Mailchimp gives the same hash, so an auditor can find all of one
 * resident's items with `hub audit list --sender <address>`.
 *
 * Key: derived from the CONSENT_SIGNING_KEY secret with a fixed label
 * (HMAC(CONSENT_SIGNING_KEY, "parish-comms-hub/sender-hash/v1")), so the raw
 * signing key is never used for two purposes. Rotating CONSENT_SIGNING_KEY
 * therefore changes every sender hash: older items stay listed, but no
 * longer by sender.
 */
export function hashSender(identity: string, key: string): string {
  return createHmac('sha256', senderKey(key)).update(normaliseIdentity(identity), 'utf8').digest('hex');
}

const derived = new Map<string, Buffer>();
function senderKey(key: string): Buffer {
  let k = derived.get(key);
  if (!k) {
    k = createHmac('sha256', key).update('parish-comms-hub/sender-hash/v1').digest();
    derived.set(key, k);
  }
  return k;
}

export function normaliseIdentity(identity: string): string {
  const trimmed = identity.trim().toLowerCase();
  return /^\+?[\d\s().-]+$/.test(trimmed) ? trimmed.replace(/[\s().-]/g, '') : trimmed;
}
