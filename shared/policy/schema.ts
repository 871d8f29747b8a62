import * as z from 'zod/mini';
import { MAX_DIGEST_RECIPIENTS } from './limits.ts';
import { MODERATION_CATEGORIES } from '../model/moderation-categories.ts';
import { CHANNEL_IDS, LATER_CHANNELS, type LaterChannel } from '../channels/registry.ts';
import type { Channel } from '../model/inbound-item.ts';

/**
 * A council's communication policy as data. A council adopts the hub by
 * writing one of these (see docs/policy.md); the engine reads nothing else.
 *
 * Every rule carries `clause`: where in the council's adopted policy it comes
 * from (`stilton.txt §12`, `west-end.txt "Parish Council email"`). Where the
 * policy is silent the clause starts with `default:` and `note` says which
 * default was taken and why. Objects are strict, so a misspelt field is an
 * error rather than a silently ignored rule.
 *
 * The schemas are built on first use (`policySchemas()`), not at import: zod
 * schema construction costs milliseconds on a cold start, and a Lambda loading
 * the policy file the stack shipped does not validate it again (see council-policy.ts).
 */

const NON_EMPTY = 'expected a non-empty string';
const text = () => z.string({ error: NON_EMPTY }).check(z.minLength(1, NON_EMPTY));
const clause = text;
const note = () => z.optional(text());

const emailAddress = () =>
  z.string({ error: 'expected an email address' }).check(
    z.regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, 'expected an email address like clerk@example.org.uk'),
    z.refine((s) => s === s.toLowerCase(), 'expected the address in lower case'),
  );
const domain = () =>
  z.string({ error: 'expected a mail domain' }).check(z.regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'expected a lower-case mail domain like example.gov.uk'));
const e164 = () => z.string({ error: 'expected a phone number' }).check(z.regex(/^\+[1-9][0-9]{6,14}$/, 'expected an E.164 phone number like +447700900123'));
const e164Prefix = () => z.string({ error: 'expected a phone number prefix' }).check(z.regex(/^\+[1-9][0-9]{0,14}$/, 'expected an E.164 prefix like "+447"'));
const positiveInt = (what: string) =>
  z.number({ error: `expected a number of ${what}` }).check(z.int(`expected a whole number of ${what}`), z.positive(`expected a positive number of ${what}`));
const hhmm = () => z.string({ error: 'expected a time "HH:MM"' }).check(z.regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'expected a 24-hour time "HH:MM"'));

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const MODERATION_ACTIONS = ['flag', 'hold-for-clerk', 'invite-formal-complaint', 'policy-breach-notice'] as const;
/** What the hub does to a breaching Facebook Page comment (withyham.txt §6.13, stilton.txt §8). */
export const PAGE_ACTIONS = ['hide', 'ask-clerk', 'none'] as const;
/** Bedrock regions in the UK or the EU: resident text never leaves them. */
export const MODEL_REGIONS = ['eu-west-2', 'eu-west-1', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2'] as const;

/** Channels residents can be answered on (Mailchimp events never are). */
type ReplyChannel = Exclude<Channel, 'mailchimp'>;
const REPLY_CHANNELS = CHANNEL_IDS.filter((c): c is ReplyChannel => c !== 'mailchimp');

type PerChannel<C extends Channel, S extends z.ZodMiniType> = { [K in C]: K extends LaterChannel ? z.ZodMiniOptional<S> : S };

/** A strict-object shape with one entry per channel, optional for LATER_CHANNELS. */
function perChannel<C extends Channel, S extends z.ZodMiniType>(channels: readonly C[], schema: S): PerChannel<C, S> {
  const later: readonly string[] = LATER_CHANNELS;
  return Object.fromEntries(channels.map((c) => [c, later.includes(c) ? z.optional(schema) : schema])) as PerChannel<C, S>;
}

function buildSchemas() {
  const Day = z.enum(DAYS, { error: `expected one of ${DAYS.join(', ')}` });

  /** A rule switched on or off, with where that comes from. */
  const Rule = z.strictObject({ enabled: z.boolean({ error: 'expected true or false' }), clause: clause(), note: note() });

  const Address = z.strictObject({ address: emailAddress(), clause: clause(), note: note() });

  const ChannelRule = z.strictObject({
    /** True: items on this channel are official correspondence. */
    formal: z.boolean({ error: 'expected true or false' }),
    clause: clause(),
    note: note(),
    /**
     * WhatsApp: the approved message template sent when a reply falls outside the
     * 24-hour customer-service window (one body variable: the reference, or the
     * council's name). Without one, nothing is sent and the clerk is told.
     */
    outsideWindowTemplate: z.optional(
      z.strictObject({
        name: z.string({ error: 'expected a template name' }).check(z.regex(/^[a-z0-9_]{1,512}$/, 'expected a WhatsApp template name (lower case, digits, _)')),
        language: z.string({ error: 'expected a language code' }).check(z.regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'expected a language code like "en_GB"')),
        clause: clause(),
        note: note(),
      }),
    ),
  });

  const ModerationAction = z.enum(MODERATION_ACTIONS, { error: `expected one of ${MODERATION_ACTIONS.join(', ')}` });

  const ModerationRuleSchema = z.strictObject({
    category: z.enum(MODERATION_CATEGORIES),
    clause: clause(),
    action: ModerationAction,
    /** Facebook Page comments: hide at once, ask the clerk (signed one-click links), or leave (default). */
    page: z.optional(z.enum(PAGE_ACTIONS, { error: `expected one of ${PAGE_ACTIONS.join(', ')}` })),
  });

  const ModerationLinks = z.strictObject({
    /** Hosts (with their subdomains) that are on topic: the council's site, county and district, planning portals, local news. */
    onTopicDomains: z.array(domain()),
    clause: clause(),
    note: note(),
  });

  const PageModeration = z.strictObject({
    /** After hiding or deleting, comment the policy's policyBreachNotice under the post. */
    publicNote: z.boolean({ error: 'expected true or false' }),
    /** The clerk's one-click links expire after this many hours. */
    linkExpiryHours: positiveInt('hours'),
    repeatOffenders: z.strictObject({
      windowDays: positiveInt('days'),
      /** Breaching comments by one author within the window at which blocking is suggested or done. */
      threshold: positiveInt('comments'),
      block: z.enum(['suggest', 'auto'], { error: 'expected "suggest" or "auto"' }),
    }),
    clause: clause(),
    note: note(),
  });

  const ModerationModel = z.strictObject({
    /** Off unless the council opts in (see docs/moderation.md, data protection). */
    enabled: z.boolean({ error: 'expected true or false' }),
    /** Pinned Bedrock model id, e.g. anthropic.claude-3-haiku-20240307-v1:0. */
    modelId: z
      .string({ error: 'expected a model id' })
      .check(z.regex(/^[a-z0-9-]+\.[a-z0-9.:-]+$/, 'expected a Bedrock model id like anthropic.claude-3-haiku-20240307-v1:0')),
    region: z.enum(MODEL_REGIONS, { error: `expected a UK or EU region: ${MODEL_REGIONS.join(', ')}` }),
    /** Ask the model only where the rules are unsure, or about every public item. */
    when: z.enum(['unsure', 'always'], { error: 'expected "unsure" or "always"' }),
    timeoutMs: positiveInt('milliseconds'),
    clause: clause(),
    note: note(),
  });

  const OfficeWindow = z.strictObject({
    days: z.array(Day).check(z.minLength(1, 'expected at least one day')),
    start: hhmm(),
    end: hhmm(),
  });

  const PolicySchema = z.strictObject({
    /** Goes into every Decision.policyVersion and so into the audit trail. Change it whenever a rule changes. */
    version: text(),
    council: z.strictObject({
      /** Lower-case slug, e.g. `stilton`; partition key of the audit trail. */
      id: z.string({ error: 'expected a council id' }).check(z.regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'expected a lower-case id like "west-end"')),
      name: text(),
      /** Audit references are `${prefix}-YYYY-NNNNNN`. */
      referencePrefix: z.string({ error: 'expected a reference prefix' }).check(z.regex(/^[A-Z]{2,5}$/, 'expected 2 to 5 capital letters, e.g. "STL"')),
      /** The council's privacy notice (https), linked from the consent form; without one the form says to ask the clerk. */
      privacyNoticeUrl: z.optional(z.string({ error: 'expected a web address' }).check(z.regex(/^https:\/\/[^\s"<>]+$/, 'expected an https:// web address'))),
      source: z.strictObject({
        /** The adopted policy document the clauses cite. */
        file: text(),
        /** As the policy states it (`13/10/20`, `October 2023`), or `not stated` with a note. */
        adopted: text(),
        reviewDue: z.optional(text()),
        note: note(),
      }),
    }),
    contacts: z.strictObject({
      clerk: Address,
      deputyClerk: z.optional(Address),
      enquiries: z.optional(Address),
      /** Other official inboxes the hub receives for. */
      otherOfficial: z.optional(z.array(Address)),
      /**
       * Mail domains the council owns: email to any address at them is addressed to the
       * council. Leave empty when the clerk uses a free-mail address (cassington.txt).
       */
      officialDomains: z.strictObject({ domains: z.array(domain()), clause: clause(), note: note() }),
      /** Addresses the hub itself sends from (SES_FROM_ADDRESS): mail from them is our own echo. */
      hubAddresses: z.array(emailAddress()).check(z.minLength(1, 'expected at least one address the hub sends from')),
      /** Facebook Page id; Messenger and feed items from it are our own. */
      messengerPageId: z.optional(z.string({ error: 'expected a page id' }).check(z.regex(/^[0-9]{5,20}$/, 'expected a numeric Facebook Page id'))),
      smsNumbers: z.array(e164()),
      note: note(),
    }),
    /** One rule per channel; channels added after the policy (LATER_CHANNELS) may be left out. */
    channels: z.strictObject(perChannel(CHANNEL_IDS, ChannelRule)),
    /** Email with the clerk in Cc is official (stilton.txt §12). */
    copiedToClerk: Rule,
    /** Email to an official address (clerk, deputy, enquiries, official domain) is formal. */
    officialAddress: Rule,
    texts: z.strictObject({
      notOfficialContact: z.strictObject(perChannel(REPLY_CHANNELS, text())),
      consentRequest: text(),
      consentReminder: text(),
      /** The consent request and reminder by SMS: short enough for 2 segments with the link (the email texts are used, shortened, when absent). */
      consentRequestSms: z.optional(text()),
      consentReminderSms: z.optional(text()),
      outOfOffice: text(),
      /** Optional: the acknowledgement a formal item gets when nothing else sent tells the resident its reference (default in texts.ts). */
      formalAcknowledgement: z.optional(text()),
      formalComplaintInvitation: text(),
      policyBreachNotice: text(),
    }),
    officeHours: z.strictObject({
      /** Always Europe/London: the hub knows England and Wales bank holidays only. */
      timeZone: z.literal('Europe/London', { error: 'expected "Europe/London"' }),
      windows: z.array(OfficeWindow).check(z.minLength(1, 'expected at least one office-hours window')),
      closedOnBankHolidays: z.boolean({ error: 'expected true or false' }),
      /** Send the outOfOffice text to formal email that arrives outside the windows. */
      outOfOfficeReply: z.boolean({ error: 'expected true or false' }),
      clause: clause(),
      note: note(),
    }),
    autoReplyRateLimit: z.strictObject({
      /** At most one automatic reply per sender per this many days (RFC 3834 §2 recommends 7). */
      windowDays: positiveInt('days'),
      clause: clause(),
      note: note(),
    }),
    retention: z.strictObject({
      formal: z.strictObject({ years: positiveInt('years'), clause: clause(), note: note() }),
      informal: z.strictObject({ days: positiveInt('days'), clause: clause(), note: note() }),
      /** Raw inbound mail in the SES bucket (its lifecycle rule); 30 days when absent. */
      rawMail: z.optional(z.strictObject({ days: positiveInt('days'), clause: clause(), note: note() })),
    }),
    consent: z.strictObject({
      /** Ask new formal correspondence for the data-consent form before action is taken. */
      enabled: z.boolean({ error: 'expected true or false' }),
      /** Channels whose new formal items need the form. */
      channels: z.array(z.enum(REPLY_CHANNELS as [ReplyChannel, ...ReplyChannel[]], { error: `expected one of ${REPLY_CHANNELS.join(', ')}` })),
      reminderAfterDays: positiveInt('days'),
      expiresAfterDays: positiveInt('days'),
      clause: clause(),
      note: note(),
    }),
    trust: z.strictObject({
      /** Mandrill SpamAssassin score at or above which an item is treated as spam. */
      spamScoreThreshold: z.number({ error: 'expected a number' }),
      clause: clause(),
      note: note(),
    }),
    /** Limits on what the hub sends to residents (shared/policy/outbound.ts has the defaults and why). */
    outbound: z.optional(
      z.strictObject({
        /** SMS goes only to numbers starting with one of these (E.164 prefixes, e.g. "+447" for UK mobiles). */
        smsDestinations: z.strictObject({
          allowedPrefixes: z.array(e164Prefix()).check(z.minLength(1, 'expected at least one prefix')),
          clause: clause(),
          note: note(),
        }),
        /** At most this many messages to residents per channel per Europe/London day; then replies stop and the clerk is alerted once. */
        dailyLimits: z.strictObject({
          /** One per reply channel; a channel added after the policy (LATER_CHANNELS) may be left out and gets its descriptor's defaultDailyLimit. */
          ...perChannel(REPLY_CHANNELS, positiveInt('messages')),
          clause: clause(),
          note: note(),
        }),
      }),
    ),
    /** Provider events older than this (by their own timestamp) are acknowledged and ignored: a replayed capture. */
    replay: z.optional(z.strictObject({ windowDays: positiveInt('days'), clause: clause(), note: note() })),
    moderation: z.array(ModerationRuleSchema),
    /** The clerk's casework (issue 13): complaint acknowledgement period and the daily digest. Optional; defaults in shared/cases/casework.ts. */
    casework: z.optional(
      z.strictObject({
        /** Working days within which a complaint is acknowledged (default 5). */
        complaintAcknowledgementWorkingDays: z.optional(positiveInt('working days')),
        digest: z.optional(
          z.strictObject({
            enabled: z.boolean({ error: 'expected true or false' }),
            /** Europe/London time the digest is sent. */
            time: hhmm(),
            days: z.array(Day).check(z.minLength(1, 'expected at least one day')),
          }),
        ),
        clause: clause(),
        note: note(),
      }),
    ),
    moderationLinks: z.optional(ModerationLinks),
    pageModeration: z.optional(PageModeration),
    moderationModel: z.optional(ModerationModel),
    /** Signed audit digests (docs/audit.md). Optional: without it digests are kept in the digest store only. */
    audit: z.optional(
      z.strictObject({
        /** The council's auditors (internal auditor, RFO): each hourly digest is emailed to each of them. */
        digestRecipients: z
          .array(emailAddress())
          .check(
            z.minLength(1, 'expected at least one auditor address'),
            z.maxLength(MAX_DIGEST_RECIPIENTS, `expected at most ${MAX_DIGEST_RECIPIENTS} auditor addresses`),
          ),
        clause: clause(),
        note: note(),
      }),
    ),
    /** Which defaults the moderation rules take where the policy is silent. */
    moderationNote: note(),
  });
  return { Day, ChannelRule, ModerationAction, ModerationRuleSchema, ModerationModel, PageModeration, OfficeWindow, Address, PolicySchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

/** The policy schemas, built once on first use. */
export function policySchemas(): Schemas {
  schemas ??= buildSchemas();
  return schemas;
}

export type Day = z.infer<Schemas['Day']>;
export type PolicyAddress = z.infer<Schemas['Address']>;
export type ChannelRule = z.infer<Schemas['ChannelRule']>;
export type ModerationAction = z.infer<Schemas['ModerationAction']>;
export type ModerationRule = z.infer<Schemas['ModerationRuleSchema']>;
export type ModerationModel = z.infer<Schemas['ModerationModel']>;
export type PageModeration = z.infer<Schemas['PageModeration']>;
export type OfficeWindow = z.infer<Schemas['OfficeWindow']>;
export type Policy = z.infer<Schemas['PolicySchema']>;
