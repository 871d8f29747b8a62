import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type FunctionId, type ProviderSetting, type QUEUES, TABLES } from '../../shared/topology.ts';
import { addAlarms } from './constructs/alarms.ts';
import { addHttpApi, addRoutes } from './constructs/api.ts';
import { addAuditDigests, type AuditDigests } from './constructs/audit-digests.ts';
import { addAuditorRole } from './constructs/auditor-role.ts';
import { addFunctions, addSchedules, LOG_RETENTION } from './constructs/functions.ts';
import { addMailReceiving, addMailSending } from './constructs/mail.ts';
import { addMandrillIntake, type MandrillIntake } from './constructs/mandrill-intake.ts';
import { addOutputs } from './constructs/outputs.ts';
import { addQueues, connectConsumers } from './constructs/queues.ts';
import { addSmsInbound } from './constructs/sms.ts';
import { addMailBucket, addProviderSecret, addTables } from './constructs/storage.ts';
import { resolveCouncil } from './council.ts';
import { addDpoRole } from './dpo-role.ts';

export { HTTP_THROTTLE } from './constructs/api.ts';
export { LOG_RETENTION, PARAMS_AND_SECRETS_VERSION } from './constructs/functions.ts';
export { dmarcRecord } from './constructs/mail.ts';
export { ASYNC_FAILURE_QUEUE_ID } from './constructs/queues.ts';
export { BUNDLED_POLICY_DIR, resolveCouncil } from './council.ts';
export { pascal, queueConstructId } from './names.ts';
export { PROJECT_ROOT } from './project-root.ts';

export interface HubStackProps extends StackProps {
  /** Council policy: a preset name (shared/policy/presets/<name>.ts) or a path to a policy file. */
  readonly council: string;
  /** The domain SES receives (and sends) mail for, e.g. `mail.parish.example.org.uk`. */
  readonly mailDomain: string;
  /** Sender of auto-replies and consent requests; default `hub@<mailDomain>`. */
  readonly fromAddress?: string;
  readonly alarmEmail?: string;
  /** Optional custom domain for the HTTP API (an ACM certificate in the same region). */
  readonly apiDomain?: { readonly name: string; readonly certificateArn: string };
  /** Principals allowed to assume the auditor role; default any principal in this account whose IAM policy allows it. */
  readonly auditorPrincipalArns?: readonly string[];
  /** Principals allowed to assume the data protection officer role; default as for the auditor. */
  readonly dpoPrincipalArns?: readonly string[];
  /** Non-secret provider ids and endpoints passed through to the functions when set. */
  readonly ids?: Partial<Record<ProviderSetting, string>>;
  /** End User Messaging two-way SMS: the inbound SMS topic and its customer managed key ($1 a month). Twilio needs neither. */
  readonly endUserMessagingSms?: boolean;
  /**
   * Test hook: code to deploy instead of bundling the handler with esbuild.
   * Only tests that do not examine code use it (see docs/deploy.md); the CDK app never sets it.
   */
  readonly codeFor?: (id: FunctionId) => lambda.Code | undefined;
}

/**
 * The whole hub in one stack. Each part is built by a module under
 * infra/aws/constructs/ (storage, queues, api, functions and their grants,
 * mail, sms, auditor role, alarms, outputs; the DPO role in dpo-role.ts). They
 * add resources to this stack's own scope, so logical ids stay those of a
 * deployed hub; the order below is the order resources (and policy
 * statements) are created in.
 */
export class HubStack extends Stack {
  readonly tables: Record<keyof typeof TABLES, dynamodb.Table>;
  readonly queues: Record<keyof typeof QUEUES, sqs.Queue>;
  readonly deadLetterQueues: Record<keyof typeof QUEUES, sqs.Queue>;
  readonly functions: Record<FunctionId, lambda.Function>;
  readonly api: apigwv2.HttpApi;
  readonly auditorRole: iam.Role;
  readonly dpoRole: iam.Role;
  /** The audit signing key, the Object Lock digest bucket, and the deploy-time reader of the public key. */
  readonly auditDigests: AuditDigests;
  /** Mandrill's REST API -> S3 -> mandrillIntake path. */
  readonly mandrillIntake: MandrillIntake;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    const { mailDomain } = props;
    const tables = addTables(this);
    const hubQueues = addQueues(this);
    const { queues } = hubQueues;
    const council = resolveCouncil(props.council);
    // Signed audit digests outside the table: the signing key, the Object Lock bucket, the public key output.
    const auditDigests = addAuditDigests(this, { stackId: id, formalYears: council.formalYears, logRetention: LOG_RETENTION });
    const mailBucket = addMailBucket(this, council.rawMailDays);
    const secret = addProviderSecret(this);
    const sending = addMailSending(this, mailDomain, props.fromAddress ?? `hub@${mailDomain}`);
    const http = addHttpApi(this, id, props.apiDomain);

    const functions = addFunctions(this, {
      tables,
      queues,
      asyncFailures: hubQueues.asyncFailures,
      mailBucket,
      secret,
      council,
      sending,
      auditDigests,
      publicBaseUrl: http.publicBaseUrl,
      ...(props.ids ? { ids: props.ids } : {}),
      ...(props.codeFor ? { codeFor: props.codeFor } : {}),
    });
    addRoutes(http.api, functions);
    const mandrillIntake = addMandrillIntake(this, { stackId: id, mailBucket, intake: functions.mandrillIntake, asyncFailures: hubQueues.asyncFailures });
    connectConsumers(queues, functions);
    const receiptRuleSetName = addMailReceiving(this, { stackId: id, mailDomain, mailBucket, sesInbound: functions.sesInbound });
    const smsTopic = props.endUserMessagingSms ? addSmsInbound(this, id, functions.smsInbound) : undefined;
    addSchedules(this, functions);

    const auditorRole = addAuditorRole(this, { tables, principals: props.auditorPrincipalArns });
    auditDigests.grantRead(auditorRole);
    // Data protection officer: SAR export, erasure, legal holds (separate from the read-only auditor).
    const dpoRole = addDpoRole(this, {
      audit: tables.audit,
      auditQueue: queues.audit,
      ops: tables.ops,
      mailBucket,
      indexNames: TABLES.audit.indexes.map((i) => i.name),
      ...(props.dpoPrincipalArns?.length ? { principals: props.dpoPrincipalArns } : {}),
    });
    const alarmTopic = addAlarms(this, {
      queues: hubQueues,
      accessLogs: http.accessLogs,
      mandrill: { accessLogs: mandrillIntake.accessLogs, intakeLogs: functions.mandrillIntake.logGroup },
      alarmEmail: props.alarmEmail,
    });
    addOutputs(this, {
      mailDomain,
      http,
      council,
      tables,
      queues,
      auditorRole,
      dpoRole,
      smsTopic,
      secret,
      mailBucket,
      receiptRuleSetName,
      alarmTopic,
      sending,
    });

    this.tables = tables;
    this.queues = queues;
    this.deadLetterQueues = hubQueues.deadLetterQueues;
    this.functions = functions;
    this.api = http.api;
    this.auditorRole = auditorRole;
    this.dpoRole = dpoRole;
    this.auditDigests = auditDigests;
    this.mandrillIntake = mandrillIntake;
  }
}
