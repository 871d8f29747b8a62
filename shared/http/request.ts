import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ENV } from '../topology.ts';

/**
 * What a webhook handler needs from an API Gateway HTTP API (payload v2)
 * event: the exact bytes that were sent, the method, the path and the URL the
 * provider signed. Pure: no I/O.
 */
export interface WebhookRequest {
  readonly method: string;
  /** Route path, with the API Gateway stage removed when it is present. */
  readonly path: string;
  readonly rawQueryString: string;
  readonly query: URLSearchParams;
  /** Lower-cased names, as API Gateway sends them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  /** The raw body bytes (base64 already decoded); signatures are computed over these. */
  readonly body: Buffer;
  /** The public URL the provider called (Twilio and Mandrill sign it). */
  readonly publicUrl: string;
}

/** True when the body must exceed `limit` bytes once decoded: a base64 body decodes to 3/4 of its length, so no decoding is needed to refuse it. */
export function bodyCertainlyExceeds(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>, limit: number): boolean {
  const encodedLength = event.body?.length ?? 0;
  return (event.isBase64Encoded ? Math.floor((encodedLength * 3) / 4) - 2 : encodedLength) > limit;
}

export function decodeBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

export function toWebhookRequest(event: APIGatewayProxyEventV2, body: Buffer, env: NodeJS.ProcessEnv = process.env): WebhookRequest {
  const headers = lowerCaseHeaders(event.headers);
  const path = routePath(event);
  const rawQueryString = event.rawQueryString ?? '';
  return {
    method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
    path,
    rawQueryString,
    query: new URLSearchParams(rawQueryString),
    headers,
    pathParameters: event.pathParameters ?? {},
    body,
    publicUrl: publicUrl({ path, rawPath: event.rawPath ?? path, rawQueryString, headers }, env),
  };
}

/** rawPath includes the stage (`/prod/webhooks/x`) unless it is `$default` or a custom domain maps it away. */
export function routePath(event: Pick<APIGatewayProxyEventV2, 'rawPath' | 'requestContext'>): string {
  const rawPath = event.rawPath || '/';
  const stage = event.requestContext?.stage;
  if (stage && stage !== '$default') {
    const prefix = `/${stage}`;
    if (rawPath === prefix) return '/';
    if (rawPath.startsWith(`${prefix}/`)) return rawPath.slice(prefix.length);
  }
  return rawPath;
}

/**
 * The URL a provider signed. Behind API Gateway with a custom domain the Host
 * header is the execute-api host, so PUBLIC_BASE_URL (scheme + host [+ base
 * path]) is authoritative there. Locally it is the URL the request was made to.
 */
export function publicUrl(
  request: { path: string; rawPath: string; rawQueryString: string; headers: Readonly<Record<string, string | undefined>> },
  env: NodeJS.ProcessEnv = process.env,
): string {
  const query = request.rawQueryString ? `?${request.rawQueryString}` : '';
  const base = env[ENV.publicBaseUrl];
  if (base) return `${base.replace(/\/+$/, '')}${request.path}${query}`;
  const proto = request.headers['x-forwarded-proto']?.split(',')[0]?.trim() || 'http';
  const host = request.headers.host ?? 'localhost';
  return `${proto}://${host}${request.rawPath}${query}`;
}

export function lowerCaseHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** application/x-www-form-urlencoded: every pair in order (keys may repeat). */
export function parseForm(body: Buffer): [string, string][] {
  return [...new URLSearchParams(body.toString('utf8'))];
}
