import type { OutboxMessage } from '../model/index.ts';
import { ENV } from '../topology.ts';
import { capText, permanent, retryable, transportFailure } from './errors.ts';
import { classifyGraphError } from './messenger.ts';
import type { SendContext, SendResult } from './types.ts';

/**
 * Acting on the Facebook Page through the Graph API (withyham.txt §6.13,
 * stilton.txt §8), with the Page access token:
 *
 *   hide / unhide  POST   /{comment-id}        is_hidden=true|false
 *   delete         DELETE /{comment-id}
 *   block          POST   /{page-id}/blocked   user=<author id>
 *   public note    POST   /{post-id}/comments  message=<policyBreachNotice>
 *
 * Errors are classified like Send API errors: rate limits, 5xx and an
 * expired token are retried through the queue; anything else is permanent
 * and recorded. Deleting a comment that is already gone counts as done.
 */

export const PUBLIC_NOTE_MAX_TEXT = 8000;

export interface GraphRequest {
  readonly method: 'POST' | 'DELETE';
  readonly url: string;
  readonly form?: Record<string, string>;
}

/** Pure: the Graph request for a page-action or public-note message. */
export function buildPageModerationRequest(msg: OutboxMessage, env: NodeJS.ProcessEnv): GraphRequest {
  const base = (env[ENV.graphApiBaseUrl] ?? 'https://graph.facebook.com/v25.0').replace(/\/+$/, '');
  const id = (value: string) => encodeURIComponent(value);
  if (msg.kind === 'public-note') return { method: 'POST', url: `${base}/${id(msg.to)}/comments`, form: { message: capText(msg.text, PUBLIC_NOTE_MAX_TEXT) } };
  const action = msg.pageAction;
  if (!action) throw permanent('page-action-missing');
  switch (action.action) {
    case 'hide':
    case 'unhide':
      return { method: 'POST', url: `${base}/${id(msg.to)}`, form: { is_hidden: action.action === 'hide' ? 'true' : 'false' } };
    case 'delete':
      return { method: 'DELETE', url: `${base}/${id(msg.to)}` };
    case 'block': {
      const pageId = env[ENV.messengerPageId];
      if (!pageId) throw retryable('messenger-page-id-missing');
      if (!action.authorId) throw permanent('author-unknown');
      return { method: 'POST', url: `${base}/${id(pageId)}/blocked`, form: { user: action.authorId } };
    }
  }
}

export async function sendPageModeration(msg: OutboxMessage, ctx: SendContext): Promise<SendResult> {
  const request = buildPageModerationRequest(msg, ctx.env);
  const { MESSENGER_PAGE_TOKEN } = await ctx.secrets();
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: { authorization: `Bearer ${MESSENGER_PAGE_TOKEN}`, ...(request.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(request.form ? { body: new URLSearchParams(request.form).toString() } : {}),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (error) {
    throw transportFailure(error);
  }
  const answer = (await response.json().catch(() => ({}))) as { id?: string; success?: boolean; error?: { code?: number; error_subcode?: number } };
  if (response.ok) return { status: 'sent', provider: 'meta', ...(answer.id ? { providerMessageId: answer.id } : {}) };
  // Graph code 100 with subcode 33: the object does not exist (already deleted by the clerk or its author).
  if (msg.pageAction?.action === 'delete' && answer.error?.code === 100 && answer.error.error_subcode === 33)
    return { status: 'skipped', provider: 'meta', reason: 'already-deleted' };
  throw classifyGraphError(response.status, answer.error?.code, answer.error?.error_subcode);
}
