/**
 * One email per digest to each auditor, so at most this many a digest (and
 * digests are at most hourly). A module of its own: the digest function reads
 * it, and importing it from schema.ts would put the policy schema (zod) in
 * that function's cold start.
 */
export const MAX_DIGEST_RECIPIENTS = 5;
