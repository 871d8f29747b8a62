import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { caseLinkDepsFromEnv, handleCaseLink } from '../shared/cases/case-page.ts';
import { log } from '../shared/runtime/log.ts';
import { madeOnce } from '../shared/runtime/once.ts';

/** `GET|POST /cases/{token}`: a signed link in the routing email changes the case (shared/cases/case-page.ts). */
const deps = madeOnce(() => caseLinkDepsFromEnv());

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
  const method = event.requestContext.http.method;
  try {
    const response = await handleCaseLink({ method, token: event.pathParameters?.token ?? '' }, await deps());
    log.info('request', { route: 'cases', method, status: response.statusCode });
    return response;
  } catch (error) {
    log.error('case link failed', { method, error: (error as Error)?.name });
    return {
      statusCode: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '60' },
      body: 'Please try again in a minute: nothing was changed.',
    };
  }
});
