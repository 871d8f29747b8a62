import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import dynalite from 'dynalite';
import { createRequestHandler } from 'local-aws-sqs';
import * as sesModule from 'aws-ses-v2-local';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, queueName, TABLES, type TableDefinition } from '../../shared/topology.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws.ts';

/**
 * In-process AWS wire-protocol emulators (dynalite, local-aws-sqs,
 * aws-ses-v2-local) with the hub's tables and queues created from the same
 * topology the CDK stack reads. Used by the integration tests and by the
 * local hub. Everything listens on 127.0.0.1 only.
 */

export { LOCAL_CREDENTIALS, LOCAL_REGION };

export interface Emulators {
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly sesEndpoint: string;
  readonly tableNames: Record<keyof typeof TABLES, string>;
  readonly queueUrls: Record<keyof typeof QUEUES, string>;
  readonly dlqUrls: Record<keyof typeof QUEUES, string>;
  /** Environment variables that point the functions (and any AWS SDK v3 client) at the emulators. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Persist DynamoDB under this directory (dynalite's LevelDB); in memory when absent. */
  dynamodbPath?: string;
  dynamodbPort?: number;
  sqsPort?: number;
  sesPort?: number;
  /** Prefix for table and queue names, so parallel test files never collide. */
  prefix?: string;
  /**
   * Called once the queues exist, with local-aws-sqs's in-memory service
   * (`service.Queues`), before anything else can use them. The local hub
   * journals and restores queue contents through it (infra/local/sqs-journal.ts).
   */
  onSqsReady?: (service: unknown) => void | Promise<void>;
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  useNativeCrc32();
  const prefix = options.prefix ?? '';
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.dynamodbPath ? { path: options.dynamodbPath } : {}) }) as Server;
  const dynamoPort = await listen(dynamo, options.dynamodbPort ?? 0);
  const sqsPort = options.sqsPort ?? (await freePort());
  // createSqsServer without the wrapper, so the service (and its queues) can be handed to onSqsReady.
  const { service: sqsService, requestHandler } = createRequestHandler({
    port: sqsPort,
    hostname: '127.0.0.1',
    region: LOCAL_REGION,
    emulateQueueCreationLifecycle: false,
  });
  const sqs = createServer((req, res) => void requestHandler(req, res));
  await listen(sqs, sqsPort);
  const sesPort = options.sesPort ?? (await freePort());
  const ses = await startSes({ host: '127.0.0.1', port: sesPort });

  const dynamodbEndpoint = `http://127.0.0.1:${dynamoPort}`;
  const sqsEndpoint = `http://127.0.0.1:${sqsPort}`;
  const sesEndpoint = `http://127.0.0.1:${sesPort}`;
  const tableNames = await createTables(dynamodbEndpoint, prefix);
  const { queueUrls, dlqUrls } = await createQueues(sqsEndpoint, prefix);
  await options.onSqsReady?.(sqsService);

  return {
    dynamodbEndpoint,
    sqsEndpoint,
    sesEndpoint,
    tableNames,
    queueUrls,
    dlqUrls,
    env: {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_ENDPOINT_URL_SESV2: sesEndpoint,
      AUDIT_TABLE: tableNames.audit,
      OPS_TABLE: tableNames.ops,
      INBOUND_QUEUE_URL: queueUrls.inbound,
      OUTBOX_QUEUE_URL: queueUrls.outbox,
      AUDIT_QUEUE_URL: queueUrls.audit,
    },
    async stop() {
      await Promise.all([close(dynamo), close(sqs), close(ses)]);
    },
  };
}

/** The topology's tables (an existing one is kept: the local hub's data survives a restart). */
async function createTables(endpoint: string, prefix: string): Promise<Record<keyof typeof TABLES, string>> {
  const ddb = new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint });
  const tableNames = {} as Record<keyof typeof TABLES, string>;
  for (const table of Object.values(TABLES)) {
    const name = `${prefix}${table.id}`;
    tableNames[table.id] = name;
    await ensureTable(ddb, createTableInput(table, name));
  }
  ddb.destroy();
  return tableNames;
}

/** The topology's queues, each with its dead-letter queue and redrive policy. */
async function createQueues(
  endpoint: string,
  prefix: string,
): Promise<{ queueUrls: Record<keyof typeof QUEUES, string>; dlqUrls: Record<keyof typeof QUEUES, string> }> {
  const sqsClient = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint });
  const queueUrls = {} as Record<keyof typeof QUEUES, string>;
  const dlqUrls = {} as Record<keyof typeof QUEUES, string>;
  for (const queue of Object.values(QUEUES)) {
    const fifo = 'fifo' in queue && queue.fifo;
    const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
    const dlqName = queueName(prefix, queue.dlqId, fifo);
    const dlq = await sqsClient.send(new CreateQueueCommand({ QueueName: dlqName, Attributes: fifoAttributes }));
    const dlqArn = `arn:aws:sqs:${LOCAL_REGION}:123456789012:${dlqName}`;
    const main = await sqsClient.send(
      new CreateQueueCommand({
        QueueName: queueName(prefix, queue.id, fifo),
        Attributes: {
          ...fifoAttributes,
          VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
          MaximumMessageSize: String(queue.maximumMessageSizeBytes),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.maxReceiveCount }),
        },
      }),
    );
    queueUrls[queue.id] = main.QueueUrl!;
    dlqUrls[queue.id] = dlq.QueueUrl!;
  }
  sqsClient.destroy();
  return { queueUrls, dlqUrls };
}

/**
 * dynalite checksums every response body (x-amz-crc32, as DynamoDB does) with
 * buffer-crc32, in JavaScript: about a tenth of its CPU when a long chain is
 * read. Node's zlib.crc32 computes the same CRC-32 natively, so dynalite's
 * copy of buffer-crc32 is pointed at it: the same header on the same bytes.
 */
function useNativeCrc32(): void {
  const fromDynalite = createRequire(import.meta.resolve('dynalite'));
  const bufferCrc32 = fromDynalite('buffer-crc32') as { unsigned: (data: string | Buffer) => number };
  bufferCrc32.unsigned = (data) => crc32(data);
}

export function createTableInput(table: TableDefinition, name: string): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  for (const key of [table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])]) {
    attributes.set(key.name, key.type);
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: table.sortKey.name, KeyType: 'RANGE' },
    ],
    ...(table.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
              { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

async function ensureTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
}

/** Apply emulator endpoints to process.env for the duration of a test file; returns a restore function. */
export function applyEnv(vars: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** aws-ses-v2-local is CommonJS: its default export sits one level deeper under plain Node ESM. */
type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;
const sesExports = sesModule as unknown as { default: StartSes | { default: StartSes } };
const startSes: StartSes = typeof sesExports.default === 'function' ? sesExports.default : sesExports.default.default;

export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server, 0);
  await close(server);
  return port;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
