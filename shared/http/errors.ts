import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { MiddlewareObj } from '@middy/core';
import { log } from '../runtime/log.ts';

/** An error with the HTTP status the caller should see; its message is public, so keep it free of personal data. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpError';
    this.status = status;
  }
}

export const badRequest = (message = 'malformed request'): HttpError => new HttpError(400, message);
export const unauthorized = (message = 'invalid signature'): HttpError => new HttpError(401, message);
export const notFound = (): HttpError => new HttpError(404, 'not found');

export function textResponse(status: number, body: string, contentType = 'text/plain; charset=utf-8'): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { 'content-type': contentType }, body };
}

/**
 * Error-to-status mapping. HttpError keeps its status; anything else is a 500
 * with a log line naming the error class only (messages can carry payload
 * fragments). Sets the response and lets later onError middlewares (the
 * request log) run.
 */
export function httpErrors(): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error as { name?: string; status?: number; message?: string } | undefined;
      if (error instanceof HttpError) {
        if (error.status >= 500) log.error('request failed', { status: error.status, causeName: (error.cause as Error | undefined)?.name });
        request.response = textResponse(error.status, error.message);
        return;
      }
      log.error('unhandled error', { errorName: error?.name ?? typeof error });
      request.response = textResponse(500, 'internal error');
    },
  };
}
