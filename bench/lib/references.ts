import { WEBHOOKS, type FunctionId } from '../../shared/topology.ts';

/** Reference handlers in bench/reference/: only the AWS SDK clients a function truly needs. */
export const REFERENCES = {
  empty: { entry: 'bench/reference/empty.ts', clients: 'none (floor)' },
  sqs: { entry: 'bench/reference/sqs.ts', clients: 'SQS' },
  s3Sqs: { entry: 'bench/reference/s3-sqs.ts', clients: 'S3 + SQS' },
  dynamodbSqs: { entry: 'bench/reference/dynamodb-sqs.ts', clients: 'DynamoDB + SQS' },
  deliver: { entry: 'bench/reference/deliver.ts', clients: 'DynamoDB + SQS + SESv2 + SMS v2' },
} as const;

export type ReferenceId = keyof typeof REFERENCES;

export interface FunctionBenchSpec {
  /** The function's own true need. */
  readonly own: ReferenceId;
  /** Ingest functions are held to the SQS-only reference (issue 7 target). */
  readonly ingest: boolean;
}

export const FUNCTION_SPECS: Record<FunctionId, FunctionBenchSpec> = {
  // Every provider webhook only verifies and enqueues.
  ...(Object.fromEntries(WEBHOOKS.map((w) => [w.fn, { own: 'sqs', ingest: true }])) as Record<(typeof WEBHOOKS)[number]['fn'], FunctionBenchSpec>),
  // Truly needs S3 to read the raw MIME; the target still compares it with SQS only, so both ratios are reported.
  sesInbound: { own: 's3Sqs', ingest: true },
  smsInbound: { own: 'sqs', ingest: true },
  classify: { own: 'dynamodbSqs', ingest: false },
  deliver: { own: 'deliver', ingest: false },
  consentForm: { own: 'dynamodbSqs', ingest: false },
  moderationLink: { own: 'dynamodbSqs', ingest: false },
  consentSchedule: { own: 'dynamodbSqs', ingest: false },
  // Needs DynamoDB only; DynamoDB + SQS is the nearest reference (an upper bound).
  retentionSweep: { own: 'dynamodbSqs', ingest: false },
  // Needs DynamoDB only (the event source mapping reads the queue); held to the DynamoDB + SQS reference all the same.
  auditAppender: { own: 'dynamodbSqs', ingest: false },
  clerkSchedule: { own: 'dynamodbSqs', ingest: false },
  caseLink: { own: 'dynamodbSqs', ingest: false },
  // DynamoDB plus KMS and S3, loaded lazily on the first digest; the nearest reference.
  auditDigest: { own: 'dynamodbSqs', ingest: false },
};

export const LOAD_RATIO_TARGET = 1.2;

/** The reference a function's PASS/FAIL is judged against. */
export function targetReference(spec: FunctionBenchSpec): ReferenceId {
  return spec.ingest ? 'sqs' : spec.own;
}
