import { readFileSync } from 'node:fs';
import { CfnOutput, CustomResource, Duration, RemovalPolicy, type Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DIGEST_OBJECT_PREFIX } from '../../../shared/store/audit-digest.ts';
import { ENV } from '../../../shared/topology.ts';
import { objectPrefixFinding } from './storage.ts';

/**
 * Signed audit digests kept outside the table (issue 11, docs/audit.md):
 * an asymmetric KMS key (ECDSA P-256; the private key never leaves KMS) and
 * an S3 bucket with Object Lock in COMPLIANCE mode for the policy's formal
 * retention, so nobody (the account root included) can delete or overwrite a
 * digest before its date. Only the auditDigest function may sign and write;
 * the auditor may read the digests and check signatures.
 */
export interface AuditDigests {
  readonly signingKey: kms.Key;
  readonly bucket: s3.Bucket;
  /** Deploy time only: reads the public key for the stack output AuditSigningPublicKey (not a topology function). */
  readonly publicKeyFunction: lambda.Function;
  /** Where the signing function finds the key and the bucket. */
  environment(): Record<string, string>;
  /** The signing function: kms:Sign and write-once digests. */
  grantSign(role: iam.Role): void;
  /** The auditor: read every digest, GetPublicKey/Verify. */
  grantRead(role: iam.Role): void;
}

export function addAuditDigests(stack: Stack, props: { stackId: string; formalYears: number; logRetention: logs.RetentionDays }): AuditDigests {
  const signingKey = new kms.Key(stack, 'AuditSigningKey', {
    alias: `alias/${props.stackId}/audit-signing`,
    description: 'Parish Comms Hub: signs audit chain digests (ECDSA P-256)',
    keySpec: kms.KeySpec.ECC_NIST_P256,
    keyUsage: kms.KeyUsage.SIGN_VERIFY,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const bucket = addDigestBucket(stack, props.formalYears);
  const digestObjects = bucket.arnForObjects(`${DIGEST_OBJECT_PREFIX}*`);
  const acknowledgePrefix = (role: iam.Role, reason: string) =>
    Validations.of(role).acknowledge({ id: objectPrefixFinding(bucket, DIGEST_OBJECT_PREFIX), reason });

  const publicKeyFunction = addPublicKeyOutput(stack, signingKey, props.logRetention);
  new CfnOutput(stack, 'DigestBucketName', {
    value: bucket.bucketName,
    description: 'Signed audit digests (Object Lock, compliance mode): hub audit verify reads them',
  });
  new CfnOutput(stack, 'AuditSigningKeyArn', {
    value: signingKey.keyArn,
    description: 'Asymmetric KMS key that signs audit digests (hub audit key prints its public key)',
  });
  new CfnOutput(stack, 'DigestRetentionYears', {
    value: String(props.formalYears),
    description: "Years each digest is locked (the policy's formal retention)",
  });

  return {
    signingKey,
    bucket,
    publicKeyFunction,
    environment: () => ({ [ENV.digestBucket]: bucket.bucketName, [ENV.signingKeyId]: signingKey.keyArn }),
    grantSign(role) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'SignAuditDigests', actions: ['kms:Sign'], resources: [signingKey.keyArn] }));
      // PutObjectRetention: a PutObject that sets its own Object Lock date needs it. No delete, no overwrite (IfNoneMatch, and the lock).
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'WriteAuditDigests', actions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectRetention'], resources: [digestObjects] }),
      );
      // ListBucket: a missing digest is a 404 (not a 403) when finding the latest one.
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ListAuditDigests', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
      acknowledgePrefix(role, 'Digests are named by council and number; the grant is on the digests/ prefix of the digest bucket only.');
    },
    grantRead(role) {
      // Every version: verify reads them all, so a write over a digest or a delete marker cannot hide one.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'ReadAuditDigests', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [digestObjects] }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'ListAuditDigests', actions: ['s3:ListBucket', 's3:ListBucketVersions'], resources: [bucket.bucketArn] }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'CheckDigestSignatures', actions: ['kms:GetPublicKey', 'kms:Verify'], resources: [signingKey.keyArn] }),
      );
      acknowledgePrefix(role, 'The auditor reads every digest (named by council and number) on the digests/ prefix of the digest bucket, nothing else there.');
    },
  };
}

/** Write-once storage for digests: Object Lock in compliance mode for the formal retention, and a bucket policy refusing any PutObject without If-None-Match. */
function addDigestBucket(stack: Stack, formalYears: number): s3.Bucket {
  const bucket = new s3.Bucket(stack, 'DigestBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectLockEnabled: true,
    // Each digest also carries its own retain-until date (digest time + formal years, shared/store/audit-digest-aws.ts).
    objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(366 * formalYears)),
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'Digests are written only by the auditDigest role and can be neither deleted nor overwritten (Object Lock, compliance mode); each is itself signed. CloudTrail S3 data events are the audit trail if a council wants request logs.',
  });
  const digestObjects = bucket.arnForObjects(`${DIGEST_OBJECT_PREFIX}*`);
  // Write once for every principal the bucket policy binds: a PutObject must carry If-None-Match (a second
  // version of a digest would not touch the locked first one, but verify would have to explain it).
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DigestsAreWrittenOnce',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [digestObjects],
      conditions: { Null: { 's3:if-none-match': 'true' } },
    }),
  );
  return bucket;
}

/** Inline, so it needs no bundle (4 KB limit for inline code). */
export const PUBLIC_KEY_HANDLER_SOURCE = readFileSync(new URL('./signing-public-key.cjs', import.meta.url), 'utf8');

/**
 * The stack output AuditSigningPublicKey: a custom resource reads the public
 * key once per deployment (kms:GetPublicKey on this key only). It runs only
 * when the stack is deployed or the key changes: no idle cost.
 */
function addPublicKeyOutput(stack: Stack, signingKey: kms.Key, retention: logs.RetentionDays): lambda.Function {
  const logGroup = new logs.LogGroup(stack, 'SigningPublicKeyLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(stack, 'SigningPublicKeyRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Parish Comms Hub: reads the audit signing public key for the stack output, nothing else',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'GetSigningPublicKey', actions: ['kms:GetPublicKey'], resources: [signingKey.keyArn] }));
  const fn = new lambda.Function(stack, 'SigningPublicKey', {
    description: 'Deploy time only: the audit signing public key as a stack output (custom resource)',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 128,
    timeout: Duration.seconds(30),
    handler: 'index.handler',
    code: lambda.Code.fromInline(PUBLIC_KEY_HANDLER_SOURCE),
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
  });
  const publicKey = new CustomResource(stack, 'SigningPublicKeyValue', {
    serviceToken: fn.functionArn,
    resourceType: 'Custom::AuditSigningPublicKey',
    properties: { KeyId: signingKey.keyArn },
  });
  new CfnOutput(stack, 'AuditSigningPublicKey', {
    value: publicKey.getAttString('PublicKey'),
    description: 'Public key of the audit digests (SubjectPublicKeyInfo, base64: the body of the PEM hub audit key prints). Keep a copy outside AWS.',
  });
  return fn;
}
