import type { Attachment, InboundItem } from '../model/inbound-item.ts';
import { badRequest, unauthorized } from '../http/errors.ts';
import type { WebhookRequest } from '../http/request.ts';
import type { WebhookContext, WebhookOutcome } from '../http/webhook.ts';
import { ENV } from '../topology.ts';
import {
  asArray,
  asId,
  asNumber,
  asObject,
  asString,
  clip,
  clipOptional,
  hmac,
  MAX_LIST_ENTRIES,
  isoFromMillis,
  optional,
  safeEqual,
  SkipCounter,
  type Json,
} from './common.ts';

/**
 * Facebook Messenger Platform and Page `feed` webhooks (reference/channels.md §1).
 * GET is the hub.challenge handshake; POST is signed with X-Hub-Signature-256
 * over the raw bytes. Messages, postbacks and residents' feed comments become
 * items; echoes, reads, deliveries and the Page's own comments are skipped.
 */

/** A Meta webhook POST (Messenger, Page feed, WhatsApp): X-Hub-Signature-256 over the raw bytes (401), then JSON (400). */
export function readSignedMetaPayload(request: WebhookRequest, appSecret: string): unknown {
  if (!verifyMessengerSignature(request.body, request.headers['x-hub-signature-256'], appSecret)) throw unauthorized();
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch {
    throw badRequest('body is not JSON');
  }
}

export async function messengerWebhook(request: WebhookRequest, context: WebhookContext): Promise<WebhookOutcome> {
  if (request.method === 'GET') return verifyHandshake(request.query, context.secrets.MESSENGER_VERIFY_TOKEN);
  if (request.method !== 'POST') return { status: 405, items: [] };
  const payload = readSignedMetaPayload(request, context.secrets.MESSENGER_APP_SECRET);
  const parsed = parseMessengerPayload(payload, {
    appId: context.env[ENV.messengerAppId],
    pageId: context.env[ENV.messengerPageId],
    now: context.now,
  });
  if (!parsed) throw badRequest('not a webhook payload');
  return { status: 200, body: 'EVENT_RECEIVED', items: parsed.items, skipped: parsed.skipped };
}

export function verifyHandshake(query: URLSearchParams, verifyToken: string): WebhookOutcome {
  const token = query.get('hub.verify_token');
  const challenge = query.get('hub.challenge');
  if (query.get('hub.mode') === 'subscribe' && token !== null && challenge !== null && safeEqual(token, verifyToken)) {
    return { status: 200, body: challenge, items: [] };
  }
  return { status: 403, body: 'forbidden', items: [] };
}

/** `sha256=<lowercase hex HMAC-SHA256(appSecret, raw body)>`, compared in constant time. */
export function verifyMessengerSignature(body: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length).toLowerCase(), 'utf8');
  const expected = Buffer.from(hmac('sha256', appSecret, body).toString('hex'), 'utf8');
  return safeEqual(given, expected);
}

export interface MessengerOptions {
  /** Our app id: echoes it sent are our own replies. */
  readonly appId?: string | undefined;
  /** Our Page id: its own comments are not residents'. */
  readonly pageId?: string | undefined;
  readonly now: Date;
}

/** Every entry[], messaging[] and changes[] of one POST; undefined when the body is not a webhook payload at all. */
export function parseMessengerPayload(payload: unknown, options: MessengerOptions): { items: InboundItem[]; skipped: Record<string, number> } | undefined {
  const root = asObject(payload);
  if (!root || !Array.isArray(root.entry)) return undefined;
  const items: InboundItem[] = [];
  const skip = new SkipCounter();
  if (root.object !== 'page') {
    skip.add('object');
    return { items, skipped: skip.counts };
  }
  for (const rawEntry of root.entry) {
    const entry = asObject(rawEntry);
    if (!entry) {
      skip.add('invalid');
      continue;
    }
    const pageId = asId(entry.id) ?? options.pageId ?? '';
    for (const rawEvent of asArray(entry.messaging)) {
      const event = asObject(rawEvent);
      if (!event) skip.add('invalid');
      const item = event && messagingItem(event, pageId, options, skip);
      if (item) items.push(item);
    }
    // Handover protocol: another app holds the thread; it answers those.
    for (const _ of asArray(entry.standby)) skip.add('standby');
    for (const rawChange of asArray(entry.changes)) {
      const change = asObject(rawChange);
      if (!change) skip.add('invalid');
      const item = change && feedItem(change, pageId, options, skip);
      if (item) items.push(item);
    }
  }
  return { items, skipped: skip.counts };
}

function messagingItem(event: Json, pageId: string, options: MessengerOptions, skip: SkipCounter): InboundItem | undefined {
  const senderId = asId(asObject(event.sender)?.id);
  const recipientId = asId(asObject(event.recipient)?.id) ?? pageId;
  const receivedAt = isoFromMillis(asNumber(event.timestamp)) ?? options.now.toISOString();
  const message = asObject(event.message);
  const postback = asObject(event.postback);
  if (message) {
    if (message.is_echo === true) {
      // Our own replies, and replies by a human in Page Inbox or another tool: none are residents' messages.
      skip.add(options.appId && asId(message.app_id) === options.appId ? 'echo_own' : 'echo_other');
      return undefined;
    }
    const mid = asId(message.mid);
    if (!mid || !senderId) {
      skip.add('invalid');
      return undefined;
    }
    return {
      ...baseItem('messenger', 'message', mid, receivedAt),
      sender: { id: senderId },
      recipients: [recipientId],
      text: asString(message.text) ?? '',
      attachments: asArray(message.attachments).slice(0, MAX_LIST_ENTRIES).flatMap(toAttachment),
      thread: optional({ replyToMid: asId(asObject(message.reply_to)?.mid) }),
      ...optional({ payload: asString(asObject(message.quick_reply)?.payload) }),
    };
  }
  if (postback) {
    const payload = asString(postback.payload);
    if (!senderId) {
      skip.add('invalid');
      return undefined;
    }
    // Older postbacks carry no mid; sender + timestamp identifies the tap for a retry.
    const id = asId(postback.mid) ?? `postback:${senderId}:${asNumber(event.timestamp) ?? ''}`;
    return {
      ...baseItem('messenger', 'postback', id, receivedAt),
      sender: { id: senderId },
      recipients: [recipientId],
      text: asString(postback.title) ?? '',
      attachments: [],
      thread: {},
      ...optional({ payload }),
    };
  }
  for (const kind of ['read', 'delivery', 'reaction', 'optin', 'referral', 'account_linking', 'pass_thread_control', 'take_thread_control']) {
    if (kind in event) {
      skip.add(kind);
      return undefined;
    }
  }
  skip.add('unhandled');
  return undefined;
}

function feedItem(change: Json, pageId: string, options: MessengerOptions, skip: SkipCounter): InboundItem | undefined {
  const value = asObject(change.value);
  if (change.field !== 'feed' || !value) {
    skip.add('change_field');
    return undefined;
  }
  if (value.item !== 'comment' || value.verb !== 'add') {
    skip.add('feed_other');
    return undefined;
  }
  const commentId = asId(value.comment_id);
  if (!commentId) {
    skip.add('invalid');
    return undefined;
  }
  const from = asObject(value.from);
  const fromId = asId(from?.id);
  if (fromId && (fromId === pageId || fromId === options.pageId)) {
    skip.add('own_comment');
    return undefined;
  }
  const created = asNumber(value.created_time);
  const name = asString(from?.name);
  return {
    ...baseItem(
      'facebook-comment',
      'comment',
      `${commentId}:add`,
      isoFromMillis(created === undefined ? undefined : created * 1000) ?? options.now.toISOString(),
    ),
    // `from` is absent without pages_read_user_content; downstream sees an empty id.
    sender: { id: fromId ?? '', ...optional({ name }) },
    recipients: [pageId],
    text: asString(value.message) ?? '',
    attachments: [],
    thread: optional({ postId: asId(value.post_id), parentId: asId(value.parent_id) }),
  };
}

function toAttachment(raw: unknown): Attachment[] {
  const attachment = asObject(raw);
  const type = asString(attachment?.type);
  if (!type) return [];
  const url = clipOptional(asString(asObject(attachment?.payload)?.url), 4_000);
  return [{ contentType: clip(type), ...optional({ url }) }];
}

function baseItem(channel: 'messenger' | 'facebook-comment', kind: 'message' | 'postback' | 'comment', providerMessageId: string, receivedAt: string) {
  return {
    schemaVersion: 1 as const,
    itemId: `meta:${providerMessageId}`,
    channel,
    provider: 'meta' as const,
    kind,
    providerMessageId,
    receivedAt,
    transport: {},
  };
}
