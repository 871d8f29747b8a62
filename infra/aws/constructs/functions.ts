import { resolve } from 'node:path';
import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { ENV, FUNCTIONS, type FunctionId, MAIL_BUCKET, PROVIDER_SETTINGS, type ProviderSetting, SCHEDULES } from '../../../shared/topology.ts';
import { ACCESS, type FunctionAccess } from '../access.ts';
import { LAMBDA_HANDLER, lambdaCode } from '../bundling.ts';
import type { CouncilSetting } from '../council.ts';
import { pascal } from '../names.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import type { AuditDigests } from './audit-digests.ts';
import { grantFunctionAccess } from './function-grants.ts';
import type { MailSending } from './mail.ts';
import type { Queues } from './queues.ts';
import type { Tables } from './storage.ts';

export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;
export const PARAMS_AND_SECRETS_VERSION = lambda.ParamsAndSecretsVersions.V1_0_103;

export type Functions = Record<FunctionId, lambda.Function>;

export interface FunctionsProps {
  readonly tables: Tables;
  readonly queues: Queues;
  readonly asyncFailures: sqs.Queue;
  readonly mailBucket: s3.Bucket;
  readonly secret: secretsmanager.Secret;
  readonly council: CouncilSetting;
  readonly auditDigests: AuditDigests;
  readonly sending: MailSending;
  readonly publicBaseUrl: string;
  /** Non-secret provider ids and endpoints passed through to the functions when set. */
  readonly ids?: Partial<Record<ProviderSetting, string>>;
  /** Test hook: code to deploy instead of bundling the handler (see HubStackProps.codeFor). */
  readonly codeFor?: (id: FunctionId) => lambda.Code | undefined;
}

/** Every function of the topology, each with its own log group and a least-privilege role (infra/aws/access.ts). */
export function addFunctions(stack: Stack, props: FunctionsProps): Functions {
  const shared: SharedSettings = {
    paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(PARAMS_AND_SECRETS_VERSION, {
      cacheEnabled: true,
      logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
    }),
    commonEnv: commonEnvironment(props),
  };
  const functions = {} as Functions;
  for (const fnId of Object.keys(FUNCTIONS) as FunctionId[]) {
    const fn = addFunction(stack, fnId, props, shared);
    functions[fnId] = fn;
    grantFunctionAccess(stack, fn.role as iam.Role, ACCESS[fnId], props);
  }
  return functions;
}

interface SharedSettings {
  readonly paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion;
  readonly commonEnv: Record<string, string>;
}

function commonEnvironment(props: FunctionsProps): Record<string, string> {
  return {
    [ENV.auditTable]: props.tables.audit.tableName,
    [ENV.opsTable]: props.tables.ops.tableName,
    [ENV.inboundQueueUrl]: props.queues.inbound.queueUrl,
    [ENV.outboxQueueUrl]: props.queues.outbox.queueUrl,
    [ENV.auditQueueUrl]: props.queues.audit.queueUrl,
    [ENV.mailBucket]: props.mailBucket.bucketName,
    [ENV.mailPrefix]: MAIL_BUCKET.objectPrefix,
    [ENV.publicBaseUrl]: props.publicBaseUrl,
    [ENV.sesFromAddress]: props.sending.fromAddress,
    [ENV.sesConfigurationSet]: props.sending.configurationSet.configurationSetName,
    ...optionalEnv(props.ids),
  };
}

function optionalEnv(ids: FunctionsProps['ids']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PROVIDER_SETTINGS) {
    const value = ids?.[key];
    if (value) env[ENV[key]] = value;
  }
  return env;
}

function addFunction(stack: Stack, fnId: FunctionId, props: FunctionsProps, shared: SharedSettings): lambda.Function {
  const def = FUNCTIONS[fnId];
  const access = ACCESS[fnId];
  const logGroup = new logs.LogGroup(stack, `${pascal(fnId)}Logs`, { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(stack, `${pascal(fnId)}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Parish Comms Hub ${fnId}: least privilege (infra/aws/access.ts)`,
  });
  // Instead of AWSLambdaBasicExecutionRole (logs:* on every group): write to this function's own group only.
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}`] }));

  const environment: Record<string, string> = { ...shared.commonEnv };
  if (access.secrets) environment[ENV.secretsArn] = props.secret.secretArn;
  if (access.council) environment[ENV.council] = props.council.envValue;
  if (access.signDigests) Object.assign(environment, props.auditDigests.environment());

  return new lambda.Function(stack, pascal(fnId), {
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
    ...(access.secrets ? { paramsAndSecrets: shared.paramsAndSecrets } : {}),
    handler: LAMBDA_HANDLER,
    code: codeOf(fnId, access, props),
    ...(def.kind === 'ses' || def.kind === 'sns' || def.kind === 'schedule'
      ? { retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(props.asyncFailures) }
      : {}),
  });
}

/** The test hook's code when it gives one, else the handler bundled with esbuild (plus the council's policy file when it is a file). */
function codeOf(fnId: FunctionId, access: FunctionAccess, props: FunctionsProps): lambda.Code {
  const { council } = props;
  return props.codeFor?.(fnId) ?? lambdaCode(resolve(PROJECT_ROOT, FUNCTIONS[fnId].entry), access.council ? [council.file] : []);
}

/** Schedules, from the topology. */
export function addSchedules(stack: Stack, functions: Functions): void {
  for (const schedule of SCHEDULES) {
    new events.Rule(stack, `${pascal(schedule.id)}Schedule`, {
      description: `Parish Comms Hub ${schedule.id}`,
      schedule: events.Schedule.expression(schedule.rate),
      targets: [new eventTargets.LambdaFunction(functions[schedule.fn], { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });
  }
}
