import { MAIL_BUCKET, QUEUES, TABLES } from '../../../shared/topology.ts';
import { arn, LOCAL_ACCOUNT, LOCAL_IAM_REGION, type IamModel } from './model.ts';

/**
 * What IAM authorises for one SDK call: one or more (action, resource,
 * condition keys) requests, as AWS evaluates them. Local resource names carry a
 * per-test prefix; they are mapped to the topology id they end with, so the
 * canonical ARNs match the model's.
 */

export interface AuthRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
  /** What the denial line names besides the action: the key, object or queue. */
  readonly detail: string;
}

export class UnmodelledCallError extends Error {
  constructor(client: string, command: string) {
    super(`IAM enforcement cannot evaluate ${client}.${command}: add it to infra/local/iam/requests.ts`);
    this.name = 'UnmodelledCallError';
  }
}

const byLongest = (ids: string[]) => [...ids].sort((a, b) => b.length - a.length);
const TABLE_IDS = byLongest(Object.keys(TABLES));
const QUEUE_IDS = byLongest(Object.values(QUEUES).flatMap((q) => [q.id, q.dlqId]));

export function topologyId(localName: string, ids: readonly string[]): string {
  // FIFO queue names end in .fifo (topology queueName).
  const name = localName.replace(/\.fifo$/, '');
  return ids.find((id) => name === id || name.endsWith(`-${id}`) || name.endsWith(id)) ?? localName;
}

type Input = Record<string, any>;

export function authRequests(client: string, command: string, input: Input, model: IamModel): AuthRequest[] {
  const op = command.replace(/Command$/, '');
  switch (client) {
    case 'DynamoDBClient':
      return dynamodb(op, input, model);
    case 'SQSClient':
      return [sqs(op, input)];
    case 'S3Client':
      return [s3(op, input)];
    case 'SESv2Client':
      return ses(op, input);
    case 'PinpointSMSVoiceV2Client':
      return [sms(op, input)];
    case 'BedrockRuntimeClient':
      return [bedrock(op, input)];
    case 'SecretsManagerClient':
      return [{ action: `secretsmanager:${op}`, resource: String(input.SecretId), context: {}, detail: 'secret' }];
    default:
      throw new UnmodelledCallError(client, command);
  }
}

// ---- DynamoDB

function dynamodb(op: string, input: Input, model: IamModel): AuthRequest[] {
  const requests: AuthRequest[] = [];
  const add = (action: string, tableName: string, keys: string[], index?: string) => {
    const id = topologyId(tableName, TABLE_IDS);
    const resource = arn.table(id) + (index ? `/index/${index}` : '');
    requests.push({
      action: `dynamodb:${action}`,
      resource,
      context: keys.length ? { 'dynamodb:LeadingKeys': keys } : {},
      detail: `${index ? `${id}/${index}` : id}${keys.length ? ` key ${keys.join(',')}` : ''}`,
    });
    const key = model.tableKeys[id];
    if (key && !requests.some((r) => r.action === 'kms:Decrypt' && r.resource === key)) {
      requests.push({
        action: 'kms:Decrypt',
        resource: key,
        context: { 'kms:ViaService': `dynamodb.${LOCAL_IAM_REGION}.amazonaws.com`, 'kms:CallerAccount': LOCAL_ACCOUNT },
        detail: `key of ${id}`,
      });
    }
  };
  const pk = (tableName: string, item: Input | undefined): string[] => {
    const def = TABLES[topologyId(tableName, TABLE_IDS) as keyof typeof TABLES];
    const value = def && item?.[def.partitionKey.name];
    return value ? [String(value.S ?? value.N ?? '')] : [];
  };
  switch (op) {
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      add(op, input.TableName, pk(input.TableName, input.Key ?? input.Item));
      break;
    case 'Query':
      add(op, input.TableName, input.IndexName ? [] : queryKey(input), input.IndexName);
      break;
    case 'Scan':
    case 'DescribeTable':
      add(op, input.TableName, [], input.IndexName);
      break;
    case 'BatchGetItem':
      for (const [table, { Keys }] of Object.entries(input.RequestItems as Record<string, { Keys: Input[] }>))
        add(
          op,
          table,
          Keys.flatMap((k) => pk(table, k)),
        );
      break;
    case 'BatchWriteItem':
      for (const [table, writes] of Object.entries(input.RequestItems as Record<string, Input[]>)) {
        add(
          op,
          table,
          writes.flatMap((w) => pk(table, w.PutRequest?.Item ?? w.DeleteRequest?.Key)),
        );
      }
      break;
    case 'TransactWriteItems':
      for (const t of input.TransactItems as Input[]) {
        const [kind, body] = Object.entries(t)[0] as [string, Input];
        const action = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind] ?? kind;
        add(action, body.TableName, pk(body.TableName, body.Key ?? body.Item));
      }
      break;
    case 'TransactGetItems':
      for (const t of input.TransactItems as Input[]) add('GetItem', t.Get.TableName, pk(t.Get.TableName, t.Get.Key));
      break;
    default:
      add(op, input.TableName ?? '*', []);
  }
  return requests;
}

/** The partition-key value of `pk = :v` in a Query's key condition (what dynamodb:LeadingKeys sees). */
function queryKey(input: Input): string[] {
  const m = /^\s*(#?\w+)\s*=\s*(:\w+)/.exec(input.KeyConditionExpression ?? '');
  if (!m) return [];
  const value = input.ExpressionAttributeValues?.[m[2]!];
  return value?.S ? [value.S as string] : [];
}

// ---- SQS

const SQS_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

function sqs(op: string, input: Input): AuthRequest {
  const name =
    input.QueueName ??
    String(input.QueueUrl ?? '')
      .split('/')
      .pop() ??
    '';
  const id = topologyId(name, QUEUE_IDS);
  return { action: `sqs:${SQS_ACTIONS[op] ?? op}`, resource: arn.queue(id), context: {}, detail: `queue ${id}` };
}

// ---- S3

const S3_ACTIONS: Record<string, string> = { HeadObject: 'GetObject', ListObjectsV2: 'ListBucket' };

function s3(op: string, input: Input): AuthRequest {
  const bucket = topologyId(String(input.Bucket), [MAIL_BUCKET.id]);
  const object = input.Key !== undefined;
  return {
    action: `s3:${S3_ACTIONS[op] ?? op}`,
    resource: object ? `${arn.bucket(bucket)}/${input.Key as string}` : arn.bucket(bucket),
    context: {},
    detail: object ? `object ${input.Key as string}` : `bucket ${bucket}`,
  };
}

// ---- SES v2 and End User Messaging SMS

function ses(op: string, input: Input): AuthRequest[] {
  const from = fromAddressOf(input);
  const domain = from.split('@')[1] ?? '';
  const context: Record<string, string> = from ? { 'ses:FromAddress': from } : {};
  const base = `arn:aws:ses:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}`;
  const out: AuthRequest[] = [{ action: `ses:${op}`, resource: `${base}:identity/${domain}`, context, detail: `identity ${domain}` }];
  if (input.ConfigurationSetName) {
    out.push({ action: `ses:${op}`, resource: `${base}:configuration-set/${input.ConfigurationSetName as string}`, context, detail: 'configuration set' });
  }
  return out;
}

function fromAddressOf(input: Input): string {
  if (input.FromEmailAddress) return bareAddress(String(input.FromEmailAddress));
  const raw = input.Content?.Raw?.Data as Uint8Array | undefined;
  if (!raw) return '';
  const head =
    Buffer.from(raw)
      .toString('latin1')
      .split(/\r?\n\r?\n/, 1)[0] ?? '';
  const from = /^From:\s*(.*)$/im.exec(head)?.[1] ?? '';
  return bareAddress(from);
}

const bareAddress = (value: string) => (/<([^>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();

function sms(op: string, input: Input): AuthRequest {
  const identity = String(input.OriginationIdentity ?? '');
  const resource = identity.startsWith('arn:')
    ? identity
    : `arn:aws:sms-voice:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}:phone-number/${identity.replace(/\W/g, '') || 'none'}`;
  return { action: `sms-voice:${op}`, resource, context: {}, detail: 'origination identity' };
}

// ---- Bedrock (Converse and InvokeModel both authorise as bedrock:InvokeModel; streaming as ...WithResponseStream)

function bedrock(op: string, input: Input): AuthRequest {
  const action = /Stream$/.test(op) ? 'bedrock:InvokeModelWithResponseStream' : 'bedrock:InvokeModel';
  const model = String(input.modelId ?? '');
  // Cross-region inference profiles (eu.…, us.…) are account resources; plain ids are foundation models.
  const resource = model.startsWith('arn:')
    ? model
    : /^(eu|us|apac|global)\./.test(model)
      ? `arn:aws:bedrock:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}:inference-profile/${model}`
      : `arn:aws:bedrock:${LOCAL_IAM_REGION}::foundation-model/${model}`;
  return { action, resource, context: {}, detail: `model ${model}` };
}
