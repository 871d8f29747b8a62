import type { FunctionId, RouteDefinition } from '../../shared/topology.ts';

/**
 * Per-route throttling of the HTTP API (API Gateway stage `RouteSettings`),
 * so a flood on one route cannot use up another route's allowance: a burst of
 * hits on the consent form, or forged posts to a webhook, leave the
 * Twilio and Messenger webhooks their own buckets. Twilio does not retry a 429,
 * so its route must never be starved by anyone else's traffic. Each route key
 * (`POST /webhooks/twilio`) is listed explicitly rather than relying on the
 * stage default. A parish peaks below one request a second, so each limit is
 * far above honest traffic; what a limit bounds is Lambda cost under a flood
 * (the functions still verify every signature before doing anything).
 */

export interface Throttle {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Requests allowed in a burst. */
  readonly burstLimit: number;
}

export const ROUTE_THROTTLE: Partial<Record<FunctionId, Throttle>> = {
  // Meta batches entries and retries for hours with backoff; comments on a busy post come in bursts.
  messengerWebhook: { rateLimit: 20, burstLimit: 40 },
  // Twilio does not retry a 429: room for a whole group text arriving at once.
  twilioWebhook: { rateLimit: 10, burstLimit: 30 },
  // A campaign's unsubscribes arrive together; Mailchimp retries failed deliveries.
  mailchimpWebhook: { rateLimit: 10, burstLimit: 20 },
  // A person opening a link: a few a minute at most.
  consentForm: { rateLimit: 5, burstLimit: 10 },
};

/** CloudFormation `RouteSettings` for the stage: one entry per route key; a route without its own entry gets `fallback`. */
export function routeSettings(
  routes: readonly RouteDefinition[],
  fallback: Throttle,
): Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> {
  return Object.fromEntries(
    routes.map((route) => {
      const t = ROUTE_THROTTLE[route.fn] ?? fallback;
      return [`${route.method} ${route.path}`, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }];
    }),
  );
}
