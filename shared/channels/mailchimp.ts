import type { InboundItem, MailchimpEvent } from '../model/inbound-item.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { parseForm, type WebhookRequest } from '../http/request.ts';
import type { WebhookContext, WebhookOutcome } from '../http/webhook.ts';
import { optional, safeEqual, sha256Hex } from './common.ts';

/**
 * Mailchimp Marketing audience webhooks (reference/channels.md §3). No
 * signature exists: the secret is a path segment, compared in constant time,
 * and a wrong one answers 404 on every method so the endpoint is not
 * advertised. GET/HEAD and an empty POST are the validator.
 */

const EVENTS: readonly MailchimpEvent[] = ['subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned', 'campaign'];

export function mailchimpWebhook(request: WebhookRequest, context: WebhookContext): WebhookOutcome {
  if (!safeEqual(request.pathParameters.secret ?? '', context.secrets.MAILCHIMP_WEBHOOK_SECRET)) throw notFound();
  if (request.method === 'GET' || request.method === 'HEAD') return { status: 200, items: [] };
  if (request.method !== 'POST') return { status: 405, items: [] };
  if (request.body.length === 0) return { status: 200, items: [], skipped: { skipped_validator: 1 } };
  const fields = new Map(parseForm(request.body));
  const item = parseMailchimpEvent(fields, context.now);
  if (item === 'unhandled') return { status: 200, items: [], skipped: { skipped_unhandled: 1 } };
  if (!item) throw badRequest('not a Mailchimp webhook');
  return { status: 200, items: [item] };
}

/** One form post is one event; 'unhandled' for a type we do not know, undefined when malformed. */
export function parseMailchimpEvent(fields: ReadonlyMap<string, string>, now: Date): InboundItem | 'unhandled' | undefined {
  const type = fields.get('type');
  const firedAt = fields.get('fired_at');
  if (!type || !firedAt) return undefined;
  if (!(EVENTS as readonly string[]).includes(type)) return 'unhandled';
  const event = type as MailchimpEvent;
  const data = (key: string): string | undefined => fields.get(`data[${key}]`) || undefined;
  const listId = data('list_id');
  // upemail has no data[id]; its new_id identifies the member after the change.
  const subjectId = data('id') ?? data('new_id') ?? data('email') ?? data('old_email') ?? '';
  const providerMessageId = sha256Hex(`${event}\n${subjectId}\n${firedAt}`).slice(0, 32);
  const email = event === 'upemail' ? data('old_email') : data('email');
  const merges = { first: data('merges][FNAME'), last: data('merges][LNAME') };
  const name = [merges.first, merges.last].filter(Boolean).join(' ') || undefined;
  return {
    schemaVersion: 1,
    itemId: `mailchimp:${providerMessageId}`,
    channel: 'mailchimp',
    provider: 'mailchimp',
    kind: 'audience-event',
    providerMessageId,
    receivedAt: mailchimpTime(firedAt) ?? now.toISOString(),
    // A campaign event concerns the whole audience, not a member.
    sender: { id: email?.toLowerCase() ?? (listId ? `list:${listId}` : ''), ...optional({ name }) },
    recipients: listId ? [listId] : [],
    text: '',
    attachments: [],
    thread: {},
    transport: {},
    audience: {
      type: event,
      firedAt,
      ...optional({
        listId,
        action: data('action'),
        reason: data('reason'),
        campaignId: event === 'campaign' ? data('id') : data('campaign_id'),
        newEmail: data('new_email')?.toLowerCase(),
        campaignSubject: event === 'campaign' ? data('subject') : undefined,
        campaignStatus: event === 'campaign' ? data('status') : undefined,
      }),
    },
  };
}

/** `YYYY-MM-DD HH:MM:SS`, which Mailchimp sends in UTC. */
export function mailchimpTime(firedAt: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(firedAt.trim());
  if (!match) return undefined;
  const date = new Date(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
