import type { OutboxMessage } from '../model/index.ts';
import { ENV } from '../topology.ts';
import { capText, isTransientStatus, permanent, retryable, transportFailure, type DeliveryError } from './errors.ts';
import type { SendContext, SendResult } from './types.ts';

/**
 * Messenger Send API. Automatic text goes out only as `messaging_type:
 * RESPONSE` inside the 24-hour window counted from the resident's last
 * message; outside it nothing is sent (never HUMAN_AGENT, which is for
 * humans). A Facebook comment is answered with one Private Reply
 * (`recipient.comment_id`) within 7 days of the comment.
 */

export const MESSENGER_WINDOW_MS = 24 * 60 * 60 * 1000;
export const PRIVATE_REPLY_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
export const MESSENGER_MAX_TEXT = 2000;

/** Graph error codes that clear on their own (rate limits, temporary errors) or after an operator fixes the token. */
const TRANSIENT_GRAPH_CODES = new Set([1, 2, 4, 17, 32, 190, 341, 613, 80006]);

export interface MessengerRequest {
  readonly url: string;
  readonly body: Record<string, unknown>;
}

/** Pure: the request to make, or why not to send at all. */
export function buildMessengerRequest(msg: OutboxMessage, now: Date, env: NodeJS.ProcessEnv): MessengerRequest | { readonly skip: string } {
  const comment = msg.channel === 'facebook-comment';
  const last = msg.lastUserMessageAt ? Date.parse(msg.lastUserMessageAt) : Number.NaN;
  if (!Number.isFinite(last)) return { skip: 'no-user-message-time' };
  const window = comment ? PRIVATE_REPLY_WINDOW_MS : MESSENGER_WINDOW_MS;
  if (now.getTime() - last > window) return { skip: comment ? 'outside-private-reply-window' : 'outside-24h-window' };

  const pageId = env[ENV.messengerPageId];
  if (!pageId) throw retryable('messenger-page-id-missing');
  const base = (env[ENV.graphApiBaseUrl] ?? 'https://graph.facebook.com/v25.0').replace(/\/+$/, '');
  const message = { text: capText(msg.text, MESSENGER_MAX_TEXT) };
  const metadata = `hub:${msg.id}`;
  const body = comment
    ? { recipient: { comment_id: msg.to }, message, metadata }
    : { recipient: { id: msg.to }, messaging_type: 'RESPONSE', message, metadata };
  return { url: `${base}/${encodeURIComponent(pageId)}/messages`, body };
}

export async function sendMessenger(msg: OutboxMessage, ctx: SendContext): Promise<SendResult> {
  const request = buildMessengerRequest(msg, ctx.now, ctx.env);
  if ('skip' in request) return { status: 'skipped', provider: 'meta', reason: request.skip };
  const { MESSENGER_PAGE_TOKEN } = await ctx.secrets();
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${MESSENGER_PAGE_TOKEN}` },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (error) {
    throw transportFailure(error);
  }
  const answer = (await response.json().catch(() => ({}))) as {
    message_id?: string;
    error?: { code?: number; error_subcode?: number };
  };
  if (response.ok) return { status: 'sent', provider: 'meta', ...(answer.message_id ? { providerMessageId: answer.message_id } : {}) };
  throw classifyGraphError(response.status, answer.error?.code, answer.error?.error_subcode);
}

export function classifyGraphError(status: number, code?: number, subcode?: number): DeliveryError {
  const details = { httpStatus: status, ...(code === undefined ? {} : { providerCode: subcode ? `${code}/${subcode}` : code }) };
  if (isTransientStatus(status) || (code !== undefined && TRANSIENT_GRAPH_CODES.has(code))) {
    return retryable(code === 190 ? 'page-token-rejected' : 'provider-unavailable', details);
  }
  if (code === 551) return permanent('recipient-unavailable', details);
  if (code === 10 || subcode === 2018278) return permanent('outside-window', details);
  return permanent('rejected', details);
}
