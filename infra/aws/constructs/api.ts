import { RemovalPolicy, type Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { type FunctionId, ROUTES } from '../../../shared/topology.ts';
import { pascal } from '../names.ts';
import { routeSettings } from '../throttling.ts';
import { LOG_RETENTION } from './functions.ts';

export const HTTP_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

export interface HubApi {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** PUBLIC_BASE_URL: the custom domain when there is one, else the execute-api address. */
  readonly publicBaseUrl: string;
  /** One JSON line per request (accessLogFormat); the alarms watch it for requests no handler answered. */
  readonly accessLogs: logs.LogGroup;
}

/** The HTTP API and its one stage (needed before the functions: PUBLIC_BASE_URL is its address). */
export function addHttpApi(stack: Stack, stackId: string, apiDomain?: { readonly name: string; readonly certificateArn: string }): HubApi {
  const accessLogs = new logs.LogGroup(stack, 'HttpApiAccessLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
  const api = new apigwv2.HttpApi(stack, 'HttpApi', {
    apiName: `${stackId}-webhooks`,
    description: 'Parish Comms Hub: provider webhooks and consent links',
    createDefaultStage: false,
  });
  let publicBaseUrl = api.apiEndpoint;
  let domainMapping: apigwv2.DomainMappingOptions | undefined;
  if (apiDomain) {
    const domainName = new apigwv2.DomainName(stack, 'ApiDomain', {
      domainName: apiDomain.name,
      certificate: acm.Certificate.fromCertificateArn(stack, 'ApiCertificate', apiDomain.certificateArn),
    });
    domainMapping = { domainName };
    publicBaseUrl = `https://${apiDomain.name}`;
  }
  const stage = api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    throttle: HTTP_THROTTLE,
    ...(domainMapping ? { domainMapping } : {}),
    accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: accessLogFormat() },
  });
  // Each route its own bucket (infra/aws/throttling.ts): a flood on one cannot starve the provider webhooks.
  (stage.node.defaultChild as apigwv2.CfnStage).routeSettings = routeSettings(ROUTES, HTTP_THROTTLE);
  return { api, stage, publicBaseUrl, accessLogs };
}

/** No source IP or user agent: residents' addresses are personal data the hub does not need. */
function accessLogFormat(): apigw.AccessLogFormat {
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      requestTime: '$context.requestTime',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationLatency: '$context.integrationLatency',
      integrationError: '$context.integrationErrorMessage',
    }),
  );
}

/** HTTP routes, from the topology: one Lambda integration per function. */
export function addRoutes(api: apigwv2.HttpApi, functions: Record<FunctionId, lambda.Function>): void {
  const integrations = new Map<FunctionId, HttpLambdaIntegration>();
  for (const route of ROUTES) {
    let integration = integrations.get(route.fn);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${pascal(route.fn)}Integration`, functions[route.fn], {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      });
      integrations.set(route.fn, integration);
    }
    const [created] = api.addRoutes({ path: route.path, methods: [apigwv2.HttpMethod[route.method]], integration });
    if (created) {
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Provider webhooks cannot carry AWS credentials or tokens an API Gateway authorizer understands; each function verifies the provider signature (Messenger X-Hub-Signature-256, Twilio X-Twilio-Signature, Mandrill X-Mandrill-Signature), the Mailchimp path secret, or the HMAC-signed consent token, before doing anything.',
      });
    }
  }
}
