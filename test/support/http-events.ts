import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/**
 * Builds API Gateway HTTP API (payload format 2.0) events the way API Gateway
 * sends them: lower-cased headers, rawPath (with the stage when it is not
 * `$default`), rawQueryString, parsed queryStringParameters, cookies split
 * out, and the body as text or base64.
 */

export interface HttpEventOptions {
  method?: string;
  /** The route path, e.g. `/webhooks/twilio`; the stage prefix is added for a non-default stage. */
  path: string;
  /** Raw query string (without `?`) or pairs to encode. */
  query?: string | Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body base64-encoded (API Gateway does this for binary content types). */
  base64?: boolean;
  pathParameters?: Record<string, string>;
  /** API Gateway route key, e.g. `POST /webhooks/mailchimp/{secret}`; defaults to `METHOD path`. */
  routeKey?: string;
  /** Default `$default` (no stage in rawPath). */
  stage?: string;
  domainName?: string;
  sourceIp?: string;
}

export function httpEvent(options: HttpEventOptions): APIGatewayProxyEventV2 {
  const method = (options.method ?? 'POST').toUpperCase();
  const stage = options.stage ?? '$default';
  const domainName = options.domainName ?? 'abc123.execute-api.eu-west-2.amazonaws.com';
  const rawPath = stage === '$default' ? options.path : `/${stage}${options.path}`;
  const rawQueryString = typeof options.query === 'string' ? options.query : options.query ? new URLSearchParams(options.query).toString() : '';
  const headers: Record<string, string> = { host: domainName, 'x-forwarded-proto': 'https', 'x-forwarded-port': '443' };
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (name.toLowerCase() === 'cookie') cookies = value.split(/;\s*/);
    else headers[name.toLowerCase()] = value;
  }
  const body = options.body === undefined ? undefined : options.body;
  const isBase64Encoded = options.base64 ?? Buffer.isBuffer(body);
  const bodyText =
    body === undefined ? undefined : isBase64Encoded ? Buffer.from(body).toString('base64') : Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (bodyText !== undefined && headers['content-length'] === undefined) {
    headers['content-length'] = String(Buffer.byteLength(Buffer.isBuffer(body) ? body : String(body)));
  }
  const queryStringParameters = rawQueryString ? queryParameters(rawQueryString) : undefined;
  return {
    version: '2.0',
    routeKey: options.routeKey ?? `${method} ${routeTemplate(options.path, options.pathParameters)}`,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: domainName.split('.')[0] ?? 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? 'local',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '203.0.113.7',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `req-${Math.random().toString(36).slice(2, 10)}`,
      routeKey: options.routeKey ?? `${method} ${routeTemplate(options.path, options.pathParameters)}`,
      stage,
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(bodyText !== undefined ? { body: bodyText } : {}),
    isBase64Encoded,
  };
}

/** API Gateway joins repeated query parameters with commas in queryStringParameters. */
function queryParameters(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) out[key] = key in out ? `${out[key]},${value}` : value;
  return out;
}

function routeTemplate(path: string, parameters: Record<string, string> | undefined): string {
  let template = path;
  for (const [name, value] of Object.entries(parameters ?? {})) template = template.replace(value, `{${name}}`);
  return template;
}

/** application/x-www-form-urlencoded, as providers send it (spaces as `+`). */
export function formBody(pairs: Record<string, string> | readonly (readonly [string, string])[]): string {
  return new URLSearchParams(Array.isArray(pairs) ? (pairs as [string, string][]) : Object.entries(pairs)).toString();
}

/** Enough of a Lambda context for middy handlers under test. */
export function lambdaContext(functionName = 'test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-2:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${Math.random().toString(36).slice(2, 10)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
