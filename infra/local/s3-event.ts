import type { S3Event } from 'aws-lambda';
import { LOCAL_REGION } from './emulators.ts';

/**
 * S3's ObjectCreated:Put notification for one object, as the local hub and the
 * tests hand it to a function. The key is URL-encoded as S3 sends it ('/' kept,
 * a space as '+', '+' itself as %2B).
 */
export function objectCreatedEvent(bucket: string, key: string, size = 0): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: LOCAL_REGION,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'mandrill-intake',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: s3EventKey(key), size, eTag: '', sequencer: '0' },
        },
      },
    ],
  };
}

/** How an S3 event spells an object key: URL-encoded, '/' kept, spaces as '+'. */
export function s3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}
