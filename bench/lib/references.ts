import { WEBHOOKS, type FunctionId } from '../../shared/topology.ts';

/** Reference handlers in bench/reference/: only the AWS SDK clients a function truly needs. */
export const REFERENCES = {
  empty: { entry: 'bench/reference/empty.ts', clients: 'none (floor)' },
  sqs: { entry: 'bench/reference/sqs.ts', clients: 'SQS' },
  s3Sqs: { entry: 'bench/reference/s3-sqs.ts', clients: 'S3 + SQS' },
  dynamodbSqs: { entry: 'bench/reference/dynamodb-sqs.ts', clients: 'DynamoDB + SQS' },
  deliver: { entry: 'bench/reference/deliver.ts', clients: 'DynamoDB + SQS + SESv2 + SMS v2' },
  dynamodbS3Sqs: { entry: 'bench/reference/dynamodb-s3-sqs.ts', clients: 'DynamoDB + S3 + SQS' },
  auditDigest: { entry: 'bench/reference/audit-digest.ts', clients: 'DynamoDB + KMS + S3 + SQS' },
} as const;

export type ReferenceId = keyof typeof REFERENCES;

export interface FunctionBenchSpec {
  /** The function's own true need. */
  readonly own: ReferenceId;
  /** Ingest functions are held to the SQS-only reference (issue 7 target). */
  readonly ingest: boolean;
  /**
   * Chunks (by the path of the module a dynamic import() loads) that only a
   * rare path of this function loads. Every other chunk counts in the
   * measured load as if the first invocation loaded it, so moving work from
   * INIT into a lazy import cannot flatter the figure.
   */
  readonly rare?: readonly string[];
}

/** Chunks no function loads in Lambda, whatever it does. */
export const NEVER_LOADED_IN_LAMBDA: readonly string[] = [
  // Lambda gives the role's credentials in the environment: the SDK's default chain stops at fromEnv.
  'node_modules/@aws-sdk/credential-provider-ini/',
  'node_modules/@aws-sdk/credential-provider-sso/',
  'node_modules/@aws-sdk/credential-provider-process/',
  'node_modules/@aws-sdk/credential-provider-web-identity/',
  'node_modules/@aws-sdk/credential-provider-http/',
  'node_modules/@aws-sdk/credential-provider-login/',
  'node_modules/@aws-sdk/nested-clients/',
  'node_modules/@aws-sdk/token-providers/',
  'node_modules/@smithy/credential-provider-imds/',
  // The SDK's user-agent parser for browsers.
  'node_modules/bowser/',
  // Event-stream operations; the hub calls none.
  'node_modules/@smithy/core/dist-es/submodules/event-streams/',
  // The policy schema, for a council file nothing has checked: in AWS, HUB_COUNCIL is the file the stack
  // shipped, checked at synth (shared/policy/council-policy.ts).
  'shared/policy/load.ts',
];

export const FUNCTION_SPECS: Record<FunctionId, FunctionBenchSpec> = {
  // Every provider webhook only verifies and enqueues.
  ...(Object.fromEntries(WEBHOOKS.map((w) => [w.fn, { own: 'sqs', ingest: true }])) as Record<(typeof WEBHOOKS)[number]['fn'], FunctionBenchSpec>),
  // Truly needs S3 to read the raw MIME; the target still compares it with SQS only, so both ratios are reported.
  sesInbound: { own: 's3Sqs', ingest: true },
  smsInbound: { own: 'sqs', ingest: true },
  // Reads the stored POST and writes each mail's raw MIME (S3), enqueues (SQS).
  mandrillIntake: { own: 's3Sqs', ingest: true },
  // S3 only for a body too large for DynamoDB, Bedrock only for the opt-in second opinion on public comments:
  // both are rare clients (infra/aws/bundling.ts), files of their own that the figure never counts.
  classify: { own: 'dynamodbSqs', ingest: false, rare: ['shared/channels/lazy-mail-store.ts'] },
  // Counted: the email sender (every formal item reaches the clerk by email). Rare: each other channel's
  // sender (one container may meet a few) and a clerk's attachments (postal-mime, and S3: a rare client).
  deliver: {
    own: 'deliver',
    ingest: false,
    rare: [
      'shared/delivery/messenger.ts',
      'shared/delivery/twilio.ts',
      'shared/delivery/eum.ts',
      'shared/delivery/whatsapp.ts',
      'shared/delivery/page-moderation.ts',
      'shared/channels/lazy-mail-store.ts',
      'node_modules/postal-mime/',
    ],
  },
  consentForm: { own: 'dynamodbSqs', ingest: false },
  moderationLink: { own: 'dynamodbSqs', ingest: false },
  consentSchedule: { own: 'dynamodbSqs', ingest: false },
  // DynamoDB, S3 for the raw mail and oversized bodies it erases, SQS for the audit events of each erasure.
  retentionSweep: { own: 'dynamodbS3Sqs', ingest: false },
  // Needs DynamoDB only (the event source mapping reads the queue); held to the DynamoDB + SQS reference all the same.
  auditAppender: { own: 'dynamodbSqs', ingest: false },
  clerkSchedule: { own: 'dynamodbSqs', ingest: false },
  caseLink: { own: 'dynamodbSqs', ingest: false },
  // DynamoDB, KMS and S3 (signed digest to the Object Lock bucket), SQS for the digest mail.
  auditDigest: { own: 'auditDigest', ingest: false },
};

export const LOAD_RATIO_TARGET = 1.2;

/** The reference a function's PASS/FAIL is judged against. */
export function targetReference(spec: FunctionBenchSpec): ReferenceId {
  return spec.ingest ? 'sqs' : spec.own;
}
