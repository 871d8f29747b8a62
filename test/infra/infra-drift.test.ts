import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { FUNCTIONS, QUEUES, queueName, ROUTES, SCHEDULES, TABLES, type FunctionId } from '../../shared/topology.ts';
import { placeholderCode, referencedIds, resourcesOfType, synth, type Synth } from './synth.ts';

/**
 * No drift between cloud and local: the synthesised stack and the local hub's
 * emulators (infra/local/emulators.ts, which the local router also reads) are
 * both built from shared/topology.ts; this proves they end up the same.
 */

let s: Synth;
let local: Emulators;

beforeAll(async () => {
  s = synth({ codeFor: placeholderCode });
  local = await startEmulators({ prefix: 'infra-drift-' });
});
afterAll(async () => {
  await local?.stop();
});

const sortBy = <T>(items: T[], key: (t: T) => string): T[] => [...items].sort((a, b) => key(a).localeCompare(key(b)));

/** The part of a table definition both sides must agree on, in CreateTable vocabulary. */
function tableShape(t: { AttributeDefinitions?: any[]; KeySchema?: any[]; GlobalSecondaryIndexes?: any[] }) {
  return {
    attributes: sortBy(t.AttributeDefinitions ?? [], (a) => a.AttributeName).map((a) => ({ AttributeName: a.AttributeName, AttributeType: a.AttributeType })),
    keys: (t.KeySchema ?? []).map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
    indexes: sortBy(t.GlobalSecondaryIndexes ?? [], (i) => i.IndexName).map((i) => ({
      IndexName: i.IndexName,
      KeySchema: i.KeySchema.map((k: any) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
      ProjectionType: i.Projection.ProjectionType,
    })),
  };
}

describe('tables', () => {
  it('the stack has exactly the topology tables, with the same keys, attributes and indexes as the local emulator', async () => {
    expect(resourcesOfType(s.json, 'AWS::DynamoDB::Table')).toHaveLength(Object.keys(TABLES).length);
    const ddb = new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: local.dynamodbEndpoint });
    try {
      for (const def of Object.values(TABLES)) {
        const cloud = s.json.Resources[s.logicalId(s.stack.tables[def.id])].Properties;
        const fromTopology = tableShape(createTableInput(def, def.id));
        const { Table } = await ddb.send(new DescribeTableCommand({ TableName: local.tableNames[def.id] }));
        expect(tableShape(cloud), def.id).toEqual(fromTopology);
        expect(tableShape(Table!), def.id).toEqual(fromTopology);
        expect(fromTopology.indexes.map((i) => i.IndexName)).toEqual(def.indexes.map((i) => i.name).sort());
        expect(cloud.BillingMode).toBe('PAY_PER_REQUEST');
        expect(cloud.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(cloud.DeletionProtectionEnabled).toBe(true);
        const ttl = 'ttlAttribute' in def ? def.ttlAttribute : undefined;
        expect(cloud.TimeToLiveSpecification, def.id).toEqual(ttl ? { AttributeName: ttl, Enabled: true } : undefined);
      }
    } finally {
      ddb.destroy();
    }
  });
});

describe('queues', () => {
  it('cloud and local queues have the same visibility timeout, size limit and redrive count', async () => {
    const client = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: local.sqsEndpoint });
    try {
      for (const def of Object.values(QUEUES)) {
        const cloud = s.json.Resources[s.logicalId(s.stack.queues[def.id])].Properties;
        const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({ QueueUrl: local.queueUrls[def.id], AttributeNames: ['All'] }));
        expect(Number(Attributes.VisibilityTimeout), def.id).toBe(cloud.VisibilityTimeout);
        expect(Number(Attributes.MaximumMessageSize), def.id).toBe(cloud.MaximumMessageSize);
        expect(JSON.parse(Attributes.RedrivePolicy!).maxReceiveCount, def.id).toBe(cloud.RedrivePolicy.maxReceiveCount);
        const fifo = 'fifo' in def && def.fifo;
        expect(JSON.parse(Attributes.RedrivePolicy!).deadLetterTargetArn.endsWith(`:${queueName('infra-drift-', def.dlqId, fifo)}`), def.id).toBe(true);
        expect(Attributes.FifoQueue === 'true', def.id).toBe(cloud.FifoQueue === true);
      }
    } finally {
      client.destroy();
    }
  });

  it('every queue in the stack is a topology queue, its DLQ, or the cloud-only async failure queue', () => {
    const known = new Set([...Object.values(QUEUES).flatMap((q) => [s.logicalId(s.stack.queues[q.id]), s.logicalId(s.stack.deadLetterQueues[q.id])])]);
    const extra = resourcesOfType(s.json, 'AWS::SQS::Queue')
      .filter(([id]) => !known.has(id))
      .map(([id]) => id);
    expect(extra).toHaveLength(1);
    expect(extra[0]).toMatch(/^AsyncFailuresQueue/);
  });
});

describe('functions, routes, schedules', () => {
  const fnOf = (value: unknown): FunctionId | undefined =>
    (Object.keys(FUNCTIONS) as FunctionId[]).find((id) => referencedIds(value).has(s.logicalId(s.stack.functions[id])));

  it("the stack has exactly the topology functions (and the deploy-time reader of the signing public key, and CDK's installer of the Mandrill intake's bucket notification)", () => {
    expect(
      resourcesOfType(s.json, 'AWS::Lambda::Function')
        .map(([id]) => id)
        .sort(),
    ).toEqual(
      [
        ...(Object.keys(FUNCTIONS) as FunctionId[]).map((id) => s.logicalId(s.stack.functions[id])),
        s.logicalId(s.stack.auditDigests.publicKeyFunction),
        s.logicalId(s.stack.mandrillIntake.notificationHandler),
      ].sort(),
    );
  });

  it('the HTTP API routes are the topology routes, each to the same function as locally', () => {
    const integrations = s.json.Resources;
    const cloud = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Route').map(([, r]) => ({
      method: (r.Properties.RouteKey as string).split(' ')[0],
      path: (r.Properties.RouteKey as string).split(' ')[1],
      fn: fnOf(integrations[[...referencedIds(r.Properties.Target)][0]!].Properties.IntegrationUri),
    }));
    const key = (r: { method?: string; path?: string }) => `${r.method} ${r.path}`;
    expect(sortBy(cloud, key)).toEqual(
      sortBy(
        ROUTES.map((r) => ({ method: r.method, path: r.path, fn: r.fn })),
        key,
      ),
    );
  });

  it('the schedules are the topology schedules, each invoking its function', () => {
    const rules = resourcesOfType(s.json, 'AWS::Events::Rule').map(([, r]) => ({
      rate: r.Properties.ScheduleExpression as string,
      fn: fnOf(r.Properties.Targets),
    }));
    expect(rules).toEqual(SCHEDULES.map((x) => ({ rate: x.rate, fn: x.fn })));
  });

  it('the SQS consumers are the topology consumers', () => {
    const mappings = resourcesOfType(s.json, 'AWS::Lambda::EventSourceMapping').map(([, m]) => ({
      queue: Object.values(QUEUES).find((q) => referencedIds(m.Properties.EventSourceArn).has(s.logicalId(s.stack.queues[q.id])))?.id,
      fn: fnOf(m.Properties.FunctionName),
    }));
    expect(sortBy(mappings, (m) => m.queue ?? '')).toEqual(
      sortBy(
        Object.values(QUEUES).map((q) => ({ queue: q.id, fn: q.consumer })),
        (m) => m.queue,
      ),
    );
  });
});
