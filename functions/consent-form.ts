import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bodyCertainlyExceeds, decodeBody } from '../shared/http/request.ts';
import { PAGE_HEADERS } from '../shared/pipeline/consent-page.ts';
import { consentDepsFromEnv, handleConsentForm } from '../shared/pipeline/consent.ts';
import { log } from '../shared/runtime/log.ts';
import { madeOnce } from '../shared/runtime/once.ts';
import { BODY_LIMITS } from '../shared/topology.ts';

/** `GET|POST /consent/{token}`: the signed consent link (see shared/pipeline/consent.ts). */
const deps = madeOnce(() => consentDepsFromEnv());

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
  const started = Date.now();
  const method = event.requestContext.http.method;
  // Refuse an oversized body before decoding it.
  const tooLarge = bodyCertainlyExceeds(event, BODY_LIMITS.consent);
  const body = event.body === undefined || tooLarge ? undefined : decodeBody(event);
  try {
    const response = await handleConsentForm(
      {
        method,
        token: event.pathParameters?.token ?? '',
        contentType: event.headers['content-type'],
        body: body?.toString('utf8'),
        bodyBytes: tooLarge ? BODY_LIMITS.consent + 1 : (body?.length ?? 0),
      },
      await deps(),
    );
    log.info('request', { route: 'consent', method, status: response.statusCode, ms: Date.now() - started });
    return response;
  } catch (error) {
    log.error('consent form failed', { method, error: (error as Error)?.name });
    return {
      statusCode: 503,
      headers: { ...PAGE_HEADERS, 'retry-after': '60' },
      body: '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Please try again</title></head><body><main><h1>Please try again in a minute</h1><p>Your answer has not been saved yet. Please go back and send it again in a minute.</p></main></body></html>',
    };
  }
});
