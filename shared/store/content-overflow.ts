import { createHash } from 'node:crypto';
import type { RawMailStore } from '../channels/mail-stores.ts';
import { MAIL_BUCKET } from '../topology.ts';
import type { PersonalContent } from './audit-store.ts';

/**
 * DynamoDB items stop at 400 KB counted in UTF-8 (100,000 CJK characters are
 * 300 KB): a content record that would not fit keeps the full content as a
 * JSON object in the encrypted raw-mail bucket, under a prefix that does not
 * expire, and holds the start of the text plus the object's key, size and
 * SHA-256 (so the record's hash, and through it the chain, covers the full text).
 */

/** Room for the record's other attributes (keys, hash, retention) within DynamoDB's 400 KB. */
export const CONTENT_INLINE_LIMIT_BYTES = 300 * 1024;
/** What the record keeps of a text that went to the bucket. */
export const CONTENT_EXCERPT_CHARS = 20_000;

export function contentKey(council: string, ref: string): string {
  return `${MAIL_BUCKET.contentPrefix}${council}/${ref}.json`;
}

export async function fitContent(content: PersonalContent, key: string, store: RawMailStore | undefined): Promise<PersonalContent> {
  const full = Buffer.from(JSON.stringify(content), 'utf8');
  if (full.byteLength <= CONTENT_INLINE_LIMIT_BYTES) return content;
  if (!store) throw new Error('content record too large for DynamoDB and no store for the full text is configured');
  await store.put(key, full);
  return {
    ...content,
    text: content.text.slice(0, CONTENT_EXCERPT_CHARS).replace(/[\uD800-\uDBFF]$/, ''),
    textTruncated: true,
    fullContent: { key, bytes: full.byteLength, sha256: createHash('sha256').update(full).digest('hex') },
  };
}
