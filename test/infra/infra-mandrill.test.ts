import { beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_REJECTED_MESSAGE } from '../../shared/channels/mandrill-intake.ts';
import { ENV, MAIL_BUCKET, MANDRILL_INTAKE, ROUTES } from '../../shared/topology.ts';
import { asArray, placeholderCode, referencedIds, resourcesOfType, synth, type Synth } from './synth.ts';

/**
 * Mandrill's intake in the template: a REST API whose POST writes the body to
 * the raw-mail bucket (no Lambda payload limit), the bucket's notification to
 * mandrillIntake, least-privilege grants on both sides, and the alarm fed from
 * the REST API's access log and the function's rejections.
 */

let s: Synth;
let bucketId: string;
let intakeId: string;

beforeAll(() => {
  s = synth({ codeFor: placeholderCode });
  bucketId = s.json.Outputs.MailBucketName.Value.Ref as string;
  intakeId = s.logicalId(s.stack.functions.mandrillIntake);
}, 120_000);

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

function statementsOfRole(roleId: string): Statement[] {
  return resourcesOfType(s.json, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: unknown) => referencedIds(r).has(roleId)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** `<bucket>/<prefix>*` of a statement on the mail bucket's objects, as `prefix*`. */
function objectPrefixes(st: Statement): string[] {
  return asArray(st.Resource).map((r) => {
    const join = (r as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    expect(join && referencedIds(join[1][0]).has(bucketId), JSON.stringify(r)).toBe(true);
    return String(join![1][1]).replace(/^\//, '');
  });
}

const methods = () => resourcesOfType(s.json, 'AWS::ApiGateway::Method').map(([, m]) => m.Properties);

describe('Mandrill intake', () => {
  it('is no longer a route of the HTTP API (one path, not two)', () => {
    expect(ROUTES.filter((r) => r.path === MANDRILL_INTAKE.path)).toEqual([]);
    expect(resourcesOfType(s.json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey)).not.toContainEqual(expect.stringContaining('mandrill'));
  });

  it('POST stores the body with S3 PutObject under the intake prefix, named by the request id the client cannot set, the signature as metadata', () => {
    const [api] = resourcesOfType(s.json, 'AWS::ApiGateway::RestApi');
    expect(api![1].Properties).toMatchObject({ BinaryMediaTypes: ['*/*'], EndpointConfiguration: { Types: ['REGIONAL'] } });
    const post = methods().find((m) => m.HttpMethod === 'POST')!;
    expect(post.Integration).toMatchObject({
      Type: 'AWS',
      IntegrationHttpMethod: 'PUT',
      PassthroughBehavior: 'WHEN_NO_MATCH',
      RequestParameters: {
        // Not context.requestId: a client may set that one with X-Amzn-RequestId.
        'integration.request.path.key': 'context.extendedRequestId',
        'integration.request.header.x-amz-meta-mandrill-signature': 'method.request.header.X-Mandrill-Signature',
      },
    });
    const uri = JSON.stringify(post.Integration.Uri);
    expect(uri).toContain(':s3:path/');
    expect(uri).toContain(`/${MAIL_BUCKET.mandrillIntakePrefix}{key}`);
    expect(referencedIds(post.Integration.Uri).has(bucketId)).toBe(true);
    // S3's own failure must not reach Mandrill as the default 200: it is a 503, so Mandrill retries. Every media type is
    // binary, so the JSON template replaces S3's XML only if the response is converted to text.
    expect(post.Integration.IntegrationResponses).toEqual([
      { StatusCode: '200' },
      {
        StatusCode: '503',
        SelectionPattern: '[345]\\d{2}',
        ContentHandling: 'CONVERT_TO_TEXT',
        ResponseTemplates: { 'application/json': '{"message":"not stored, retry"}' },
      },
    ]);
  });

  it('POST requires X-Mandrill-Signature (request validator: 400 without it); HEAD answers 200 from a mock', () => {
    const post = methods().find((m) => m.HttpMethod === 'POST')!;
    expect(post.RequestParameters).toEqual({ 'method.request.header.X-Mandrill-Signature': true });
    const validator = s.json.Resources[[...referencedIds(post.RequestValidatorId)][0]!].Properties;
    expect(validator.ValidateRequestParameters).toBe(true);
    const head = methods().find((m) => m.HttpMethod === 'HEAD')!;
    expect(head.Integration).toMatchObject({ Type: 'MOCK', ContentHandling: 'CONVERT_TO_TEXT', IntegrationResponses: [{ StatusCode: '200' }] });
    expect(
      methods()
        .map((m) => m.HttpMethod)
        .sort(),
    ).toEqual(['HEAD', 'POST']);
  });

  it('the stage is throttled and logs every request (no source IP) to a retained log group', () => {
    const [[, stage]] = resourcesOfType(s.json, 'AWS::ApiGateway::Stage') as [[string, any]];
    expect(stage.Properties.MethodSettings).toContainEqual(
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: MANDRILL_INTAKE.throttle.rateLimit,
        ThrottlingBurstLimit: MANDRILL_INTAKE.throttle.burstLimit,
      }),
    );
    const logId = [...referencedIds(stage.Properties.AccessLogSetting.DestinationArn)][0]!;
    expect(s.json.Resources[logId].Properties.RetentionInDays).toBeGreaterThan(0);
    expect(stage.Properties.AccessLogSetting.Format).not.toContain('sourceIp');
    // The intake object of each request can be found from its log line.
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format)).toMatchObject({ extendedRequestId: '$context.extendedRequestId' });
  });

  it("the account's API Gateway CloudWatch role is set before the stage (access logs need it: a fresh account has none), and kept on stack deletion", () => {
    const [[accountId, account]] = resourcesOfType(s.json, 'AWS::ApiGateway::Account') as [[string, any]];
    const roleId = [...referencedIds(account.Properties.CloudWatchRoleArn)][0]!;
    const role = s.json.Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { Service: 'apigateway.amazonaws.com' } }),
    ]);
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('AmazonAPIGatewayPushToCloudWatchLogs');
    expect(role.DeletionPolicy).toBe('Retain');
    const [[, stage]] = resourcesOfType(s.json, 'AWS::ApiGateway::Stage') as [[string, any]];
    expect(asArray(stage.DependsOn)).toContain(accountId);
  });

  it('the integration role may only PutObject under the intake prefix, and only API Gateway may assume it', () => {
    const post = methods().find((m) => m.HttpMethod === 'POST')!;
    const roleId = [...referencedIds(post.Integration.Credentials)][0]!;
    expect(s.json.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { Service: 'apigateway.amazonaws.com' } }),
    ]);
    const statements = statementsOfRole(roleId);
    expect(statements.map((st) => st.Action)).toEqual(['s3:PutObject']);
    expect(objectPrefixes(statements[0]!)).toEqual([`${MAIL_BUCKET.mandrillIntakePrefix}*`]);
  });

  it('the bucket notifies mandrillIntake of objects created under the intake prefix only, invoked asynchronously with retries and a failure queue', () => {
    const [[, notifications]] = resourcesOfType(s.json, 'Custom::S3BucketNotifications') as [[string, any]];
    expect(referencedIds(notifications.Properties.BucketName).has(bucketId)).toBe(true);
    const [config] = notifications.Properties.NotificationConfiguration.LambdaFunctionConfigurations;
    expect(config.Filter.Key.FilterRules).toEqual([{ Name: 'prefix', Value: MAIL_BUCKET.mandrillIntakePrefix }]);
    expect(referencedIds(config.LambdaFunctionArn).has(intakeId)).toBe(true);
    const permission = resourcesOfType(s.json, 'AWS::Lambda::Permission').find(([, p]) => p.Properties.Principal === 's3.amazonaws.com')![1].Properties;
    expect(referencedIds(permission.SourceArn).has(bucketId)).toBe(true);
    expect(permission.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    const [[, invoke]] = resourcesOfType(s.json, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) =>
      referencedIds(c.Properties.FunctionName).has(intakeId),
    ) as [[string, any]];
    expect(invoke.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: expect.anything() } } });
  });

  it('mandrillIntake gets the exact Mandrill URL from configuration, the secret, and least-privilege S3 grants (PutObject on its own raw-mail prefix, not all SES mail)', () => {
    const fn = s.json.Resources[intakeId].Properties;
    expect(JSON.stringify(fn.Environment.Variables[ENV.mandrillWebhookUrl])).toContain(MANDRILL_INTAKE.path);
    expect(fn.Environment.Variables[ENV.secretsArn]).toBeDefined();
    const roleId = [...referencedIds(fn.Role)][0]!;
    const s3 = statementsOfRole(roleId).filter((st) => asArray(st.Action).some((a) => a.startsWith('s3:')));
    const onObjects = s3.filter((st) => !asArray(st.Action).includes('s3:ListBucket'));
    expect(onObjects.map((st) => [asArray(st.Action).join(','), objectPrefixes(st).join(',')]).sort()).toEqual([
      ['s3:DeleteObject', `${MAIL_BUCKET.mandrillIntakePrefix}*`],
      ['s3:GetObject', `${MAIL_BUCKET.mandrillIntakePrefix}*`],
      ['s3:PutObject', `${MANDRILL_INTAKE.rawMailPrefix}*`],
    ]);
    expect(MANDRILL_INTAKE.rawMailPrefix.startsWith(MAIL_BUCKET.objectPrefix)).toBe(true);
    // ListBucket on the bucket itself, unconditional: without it S3 answers a repeated notification's GetObject 403, not NoSuchKey.
    const list = s3.filter((st) => asArray(st.Action).includes('s3:ListBucket'));
    expect(list).toEqual([expect.objectContaining({ Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } })]);
    expect(list[0]).not.toHaveProperty('Condition');
  });

  it('intake objects expire after a backstop period, longer than a failed event waits to be replayed', () => {
    const rules = s.json.Resources[bucketId].Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: MAIL_BUCKET.mandrillIntakePrefix, ExpirationInDays: MAIL_BUCKET.mandrillIntakeExpireAfterDays, Status: 'Enabled' }),
    );
  });

  it('413 (over 10 MB) and 5xx on the REST API, and each POST mandrillIntake rejects, count toward the one RequestsNotHandled alarm (no new alarm)', () => {
    const [[, stage]] = resourcesOfType(s.json, 'AWS::ApiGateway::Stage') as [[string, any]];
    const restLogs = [...referencedIds(stage.Properties.AccessLogSetting.DestinationArn)][0]!;
    const intakeLogs = [...referencedIds(s.json.Resources[intakeId].Properties.LoggingConfig.LogGroup)][0]!;
    const filters = resourcesOfType(s.json, 'AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
    const on = (logId: string) => filters.filter((f) => referencedIds(f.LogGroupName).has(logId));
    expect(on(restLogs).map((f) => f.FilterPattern)).toEqual(['{ ($.status = "413") || ($.status = "5*") }']);
    expect(on(intakeLogs).map((f) => f.FilterPattern)).toEqual([`{ $.message = "${INTAKE_REJECTED_MESSAGE}" }`]);
    const metrics = new Set(filters.map((f) => JSON.stringify([f.MetricTransformations[0].MetricNamespace, f.MetricTransformations[0].MetricName])));
    expect([...metrics]).toEqual([JSON.stringify(['ParishCommsHub', 'RequestsNotHandled'])]);
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'RequestsNotHandled');
    expect(alarms).toHaveLength(1);
  });

  it('outputs the exact URL Mandrill must be given (the REST API stage URL)', () => {
    const value = JSON.stringify(s.json.Outputs.MandrillWebhookUrl.Value);
    expect(value).toContain('.execute-api.');
    expect(value).toContain(MANDRILL_INTAKE.path);
    // The stage name is part of the URL (a REST API has no $default stage): https://<id>.execute-api.<region>.amazonaws.com/<stage>/webhooks/mandrill.
    expect(value).toMatch(/"\/",\{"Ref":"MandrillIntakeApiDeploymentStage[^"]*"\},"\/webhooks\/mandrill"/);
    const restApiId = resourcesOfType(s.json, 'AWS::ApiGateway::RestApi')[0]![0];
    expect(referencedIds(s.json.Outputs.MandrillWebhookUrl.Value).has(restApiId)).toBe(true);
  });
});
