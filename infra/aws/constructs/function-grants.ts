import { type Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { MAIL_BUCKET, MANDRILL_INTAKE, TABLES, type TableDefinition } from '../../../shared/topology.ts';
import { AUDIT_APPENDER_READ_ACTIONS, AUDIT_READ_ACTIONS, auditWritableKeys, type FunctionAccess, OPS_TABLE_ACTIONS } from '../access.ts';
import type { CouncilSetting } from '../council.ts';
import type { AuditDigests } from './audit-digests.ts';
import type { MailSending } from './mail.ts';
import type { Queues } from './queues.ts';
import { objectPrefixFinding, type Tables, tableAndIndexArns } from './storage.ts';

/** What a function's grants are made on. */
export interface GrantTargets {
  readonly tables: Tables;
  readonly queues: Queues;
  readonly mailBucket: s3.Bucket;
  readonly secret: secretsmanager.Secret;
  readonly council: CouncilSetting;
  readonly sending: MailSending;
  readonly auditDigests: AuditDigests;
}

/** Turns one entry of infra/aws/access.ts into IAM statements on named resources. */
export function grantFunctionAccess(stack: Stack, role: iam.Role, access: FunctionAccess, targets: GrantTargets): void {
  if (access.sendInbound) targets.queues.inbound.grantSendMessages(role);
  if (access.sendOutbox) targets.queues.outbox.grantSendMessages(role);
  if (access.secrets) targets.secret.grantRead(role);
  if (access.ops) grantTable(role, targets.tables.ops, TABLES.ops, OPS_TABLE_ACTIONS);
  if (access.audit) grantAudit(role, access.audit, targets);
  grantMailObjects(role, access, targets.mailBucket);
  if (access.invokeModerationModel && targets.council.moderationModel) {
    // Converse is authorised as bedrock:InvokeModel on the foundation model's ARN (no account id in it).
    const { modelId, region } = targets.council.moderationModel;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokePinnedModerationModel',
        actions: ['bedrock:InvokeModel'],
        resources: [`arn:${stack.partition}:bedrock:${region}::foundation-model/${modelId}`],
      }),
    );
  }
  if (access.sendMessages) grantSending(stack, role, targets.sending);
  if (access.signDigests) targets.auditDigests.grantSign(role);
}

/** The tables use DynamoDB's AWS managed key, whose policy admits the account's principals through DynamoDB: no KMS grant. */
function grantTable(role: iam.Role, table: dynamodb.Table, def: TableDefinition, actions: readonly string[]): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: tableAndIndexArns(table, def) }));
}

function grantAudit(role: iam.Role, audit: NonNullable<FunctionAccess['audit']>, targets: GrantTargets): void {
  const table = targets.tables.audit;
  grantTable(role, table, TABLES.audit, audit === 'chain' ? AUDIT_APPENDER_READ_ACTIONS : AUDIT_READ_ACTIONS);
  // Writes by partition-key prefix: only the appender can write CHAIN# (chain events); no role can delete.
  const writable = auditWritableKeys(audit);
  for (const [action, keys] of [
    ['dynamodb:PutItem', writable.put],
    ['dynamodb:UpdateItem', writable.update],
  ] as const) {
    if (keys.length === 0) continue;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: action === 'dynamodb:PutItem' ? 'PutAuditKeys' : 'UpdateAuditKeys',
        actions: [action],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
      }),
    );
  }
  if (audit !== 'chain' && audit !== 'read') targets.queues.audit.grantSendMessages(role);
}

/** One S3 action on one prefix of the mail bucket per access flag, each with the cdk-nag finding it answers. */
function grantMailObjects(role: iam.Role, access: FunctionAccess, mailBucket: s3.Bucket): void {
  const grant = (action: string, prefix: string, reason: string): void => {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: [mailBucket.arnForObjects(`${prefix}*`)] }));
    Validations.of(role).acknowledge({ id: objectPrefixFinding(mailBucket, prefix), reason });
  };
  if (access.readMail)
    grant('s3:GetObject', MAIL_BUCKET.objectPrefix, 'SES names each object by its message id; the grant is GetObject on the raw-mail prefix only.');
  if (access.deleteBodies) {
    grant(
      's3:DeleteObject',
      MAIL_BUCKET.contentPrefix,
      'The retention sweep deletes the oversized body of each item it erases, one object named by council and reference; DeleteObject on that prefix only.',
    );
  }
  if (access.takeMandrillIntake) {
    const intake =
      'API Gateway names each Mandrill POST by the id it generates for that request; the intake reads and deletes objects under the intake prefix only.';
    grant('s3:GetObject', MAIL_BUCKET.mandrillIntakePrefix, intake);
    grant('s3:DeleteObject', MAIL_BUCKET.mandrillIntakePrefix, intake);
    grant(
      's3:PutObject',
      MANDRILL_INTAKE.rawMailPrefix,
      "Each Mandrill mail's raw MIME is one object named by a hash of its item id; PutObject on the Mandrill raw-mail prefix only (not SES's raw mail).",
    );
  }
  if (access.listMailBucket) {
    // Unconditional on purpose: S3 answers a GetObject of a missing key NoSuchKey (404) rather than AccessDenied (403)
    // only if the caller may s3:ListBucket the bucket, and that check carries no s3:prefix, so a prefix condition never matches.
    // The bucket ARN itself, no wildcard (no IAM5 finding); listing shows keys (message ids, hashes), no content.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [mailBucket.bucketArn] }));
  }
  if (access.keepBodies) {
    grant(
      's3:PutObject',
      MAIL_BUCKET.contentPrefix,
      'Each oversized body is one object named by council and reference; the grant is PutObject on that prefix only.',
    );
  }
}

function grantSending(stack: Stack, role: iam.Role, sending: MailSending): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'SendMailAsTheCouncilDomain',
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: sending.identity.emailIdentityName }),
        stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: sending.configurationSet.configurationSetName }),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': sending.fromAddress } },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'SendSms',
      actions: ['sms-voice:SendTextMessage'],
      resources: [stack.formatArn({ service: 'sms-voice', resource: '*' })],
    }),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:${stack.region}:<AWS::AccountId>:*]`,
    reason:
      'SendTextMessage authorises against the origination identity, opt-out list and configuration set the council registers after deploy; the action is the single send action, in this account and region only.',
  });
}
