import { describe, expect, it } from 'vitest';
import { LAMBDA_REQUEST_LIMIT_BYTES } from '../../infra/local/lambda.ts';
import { buildHttpEvent, matchRoute, type RouteMatch } from '../../infra/local/router.ts';
import { BODY_LIMITS, ROUTES } from '../../shared/topology.ts';

/**
 * The hub's own Mandrill limit must be one a body can reach: API Gateway hands
 * a form body to Lambda base64-encoded inside the event, and Lambda refuses an
 * event over 6 MB before any code runs. A limit above that would be a promise
 * (a 200 and a recorded item) AWS never lets the hub keep.
 */
describe('Mandrill body limit', () => {
  const eventBytes = (bodyBytes: number) => {
    const match = matchRoute(ROUTES, 'POST', '/webhooks/mandrill') as RouteMatch;
    const event = buildHttpEvent(
      {
        method: 'POST',
        url: '/webhooks/mandrill',
        headers: {
          host: 'abcdef1234.execute-api.eu-west-2.amazonaws.com',
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(bodyBytes),
          'user-agent': 'Mandrill-Webhook/1.0',
          'x-mandrill-signature': 'x'.repeat(28),
          // API Gateway adds these; a generous allowance for what else a proxy may add.
          'x-amzn-trace-id': `Root=1-${'0'.repeat(8)}-${'0'.repeat(24)}`,
          'x-forwarded-for': '203.0.113.10',
          'x-forwarded-port': '443',
          'x-forwarded-proto': 'https',
          'x-padding-for-other-headers': 'x'.repeat(8_000),
        },
        body: Buffer.alloc(bodyBytes, 'a'),
        sourceIp: '203.0.113.10',
      },
      match,
    );
    return Buffer.byteLength(JSON.stringify(event));
  };

  it('a body at the limit fits in the Lambda event with its headers, base64-encoded as API Gateway sends it', () => {
    expect(eventBytes(BODY_LIMITS.mandrill)).toBeLessThanOrEqual(LAMBDA_REQUEST_LIMIT_BYTES);
  });

  it('the limit is within 1% of the largest body that fits, so nothing the function could get is refused by it', () => {
    const largest = Math.floor((LAMBDA_REQUEST_LIMIT_BYTES - eventBytes(0)) / 4) * 3;
    expect(BODY_LIMITS.mandrill).toBeGreaterThan(largest * 0.99);
  });
});
