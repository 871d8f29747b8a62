import * as z from 'zod/mini';
import { CHANNEL_IDS, PROVIDER_IDS } from '../channels/registry.ts';

/**
 * One thing a resident (or a provider on their behalf) sent us, normalised from
 * any channel. Ingest functions build it; the classify function validates it
 * off the queue and hands it to the policy engine. zod/mini keeps the schema
 * cheap to load on cold-start paths; ingest code imports only the types.
 */

/** The list lives with the channel descriptors (shared/channels/registry.ts). */
export const CHANNELS = CHANNEL_IDS;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const PROVIDERS = PROVIDER_IDS;
export const Provider = z.enum(PROVIDERS);
export type Provider = z.infer<typeof Provider>;

/** What the event was on its channel. */
export const ITEM_KINDS = ['message', 'postback', 'comment', 'email', 'sms', 'audience-event'] as const;
export const ItemKind = z.enum(ITEM_KINDS);
export type ItemKind = z.infer<typeof ItemKind>;

export const Party = z.object({
  /** The channel's identity: PSID or Facebook user id, email address (lower-cased), E.164 number, page id. */
  id: z.string(),
  /** Display name as the provider gave it (never trusted for decisions). */
  name: z.optional(z.string()),
});
export type Party = z.infer<typeof Party>;

export const Attachment = z.object({
  filename: z.optional(z.string()),
  contentType: z.string(),
  sizeBytes: z.optional(z.number()),
  /** Provider URL for Messenger/Twilio media; never fetched by the hub. */
  url: z.optional(z.string()),
});
export type Attachment = z.infer<typeof Attachment>;

export const ThreadRefs = z.object({
  /** Email Message-ID of this item, with angle brackets. */
  messageId: z.optional(z.string()),
  inReplyTo: z.optional(z.string()),
  references: z.optional(z.array(z.string())),
  /** Messenger `message.reply_to.mid`. */
  replyToMid: z.optional(z.string()),
  /** Facebook feed: the post and parent of a comment. */
  postId: z.optional(z.string()),
  parentId: z.optional(z.string()),
});
export type ThreadRefs = z.infer<typeof ThreadRefs>;

export const Verdict = z.enum(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED', 'NONE']);
export type Verdict = z.infer<typeof Verdict>;

/** Facts about how the item travelled; the engine's loop and trust rules read them. */
export const TransportFacts = z.object({
  spf: z.optional(Verdict),
  dkim: z.optional(Verdict),
  dmarc: z.optional(Verdict),
  dmarcPolicy: z.optional(z.string()),
  spam: z.optional(Verdict),
  virus: z.optional(Verdict),
  /** Mandrill's SpamAssassin score, where that is all we have. */
  spamScore: z.optional(z.number()),
  autoSubmitted: z.optional(z.string()),
  precedence: z.optional(z.string()),
  listId: z.optional(z.string()),
  listUnsubscribe: z.optional(z.string()),
  /** X-Auto-Response-Suppress (Microsoft). */
  autoResponseSuppress: z.optional(z.string()),
  /** Envelope MAIL FROM / Return-Path; empty string for the null path `<>`. */
  returnPath: z.optional(z.string()),
  /** Messenger message echo (sent by the Page), with the app that sent it. */
  isEcho: z.optional(z.boolean()),
  echoAppId: z.optional(z.string()),
  /** SES set headersTruncated: some headers may be missing. */
  headersTruncated: z.optional(z.boolean()),
});
export type TransportFacts = z.infer<typeof TransportFacts>;

export const MAILCHIMP_EVENTS = ['subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned', 'campaign'] as const;
export const MailchimpEvent = z.enum(MAILCHIMP_EVENTS);
export type MailchimpEvent = z.infer<typeof MailchimpEvent>;

/** A Mailchimp audience webhook, kept as a consent-ledger fact. */
export const AudienceEvent = z.object({
  type: MailchimpEvent,
  listId: z.optional(z.string()),
  firedAt: z.string(),
  /** unsubscribe: `unsub` | `delete`. */
  action: z.optional(z.string()),
  /** unsubscribe: `manual` | `abuse`; cleaned: `hard` | `abuse`. */
  reason: z.optional(z.string()),
  campaignId: z.optional(z.string()),
  /** upemail: the new address (the old one is the sender). */
  newEmail: z.optional(z.string()),
  /** campaign: the campaign subject and status. */
  campaignSubject: z.optional(z.string()),
  campaignStatus: z.optional(z.string()),
});
export type AudienceEvent = z.infer<typeof AudienceEvent>;

export const SMS_KEYWORDS = ['STOP', 'START', 'HELP'] as const;
export const SmsKeyword = z.enum(SMS_KEYWORDS);
export type SmsKeyword = z.infer<typeof SmsKeyword>;

export const InboundItem = z.object({
  schemaVersion: z.literal(1),
  /** Deterministic: `${provider}:${providerMessageId}`; the dedupe key everywhere downstream. */
  itemId: z.string(),
  channel: Channel,
  provider: Provider,
  kind: ItemKind,
  /** Messenger mid, feed comment_id+verb, SES messageId, Mailchimp type+id+fired_at, Mandrill _id/Message-Id, Twilio MessageSid, EUM inboundMessageId. */
  providerMessageId: z.string(),
  /** ISO 8601, when the provider says the resident sent it (or when we received it, if it does not say). */
  receivedAt: z.string(),
  sender: Party,
  /** For email, the header From when it differs from the envelope sender (kept for display, never trusted). */
  headerFrom: z.optional(Party),
  /** Where it was sent: page id, the To addresses, our number. */
  recipients: z.array(z.string()),
  /** Email Cc addresses (copied-to-the-clerk rule). */
  cc: z.optional(z.array(z.string())),
  /** Email Reply-To, where the resident asked for answers to go. */
  replyTo: z.optional(z.array(z.string())),
  subject: z.optional(z.string()),
  text: z.string(),
  /** True when the text was cut to fit the queue message; the raw original stays in S3. */
  textTruncated: z.optional(z.boolean()),
  attachments: z.array(Attachment),
  thread: ThreadRefs,
  transport: TransportFacts,
  audience: z.optional(AudienceEvent),
  smsKeyword: z.optional(SmsKeyword),
  /** Messenger postback payload / quick reply payload. */
  payload: z.optional(z.string()),
  /** Where the raw original is kept (SES S3 action). */
  raw: z.optional(z.object({ bucket: z.string(), key: z.string() })),
});
export type InboundItem = z.infer<typeof InboundItem>;

/** Largest text we carry on the queue; the rest stays in the raw original. */
export const MAX_TEXT_CHARS = 100_000;
