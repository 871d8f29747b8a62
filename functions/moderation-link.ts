import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { clerkActionDepsFromEnv } from '../shared/moderation/clerk-action-deps.ts';
import { handleModerationLink } from '../shared/moderation/clerk-actions.ts';
import { PAGE_HEADERS } from '../shared/pipeline/consent-page.ts';
import { log } from '../shared/runtime/log.ts';
import { madeOnce } from '../shared/runtime/once.ts';

/** `GET|POST /moderation/{token}`: the clerk's one-click Page moderation links (see shared/moderation/clerk-actions.ts). */
const deps = madeOnce(() => clerkActionDepsFromEnv());

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
  const started = Date.now();
  const method = event.requestContext.http.method;
  try {
    const response = await handleModerationLink({ method, token: event.pathParameters?.token ?? '' }, await deps());
    log.info('request', { route: 'moderation', method, status: response.statusCode, ms: Date.now() - started });
    return response;
  } catch (error) {
    log.error('moderation link failed', { method, error: (error as Error)?.name });
    return {
      statusCode: 503,
      headers: { ...PAGE_HEADERS, 'retry-after': '60' },
      body: '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Please try again</title></head><body><main><h1>Please try again in a minute</h1><p>Nothing has been done yet. Please go back and press the button again in a minute.</p></main></body></html>',
    };
  }
});
