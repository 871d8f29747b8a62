/**
 * The S3 client for functions that need it only on a rare path (the raw-mail
 * store of classify and deliver: shared/channels/lazy-mail-store.ts). Import it
 * only as `import('#rare-clients/s3')`: a Lambda bundle keeps it in a file of
 * its own that no cold start loads (infra/aws/bundling.ts).
 */
export { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
