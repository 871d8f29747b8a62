import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { InboundItem } from '../model/inbound-item.ts';
import { enqueueItems } from '../queue/publish.ts';
import { loadSecrets, type Secrets } from '../runtime/secrets.ts';
import { HttpError, httpErrors } from './errors.ts';
import { rawBody, requestLog, type CountedResult, type EventWithRawBody } from './middleware.ts';
import { toWebhookRequest, type WebhookRequest } from './request.ts';

/** What a channel's pure core decided about one request. */
export interface WebhookOutcome {
  readonly status: number;
  readonly body?: string;
  readonly contentType?: string;
  /** Normalised events to enqueue before answering. */
  readonly items: readonly InboundItem[];
  /** Events acknowledged but not enqueued, by reason (echo, read, delivery, unhandled type …). */
  readonly skipped?: Readonly<Record<string, number>>;
}

export interface WebhookContext {
  readonly secrets: Secrets;
  readonly env: NodeJS.ProcessEnv;
  /** When the request arrived (receivedAt for providers that send no timestamp). */
  readonly now: Date;
}

export type WebhookCore = (request: WebhookRequest, context: WebhookContext) => WebhookOutcome | Promise<WebhookOutcome>;

export interface WebhookHandlerOptions {
  /** Name for the request log, e.g. `messenger`. */
  readonly route: string;
  readonly bodyLimit: number;
  readonly core: WebhookCore;
  /** Defaults to enqueueItems on INBOUND_QUEUE_URL. */
  readonly enqueue?: (items: readonly InboundItem[]) => Promise<void>;
}

/**
 * The whole ingest shell for an HTTP webhook: raw body + size limit, secrets,
 * the channel's pure core, enqueue, answer. An enqueue failure becomes 503 so
 * the provider retries; nothing is acknowledged before it is on the queue.
 */
export function webhookHandler(options: WebhookHandlerOptions) {
  const enqueue = options.enqueue ?? ((items: readonly InboundItem[]) => enqueueItems(items));
  const handle = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const secrets = await loadSecrets();
    const request = toWebhookRequest(event, (event as EventWithRawBody).rawBody);
    const outcome = await options.core(request, { secrets, env: process.env, now: new Date() });
    if (outcome.items.length > 0) {
      try {
        await enqueue(outcome.items);
      } catch (error) {
        throw new HttpError(503, 'temporarily unavailable', { cause: error });
      }
    }
    const result: CountedResult = {
      statusCode: outcome.status,
      headers: { 'content-type': outcome.contentType ?? 'text/plain; charset=utf-8' },
      body: outcome.body ?? '',
      counts: { enqueued: outcome.items.length, ...outcome.skipped },
    };
    return result;
  };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(requestLog(options.route))
    .use(httpErrors())
    .use(rawBody(options.bodyLimit))
    .handler(handle);
}
