import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { MiddlewareObj } from '@middy/core';
import { log } from '../runtime/log.ts';
import { HttpError } from './errors.ts';
import { bodyCertainlyExceeds, decodeBody } from './request.ts';

/** The handler's answer, plus counts for the request log (removed before the answer leaves). */
export type CountedResult = APIGatewayProxyStructuredResultV2 & { counts?: Record<string, number> };

/** An HTTP API v2 event with the decoded body attached by `rawBody`. */
export type EventWithRawBody = APIGatewayProxyEventV2 & { rawBody: Buffer };

/** Decode the body (base64 or not) once, exactly as sent, and refuse it with 413 when over `limit` bytes. */
export function rawBody(limit: number): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const event = request.event as EventWithRawBody;
      if (bodyCertainlyExceeds(event, limit)) throw new HttpError(413, 'payload too large');
      const body = decodeBody(event);
      if (body.length > limit) throw new HttpError(413, 'payload too large');
      event.rawBody = body;
    },
  };
}

/** One structured line per request: route, method, status, duration and counts; never bodies, names or addresses. */
export function requestLog(route: string): MiddlewareObj<APIGatewayProxyEventV2> {
  const write = (request: { event: APIGatewayProxyEventV2; response: unknown; internal: Record<string, unknown> }) => {
    const response = request.response as CountedResult | undefined;
    const counts = response?.counts ?? {};
    if (response) delete response.counts;
    log.info('request', {
      route,
      method: request.event.requestContext?.http?.method,
      status: response?.statusCode,
      ms: Date.now() - (request.internal.requestStartedAt as number),
      ...counts,
    });
  };
  return {
    before: (request) => {
      // Per request (the local hub may run requests concurrently in one process).
      (request.internal as Record<string, unknown>).requestStartedAt = Date.now();
    },
    after: write,
    onError: write,
  };
}
