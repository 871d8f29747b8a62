import { CfnOutput, type Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { WEBHOOKS, type WebhookDefinition } from '../../../shared/topology.ts';
import type { CouncilSetting } from '../council.ts';
import type { HubApi } from './api.ts';
import { dmarcRecord, type MailSending } from './mail.ts';
import type { Queues } from './queues.ts';
import type { Tables } from './storage.ts';

export interface OutputSources {
  readonly mailDomain: string;
  readonly http: HubApi;
  readonly council: CouncilSetting;
  readonly tables: Tables;
  readonly queues: Queues;
  readonly auditorRole: iam.Role;
  readonly dpoRole: iam.Role;
  /** Only when End User Messaging SMS is enabled. */
  readonly smsTopic: sns.Topic | undefined;
  readonly secret: secretsmanager.Secret;
  readonly mailBucket: s3.Bucket;
  readonly receiptRuleSetName: string;
  readonly alarmTopic: sns.Topic;
  readonly sending: MailSending;
}

/** Outputs (the auditor CLI and docs/deploy.md read these). */
export function addOutputs(stack: Stack, s: OutputSources): void {
  const out = (outputId: string, value: string, description: string) => new CfnOutput(stack, outputId, { value, description });
  const { publicBaseUrl } = s.http;
  const { mailDomain } = s;
  out('ApiUrl', publicBaseUrl, 'Public base URL of the HTTP API (PUBLIC_BASE_URL)');
  out('ApiDefaultEndpoint', s.http.stage.url, 'execute-api address of the default stage');
  for (const w of WEBHOOKS as readonly WebhookDefinition[])
    out(w.output, `${publicBaseUrl}${w.pathSecret ? w.path.replace('{secret}', `<${w.pathSecret}>`) : w.path}`, w.hint);
  out('ConsentBaseUrl', `${publicBaseUrl}/consent/`, 'Base of signed consent links');
  out('Council', s.council.councilId, 'Council id of the audit chain (hub audit verify reads it)');
  out('AuditTableName', s.tables.audit.tableName, 'Audit table (hub audit reads it)');
  out('AuditQueueUrl', s.queues.audit.queueUrl, 'FIFO audit queue: events recorded from the command line (an erasure) reach the appender through it');
  out('OpsTableName', s.tables.ops.tableName, 'Operational table');
  out('AuditorRoleArn', s.auditorRole.roleArn, 'Role for auditors: read-only on the audit table');
  out('DpoRoleArn', s.dpoRole.roleArn, 'Role for the data protection officer: hub sar export, hub erase, hub hold');
  if (s.smsTopic) out('SmsTopicArn', s.smsTopic.topicArn, 'SNS topic to set as the two-way SMS destination in End User Messaging');
  out('SecretArn', s.secret.secretArn, 'Provider secrets (JSON); set with put-secret-value');
  out('MailBucketName', s.mailBucket.bucketName, 'Raw inbound mail (expires)');
  out('ReceiptRuleSetName', s.receiptRuleSetName, 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this>');
  out('SesMxRecord', `10 inbound-smtp.${stack.region}.amazonaws.com`, `MX record for ${mailDomain}`);
  out('AlarmTopicArn', s.alarmTopic.topicArn, 'Operator alarms');
  for (const [i, record] of s.sending.identity.dkimRecords.entries())
    out(`DkimCnameRecord${i + 1}`, `${record.name} CNAME ${record.value}`, `DKIM record ${i + 1} for ${mailDomain}`);
  out('MailFromMxRecord', `bounce.${mailDomain} MX 10 feedback-smtp.${stack.region}.amazonses.com`, 'Custom MAIL FROM domain (bounces)');
  out('MailFromSpfRecord', `bounce.${mailDomain} TXT "v=spf1 include:amazonses.com ~all"`, 'SPF for the MAIL FROM domain');
  out(
    'DmarcRecord',
    dmarcRecord(mailDomain),
    'DMARC for the mail domain: receivers reject mail forged as the hub (only SES sends for it, DKIM- and SPF-aligned)',
  );
}
