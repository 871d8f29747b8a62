import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_EVENT_KEY_PREFIX, AUDIT_HEAD_KEY_PREFIX, AUDITOR_TABLE_ACTIONS } from '../../infra/aws/access.ts';
import { FUNCTIONS, QUEUES, ROUTES, SECRET_KEYS, TABLES, type FunctionId } from '../../shared/topology.ts';
import { idleDeploymentOf, idleMonthlyCost, PRICES } from '../../bench/lib/cost.ts';
import { asArray, placeholderCode, referencedIds, resourcesOfType, synth, type Synth } from './synth.ts';

/**
 * Security properties of the synthesised template. The handlers' code is not
 * examined here, so placeholder code stands in for esbuild (infra-bundle.test.ts
 * bundles the real handlers). Secret-looking values are planted in the process
 * environment to prove the stack never copies them into the template.
 */

const PLANTED = Object.fromEntries(SECRET_KEYS.map((key, i) => [key, `planted-${key.toLowerCase()}-${i}-do-not-deploy`]));

let s: Synth;
/** The same app with End User Messaging two-way SMS enabled (its topic and that topic's key). */
let withSms: Synth;
let fnIds: Record<FunctionId, string>;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
  Sid?: string;
}

function policyStatementsOf(roleLogicalId: string): Statement[] {
  const inline = resourcesOfType(s.json, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: unknown) => referencedIds(r).has(roleLogicalId)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
  const role = s.json.Resources[roleLogicalId];
  const embedded = asArray(role.Properties.Policies).flatMap((p: any) => p.PolicyDocument.Statement as Statement[]);
  return [...inline, ...embedded];
}

/** IAM StringLike semantics: `*` any run, `?` one character. */
function matchesLike(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

function roleOf(fn: FunctionId): string {
  return [...referencedIds(s.json.Resources[fnIds[fn]].Properties.Role)][0]!;
}

function statementsOn(statements: Statement[], logicalId: string): Statement[] {
  return statements.filter((st) => referencedIds(st.Resource).has(logicalId));
}

beforeAll(() => {
  const saved = { ...process.env };
  Object.assign(process.env, PLANTED);
  try {
    s = synth({ codeFor: placeholderCode });
    withSms = synth({ codeFor: placeholderCode, context: { endUserMessagingSms: 'true' } });
  } finally {
    process.env = saved;
  }
  fnIds = Object.fromEntries(Object.keys(FUNCTIONS).map((id) => [id, s.logicalId(s.stack.functions[id as FunctionId])])) as Record<FunctionId, string>;
});

describe('cdk-nag', () => {
  it('synthesises with AwsSolutions checks and zero unacknowledged findings (synth would throw)', () => {
    // Every topology function, the deploy-time custom resource that reads the audit signing public key (infra-digests.test.ts),
    // and CDK's deploy-time handler that installs the mail bucket's notification for the Mandrill intake (infra-mandrill.test.ts).
    expect(resourcesOfType(s.json, 'AWS::Lambda::Function')).toHaveLength(Object.keys(FUNCTIONS).length + 2);
  });

  it('does fail synth on a finding, so the check above is live', () => {
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'Bad');
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});

describe('encryption everywhere', () => {
  it("tables are encrypted with KMS, under DynamoDB's AWS managed key (no monthly charge)", () => {
    const tables = resourcesOfType(s.json, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(Object.keys(TABLES).length);
    // SSEEnabled true with no key: KMS with the AWS managed key aws/dynamodb (false or absent would be an AWS owned key).
    for (const [, t] of tables) expect(t.Properties.SSESpecification).toEqual({ SSEEnabled: true });
  });

  it('every queue is encrypted (SSE-SQS) and refuses plain HTTP', () => {
    const queues = resourcesOfType(s.json, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(Object.keys(QUEUES).length * 2);
    const policies = resourcesOfType(s.json, 'AWS::SQS::QueuePolicy');
    for (const [id, q] of queues) {
      expect(q.Properties.SqsManagedSseEnabled).toBe(true);
      expect(q.Properties.MaximumMessageSize).toBeTypeOf('number');
      const denies = policies
        .filter(([, p]) => asArray(p.Properties.Queues).some((ref: unknown) => referencedIds(ref).has(id)))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false');
      expect(denies, id).toHaveLength(1);
    }
  });

  it("every topic refuses plain HTTP; the inbound SMS topic (residents' texts) has a rotating customer managed key, the alarm topic none", () => {
    const alarmTopics = resourcesOfType(s.json, 'AWS::SNS::Topic');
    expect(alarmTopics.map(([id]) => id)).toEqual([expect.stringMatching(/^OperatorAlarms/)]);
    expect(alarmTopics[0]![1].Properties.KmsMasterKeyId).toBeUndefined();
    const topics = resourcesOfType(withSms.json, 'AWS::SNS::Topic');
    expect(topics).toHaveLength(2);
    const [smsId, sms] = topics.find(([id]) => id.startsWith('InboundSms'))!;
    const keyId = [...referencedIds(sms.Properties.KmsMasterKeyId)][0]!;
    expect(withSms.json.Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    // The key's own policy lets End User Messaging use it, for this account, and no other service.
    const services = (withSms.json.Resources[keyId].Properties.KeyPolicy.Statement as Statement[]).flatMap((st) =>
      asArray((st.Principal as { Service?: string })?.Service ?? []),
    );
    expect(services).toEqual(['sms-voice.amazonaws.com']);
    expect(smsId).toBeTruthy();
    for (const [id] of topics) {
      const denies = resourcesOfType(withSms.json, 'AWS::SNS::TopicPolicy')
        .filter(([, p]) => asArray(p.Properties.Topics).some((ref: unknown) => referencedIds(ref).has(id)))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false');
      expect(denies.length, id).toBeGreaterThan(0);
    }
  });

  it('the mail bucket is encrypted, private, TLS-only and expires raw mail', () => {
    // The digest bucket (Object Lock, never expires) is tested in infra-digests.test.ts.
    const bucketId = s.json.Outputs.MailBucketName.Value.Ref as string;
    const bucket = s.json.Resources[bucketId];
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ ExpirationInDays: 30, Status: 'Enabled' }));
    const statements = resourcesOfType(s.json, 'AWS::S3::BucketPolicy')
      .filter(([, p]) => referencedIds(p.Properties.Bucket).has(bucketId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(statements.some((st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
  });
});

describe('least privilege', () => {
  it('no IAM policy grants a wildcard action or a "*" resource', () => {
    const all = [
      ...resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]),
      ...resourcesOfType(s.json, 'AWS::IAM::Role').flatMap(([, r]) => asArray(r.Properties.Policies).flatMap((p: any) => p.PolicyDocument.Statement)),
    ] as Statement[];
    expect(all.length).toBeGreaterThan(20);
    for (const st of all) {
      for (const action of asArray(st.Action)) expect(action, JSON.stringify(st)).not.toContain('*');
      expect(asArray(st.Resource as unknown)).not.toContain('*');
    }
  });

  it('no function role carries a managed policy (no AWSLambdaBasicExecutionRole logs:* on every group)', () => {
    for (const fn of Object.keys(FUNCTIONS) as FunctionId[]) {
      expect(s.json.Resources[roleOf(fn)].Properties.ManagedPolicyArns, fn).toBeUndefined();
    }
  });

  it('the auditor role has exactly read-only actions on the audit table and its indexes, case records only in the ops table, nothing else', () => {
    const roleId = s.logicalId(s.stack.auditorRole);
    const all = policyStatementsOf(roleId);
    const auditId = s.logicalId(s.stack.tables.audit);
    // Cases (issue 13): GetItem and Query on the ops table, only CASE# records and the CASES listing.
    const cases = all.find((st) => st.Sid === 'ReadCases')!;
    expect(asArray(cases.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect([...referencedIds(cases.Resource)]).toEqual([s.logicalId(s.stack.tables.ops)]);
    expect(cases.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual(['CASE#*', 'CASES']);
    // Digests (issue 11): read them and check signatures; exact grants in infra-digests.test.ts.
    const digestSids = ['ReadAuditDigests', 'ListAuditDigests', 'CheckDigestSignatures'];
    expect(
      all
        .filter((st) => digestSids.includes(st.Sid!))
        .flatMap((st) => asArray(st.Action))
        .sort(),
    ).toEqual(['kms:GetPublicKey', 'kms:Verify', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions']);
    const statements = all.filter((st) => st !== cases && !digestSids.includes(st.Sid!));
    const actions = statements.flatMap((st) => asArray(st.Action)).sort();
    expect(actions).toEqual([...AUDITOR_TABLE_ACTIONS].sort());
    expect(actions).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan']);
    const read = statements.find((st) => asArray(st.Action).includes('dynamodb:Query'))!;
    expect([...referencedIds(read.Resource)]).toEqual([auditId]);
    const indexArns = JSON.stringify(read.Resource);
    for (const index of TABLES.audit.indexes) expect(indexArns).toContain(`/index/${index.name}"`);
  });

  it('only the appender writes chain keys; no role deletes audit items; producers write only pending events and items', () => {
    const auditId = s.logicalId(s.stack.tables.audit);
    const chainKey = `${AUDIT_EVENT_KEY_PREFIX}stilton`;
    const headKey = `${AUDIT_HEAD_KEY_PREFIX}stilton`;
    const writers: Partial<Record<FunctionId, { put: string[]; update: string[] }>> = {};
    for (const fn of Object.keys(FUNCTIONS) as FunctionId[]) {
      const onAudit = statementsOn(policyStatementsOf(roleOf(fn)), auditId);
      const actions = onAudit.flatMap((st) => asArray(st.Action));
      for (const forbidden of [
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:TransactWriteItems',
        'dynamodb:PartiQLInsert',
        'dynamodb:PartiQLUpdate',
        'dynamodb:PartiQLDelete',
      ]) {
        expect(actions, fn).not.toContain(forbidden);
      }
      const keysFor = (action: string) =>
        onAudit
          .filter((st) => asArray(st.Action).includes(action))
          .flatMap((st) => {
            // Every write statement is alone and limited by partition key: never the whole table.
            expect(asArray(st.Action), fn).toEqual([action]);
            const patterns = st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined;
            expect(patterns?.length, `${fn} ${action}`).toBeGreaterThan(0);
            return patterns ?? [];
          });
      const put = keysFor('dynamodb:PutItem');
      const update = keysFor('dynamodb:UpdateItem');
      if (put.length || update.length) writers[fn] = { put, update };
    }
    const canWrite = (patterns: string[], key: string) => patterns.some((p) => matchesLike(p, key));
    const chainWriters = Object.entries(writers).filter(([, w]) => canWrite(w.put, chainKey) || canWrite(w.update, chainKey) || canWrite(w.update, headKey));
    expect(chainWriters.map(([fn]) => fn)).toEqual(['auditAppender']);
    expect(writers.auditAppender).toEqual({ put: ['CHAIN#*'], update: ['EVENTKEY#*', 'CHAINHEAD#*'] });
    // The appender can neither create nor change summaries or content (what list/show/export print).
    expect(canWrite(writers.auditAppender!.put, 'ITEM#STL-2026-000001')).toBe(false);
    expect(writers.classify).toEqual({ put: ['EVENTKEY#*', 'ITEM#*'], update: [] });
    expect(writers.deliver).toEqual({ put: ['EVENTKEY#*'], update: [] });
    for (const fn of ['consentForm', 'consentSchedule'] as const) expect(writers[fn], fn).toEqual({ put: ['EVENTKEY#*'], update: ['ITEM#*'] });
    expect(writers.moderationLink).toEqual({ put: ['EVENTKEY#*'], update: [] });
    expect(Object.keys(writers).sort()).toEqual([
      'auditAppender',
      'caseLink',
      'classify',
      'clerkSchedule',
      'consentForm',
      'consentSchedule',
      'deliver',
      'moderationLink',
      'retentionSweep',
    ]);
    // The people's roles too: the data protection officer records events and holds, the auditor only reads.
    for (const role of [s.stack.dpoRole, s.stack.auditorRole]) {
      for (const st of statementsOn(policyStatementsOf(s.logicalId(role)), auditId)) {
        const writes = asArray(st.Action).filter((a) => /Put|Update|Delete|Write/.test(a));
        if (writes.length === 0) continue;
        const patterns = st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined;
        expect(patterns, JSON.stringify(st)).toBeDefined();
        expect(canWrite(patterns!, chainKey) || canWrite(patterns!, headKey), JSON.stringify(st)).toBe(false);
      }
    }
  });

  it('every role that records audit events can name them on the FIFO audit queue; the appender only consumes it', () => {
    const queueId = s.logicalId(s.stack.queues.audit);
    const senders = (Object.keys(FUNCTIONS) as FunctionId[]).filter((fn) =>
      statementsOn(policyStatementsOf(roleOf(fn)), queueId).some((st) => asArray(st.Action).includes('sqs:SendMessage')),
    );
    expect(senders.sort()).toEqual(['caseLink', 'classify', 'clerkSchedule', 'consentForm', 'consentSchedule', 'deliver', 'moderationLink', 'retentionSweep']);
    expect(s.json.Resources[queueId].Properties.FifoQueue).toBe(true);
    expect(s.json.Resources[s.logicalId(s.stack.deadLetterQueues.audit)].Properties.FifoQueue).toBe(true);
    // One group per council: SQS hands the appender one batch of a council at a time, whatever the concurrency.
    expect(s.json.Resources[s.logicalId(s.stack.deadLetterQueues.audit)].Properties.FifoQueue).toBe(true);
  });

  it('ingest functions can only enqueue: no table, no outbox, no SES/SMS access', () => {
    const tableIds = Object.values(s.stack.tables).map((t) => s.logicalId(t));
    const inboundId = s.logicalId(s.stack.queues.inbound);
    const asyncFailuresId = resourcesOfType(s.json, 'AWS::SQS::Queue').find(([id]) => id.startsWith('AsyncFailures'))![0];
    for (const fn of ['messengerWebhook', 'mailchimpWebhook', 'mandrillIntake', 'twilioWebhook', 'sesInbound', 'smsInbound'] as const) {
      const statements = policyStatementsOf(roleOf(fn));
      const actions = statements.flatMap((st) => asArray(st.Action));
      expect(
        actions.filter((a) => /^(dynamodb|ses|sms-voice|kms):/.test(a)),
        fn,
      ).toEqual([]);
      for (const st of statements.filter((x) => asArray(x.Action).some((a) => a.startsWith('sqs:')))) {
        // Asynchronously invoked functions (SES, SNS, S3) also send their own failed events to the failure queue.
        const allowed = fn === 'sesInbound' || fn === 'smsInbound' || fn === 'mandrillIntake' ? [inboundId, asyncFailuresId] : [inboundId];
        expect(allowed, fn).toEqual(expect.arrayContaining([...referencedIds(st.Resource)]));
        expect(asArray(st.Action)).toContain('sqs:SendMessage');
        expect(asArray(st.Action)).not.toContain('sqs:ReceiveMessage');
      }
      for (const id of tableIds) expect(statementsOn(statements, id), fn).toEqual([]);
    }
    const sesInbound = policyStatementsOf(roleOf('sesInbound')).filter((st) => asArray(st.Action).includes('s3:GetObject'));
    expect(sesInbound).toHaveLength(1);
    expect(JSON.stringify(sesInbound[0]!.Resource)).toContain('/inbound/*');
  });

  it('only deliver may send mail and SMS, from the council address and configuration set', () => {
    for (const fn of Object.keys(FUNCTIONS) as FunctionId[]) {
      const actions = policyStatementsOf(roleOf(fn)).flatMap((st) => asArray(st.Action));
      const sends = actions.filter((a) => a.startsWith('ses:') || a.startsWith('sms-voice:'));
      expect(sends, fn).toEqual(fn === 'deliver' ? ['ses:SendEmail', 'ses:SendRawEmail', 'sms-voice:SendTextMessage'] : []);
    }
    const mail = policyStatementsOf(roleOf('deliver')).find((st) => asArray(st.Action).includes('ses:SendEmail'))!;
    expect(mail.Condition?.StringEquals?.['ses:FromAddress']).toBe('hub@mail.parish.example.org.uk');
    const identityId = [...referencedIds(mail.Resource)].find((id) => s.json.Resources[id]?.Type === 'AWS::SES::EmailIdentity')!;
    expect(s.json.Resources[identityId].Properties.EmailIdentity).toBe('mail.parish.example.org.uk');
    expect(JSON.stringify(mail.Resource)).toContain(':identity/');
    expect(JSON.stringify(mail.Resource)).toContain(':configuration-set/');
  });
});

describe('queues', () => {
  it('every topology queue has its DLQ with redrive and a visibility timeout of at least 6x its consumer timeout', () => {
    for (const def of Object.values(QUEUES)) {
      const consumerTimeout = FUNCTIONS[def.consumer].timeoutSeconds;
      expect(def.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * consumerTimeout);
      const queue = s.json.Resources[s.logicalId(s.stack.queues[def.id])].Properties;
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumerTimeout);
      expect(queue.VisibilityTimeout).toBe(def.visibilityTimeoutSeconds);
      expect(queue.MaximumMessageSize).toBe(def.maximumMessageSizeBytes);
      expect(queue.MessageRetentionPeriod).toBe(def.retentionDays * 86_400);
      expect(queue.RedrivePolicy.maxReceiveCount).toBe(def.maxReceiveCount);
      expect([...referencedIds(queue.RedrivePolicy.deadLetterTargetArn)]).toEqual([s.logicalId(s.stack.deadLetterQueues[def.id])]);
      const consumerFn = s.json.Resources[fnIds[def.consumer]].Properties;
      expect(consumerFn.Timeout).toBe(consumerTimeout);
    }
  });

  it('event source mappings report batch item failures, with the topology batch size, window and maximum concurrency', () => {
    const mappings = resourcesOfType(s.json, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(Object.keys(QUEUES).length);
    for (const def of Object.values(QUEUES)) {
      const queueId = s.logicalId(s.stack.queues[def.id]);
      const [, mapping] = mappings.find(([, m]) => referencedIds(m.Properties.EventSourceArn).has(queueId))!;
      expect(mapping.Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: def.batchSize,
        // FIFO queues take no batching window.
        ...(def.maxBatchingWindowSeconds > 0 ? { MaximumBatchingWindowInSeconds: def.maxBatchingWindowSeconds } : {}),
        // Capped on the mapping: Lambda's pollers stop receiving at the cap, so nothing is throttled into the DLQ untried.
        ScalingConfig: { MaximumConcurrency: def.maxConcurrency },
      });
      if (def.maxBatchingWindowSeconds === 0) expect(mapping.Properties.MaximumBatchingWindowInSeconds, def.id).toBeUndefined();
      expect(def.maxConcurrency).toBeGreaterThanOrEqual(2);
      expect(s.json.Resources[fnIds[def.consumer]].Properties.ReservedConcurrentExecutions).toBeUndefined();
      expect(referencedIds(mapping.Properties.FunctionName).has(fnIds[def.consumer])).toBe(true);
    }
  });

  it('alarms fire on any message in a dead-letter queue, and on every function error and throttle', () => {
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topicId = resourcesOfType(s.json, 'AWS::SNS::Topic').find(([id]) => id.startsWith('OperatorAlarms'))![0];
    for (const a of alarms) expect(referencedIds(a.AlarmActions).has(topicId)).toBe(true);
    for (const def of Object.values(QUEUES)) {
      const dlqId = s.logicalId(s.stack.deadLetterQueues[def.id]);
      const depth = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && referencedIds(a.Dimensions).has(dlqId));
      expect(depth, def.dlqId).toEqual([expect.objectContaining({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' })]);
    }
    // Every function's errors and throttles: Lambda's account-level metrics (no dimensions), one alarm each.
    for (const metric of ['Errors', 'Throttles']) {
      expect(
        alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === metric && a.Dimensions === undefined),
        metric,
      ).toEqual([expect.objectContaining({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Sum' })]);
    }
  });

  it("any 5xx of the HTTP API raises an alarm, counted from the access log; its 413s (the hub's own refusal of an oversized body) do not", () => {
    const stageLogs = [...referencedIds(resourcesOfType(s.json, 'AWS::ApiGatewayV2::Stage')[0]![1].Properties.AccessLogSettings.DestinationArn)][0]!;
    const [[, filter]] = resourcesOfType(s.json, 'AWS::Logs::MetricFilter').filter(([, f]) => referencedIds(f.Properties.LogGroupName).has(stageLogs)) as [
      [string, any],
    ];
    expect(filter.Properties.FilterPattern).toBe('{ $.status = "5*" }');
    const { MetricNamespace, MetricName } = filter.Properties.MetricTransformations[0];
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.Namespace === MetricNamespace && a.Properties.MetricName === MetricName,
    );
    expect(alarms.map(([, a]) => a.Properties)).toEqual([
      expect.objectContaining({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Sum' }),
    ]);
  });

  it("an idle deployment costs at most $3.00 a month with the audit signing key, priced from the template by the bench's cost function", () => {
    const idleCost = (synthesised: Synth) => idleMonthlyCost(idleDeploymentOf(synthesised.json.Resources));
    const keys = resourcesOfType(s.json, 'AWS::KMS::Key');
    // Issue 11's asymmetric key that signs audit digests ($1 a month) is counted even before it is in the stack.
    const signingKeyToCome = keys.some(([, k]) => k.Properties.KeyUsage === 'SIGN_VERIFY') ? 0 : PRICES.kmsKeyPerMonth;
    const idle = idleCost(s);
    expect(idle.total + signingKeyToCome).toBeLessThanOrEqual(3.0);
    // No customer managed key for data: the tables use DynamoDB's AWS managed key.
    expect(keys.filter(([, k]) => k.Properties.KeyUsage !== 'SIGN_VERIFY')).toEqual([]);
    // End User Messaging SMS adds exactly its topic's key.
    expect(idleCost(withSms).total - idle.total).toBeCloseTo(PRICES.kmsKeyPerMonth, 6);
  });
});

describe('functions', () => {
  it('every function is nodejs24.x on arm64 with JSON logs to its own retained log group, sized from the topology', () => {
    for (const [fn, def] of Object.entries(FUNCTIONS) as [FunctionId, (typeof FUNCTIONS)[FunctionId]][]) {
      const p = s.json.Resources[fnIds[fn]].Properties;
      expect(p.Runtime).toBe('nodejs24.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.MemorySize).toBe(def.memoryMb);
      expect(p.Timeout).toBe(def.timeoutSeconds);
      // Concurrency is capped on the event source mappings, never by reserved concurrency (see the SQS consumers test).
      expect(p.ReservedConcurrentExecutions).toBeUndefined();
      expect(p.LoggingConfig.LogFormat).toBe('JSON');
      const groupId = [...referencedIds(p.LoggingConfig.LogGroup)][0]!;
      expect(s.json.Resources[groupId].Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('no secret name or value appears in any environment or anywhere in the template', () => {
    const text = JSON.stringify(s.json);
    for (const value of Object.values(PLANTED)) expect(text).not.toContain(value);
    for (const [, fn] of resourcesOfType(s.json, 'AWS::Lambda::Function')) {
      const env = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
      for (const key of SECRET_KEYS) {
        expect(Object.keys(env)).not.toContain(key);
        expect(JSON.stringify(env)).not.toContain(key);
      }
      for (const name of Object.keys(env)) expect(name).not.toMatch(/SECRET$|TOKEN$|PASSWORD|_KEY$/);
    }
    const [[, secret]] = resourcesOfType(s.json, 'AWS::SecretsManager::Secret') as [[string, any]];
    expect(secret.Properties.SecretString).toBeUndefined();
    const template = JSON.parse(secret.Properties.GenerateSecretString.SecretStringTemplate) as Record<string, string>;
    expect(Object.values(template).every((v) => v === '')).toBe(true);
    expect(new Set([...Object.keys(template), secret.Properties.GenerateSecretString.GenerateStringKey])).toEqual(new Set(SECRET_KEYS));
  });

  it('functions that read secrets get the ARN, the Parameters and Secrets extension and read access; the others get none', () => {
    const secretId = resourcesOfType(s.json, 'AWS::SecretsManager::Secret')[0]![0];
    for (const fn of Object.keys(FUNCTIONS) as FunctionId[]) {
      const p = s.json.Resources[fnIds[fn]].Properties;
      const reads = policyStatementsOf(roleOf(fn)).filter((st) => asArray(st.Action).includes('secretsmanager:GetSecretValue'));
      const hasArn = referencedIds(p.Environment.Variables.SECRETS_ARN).has(secretId);
      expect(reads.length > 0, fn).toBe(hasArn);
      if (hasArn) expect(JSON.stringify(p.Layers)).toContain('AWS-Parameters-and-Secrets-Lambda-Extension-Arm64');
    }
    expect(s.json.Resources[fnIds.sesInbound].Properties.Environment.Variables.SECRETS_ARN).toBeUndefined();
  });
});

describe('edges', () => {
  it('every route in the topology is on the HTTP API, integrated with its function, and nothing else is', () => {
    const routes = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of ROUTES) {
      const [, r] = routes.find(([, x]) => x.Properties.RouteKey === `${route.method} ${route.path}`)!;
      const integrationId = [...referencedIds(r.Properties.Target)][0]!;
      const integration = s.json.Resources[integrationId].Properties;
      expect(integration.PayloadFormatVersion).toBe('2.0');
      expect(referencedIds(integration.IntegrationUri).has(fnIds[route.fn]), `${route.method} ${route.path}`).toBe(true);
    }
  });

  it('the default stage throttles and writes access logs to a retained log group', () => {
    const [[, stage]] = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Stage') as [[string, any]];
    expect(stage.Properties.StageName).toBe('$default');
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) });
    const logId = [...referencedIds(stage.Properties.AccessLogSettings.DestinationArn)][0]!;
    expect(s.json.Resources[logId].Properties.RetentionInDays).toBeGreaterThan(0);
    expect(stage.Properties.AccessLogSettings.Format).not.toContain('sourceIp');
  });

  it('SES stores raw mail under the prefix, then invokes sesInbound asynchronously; both grants are scoped to the receipt rule', () => {
    const [[, rule]] = resourcesOfType(s.json, 'AWS::SES::ReceiptRule') as [[string, any]];
    const [s3Action, lambdaAction] = rule.Properties.Rule.Actions;
    expect(s3Action.S3Action.ObjectKeyPrefix).toBe('inbound/');
    expect(lambdaAction.LambdaAction.InvocationType).toBe('Event');
    expect(referencedIds(lambdaAction.LambdaAction.FunctionArn).has(fnIds.sesInbound)).toBe(true);
    expect(rule.Properties.Rule.Recipients).toEqual(['mail.parish.example.org.uk']);
    const ruleName = rule.Properties.Rule.Name as string;
    const ruleSetName = s.json.Resources[[...referencedIds(rule.Properties.RuleSetName)][0]!].Properties.RuleSetName as string;

    const sesPut = resourcesOfType(s.json, 'AWS::S3::BucketPolicy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((st) => JSON.stringify(st.Principal).includes('ses.amazonaws.com'));
    expect(sesPut).toHaveLength(1);
    expect(sesPut[0]!.Action).toBe('s3:PutObject');
    expect(sesPut[0]!.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(JSON.stringify(sesPut[0]!.Condition?.ArnLike?.['aws:SourceArn'])).toContain(`:receipt-rule-set/${ruleSetName}:receipt-rule/${ruleName}`);

    const permissions = resourcesOfType(s.json, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'ses.amazonaws.com');
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    expect(JSON.stringify(permissions[0]![1].Properties.SourceArn)).toContain(`:receipt-rule-set/${ruleSetName}:receipt-rule/${ruleName}`);
  });

  it('End User Messaging may publish inbound SMS to the topic for this account only, and smsInbound is subscribed', () => {
    const s = withSms;
    const topicId = resourcesOfType(s.json, 'AWS::SNS::Topic').find(([id]) => id.startsWith('InboundSms'))![0];
    const allow = resourcesOfType(s.json, 'AWS::SNS::TopicPolicy')
      .filter(([, p]) => asArray(p.Properties.Topics).some((t: unknown) => referencedIds(t).has(topicId)))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((st) => st.Effect === 'Allow');
    expect(allow).toEqual([expect.objectContaining({ Action: 'sns:Publish', Principal: { Service: 'sms-voice.amazonaws.com' } })]);
    expect(allow[0]!.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    const subs = resourcesOfType(s.json, 'AWS::SNS::Subscription').filter(([, x]) => referencedIds(x.Properties.TopicArn).has(topicId));
    expect(subs).toHaveLength(1);
    expect(referencedIds(subs[0]![1].Properties.Endpoint).has(fnIds.smsInbound)).toBe(true);
  });

  it('exports the outputs the deploy guide and the auditor CLI read', () => {
    const outputs = Object.keys(s.json.Outputs as object);
    for (const name of [
      'ApiUrl',
      'MessengerWebhookUrl',
      'MailchimpWebhookUrl',
      'MandrillWebhookUrl',
      'TwilioWebhookUrl',
      'ConsentBaseUrl',
      'AuditTableName',
      'OpsTableName',
      'AuditorRoleArn',
      'SesMxRecord',
      'SecretArn',
    ]) {
      expect(outputs).toContain(name);
    }
    // The topic to name in End User Messaging, only when that channel is enabled.
    expect(outputs).not.toContain('SmsTopicArn');
    expect(Object.keys(withSms.json.Outputs as object)).toContain('SmsTopicArn');
    expect(s.json.Outputs.Council.Value).toBe('stilton');
    expect(s.json.Outputs.SesMxRecord.Value).toBe('10 inbound-smtp.eu-west-2.amazonaws.com');
    expect(JSON.stringify(s.json.Outputs.MailchimpWebhookUrl.Value)).toContain('/webhooks/mailchimp/<MAILCHIMP_WEBHOOK_SECRET>');
  });
});
