import type { Channel, InboundItem, Provider } from '../model/inbound-item.ts';
import type { OutboxMessage } from '../model/outbox.ts';
import type { Policy } from '../policy/schema.ts';
import { mailAuth } from '../policy/mail-auth.ts';

/**
 * What the pipeline knows about each channel, in one place: its label, how to
 * recognise our own traffic on it, which identifiers later items refer to it
 * by, where an answer goes, which sender delivers it, and what a council's
 * policy says about it when the policy predates the channel. The engine, the
 * composer, classify, deliver and the home page read it. `CHANNEL_REGISTRY`
 * is typed over every Channel, so a new channel id does not compile until it
 * has a descriptor.
 *
 * Names (routes, functions, secrets, body limits, env vars) stay in
 * shared/topology.ts; code that needs heavy dependencies (the webhook core,
 * the provider sender, the local fake) stays in its own module, loaded only by
 * the function that needs it. This file is pure and cheap to load.
 */

/** Every channel an item can arrive on. */
export const CHANNEL_IDS = ['messenger', 'facebook-comment', 'email', 'sms', 'mailchimp', 'whatsapp'] as const;

/** Every provider an item can come through. */
export const PROVIDER_IDS = ['meta', 'ses', 'mandrill', 'mailchimp', 'twilio', 'aws-sms', 'whatsapp'] as const;

/**
 * Channels added after the councils' policies were written: a policy may leave
 * them out, and then the descriptor's defaultRule and defaultNotOfficialText apply.
 */
export const LATER_CHANNELS = ['whatsapp'] as const satisfies readonly (typeof CHANNEL_IDS)[number][];
export type LaterChannel = (typeof LATER_CHANNELS)[number];

/** Which sender answers a message: the channel's, and for SMS the provider the item came in on. */
export type SenderId = 'messenger' | 'ses' | 'twilio' | 'eum' | 'whatsapp' | 'page';

/** Where an answer to the resident goes: the channel and identity they used. */
export interface ReplyTarget {
  readonly itemId: string;
  readonly channel: Exclude<Channel, 'mailchimp'>;
  readonly to: string;
  readonly provider?: Provider;
  /** Our identity the resident wrote to (SMS number, page id). */
  readonly from?: string;
  /** Email: the resident's subject, for `Auto: <subject>` and `Re:`. */
  readonly subject?: string;
  readonly inReplyTo?: string;
  readonly references?: readonly string[];
  /** Messenger / comment: when the resident wrote (the provider's reply window runs from it). */
  readonly lastUserMessageAt?: string;
}

export interface ChannelDescriptor {
  /** What the clerk and the home page call it. */
  readonly label: string;
  /** Which of our own identities sent this item, if any (the loop guard). */
  ownSender(item: InboundItem, policy: Policy): string | undefined;
  /** Identifiers later items can refer to this one by (email Message-ID, Messenger mid). */
  threadKeys(item: InboundItem): string[];
  /** Where an automatic answer goes, or undefined when nothing may be sent back. */
  replyTarget(item: InboundItem): ReplyTarget | undefined;
  /** The sender that delivers an outbox message on this channel. */
  sender(msg: OutboxMessage): SenderId;
  /** How the clerk's answer by email (issue 13) goes on to the resident (shared/answers/plan.ts). */
  readonly clerkAnswer: ClerkAnswerMode;
  /**
   * The rule when the council's policy has none for this channel (a channel
   * added after the policy was adopted). Only channels the policy schema marks
   * optional (LATER_CHANNELS) can be absent from a policy.
   */
  readonly defaultRule?: DefaultRule;
  /** The not-official-contact text when the policy has none for this channel (LATER_CHANNELS). */
  readonly defaultNotOfficialText?: string;
  /** The daily outbound limit when the policy's `outbound.dailyLimits` has none for this channel (LATER_CHANNELS). */
  readonly defaultDailyLimit?: { readonly messages: number; readonly clause: string };
  /** What the clerk's daily-limit alert calls our messages on it (default: "<label> replies"). */
  readonly messagesToResidents?: string;
}

/**
 * How a clerk's answer reaches the resident: by email, as SMS parts, on
 * Messenger (24-hour window from their latest message), as the comment's one
 * Private Reply, as a plain chat (free text in chunks of `maxChars` within
 * `windowHours` of their message: a new chat channel needs nothing more), or
 * not at all.
 */
export type ClerkAnswerMode =
  | { readonly by: 'email' | 'sms' | 'messenger' | 'private-reply' | 'none' }
  | { readonly by: 'chat'; readonly maxChars: number; readonly windowHours: number };

/** The shape of a policy's channel rule (shared/policy/schema.ts ChannelRule). */
export interface DefaultRule {
  readonly formal: boolean;
  readonly clause: string;
  readonly note?: string;
}

const byId = (item: InboundItem) => ({ itemId: item.itemId, provider: item.provider }) as const;
const ourIdentity = (item: InboundItem) => (item.recipients[0] ? { from: item.recipients[0] } : {});
const noThreadKeys = (): string[] => [];
const facebookPage = (item: InboundItem, policy: Policy): string | undefined =>
  policy.contacts.messengerPageId !== undefined && item.sender.id === policy.contacts.messengerPageId ? 'Facebook Page' : undefined;

export const CHANNEL_REGISTRY: { readonly [C in Channel]: ChannelDescriptor } = {
  messenger: {
    label: 'Facebook Messenger',
    ownSender: facebookPage,
    threadKeys: (item) => [item.providerMessageId],
    replyTarget: (item) => ({ ...byId(item), channel: 'messenger', to: item.sender.id, lastUserMessageAt: item.receivedAt, ...ourIdentity(item) }),
    sender: () => 'messenger',
    clerkAnswer: { by: 'messenger' },
  },
  'facebook-comment': {
    label: 'Facebook comment',
    ownSender: facebookPage,
    threadKeys: noThreadKeys,
    // A Private Reply is addressed to the comment.
    replyTarget: (item) => ({
      ...byId(item),
      channel: 'facebook-comment',
      to: item.providerMessageId.replace(/:add$/, ''),
      lastUserMessageAt: item.receivedAt,
      ...ourIdentity(item),
    }),
    sender: () => 'messenger',
    clerkAnswer: { by: 'private-reply' },
    messagesToResidents: 'Facebook private replies',
  },
  email: {
    label: 'Email',
    ownSender: (item, policy) => {
      const address = normaliseAddress(item.sender.id);
      if (policy.contacts.hubAddresses.includes(address)) return 'hub address';
      return officialAddresses(policy).has(address) ? 'official address' : undefined;
    },
    threadKeys: (item) => (item.thread.messageId ? [item.thread.messageId] : []),
    replyTarget: emailReplyTarget,
    sender: () => 'ses',
    clerkAnswer: { by: 'email' },
    messagesToResidents: 'emails',
  },
  sms: {
    label: 'SMS',
    ownSender: (item, policy) => (policy.contacts.smsNumbers.includes(item.sender.id) ? 'SMS number' : undefined),
    threadKeys: noThreadKeys,
    replyTarget: (item) => ({ ...byId(item), channel: 'sms', to: item.sender.id, ...ourIdentity(item) }),
    sender: (msg) => (msg.provider === 'twilio' ? 'twilio' : 'eum'),
    clerkAnswer: { by: 'sms' },
    messagesToResidents: 'text messages (SMS)',
  },
  mailchimp: {
    label: 'Mailchimp audience event',
    ownSender: () => undefined,
    threadKeys: noThreadKeys,
    // Consent-ledger facts: never answered.
    replyTarget: () => undefined,
    // Only the clerk is written to about them, by email.
    sender: () => 'ses',
    clerkAnswer: { by: 'none' },
  },
  whatsapp: {
    label: 'WhatsApp',
    ownSender: (item, policy) => (policy.contacts.smsNumbers.includes(`+${item.sender.id}`) ? 'WhatsApp number' : undefined),
    threadKeys: (item) => [item.providerMessageId],
    // From the phone number id the resident wrote to; the 24-hour customer-service window runs from their message.
    replyTarget: (item) => ({ ...byId(item), channel: 'whatsapp', to: item.sender.id, lastUserMessageAt: item.receivedAt, ...ourIdentity(item) }),
    sender: () => 'whatsapp',
    // Free text only inside the 24-hour customer-service window; outside it WhatsApp takes only a template, which cannot carry the clerk's words.
    clerkAnswer: { by: 'chat', maxChars: 4_096, windowHours: 24 },
    defaultRule: {
      formal: false,
      clause: 'default: withyham.txt §7.4 (additional channels such as WhatsApp are not formal)',
      note: 'The policy does not name WhatsApp as an official channel: messages get the not-official-contact reply pointing to the clerk.',
    },
    defaultNotOfficialText:
      'Thank you for your message. {councilName} does not treat WhatsApp messages as official correspondence. Please email the Clerk at {clerkEmail}.',
    // Since 1 October 2026 Meta bills every WhatsApp reply per delivered message, free text inside the 24-hour
    // window included (service messages, at the utility rate for the resident's country): a paid channel like
    // SMS, so the SMS default (shared/policy/outbound.ts), not Messenger's 200.
    defaultDailyLimit: { messages: 50, clause: 'default: WhatsApp outbound budget (Meta bills each service message from 1 October 2026)' },
  },
};

/** The policy's rule for a channel, or the channel's default where the policy predates it. */
export function channelRule(policy: Policy, channel: Channel): DefaultRule {
  const rule = (policy.channels as Partial<Record<Channel, DefaultRule>>)[channel] ?? CHANNEL_REGISTRY[channel].defaultRule;
  if (!rule) throw new Error(`policy has no rule for channel ${channel}`);
  return rule;
}

export function senderFor(msg: OutboxMessage): SenderId {
  // Moderation on the Facebook Page (issue 15) goes through the Graph API whatever the channel.
  if (msg.kind === 'page-action' || msg.kind === 'public-note') return 'page';
  return CHANNEL_REGISTRY[msg.channel].sender(msg);
}

/** Only to an address SPF or DMARC vouches for, so a forged sender gets nothing (no backscatter, no echoed subject). */
function emailReplyTarget(item: InboundItem): ReplyTarget | undefined {
  const auth = mailAuth(item);
  if (auth.status !== 'authenticated') return undefined;
  const messageId = item.thread.messageId;
  const references = [...(item.thread.references ?? []), ...(messageId ? [messageId] : [])];
  return {
    ...byId(item),
    channel: 'email',
    // RFC 3834 §3.1.5: automatic answers go to the sender, not to a Reply-To.
    to: auth.address,
    ...(item.subject !== undefined ? { subject: item.subject } : {}),
    ...(messageId ? { inReplyTo: messageId } : {}),
    ...(references.length ? { references } : {}),
  };
}

export function officialAddresses(policy: Policy): Set<string> {
  const c = policy.contacts;
  return new Set([c.clerk, c.deputyClerk, c.enquiries, ...(c.otherOfficial ?? [])].filter((a) => a !== undefined).map((a) => a.address));
}

export function normaliseAddress(address: string): string {
  return address.trim().replace(/^<|>$/g, '').toLowerCase();
}
