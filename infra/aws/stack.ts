import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  ENV,
  FUNCTIONS,
  MAIL_BUCKET,
  QUEUES,
  ROUTES,
  SCHEDULES,
  SECRET_KEYS,
  PROVIDER_SETTINGS,
  type ProviderSetting,
  WEBHOOKS,
  type WebhookDefinition,
  TABLES,
  type FunctionId,
  type TableDefinition,
} from '../../shared/topology.ts';
import { CASE_KEY_PREFIX, CASE_LIST_KEY } from '../../shared/store/case-keys.ts';
import {
  ACCESS,
  AUDIT_APPENDER_READ_ACTIONS,
  AUDIT_READ_ACTIONS,
  AUDITOR_TABLE_ACTIONS,
  auditWritableKeys,
  OPS_TABLE_ACTIONS,
} from './access.ts';
import { loadPolicy, PRESET_NAMES } from '../../shared/policy/load.ts';
import { LAMBDA_HANDLER, NODEJS_FUNCTION_BUNDLING } from './bundling.ts';
import { addDpoRole } from './dpo-role.ts';
import { routeSettings } from './throttling.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where a custom council policy file is copied inside the bundle (Lambda unpacks code at /var/task). */
export const BUNDLED_POLICY_DIR = '/var/task';

/** The one queue that is not in the topology: async invocations (SES, SNS, schedule) that failed every retry. Cloud only: locally those calls are synchronous. */
export const ASYNC_FAILURE_QUEUE_ID = 'async-failures';

export const HTTP_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;
export const PARAMS_AND_SECRETS_VERSION = lambda.ParamsAndSecretsVersions.V1_0_103;

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
  /**
   * Test hook: code to deploy instead of bundling the handler with esbuild.
   * Only tests that do not examine code use it (see docs/deploy.md); the CDK app never sets it.
   */
  readonly codeFor?: (id: FunctionId) => lambda.Code | undefined;
}

export class HubStack extends Stack {
  readonly tables: Record<keyof typeof TABLES, dynamodb.Table>;
  readonly queues: Record<keyof typeof QUEUES, sqs.Queue>;
  readonly deadLetterQueues: Record<keyof typeof QUEUES, sqs.Queue>;
  readonly functions: Record<FunctionId, lambda.Function>;
  readonly api: apigwv2.HttpApi;
  readonly auditorRole: iam.Role;
  readonly dpoRole: iam.Role;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    const { mailDomain } = props;
    const fromAddress = props.fromAddress ?? `hub@${mailDomain}`;

    // ---- One customer managed key ($1 a month each) for the tables (the auditor may decrypt with it) and the
    // SNS topics (End User Messaging and CloudWatch publish with it). A second key for the topics would only
    // separate two uses of one account's key; see docs/deploy.md "Monthly cost".
    const dataKey = new kms.Key(this, 'DataKey', {
      alias: `alias/${id}/data`,
      description: 'Parish Comms Hub: DynamoDB audit and operational tables, SNS topics (inbound SMS, operator alarms)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const messagingKey = dataKey;

    // ---- DynamoDB, from the topology.
    this.tables = {
      audit: this.table(TABLES.audit, dataKey),
      ops: this.table(TABLES.ops, dataKey),
    };

    // ---- SQS, from the topology. SSE-SQS (see docs/deploy.md for why not a customer managed key).
    const queues = {} as Record<keyof typeof QUEUES, sqs.Queue>;
    const dlqs = {} as Record<keyof typeof QUEUES, sqs.Queue>;
    for (const def of Object.values(QUEUES)) {
      const fifo = 'fifo' in def && def.fifo ? { fifo: true } : {};
      const dlq = new sqs.Queue(this, queueConstructId(def.dlqId), {
        ...fifo,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        maxMessageSizeBytes: def.maximumMessageSizeBytes,
      });
      dlqs[def.id] = dlq;
      queues[def.id] = new sqs.Queue(this, queueConstructId(def.id), {
        ...fifo,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(def.retentionDays),
        maxMessageSizeBytes: def.maximumMessageSizeBytes,
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
    }
    this.queues = queues;
    this.deadLetterQueues = dlqs;
    const asyncFailures = new sqs.Queue(this, queueConstructId(ASYNC_FAILURE_QUEUE_ID), {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      maxMessageSizeBytes: 262_144,
    });
    Validations.of(asyncFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the failure destination of asynchronous invocations (SES, SNS, schedule); an alarm watches its depth.',
    });

    const council = resolveCouncil(props.council);

    // ---- Raw inbound mail, written by SES; kept as long as the policy's retention.rawMail says.
    const mailBucket = new s3.Bucket(this, 'MailBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        // Only raw mail expires: full bodies under contentPrefix live as long as their audit record.
        { id: 'expire-raw-mail', prefix: MAIL_BUCKET.objectPrefix, expiration: Duration.days(council.rawMailDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(mailBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Raw mail is written only by SES (scoped by SourceAccount/SourceArn) and read only by the sesInbound role; objects expire after the policy raw-mail retention (30 days by default). CloudTrail S3 data events are the recommended audit trail if a council wants one; server access logs would add a second bucket of request logs containing object keys for no extra control.',
    });

    // ---- Provider secrets: one JSON secret. CONSENT_SIGNING_KEY is generated inside AWS; the operator fills the rest.
    const secret = new secretsmanager.Secret(this, 'ProviderSecrets', {
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

    // ---- SES sending.
    const configurationSet = new ses.ConfigurationSet(this, 'SendingConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const identity = new ses.EmailIdentity(this, 'MailDomainIdentity', {
      identity: ses.Identity.domain(mailDomain),
      configurationSet,
      mailFromDomain: `bounce.${mailDomain}`,
    });

    // ---- HTTP API (needed before the functions: PUBLIC_BASE_URL is its address).
    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `${id}-webhooks`,
      description: 'Parish Comms Hub: provider webhooks and consent links',
      createDefaultStage: false,
    });
    let publicBaseUrl = this.api.apiEndpoint;
    let domainMapping: apigwv2.DomainMappingOptions | undefined;
    if (props.apiDomain) {
      const domainName = new apigwv2.DomainName(this, 'ApiDomain', {
        domainName: props.apiDomain.name,
        certificate: acm.Certificate.fromCertificateArn(this, 'ApiCertificate', props.apiDomain.certificateArn),
      });
      domainMapping = { domainName };
      publicBaseUrl = `https://${props.apiDomain.name}`;
    }
    const stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: HTTP_THROTTLE,
      ...(domainMapping ? { domainMapping } : {}),
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // No source IP or user agent: residents' addresses are personal data the hub does not need.
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // Each route its own bucket (infra/aws/throttling.ts): a flood on one cannot starve the provider webhooks.
    (stage.node.defaultChild as apigwv2.CfnStage).routeSettings = routeSettings(ROUTES, HTTP_THROTTLE);

    // ---- Council policy: a preset name is compiled into the bundle by shared/policy/load.ts; a custom file is copied next to the handler.

    // ---- Functions.
    const paramsAndSecrets = lambda.ParamsAndSecretsLayerVersion.fromVersion(PARAMS_AND_SECRETS_VERSION, {
      cacheEnabled: true,
      logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
    });
    const commonEnv: Record<string, string> = {
      [ENV.auditTable]: this.tables.audit.tableName,
      [ENV.opsTable]: this.tables.ops.tableName,
      [ENV.inboundQueueUrl]: queues.inbound.queueUrl,
      [ENV.outboxQueueUrl]: queues.outbox.queueUrl,
      [ENV.auditQueueUrl]: queues.audit.queueUrl,
      [ENV.mailBucket]: mailBucket.bucketName,
      [ENV.mailPrefix]: MAIL_BUCKET.objectPrefix,
      [ENV.publicBaseUrl]: publicBaseUrl,
      [ENV.sesFromAddress]: fromAddress,
      [ENV.sesConfigurationSet]: configurationSet.configurationSetName,
      ...optionalEnv(props.ids),
    };

    const functions = {} as Record<FunctionId, lambda.Function>;
    for (const [fnId, def] of Object.entries(FUNCTIONS) as [FunctionId, (typeof FUNCTIONS)[FunctionId]][]) {
      const access = ACCESS[fnId];
      const logGroup = new logs.LogGroup(this, `${pascal(fnId)}Logs`, { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
      const role = new iam.Role(this, `${pascal(fnId)}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Parish Comms Hub ${fnId}: least privilege (infra/aws/access.ts)`,
      });
      // Instead of AWSLambdaBasicExecutionRole (logs:* on every group): write to this function's own group only.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}`] }),
      );

      const environment: Record<string, string> = { ...commonEnv };
      if (access.secrets) environment[ENV.secretsArn] = secret.secretArn;
      if (access.council) environment[ENV.council] = council.envValue;

      const code = props.codeFor?.(fnId);
      const fn = new NodejsFunction(this, pascal(fnId), {
        description: def.description,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: def.memoryMb,
        timeout: Duration.seconds(def.timeoutSeconds),
        role,
        logGroup,
        loggingFormat: lambda.LoggingFormat.JSON,
        applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
        systemLogLevelV2: lambda.SystemLogLevel.WARN,
        environment,
        ...(access.secrets ? { paramsAndSecrets } : {}),
        ...(code
          ? { code, handler: LAMBDA_HANDLER }
          : {
              entry: resolve(PROJECT_ROOT, def.entry),
              projectRoot: PROJECT_ROOT,
              depsLockFilePath: resolve(PROJECT_ROOT, 'package-lock.json'),
              handler: 'handler',
              bundling: {
                ...NODEJS_FUNCTION_BUNDLING,
                ...(access.council && council.file ? { commandHooks: copyPolicyHook(council.file) } : {}),
              },
            }),
        ...(def.kind === 'ses' || def.kind === 'sns' || def.kind === 'schedule'
          ? { retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(asyncFailures) }
          : {}),
      });
      functions[fnId] = fn;

      if (access.sendInbound) queues.inbound.grantSendMessages(role);
      if (access.sendOutbox) queues.outbox.grantSendMessages(role);
      if (access.secrets) secret.grantRead(role);
      if (access.ops) grantTable(role, this.tables.ops, TABLES.ops, OPS_TABLE_ACTIONS, dataKey, this.region);
      if (access.audit) {
        grantTable(role, this.tables.audit, TABLES.audit, access.audit === 'chain' ? AUDIT_APPENDER_READ_ACTIONS : AUDIT_READ_ACTIONS, dataKey, this.region);
        // Writes by partition-key prefix: only the appender can write CHAIN# (chain events); no role can delete.
        const writable = auditWritableKeys(access.audit);
        for (const [action, keys] of [['dynamodb:PutItem', writable.put], ['dynamodb:UpdateItem', writable.update]] as const) {
          if (keys.length === 0) continue;
          role.addToPrincipalPolicy(
            new iam.PolicyStatement({
              sid: action === 'dynamodb:PutItem' ? 'PutAuditKeys' : 'UpdateAuditKeys',
              actions: [action],
              resources: [this.tables.audit.tableArn],
              conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
            }),
          );
        }
        if (access.audit !== 'chain') queues.audit.grantSendMessages(role);
      }
      if (access.readMail) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [mailBucket.arnForObjects(`${MAIL_BUCKET.objectPrefix}*`)] }),
        );
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(mailBucket.node.defaultChild as s3.CfnBucket)}.Arn>/${MAIL_BUCKET.objectPrefix}*]`,
          reason: 'SES names each object by its message id; the grant is GetObject on the raw-mail prefix only.',
        });
      }
      if (access.deleteBodies) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [mailBucket.arnForObjects(`${MAIL_BUCKET.contentPrefix}*`)] }),
        );
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(mailBucket.node.defaultChild as s3.CfnBucket)}.Arn>/${MAIL_BUCKET.contentPrefix}*]`,
          reason: 'The retention sweep deletes the oversized body of each item it erases, one object named by council and reference; DeleteObject on that prefix only.',
        });
      }
      if (access.keepBodies) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [mailBucket.arnForObjects(`${MAIL_BUCKET.contentPrefix}*`)] }),
        );
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(mailBucket.node.defaultChild as s3.CfnBucket)}.Arn>/${MAIL_BUCKET.contentPrefix}*]`,
          reason: 'Each oversized body is one object named by council and reference; the grant is PutObject on that prefix only.',
        });
      }
      if (access.invokeModerationModel && council.moderationModel) {
        // Converse is authorised as bedrock:InvokeModel on the foundation model's ARN (no account id in it).
        const { modelId, region } = council.moderationModel;
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'InvokePinnedModerationModel',
            actions: ['bedrock:InvokeModel'],
            resources: [`arn:${this.partition}:bedrock:${region}::foundation-model/${modelId}`],
          }),
        );
      }
      if (access.sendMessages) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'SendMailAsTheCouncilDomain',
            actions: ['ses:SendEmail', 'ses:SendRawEmail'],
            resources: [
              this.formatArn({ service: 'ses', resource: 'identity', resourceName: identity.emailIdentityName }),
              this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName }),
            ],
            conditions: { StringEquals: { 'ses:FromAddress': fromAddress } },
          }),
        );
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'SendSms',
            actions: ['sms-voice:SendTextMessage'],
            resources: [this.formatArn({ service: 'sms-voice', resource: '*' })],
          }),
        );
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:${this.region}:<AWS::AccountId>:*]`,
          reason:
            'SendTextMessage authorises against the origination identity, opt-out list and configuration set the council registers after deploy; the action is the single send action, in this account and region only.',
        });
      }
    }
    this.functions = functions;

    // ---- HTTP routes, from the topology.
    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(route.fn)}Integration`, functions[route.fn], {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(route.fn, integration);
      }
      const [created] = this.api.addRoutes({ path: route.path, methods: [apigwv2.HttpMethod[route.method]], integration });
      if (created) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Provider webhooks cannot carry AWS credentials or tokens an API Gateway authorizer understands; each function verifies the provider signature (Messenger X-Hub-Signature-256, Twilio X-Twilio-Signature, Mandrill X-Mandrill-Signature), the Mailchimp path secret, or the HMAC-signed consent token, before doing anything.',
        });
      }
    }

    // ---- SQS consumers, from the topology.
    for (const def of Object.values(QUEUES)) {
      functions[def.consumer].addEventSource(
        new SqsEventSource(queues[def.id], {
          batchSize: def.batchSize,
          ...(def.maxBatchingWindowSeconds > 0 ? { maxBatchingWindow: Duration.seconds(def.maxBatchingWindowSeconds) } : {}),
          reportBatchItemFailures: true,
          maxConcurrency: def.maxConcurrency,
        }),
      );
    }

    // ---- SES receiving: S3 action (raw MIME) then Lambda action (Event) for sesInbound.
    const ruleSetName = `${id}-inbound`;
    const ruleName = `${id}-to-hub`;
    const ruleArn = this.formatArn({ service: 'ses', resource: 'receipt-rule-set', resourceName: `${ruleSetName}:receipt-rule/${ruleName}` });
    const sesScope = { StringEquals: { 'aws:SourceAccount': this.account }, ArnLike: { 'aws:SourceArn': ruleArn } };
    const bucketPolicyResult = mailBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToWriteRawMail',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [mailBucket.arnForObjects(`${MAIL_BUCKET.objectPrefix}*`)],
        conditions: sesScope,
      }),
    );
    const sesInvoke = new lambda.CfnPermission(this, 'SesInvokesSesInbound', {
      action: 'lambda:InvokeFunction',
      functionName: functions.sesInbound.functionArn,
      principal: 'ses.amazonaws.com',
      sourceAccount: this.account,
      sourceArn: ruleArn,
    });
    const ruleSet = new ses.ReceiptRuleSet(this, 'InboundRuleSet', { receiptRuleSetName: ruleSetName });
    const rule = ruleSet.addRule('ToHub', {
      receiptRuleName: ruleName,
      recipients: [mailDomain],
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      enabled: true,
      actions: [
        { bind: () => ({ s3Action: { bucketName: mailBucket.bucketName, objectKeyPrefix: MAIL_BUCKET.objectPrefix } }) },
        { bind: () => ({ lambdaAction: { functionArn: functions.sesInbound.functionArn, invocationType: 'Event' } }) },
      ],
    });
    // SES checks both permissions when the rule is created.
    if (bucketPolicyResult.policyDependable) rule.node.addDependency(bucketPolicyResult.policyDependable);
    rule.node.addDependency(sesInvoke);

    // ---- End User Messaging SMS → SNS → smsInbound.
    const smsTopic = new sns.Topic(this, 'InboundSmsTopic', {
      displayName: 'Parish Comms Hub inbound SMS',
      masterKey: messagingKey,
      enforceSSL: true,
    });
    smsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEndUserMessagingSms',
        principals: [new iam.ServicePrincipal('sms-voice.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [smsTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    messagingKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowServicesToPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('sms-voice.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    smsTopic.addSubscription(new snsSubscriptions.LambdaSubscription(functions.smsInbound));

    // ---- Schedules, from the topology.
    for (const schedule of SCHEDULES) {
      new events.Rule(this, `${pascal(schedule.id)}Schedule`, {
        description: `Parish Comms Hub ${schedule.id}`,
        schedule: events.Schedule.expression(schedule.rate),
        targets: [new eventTargets.LambdaFunction(functions[schedule.fn], { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
      });
    }

    // ---- Auditor: read-only on the audit table and its indexes, decrypt with its key, nothing else.
    this.auditorRole = new iam.Role(this, 'AuditorRole', {
      description: 'Parish Comms Hub auditor: read-only on the audit table and its indexes',
      assumedBy: props.auditorPrincipalArns?.length
        ? new iam.CompositePrincipal(...props.auditorPrincipalArns.map((arn) => new iam.ArnPrincipal(arn)))
        : new iam.AccountRootPrincipal(),
      maxSessionDuration: Duration.hours(1),
    });
    this.auditorRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAuditTrail',
        actions: [...AUDITOR_TABLE_ACTIONS],
        resources: tableAndIndexArns(this.tables.audit, TABLES.audit),
      }),
    );
    // `hub cases` (issue 13): the case records in the operational table and their listing on the byDue index, nothing else there.
    this.auditorRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCases',
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [this.tables.ops.tableArn, `${this.tables.ops.tableArn}/index/byDue`],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${CASE_KEY_PREFIX}*`, CASE_LIST_KEY] } },
      }),
    );
    this.auditorRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptAuditTrail',
        actions: ['kms:Decrypt'],
        resources: [dataKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
      }),
    );

    // ---- Data protection officer: SAR export, erasure, legal holds (separate from the read-only auditor).
    this.dpoRole = addDpoRole(this, {
      audit: this.tables.audit,
      auditQueue: queues.audit,
      ops: this.tables.ops,
      dataKey,
      mailBucket,
      indexNames: TABLES.audit.indexes.map((i) => i.name),
      ...(props.dpoPrincipalArns?.length ? { principals: props.dpoPrincipalArns } : {}),
    });

    // ---- Alarms to the operator.
    const alarmTopic = new sns.Topic(this, 'OperatorAlarms', { displayName: 'Parish Comms Hub alarms', masterKey: messagingKey, enforceSSL: true });
    alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarmTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    if (props.alarmEmail) alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(props.alarmEmail));
    const notify = new cwActions.SnsAction(alarmTopic);
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric): void => {
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(notify);
    };
    const depth = (queue: sqs.Queue) => queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
    for (const def of Object.values(QUEUES)) {
      alarm(`${pascal(def.dlqId)}DepthAlarm`, `Messages in ${def.dlqId}: ${def.consumer} failed them ${def.maxReceiveCount} times`, depth(dlqs[def.id]));
    }
    alarm('AsyncFailuresDepthAlarm', 'Asynchronous invocations (SES mail, SMS, schedule) failed every retry', depth(asyncFailures));
    // Every function's errors and throttles, through Lambda's account-level metrics ($0.10 each instead of
    // $0.10 per function and metric): deploy the hub in an account of its own, so these are the hub's.
    // The alarm says a function failed; its log group says which.
    alarm('FunctionErrorsAlarm', 'A hub function failed (errors of any function in this account and region)', lambda.Function.metricAllErrors({ period: Duration.minutes(5), statistic: 'Sum' }));
    alarm('FunctionThrottlesAlarm', 'A hub function was throttled (any function in this account and region)', lambda.Function.metricAllThrottles({ period: Duration.minutes(5), statistic: 'Sum' }));

    // ---- Outputs (the auditor CLI and docs/deploy.md read these).
    const out = (outputId: string, value: string, description: string) => new CfnOutput(this, outputId, { value, description });
    out('ApiUrl', publicBaseUrl, 'Public base URL of the HTTP API (PUBLIC_BASE_URL)');
    out('ApiDefaultEndpoint', stage.url, 'execute-api address of the default stage');
    for (const w of WEBHOOKS as readonly WebhookDefinition[]) out(w.output, `${publicBaseUrl}${w.pathSecret ? w.path.replace('{secret}', `<${w.pathSecret}>`) : w.path}`, w.hint);
    out('ConsentBaseUrl', `${publicBaseUrl}/consent/`, 'Base of signed consent links');
    out('Council', council.councilId, 'Council id of the audit chain (hub audit verify reads it)');
    out('AuditTableName', this.tables.audit.tableName, 'Audit table (hub audit reads it)');
    out('AuditQueueUrl', queues.audit.queueUrl, 'FIFO audit queue: events recorded from the command line (an erasure) reach the appender through it');
    out('OpsTableName', this.tables.ops.tableName, 'Operational table');
    out('AuditorRoleArn', this.auditorRole.roleArn, 'Role for auditors: read-only on the audit table');
    out('DpoRoleArn', this.dpoRole.roleArn, 'Role for the data protection officer: hub sar export, hub erase, hub hold');
    out('SmsTopicArn', smsTopic.topicArn, 'SNS topic to set as the two-way SMS destination in End User Messaging');
    out('SecretArn', secret.secretArn, 'Provider secrets (JSON); set with put-secret-value');
    out('MailBucketName', mailBucket.bucketName, 'Raw inbound mail (expires)');
    out('ReceiptRuleSetName', ruleSetName, 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this>');
    out('SesMxRecord', `10 inbound-smtp.${this.region}.amazonaws.com`, `MX record for ${mailDomain}`);
    out('AlarmTopicArn', alarmTopic.topicArn, 'Operator alarms');
    for (const [i, record] of identity.dkimRecords.entries()) out(`DkimCnameRecord${i + 1}`, `${record.name} CNAME ${record.value}`, `DKIM record ${i + 1} for ${mailDomain}`);
    out('MailFromMxRecord', `bounce.${mailDomain} MX 10 feedback-smtp.${this.region}.amazonses.com`, 'Custom MAIL FROM domain (bounces)');
    out('MailFromSpfRecord', `bounce.${mailDomain} TXT "v=spf1 include:amazonses.com ~all"`, 'SPF for the MAIL FROM domain');
    out('DmarcRecord', dmarcRecord(mailDomain), 'DMARC for the mail domain: receivers reject mail forged as the hub (only SES sends for it, DKIM- and SPF-aligned)');
  }

  private table(def: TableDefinition, key: kms.Key): dynamodb.Table {
    const table = new dynamodb.Table(this, `${pascal(def.id)}Table`, {
      partitionKey: { name: def.partitionKey.name, type: attributeType(def.partitionKey.type) },
      sortKey: { name: def.sortKey.name, type: attributeType(def.sortKey.type) },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
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
}

/**
 * Only SES sends for the mail domain (its MX is SES), every message DKIM-signed
 * for the domain itself (Easy DKIM, strict alignment) from the custom MAIL FROM
 * `bounce.<domain>` (relaxed SPF alignment), so `p=reject` loses nothing
 * genuine and makes receivers refuse mail forged as the council's hub. No
 * `rua`: reports sent to an address at this domain would arrive as items.
 */
export function dmarcRecord(mailDomain: string): string {
  return `_dmarc.${mailDomain} TXT "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=r"`;
}

function grantTable(role: iam.Role, table: dynamodb.Table, def: TableDefinition, actions: readonly string[], key: kms.Key, region: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: tableAndIndexArns(table, def) }));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
    }),
  );
}

/** The table and each of its indexes by name: no `index/*`. */
function tableAndIndexArns(table: dynamodb.Table, def: TableDefinition): string[] {
  return [table.tableArn, ...def.indexes.map((index) => `${table.tableArn}/index/${index.name}`)];
}

interface CouncilSetting {
  /** Value of HUB_COUNCIL in Lambda. */
  readonly envValue: string;
  /** Absolute path of a custom policy file to copy into the bundle. */
  readonly file?: string;
  /** The policy's council id: the audit chain's partition (`CHAIN#<id>`). */
  readonly councilId: string;
  /** Days the raw-mail bucket keeps a message (retention.rawMail). */
  readonly rawMailDays: number;
  /** The pinned Bedrock model of the second tier of moderation, when the council opted in. */
  readonly moderationModel?: { readonly modelId: string; readonly region: string };
}

/**
 * The policy is loaded (and so validated) at synth, so a typo fails `cdk synth`
 * rather than the first cold start. A preset name goes through as is:
 * shared/policy/load.ts imports the presets statically, so they are in every
 * bundle. A file is copied next to index.mjs and HUB_COUNCIL points at the copy.
 */
export function resolveCouncil(council: string): CouncilSetting {
  if ((PRESET_NAMES as readonly string[]).includes(council)) {
    return { envValue: council, ...fromPolicy(loadPolicy(council)) };
  }
  const file = isAbsolute(council) ? council : resolve(process.cwd(), council);
  if (!existsSync(file)) throw new Error(`council: "${council}" is neither a preset (${PRESET_NAMES.join(', ')}) nor an existing policy file`);
  return { envValue: `${BUNDLED_POLICY_DIR}/${basename(file)}`, file, ...fromPolicy(loadPolicy(file)) };
}

function modelOf(policy: ReturnType<typeof loadPolicy>): Pick<CouncilSetting, 'moderationModel'> {
  return policy.moderationModel?.enabled ? { moderationModel: { modelId: policy.moderationModel.modelId, region: policy.moderationModel.region } } : {};
}

function fromPolicy(policy: ReturnType<typeof loadPolicy>): Omit<CouncilSetting, 'envValue' | 'file'> {
  return { councilId: policy.council.id, rawMailDays: policy.retention.rawMail?.days ?? MAIL_BUCKET.expireAfterDays, ...modelOf(policy) };
}

function copyPolicyHook(file: string) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [`cp ${JSON.stringify(file)} ${JSON.stringify(`${outputDir}/${basename(file)}`)}`],
  };
}

function optionalEnv(ids: HubStackProps['ids']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PROVIDER_SETTINGS) {
    const value = ids?.[key];
    if (value) env[ENV[key]] = value;
  }
  return env;
}

function attributeType(type: 'S' | 'N'): dynamodb.AttributeType {
  return type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER;
}

export function pascal(id: string): string {
  return id.replace(/(^|[-_])(\w)/g, (_m, _sep: string, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase());
}

export function queueConstructId(queueId: string): string {
  return `${pascal(queueId)}Queue`;
}
