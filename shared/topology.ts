/**
 * The one source of truth for names: tables, queues, bucket, functions, routes,
 * schedules and environment variables. The CDK stack (infra/aws), the local
 * runtime (infra/local) and the tests all read this file, so cloud and local
 * cannot drift apart. Pure data: no imports, safe on every cold-start path.
 */

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** Only the auditor role may read it (functions that read the table get its other indexes). */
  readonly auditorOnly?: boolean;
}

export interface TableDefinition {
  /** Logical id, also the local table name. */
  readonly id: 'audit' | 'ops';
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry; only the operational table has one. */
  readonly ttlAttribute?: string;
  readonly purpose: string;
}

const pk: KeyAttribute = { name: 'pk', type: 'S' };
const sk: KeyAttribute = { name: 'sk', type: 'S' };
const receivedAt: KeyAttribute = { name: 'receivedAt', type: 'S' };

export const TABLES = {
  audit: {
    id: 'audit',
    partitionKey: pk,
    sortKey: sk,
    purpose:
      'Append-only audit trail (hash-chained events per council) and one summary per formal item. Auditors read it; only the erasure path may change personal-data records.',
    indexes: [
      { name: 'byReference', partitionKey: { name: 'ref', type: 'S' }, sortKey: sk },
      { name: 'byDay', partitionKey: { name: 'day', type: 'S' }, sortKey: receivedAt },
      { name: 'byChannel', partitionKey: { name: 'channel', type: 'S' }, sortKey: receivedAt },
      { name: 'byClassification', partitionKey: { name: 'classification', type: 'S' }, sortKey: receivedAt },
      { name: 'byConsent', partitionKey: { name: 'consentStatus', type: 'S' }, sortKey: receivedAt },
      { name: 'bySender', partitionKey: { name: 'senderHash', type: 'S' }, sortKey: receivedAt },
      // Every record by its type (SUMMARY, CONTENT, EVENTKEY, EVENT#…): verify reads the item records without the chain.
      // It lists every item's content in one place, so no function may read it: the auditor only.
      { name: 'byRecordType', partitionKey: sk, sortKey: pk, auditorOnly: true },
    ],
  },
  ops: {
    id: 'ops',
    partitionKey: pk,
    sortKey: sk,
    ttlAttribute: 'expiresAt',
    purpose:
      'Operational state with a TTL: dedupe claims, auto-reply rate limits, reference counters, outbox idempotency, consent tracking, minimal logs of informal and ignored items.',
    indexes: [{ name: 'byDue', partitionKey: { name: 'duePk', type: 'S' }, sortKey: { name: 'dueAt', type: 'S' } }],
  },
} as const satisfies Record<string, TableDefinition>;

export interface QueueDefinition {
  readonly id: 'inbound' | 'outbox' | 'audit';
  readonly dlqId: string;
  /**
   * FIFO (name ends in `.fifo`): messages of one group (here: one council)
   * are delivered one batch at a time and in order.
   */
  readonly fifo?: boolean;
  /** Seconds; at least six times the consumer's timeout. */
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** Bytes; set explicitly because SQS still defaults to 256 KiB. */
  readonly maximumMessageSizeBytes: number;
  readonly retentionDays: number;
  readonly consumer: FunctionId;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /**
   * The event source mapping's maximum concurrency (2 to 1000): how many
   * batches the consumer handles at once. Not reserved concurrency: Lambda's
   * pollers ignore it, so throttled receives would count towards
   * maxReceiveCount and send messages to the DLQ never tried.
   */
  readonly maxConcurrency: number;
}

export const QUEUES = {
  inbound: {
    id: 'inbound',
    dlqId: 'inbound-dlq',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    maximumMessageSizeBytes: 1_048_576,
    retentionDays: 14,
    consumer: 'classify',
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    // Every formal item appends to one hash chain per council: few writers, little contention.
    maxConcurrency: 2,
  },
  outbox: {
    id: 'outbox',
    dlqId: 'outbox-dlq',
    visibilityTimeoutSeconds: 180,
    // With deliver's backoff (30 s doubling, capped at 1 h) 12 receives ride out a provider outage of about 5 hours before the DLQ.
    maxReceiveCount: 12,
    maximumMessageSizeBytes: 1_048_576,
    retentionDays: 14,
    consumer: 'deliver',
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    // Providers (Graph, Twilio, SES sending rate) must not be overwhelmed.
    maxConcurrency: 2,
  },
  /**
   * Recorded audit events waiting to be linked into their council's chain by
   * the one appender (shared/store/audit-appender.ts), grouped by council.
   * Many receives before the DLQ: a failing batch holds its council's group
   * (order matters more than speed), and every retry is harmless.
   */
  audit: {
    id: 'audit',
    dlqId: 'audit-dlq',
    fifo: true,
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 50,
    maximumMessageSizeBytes: 262_144,
    retentionDays: 14,
    consumer: 'auditAppender',
    batchSize: 10,
    // Lambda's minimum; with one message group per council a council's batches never overlap anyway.
    maxConcurrency: 2,
    // Lambda has no batching window for FIFO queues.
    maxBatchingWindowSeconds: 0,
  },
} as const satisfies Record<string, QueueDefinition>;

/** The queue's name in SQS: FIFO queue names end in `.fifo`. */
export function queueName(prefix: string, id: string, fifo: boolean | undefined): string {
  return fifo ? `${prefix}${id}.fifo` : `${prefix}${id}`;
}

/** Raw inbound mail, written by the SES S3 action (or the local SMTP server). */
export const MAIL_BUCKET = {
  id: 'mail',
  objectPrefix: 'inbound/',
  /** Raw mail expires; only objects under objectPrefix. */
  expireAfterDays: 30,
  /** Full bodies too large for a DynamoDB content record (classify writes them; kept for the record's retention). */
  contentPrefix: 'content/',
  /**
   * Mandrill POSTs as API Gateway received them (the REST API's S3 integration
   * writes them; mandrillIntake reads and deletes each one).
   */
  mandrillIntakePrefix: 'mandrill-intake/',
  /** Backstop expiry of intake objects mandrillIntake never took (days): longer than a failed event waits in the async-failure queue. */
  mandrillIntakeExpireAfterDays: 14,
} as const;

/**
 * Mandrill's intake (docs/channels.md): an API Gateway REST API whose POST
 * writes the body straight to S3 (up to 10 MB; Lambda's 6 MB event limit does
 * not apply), then mandrillIntake reads it. The signature travels as object
 * metadata.
 */
export const MANDRILL_INTAKE = {
  path: '/webhooks/mandrill',
  /** API Gateway REST APIs refuse larger payloads with 413. */
  maxBodyBytes: 10 * 1024 * 1024,
  /** S3 user metadata key (x-amz-meta-mandrill-signature) carrying X-Mandrill-Signature. */
  signatureMetadata: 'mandrill-signature',
  /**
   * Where mandrillIntake keeps each mail's raw MIME, and its only PutObject
   * grant: inside MAIL_BUCKET.objectPrefix, so it is raw mail as SES mail is
   * (expiry, erasure's key class), but not all of it.
   */
  rawMailPrefix: 'inbound/mandrill-',
  /** Stage throttling: a parish gets a few mails an hour; this bounds what forged posts can cost. */
  throttle: { rateLimit: 5, burstLimit: 10 },
} as const;

export type HttpMethod = 'GET' | 'POST' | 'HEAD';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway HTTP API path syntax; `{name}` is a path parameter. */
  readonly path: string;
  readonly fn: FunctionId;
}

/** `s3`: an asynchronous invoke by an S3 ObjectCreated notification. */
export type FunctionKind = 'http' | 'ses' | 's3' | 'sns' | 'sqs' | 'schedule';

export interface FunctionDefinition {
  /** Handler source, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly kind: FunctionKind;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly description: string;
}

export const FUNCTIONS = {
  messengerWebhook: {
    entry: 'functions/messenger-webhook.ts',
    kind: 'http',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: 'Facebook Messenger and Page feed webhook: verify, normalise, enqueue',
  },
  mailchimpWebhook: {
    entry: 'functions/mailchimp-webhook.ts',
    kind: 'http',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: 'Mailchimp audience webhook: path secret, normalise, enqueue',
  },
  mandrillIntake: {
    entry: 'functions/mandrill-intake.ts',
    kind: 's3',
    // A 10 MB POST holds its attachments twice, base64: parsing needs several times that.
    memoryMb: 1024,
    timeoutSeconds: 60,
    description: 'Mailchimp Transactional inbound email from the S3 intake: verify, parse MIME, keep raw mail, enqueue',
  },
  twilioWebhook: {
    entry: 'functions/twilio-webhook.ts',
    kind: 'http',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: 'Twilio inbound SMS: verify, normalise, enqueue, empty TwiML',
  },
  sesInbound: {
    entry: 'functions/ses-inbound.ts',
    kind: 'ses',
    memoryMb: 512,
    timeoutSeconds: 30,
    description: 'SES receipt rule Lambda action: read raw MIME from S3, parse, enqueue',
  },
  smsInbound: {
    entry: 'functions/sms-inbound.ts',
    kind: 'sns',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: 'AWS End User Messaging two-way SMS via SNS: normalise, enqueue',
  },
  whatsappWebhook: {
    entry: 'functions/whatsapp-webhook.ts',
    kind: 'http',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: 'WhatsApp Business Cloud API webhook: verify, normalise, enqueue',
  },
  classify: {
    entry: 'functions/classify.ts',
    kind: 'sqs',
    memoryMb: 512,
    timeoutSeconds: 30,
    description: 'Inbound queue consumer: policy engine, audit trail, outbox',
  },
  deliver: {
    entry: 'functions/deliver.ts',
    kind: 'sqs',
    memoryMb: 256,
    timeoutSeconds: 30,
    description: 'Outbox consumer: Messenger Send API, WhatsApp Cloud API, SES v2, Twilio, End User Messaging',
  },
  consentForm: {
    entry: 'functions/consent-form.ts',
    kind: 'http',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: 'Signed consent link: accessible form, records grant or decline',
  },
  moderationLink: {
    entry: 'functions/moderation-link.ts',
    kind: 'http',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: "Clerk's signed one-click links for a flagged Facebook comment: hide, unhide, delete, block",
  },
  auditAppender: {
    entry: 'functions/audit-appender.ts',
    kind: 'sqs',
    memoryMb: 256,
    timeoutSeconds: 30,
    description: 'Audit queue consumer: links recorded events into the hash chain (the only writer of chain keys)',
  },
  consentSchedule: {
    entry: 'functions/consent-schedule.ts',
    kind: 'schedule',
    memoryMb: 256,
    timeoutSeconds: 60,
    description: 'Consent reminders after N days and expiry after M days',
  },
  retentionSweep: {
    entry: 'functions/retention-sweep.ts',
    kind: 'schedule',
    memoryMb: 256,
    timeoutSeconds: 60,
    description: 'Daily: erase content past the policy retention, except under a legal hold; the chain keeps every event',
  },
  caseLink: {
    entry: 'functions/case-link.ts',
    kind: 'http',
    memoryMb: 256,
    timeoutSeconds: 10,
    description: 'Signed link in the routing email: confirm page, then changes the case (audited)',
  },
  clerkSchedule: {
    entry: 'functions/clerk-schedule.ts',
    kind: 'schedule',
    memoryMb: 256,
    timeoutSeconds: 60,
    description: 'Statutory-deadline reminders and the daily digest to the clerk, inside office hours',
  },
  auditDigest: {
    entry: 'functions/audit-digest.ts',
    kind: 'schedule',
    memoryMb: 256,
    timeoutSeconds: 60,
    description: 'Hourly, when anything was appended: sign a digest of the audit chain (KMS) into the Object Lock bucket',
  },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionId = keyof typeof FUNCTIONS;

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/webhooks/messenger', fn: 'messengerWebhook' },
  { method: 'POST', path: '/webhooks/messenger', fn: 'messengerWebhook' },
  { method: 'GET', path: '/webhooks/mailchimp/{secret}', fn: 'mailchimpWebhook' },
  { method: 'HEAD', path: '/webhooks/mailchimp/{secret}', fn: 'mailchimpWebhook' },
  { method: 'POST', path: '/webhooks/mailchimp/{secret}', fn: 'mailchimpWebhook' },
  { method: 'POST', path: '/webhooks/twilio', fn: 'twilioWebhook' },
  { method: 'GET', path: '/webhooks/whatsapp', fn: 'whatsappWebhook' },
  { method: 'POST', path: '/webhooks/whatsapp', fn: 'whatsappWebhook' },
  { method: 'GET', path: '/consent/{token}', fn: 'consentForm' },
  { method: 'POST', path: '/consent/{token}', fn: 'consentForm' },
  { method: 'GET', path: '/moderation/{token}', fn: 'moderationLink' },
  { method: 'POST', path: '/moderation/{token}', fn: 'moderationLink' },
  { method: 'GET', path: '/cases/{token}', fn: 'caseLink' },
  { method: 'POST', path: '/cases/{token}', fn: 'caseLink' },
];

/**
 * The webhook URL each provider is configured with: `npm start` lists them and
 * the stack outputs them. `{secret}` in a path is the value of `pathSecret`.
 */
export interface WebhookDefinition {
  readonly name: string;
  readonly fn: FunctionId;
  readonly path: string;
  readonly pathSecret?: SecretKey;
  /** CloudFormation output id and where the URL goes in the provider's console. */
  readonly output: string;
  readonly hint: string;
}

export const WEBHOOKS = [
  { name: 'Messenger', fn: 'messengerWebhook', path: '/webhooks/messenger', output: 'MessengerWebhookUrl', hint: 'Meta app → Webhooks callback URL' },
  {
    name: 'Mailchimp',
    fn: 'mailchimpWebhook',
    path: '/webhooks/mailchimp/{secret}',
    pathSecret: 'MAILCHIMP_WEBHOOK_SECRET',
    output: 'MailchimpWebhookUrl',
    hint: 'Mailchimp audience webhook URL: replace the placeholder with the secret value',
  },
  {
    name: 'Twilio',
    fn: 'twilioWebhook',
    path: '/webhooks/twilio',
    output: 'TwilioWebhookUrl',
    hint: 'Twilio number → Messaging → "A message comes in" webhook URL (HTTP POST)',
  },
  {
    name: 'WhatsApp',
    fn: 'whatsappWebhook',
    path: '/webhooks/whatsapp',
    output: 'WhatsappWebhookUrl',
    hint: 'Meta app → WhatsApp → Configuration → Callback URL',
  },
] as const satisfies readonly WebhookDefinition[];

export const SCHEDULES = [
  { id: 'consent-sweep', fn: 'consentSchedule', rate: 'rate(1 hour)', localIntervalSeconds: 60 },
  { id: 'retention-sweep', fn: 'retentionSweep', rate: 'rate(1 day)', localIntervalSeconds: 3600 },
  { id: 'clerk-sweep', fn: 'clerkSchedule', rate: 'rate(15 minutes)', localIntervalSeconds: 30 },
  { id: 'audit-digest', fn: 'auditDigest', rate: 'rate(1 hour)', localIntervalSeconds: 3600 },
] as const satisfies readonly { id: string; fn: FunctionId; rate: string; localIntervalSeconds: number }[];

/**
 * Environment variables the functions read. Secrets are never among them: in
 * AWS they come from Secrets Manager (SECRETS_ARN names the secret); locally
 * from the variables listed in LOCAL_SECRET_VARS.
 */
export const ENV = {
  council: 'HUB_COUNCIL',
  auditTable: 'AUDIT_TABLE',
  opsTable: 'OPS_TABLE',
  inboundQueueUrl: 'INBOUND_QUEUE_URL',
  outboxQueueUrl: 'OUTBOX_QUEUE_URL',
  /** The FIFO audit queue: producers name recorded events on it for the appender. */
  auditQueueUrl: 'AUDIT_QUEUE_URL',
  /** auditDigest in AWS: the Object Lock bucket and the asymmetric KMS key digests are signed with. */
  digestBucket: 'DIGEST_BUCKET',
  signingKeyId: 'AUDIT_SIGNING_KEY_ID',
  /** auditDigest locally: the digest directory and key file under HUB_DATA_DIR. */
  digestDir: 'AUDIT_DIGEST_DIR',
  signingKeyFile: 'AUDIT_SIGNING_KEY_FILE',
  mailBucket: 'MAIL_BUCKET',
  mailPrefix: 'MAIL_PREFIX',
  /** Local only: raw inbound mail is read from (and written to) this directory instead of S3. */
  mailDir: 'MAIL_DIR',
  secretsArn: 'SECRETS_ARN',
  /** Public base URL (scheme + host [+ base path]); signed Twilio/Mandrill URLs and consent links are built on it. */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  /** mandrillIntake: the exact URL Mandrill posts to (the REST API's), which the signature covers. */
  mandrillWebhookUrl: 'MANDRILL_WEBHOOK_URL',
  /**
   * Base URL of consent links when it differs from PUBLIC_BASE_URL; links use
   * `CONSENT_BASE_URL ?? PUBLIC_BASE_URL`. The local hub sets only this one,
   * because locally PUBLIC_BASE_URL must stay unset (signed Twilio/Mandrill
   * URLs are the URL the request was made to).
   */
  consentBaseUrl: 'CONSENT_BASE_URL',
  sesFromAddress: 'SES_FROM_ADDRESS',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  smsOriginationIdentity: 'SMS_ORIGINATION_IDENTITY',
  graphApiBaseUrl: 'GRAPH_API_BASE_URL',
  twilioApiBaseUrl: 'TWILIO_API_BASE_URL',
  messengerPageId: 'MESSENGER_PAGE_ID',
  messengerAppId: 'MESSENGER_APP_ID',
  twilioAccountSid: 'TWILIO_ACCOUNT_SID',
  /** WhatsApp Cloud API phone number id the hub answers for (webhook changes for other numbers are skipped). */
  whatsappPhoneNumberId: 'WHATSAPP_PHONE_NUMBER_ID',
  /** deliver: base of the exponential retry backoff in seconds (default 30; 0 = retry at once, local hub and tests). */
  outboxRetryBaseSeconds: 'OUTBOX_RETRY_BASE_SECONDS',
  /** deliver: abort a provider call after this many milliseconds (default 10000). */
  providerTimeoutMs: 'PROVIDER_TIMEOUT_MS',
} as const;

/**
 * Non-secret provider ids and endpoints (keys of ENV): CDK context values of
 * the same names, passed to the functions when set (infra/aws/app.ts).
 */
export const PROVIDER_SETTINGS = [
  'messengerPageId',
  'messengerAppId',
  'twilioAccountSid',
  'smsOriginationIdentity',
  'graphApiBaseUrl',
  'twilioApiBaseUrl',
  'whatsappPhoneNumberId',
] as const satisfies readonly (keyof typeof ENV)[];
export type ProviderSetting = (typeof PROVIDER_SETTINGS)[number];

/** Keys of the one JSON secret in Secrets Manager; locally, env vars of the same names. */
export const SECRET_KEYS = [
  'MESSENGER_APP_SECRET',
  'MESSENGER_VERIFY_TOKEN',
  'MESSENGER_PAGE_TOKEN',
  'MAILCHIMP_WEBHOOK_SECRET',
  'MANDRILL_WEBHOOK_KEY',
  'TWILIO_AUTH_TOKEN',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
  'WHATSAPP_ACCESS_TOKEN',
  'CONSENT_SIGNING_KEY',
] as const;

export type SecretKey = (typeof SECRET_KEYS)[number];

/**
 * Local hub defaults of the secrets and ids, fixed and obviously local so the
 * demo and the tests can sign requests; each is overridden by the environment
 * variable of the same name (docs/local.md).
 */
export const LOCAL_SECRET_DEFAULTS = {
  MESSENGER_APP_SECRET: 'local-messenger-app-secret',
  MESSENGER_VERIFY_TOKEN: 'local-messenger-verify-token',
  MESSENGER_PAGE_TOKEN: 'local-messenger-page-token',
  MAILCHIMP_WEBHOOK_SECRET: 'local-mailchimp-path-secret',
  MANDRILL_WEBHOOK_KEY: 'local-mandrill-webhook-key',
  TWILIO_AUTH_TOKEN: 'local-twilio-auth-token',
  WHATSAPP_APP_SECRET: 'local-whatsapp-app-secret',
  WHATSAPP_VERIFY_TOKEN: 'local-whatsapp-verify-token',
  WHATSAPP_ACCESS_TOKEN: 'local-whatsapp-access-token',
  CONSENT_SIGNING_KEY: 'local-consent-signing-key',
} as const satisfies Record<SecretKey, string>;

export const LOCAL_ID_DEFAULTS = {
  /** Used when the council's policy names no Page. */
  MESSENGER_PAGE_ID: '104123456789012',
  MESSENGER_APP_ID: '1517776481860111',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
} as const;

/** Body limits per HTTP API route family, bytes; over them the answer is 413 (Mandrill's intake: MANDRILL_INTAKE.maxBodyBytes). */
export const BODY_LIMITS = {
  messenger: 1_048_576,
  mailchimp: 65_536,
  twilio: 65_536,
  /** Meta batches up to 1,000 updates per POST, as for Messenger. */
  whatsapp: 1_048_576,
  consent: 8_192,
} as const;
