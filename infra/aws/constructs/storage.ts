import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { MAIL_BUCKET, SECRET_KEYS, TABLES, type IndexDefinition, type TableDefinition } from '../../../shared/topology.ts';
import { pascal } from '../names.ts';

/*
 * What the hub keeps: the data key, the two tables, the raw-mail bucket and the
 * provider secret. Like every module under constructs/, these add resources to
 * the stack itself rather than to a child construct: CloudFormation logical ids
 * come from the construct path, so a child scope would rename (and so replace)
 * retained tables, the bucket and the key of a deployed hub.
 */

export type Tables = Record<keyof typeof TABLES, dynamodb.Table>;

/** The id of cdk-nag's IAM5 (wildcard resource) finding on a grant over one key prefix of a bucket. */
export function objectPrefixFinding(bucket: s3.Bucket, prefix: string): string {
  return `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${prefix}*]`;
}

/** DynamoDB, from the topology. */
export function addTables(stack: Stack): Tables {
  return { audit: addTable(stack, TABLES.audit), ops: addTable(stack, TABLES.ops) };
}

/**
 * Encrypted at rest with DynamoDB's AWS managed KMS key (aws/dynamodb): KMS,
 * rotated by AWS, its use logged in CloudTrail, no monthly charge. Access is
 * the roles' DynamoDB grants (its key policy admits any principal of the
 * account through DynamoDB).
 */
function addTable(stack: Stack, def: TableDefinition): dynamodb.Table {
  const table = new dynamodb.Table(stack, `${pascal(def.id)}Table`, {
    partitionKey: { name: def.partitionKey.name, type: attributeType(def.partitionKey.type) },
    sortKey: { name: def.sortKey.name, type: attributeType(def.sortKey.type) },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of def.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey.type) },
      sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey.type) },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
  return table;
}

function attributeType(type: 'S' | 'N'): dynamodb.AttributeType {
  return type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER;
}

/** The table and each of its indexes by name: no `index/*`. Indexes marked auditorOnly only for the auditor. */
export function tableAndIndexArns(table: dynamodb.Table, def: TableDefinition, reader: 'function' | 'auditor' = 'function'): string[] {
  const indexes = def.indexes.filter((index: IndexDefinition) => reader === 'auditor' || !index.auditorOnly);
  return [table.tableArn, ...indexes.map((index) => `${table.tableArn}/index/${index.name}`)];
}

/** Raw inbound mail, written by SES; kept as long as the policy's retention.rawMail says. */
export function addMailBucket(stack: Stack, rawMailDays: number): s3.Bucket {
  const mailBucket = new s3.Bucket(stack, 'MailBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: false,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [
      // Only raw mail expires: full bodies under contentPrefix live as long as their audit record.
      { id: 'expire-raw-mail', prefix: MAIL_BUCKET.objectPrefix, expiration: Duration.days(rawMailDays) },
      // Mandrill POSTs mandrillIntake never took (it deletes each one it takes): kept as long as a failed event waits to be replayed.
      { id: 'expire-mandrill-intake', prefix: MAIL_BUCKET.mandrillIntakePrefix, expiration: Duration.days(MAIL_BUCKET.mandrillIntakeExpireAfterDays) },
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(mailBucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'Raw mail is written only by SES (scoped by SourceAccount/SourceArn) and read only by the sesInbound role; objects expire after the policy raw-mail retention (30 days by default). CloudTrail S3 data events are the recommended audit trail if a council wants one; server access logs would add a second bucket of request logs containing object keys for no extra control.',
  });
  return mailBucket;
}

/** Provider secrets: one JSON secret. CONSENT_SIGNING_KEY is generated inside AWS; the operator fills the rest. */
export function addProviderSecret(stack: Stack): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(stack, 'ProviderSecrets', {
    description: `Parish Comms Hub provider secrets (JSON keys: ${SECRET_KEYS.join(', ')}). Set with aws secretsmanager put-secret-value; see docs/deploy.md.`,
    generateSecretString: {
      secretStringTemplate: JSON.stringify(Object.fromEntries(SECRET_KEYS.filter((k) => k !== 'CONSENT_SIGNING_KEY').map((k) => [k, '']))),
      generateStringKey: 'CONSENT_SIGNING_KEY',
      passwordLength: 64,
      excludePunctuation: true,
    },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The values are issued by Meta, Twilio and Mailchimp and can only be rotated in their consoles; CONSENT_SIGNING_KEY rotation would invalidate every outstanding consent link. Rotation is a documented manual step (docs/deploy.md).',
  });
  return secret;
}
