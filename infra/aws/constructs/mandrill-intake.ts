import { CfnOutput, Duration, RemovalPolicy, type Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { ENV, MAIL_BUCKET, MANDRILL_INTAKE } from '../../../shared/topology.ts';
import { LOG_RETENTION } from './functions.ts';
import { objectPrefixFinding } from './storage.ts';

export interface MandrillIntake {
  readonly api: apigw.RestApi;
  /** The role API Gateway's S3 integration acts as: PutObject under the intake prefix only. */
  readonly integrationRole: iam.Role;
  /** One JSON line per request; the RequestsNotHandled alarm counts 413s and 5xx from it. */
  readonly accessLogs: logs.LogGroup;
  /** The exact URL Mandrill must be given (and signs). */
  readonly webhookUrl: string;
  /** CDK's deploy-time function that installs the bucket notification (not on any request path). */
  readonly notificationHandler: IConstruct;
}

/**
 * Mandrill's intake (docs/channels.md). A form POST reaches Lambda base64
 * encoded inside the 6 MB invoke payload, so an HTTP API route refuses one
 * mail with a 2 MB photo (Mandrill sends attachments twice) before any code
 * runs. Here a REST API writes the body straight to the raw-mail bucket
 * (REST payloads up to 10 MB), with X-Mandrill-Signature as object metadata,
 * and answers 200; the bucket's ObjectCreated notification invokes
 * mandrillIntake, which checks the signature before anything is recorded.
 */
export function addMandrillIntake(
  stack: Stack,
  props: { stackId: string; mailBucket: s3.Bucket; intake: lambda.Function; asyncFailures: sqs.Queue },
): MandrillIntake {
  const { mailBucket, intake } = props;
  const accessLogs = new logs.LogGroup(stack, 'MandrillIntakeAccessLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
  const api = new apigw.RestApi(stack, 'MandrillIntakeApi', {
    restApiName: `${props.stackId}-mandrill-intake`,
    description: 'Parish Comms Hub: Mandrill inbound mail, stored to S3 before any function runs',
    endpointTypes: [apigw.EndpointType.REGIONAL],
    // Every body passes to S3 byte for byte: the signature is over the exact form fields.
    binaryMediaTypes: ['*/*'],
    // A REST API stage may write access logs only once the account (per region) names a role API Gateway pushes logs
    // with; a fresh council account has none, and the deployment would fail. This sets it (AWS::ApiGateway::Account).
    cloudWatchRole: true,
    cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
    deployOptions: {
      stageName: 'mandrill',
      throttlingRateLimit: MANDRILL_INTAKE.throttle.rateLimit,
      throttlingBurstLimit: MANDRILL_INTAKE.throttle.burstLimit,
      accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
      accessLogFormat: accessLogFormat(),
    },
  });
  const integrationRole = new iam.Role(stack, 'MandrillIntakeIntegrationRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'Parish Comms Hub: API Gateway stores Mandrill POSTs (PutObject under the intake prefix only)',
  });
  integrationRole.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [mailBucket.arnForObjects(`${MAIL_BUCKET.mandrillIntakePrefix}*`)] }),
  );
  const resource = api.root.resourceForPath(MANDRILL_INTAKE.path);
  addPost(stack, api, resource, mailBucket, integrationRole);
  // Mandrill's creation check. Every media type is binary here, so the mock's template applies only once the request is converted to text.
  const mock = new apigw.MockIntegration({
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT,
    passthroughBehavior: apigw.PassthroughBehavior.WHEN_NO_TEMPLATES,
    integrationResponses: [{ statusCode: '200' }],
  });
  resource.addMethod('HEAD', mock, { methodResponses: [{ statusCode: '200' }] });

  mailBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(intake), { prefix: MAIL_BUCKET.mandrillIntakePrefix });
  intake.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(props.asyncFailures) });
  const webhookUrl = api.urlForPath(MANDRILL_INTAKE.path);
  intake.addEnvironment(ENV.mandrillWebhookUrl, webhookUrl);
  new CfnOutput(stack, 'MandrillWebhookUrl', {
    value: webhookUrl,
    description: 'Mailchimp Transactional inbound route webhook URL (exactly this: Mandrill signs it)',
  });
  const notificationHandler = stack.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'))!;
  acknowledgeFindings({ api, role: integrationRole, mailBucket, notificationHandler });
  return { api, integrationRole, accessLogs, webhookUrl, notificationHandler };
}

/**
 * POST: S3 PutObject of the body as `mandrill-intake/<extended request id>`; the signature header is required (400 without it).
 * Not $context.requestId: a REST API client may set that one (X-Amzn-RequestId) and so choose, or collide with, the key.
 */
function addPost(stack: Stack, api: apigw.RestApi, resource: apigw.Resource, mailBucket: s3.Bucket, role: iam.Role): void {
  const integration = new apigw.AwsIntegration({
    service: 's3',
    integrationHttpMethod: 'PUT',
    path: `${mailBucket.bucketName}/${MAIL_BUCKET.mandrillIntakePrefix}{key}`,
    options: {
      credentialsRole: role,
      passthroughBehavior: apigw.PassthroughBehavior.WHEN_NO_MATCH,
      requestParameters: {
        'integration.request.path.key': 'context.extendedRequestId',
        [`integration.request.header.x-amz-meta-${MANDRILL_INTAKE.signatureMetadata}`]: 'method.request.header.X-Mandrill-Signature',
      },
      integrationResponses: [
        { statusCode: '200' },
        // Without this, API Gateway would answer S3's own failure with the default (200) and Mandrill would not retry.
        // Every media type is binary here: the template applies only once S3's (XML) answer is converted to text.
        {
          statusCode: '503',
          selectionPattern: '[345]\\d{2}',
          contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT,
          responseTemplates: { 'application/json': '{"message":"not stored, retry"}' },
        },
      ],
    },
  });
  resource.addMethod('POST', integration, {
    requestParameters: { 'method.request.header.X-Mandrill-Signature': true },
    requestValidator: new apigw.RequestValidator(stack, 'MandrillIntakeValidator', { restApi: api, validateRequestParameters: true }),
    methodResponses: [{ statusCode: '200' }, { statusCode: '503' }],
  });
}

/** No source IP or user agent, as for the HTTP API. */
function accessLogFormat(): apigw.AccessLogFormat {
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      // The intake object's name (mandrill-intake/<this>); the client cannot set it, unlike requestId.
      extendedRequestId: '$context.extendedRequestId',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationStatus: '$context.integration.status',
      integrationError: '$context.integration.error',
    }),
  );
}

function acknowledgeFindings({
  api,
  role,
  mailBucket,
  notificationHandler,
}: {
  api: apigw.RestApi;
  role: iam.Role;
  mailBucket: s3.Bucket;
  notificationHandler: IConstruct;
}): void {
  const findings: [IConstruct, string, string][] = [
    [
      role,
      objectPrefixFinding(mailBucket, MAIL_BUCKET.mandrillIntakePrefix),
      'Each POST is a new object named by the id API Gateway generates for that request ($context.extendedRequestId), so no fixed object ARN can be named; PutObject on the intake prefix only.',
    ],
    ...['AwsSolutions-APIG4', 'AwsSolutions-COG4'].map((id): [IConstruct, string, string] => [
      api,
      id,
      'Mandrill cannot carry AWS credentials or tokens an authorizer understands; mandrillIntake verifies X-Mandrill-Signature over the configured URL and the form fields before anything is recorded, and deletes what fails.',
    ]),
    [
      api,
      'AwsSolutions-APIG2',
      'The POST requires the X-Mandrill-Signature header (parameter validation: 400 without it). The body is a form, not JSON, so no model can describe it; mandrillIntake parses and verifies it.',
    ],
    // CDK's handler that installs the bucket notification (a deploy-time custom resource, not on any request path).
    [
      notificationHandler,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's own deploy-time handler that sets the bucket's notification configuration; it runs only during a deployment and writes only its own logs.",
    ],
    [
      api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "API Gateway's account-wide CloudWatch role, required before a REST API stage may write access logs; AWS's managed policy is the documented one, and only apigateway.amazonaws.com can assume the role.",
    ],
    [
      api,
      'AwsSolutions-APIG3',
      'WAF costs $5+ a month, above the whole idle budget; the stage throttle bounds forged traffic and nothing is recorded without a valid signature.',
    ],
    [
      api,
      'AwsSolutions-APIG6',
      "Execution logs would record request data (headers, and at full level the body: a resident's mail); the access log records every request (ids, status, integration status) without personal data.",
    ],
  ];
  for (const [scope, id, reason] of findings) Validations.of(scope).acknowledge({ id, reason });
}
