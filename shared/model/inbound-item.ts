import * as v from 'valibot';
import { CHANNEL_IDS, PROVIDER_IDS } from '../channels/registry.ts';

/**
 * One thing a resident (or a provider on their behalf) sent us, normalised from
 * any channel. Ingest functions build it; the classify function validates it
 * off the queue and hands it to the policy engine (deliver does the same with
 * OutboxMessage). shared/model uses valibot, whose schemas are plain objects:
 * building them costs a fraction of zod's on every cold start of classify and
 * deliver. zod stays for the policy file (shared/policy/schema.ts), checked
 * off the hot path with its field-by-field messages. Ingest code imports only
 * the types.
 */

/** The list lives with the channel descriptors (shared/channels/registry.ts). */
export const CHANNELS = CHANNEL_IDS;
export const Channel = v.picklist(CHANNELS);
export type Channel = v.InferOutput<typeof Channel>;

export const PROVIDERS = PROVIDER_IDS;
export const Provider = v.picklist(PROVIDERS);
export type Provider = v.InferOutput<typeof Provider>;

/** What the event was on its channel. */
export const ITEM_KINDS = ['message', 'postback', 'comment', 'email', 'sms', 'audience-event'] as const;
export const ItemKind = v.picklist(ITEM_KINDS);
export type ItemKind = v.InferOutput<typeof ItemKind>;

/** v.number() lets Infinity through (JSON's `1e999` parses to it); zod's number did not, and no count, size or score is infinite. */
export const FiniteNumber = v.pipe(v.number(), v.finite());

export const Party = v.object({
  /** The channel's identity: PSID or Facebook user id, email address (lower-cased), E.164 number, page id. */
  id: v.string(),
  /** Display name as the provider gave it (never trusted for decisions). */
  name: v.optional(v.string()),
});
export type Party = v.InferOutput<typeof Party>;

export const Attachment = v.object({
  filename: v.optional(v.string()),
  contentType: v.string(),
  sizeBytes: v.optional(FiniteNumber),
  /** Provider URL for Messenger/Twilio media; never fetched by the hub. */
  url: v.optional(v.string()),
});
export type Attachment = v.InferOutput<typeof Attachment>;

export const ThreadRefs = v.object({
  /** Email Message-ID of this item, with angle brackets. */
  messageId: v.optional(v.string()),
  inReplyTo: v.optional(v.string()),
  references: v.optional(v.array(v.string())),
  /** Messenger `message.reply_to.mid`. */
  replyToMid: v.optional(v.string()),
  /** Facebook feed: the post and parent of a comment. */
  postId: v.optional(v.string()),
  parentId: v.optional(v.string()),
});
export type ThreadRefs = v.InferOutput<typeof ThreadRefs>;

export const Verdict = v.picklist(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED', 'NONE']);
export type Verdict = v.InferOutput<typeof Verdict>;

/** Facts about how the item travelled; the engine's loop and trust rules read them. */
export const TransportFacts = v.object({
  spf: v.optional(Verdict),
  dkim: v.optional(Verdict),
  dmarc: v.optional(Verdict),
  dmarcPolicy: v.optional(v.string()),
  spam: v.optional(Verdict),
  virus: v.optional(Verdict),
  /** Mandrill's SpamAssassin score, where that is all we have. */
  spamScore: v.optional(FiniteNumber),
  autoSubmitted: v.optional(v.string()),
  precedence: v.optional(v.string()),
  listId: v.optional(v.string()),
  listUnsubscribe: v.optional(v.string()),
  /** X-Auto-Response-Suppress (Microsoft). */
  autoResponseSuppress: v.optional(v.string()),
  /** Envelope MAIL FROM / Return-Path; empty string for the null path `<>`. */
  returnPath: v.optional(v.string()),
  /** Messenger message echo (sent by the Page), with the app that sent it. */
  isEcho: v.optional(v.boolean()),
  echoAppId: v.optional(v.string()),
  /** SES set headersTruncated: some headers may be missing. */
  headersTruncated: v.optional(v.boolean()),
});
export type TransportFacts = v.InferOutput<typeof TransportFacts>;

export const MAILCHIMP_EVENTS = ['subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned', 'campaign'] as const;
export const MailchimpEvent = v.picklist(MAILCHIMP_EVENTS);
export type MailchimpEvent = v.InferOutput<typeof MailchimpEvent>;

/** A Mailchimp audience webhook, kept as a consent-ledger fact. */
export const AudienceEvent = v.object({
  type: MailchimpEvent,
  listId: v.optional(v.string()),
  firedAt: v.string(),
  /** unsubscribe: `unsub` | `delete`. */
  action: v.optional(v.string()),
  /** unsubscribe: `manual` | `abuse`; cleaned: `hard` | `abuse`. */
  reason: v.optional(v.string()),
  campaignId: v.optional(v.string()),
  /** upemail: the new address (the old one is the sender). */
  newEmail: v.optional(v.string()),
  /** campaign: the campaign subject and status. */
  campaignSubject: v.optional(v.string()),
  campaignStatus: v.optional(v.string()),
});
export type AudienceEvent = v.InferOutput<typeof AudienceEvent>;

export const SMS_KEYWORDS = ['STOP', 'START', 'HELP'] as const;
export const SmsKeyword = v.picklist(SMS_KEYWORDS);
export type SmsKeyword = v.InferOutput<typeof SmsKeyword>;

export const InboundItem = v.object({
  schemaVersion: v.literal(1),
  /** Deterministic: `${provider}:${providerMessageId}`; the dedupe key everywhere downstream. */
  itemId: v.string(),
  channel: Channel,
  provider: Provider,
  kind: ItemKind,
  /** Messenger mid, feed comment_id+verb, SES messageId, Mailchimp type+id+fired_at, Mandrill _id/Message-Id, Twilio MessageSid, EUM inboundMessageId. */
  providerMessageId: v.string(),
  /** ISO 8601, when the provider says the resident sent it (or when we received it, if it does not say). */
  receivedAt: v.string(),
  sender: Party,
  /** For email, the header From when it differs from the envelope sender (kept for display, never trusted). */
  headerFrom: v.optional(Party),
  /** Where it was sent: page id, the To addresses, our number. */
  recipients: v.array(v.string()),
  /** Email Cc addresses (copied-to-the-clerk rule). */
  cc: v.optional(v.array(v.string())),
  /** Email Reply-To, where the resident asked for answers to go. */
  replyTo: v.optional(v.array(v.string())),
  subject: v.optional(v.string()),
  text: v.string(),
  /** True when the text was cut to fit the queue message; the raw original stays in S3. */
  textTruncated: v.optional(v.boolean()),
  attachments: v.array(Attachment),
  thread: ThreadRefs,
  transport: TransportFacts,
  audience: v.optional(AudienceEvent),
  smsKeyword: v.optional(SmsKeyword),
  /** Messenger postback payload / quick reply payload. */
  payload: v.optional(v.string()),
  /** Where the raw original is kept (SES S3 action). */
  raw: v.optional(v.object({ bucket: v.string(), key: v.string() })),
});
export type InboundItem = v.InferOutput<typeof InboundItem>;

/** Largest text we carry on the queue; the rest stays in the raw original. */
export const MAX_TEXT_CHARS = 100_000;
