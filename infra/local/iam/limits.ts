import { QUEUES } from '../../../shared/topology.ts';
import { topologyId } from './requests.ts';

/**
 * AWS limits the emulators do not enforce (or count differently), checked in
 * the same SDK middleware as IAM, after the call is authorised, as in AWS:
 * - DynamoDB: an item is at most 400 KB, counted in UTF-8 bytes of attribute
 *   names and values (dynalite counts UTF-16 code units, so 100k CJK
 *   characters, 300 KB in UTF-8, pass there and fail in AWS).
 * - SQS: a message (body plus attributes, UTF-8) is at most the queue's
 *   MaximumMessageSize; a batch, at most that in total.
 * Lambda's 6 MB payload limits are checked by the local runtime
 * (infra/local/lambda.ts), which is where they apply.
 */

export interface LimitViolation {
  readonly status: number;
  /** The error name the SDK throws. */
  readonly code: string;
  readonly message: string;
}

export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;

type Input = Record<string, any>;

export function limitViolation(client: string, command: string, input: Input): LimitViolation | undefined {
  const op = command.replace(/Command$/, '');
  if (client === 'DynamoDBClient') return dynamodbItemTooLarge(op, input);
  if (client === 'SQSClient') return sqsMessageTooLarge(op, input);
  return undefined;
}

/** DynamoDB's item size: UTF-8 bytes of each attribute name plus its value (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html). */
export function dynamodbItemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name, 'utf8') + attributeValueSize(value as Input);
  return size;
}

function attributeValueSize(value: Input): number {
  if ('S' in value) return Buffer.byteLength(String(value.S), 'utf8');
  if ('N' in value) return numberSize(String(value.N));
  if ('B' in value) return (value.B as Uint8Array).byteLength;
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return (value.SS as string[]).reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if ('NS' in value) return (value.NS as string[]).reduce((n, s) => n + numberSize(s), 0);
  if ('BS' in value) return (value.BS as Uint8Array[]).reduce((n, b) => n + b.byteLength, 0);
  if ('L' in value) return 3 + (value.L as Input[]).reduce((n, v) => n + 1 + attributeValueSize(v), 0);
  if ('M' in value)
    return 3 + Object.entries(value.M as Record<string, Input>).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k, 'utf8') + attributeValueSize(v), 0);
  return 0;
}

/** Numbers: about one byte per two significant digits, plus one. */
function numberSize(n: string): number {
  const digits = n.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

const tooLargeItem: LimitViolation = { status: 400, code: 'ValidationException', message: 'Item size has exceeded the maximum allowed size' };

function dynamodbItemTooLarge(op: string, input: Input): LimitViolation | undefined {
  const items: Record<string, unknown>[] = [];
  if (op === 'PutItem') items.push(input.Item);
  if (op === 'UpdateItem') items.push({ ...input.Key, ...(input.ExpressionAttributeValues ?? {}) }); // a lower bound of the updated item
  if (op === 'BatchWriteItem')
    for (const writes of Object.values(input.RequestItems as Record<string, Input[]>)) for (const w of writes) if (w.PutRequest) items.push(w.PutRequest.Item);
  if (op === 'TransactWriteItems') for (const t of input.TransactItems as Input[]) if (t.Put) items.push(t.Put.Item);
  return items.some((item) => item && dynamodbItemSize(item) > DYNAMODB_ITEM_LIMIT_BYTES) ? tooLargeItem : undefined;
}

/** Body plus message attributes (name, data type and value), in UTF-8 bytes. */
export function sqsMessageSize(entry: Input): number {
  let size = Buffer.byteLength(String(entry.MessageBody ?? ''), 'utf8');
  for (const [name, a] of Object.entries((entry.MessageAttributes ?? {}) as Record<string, Input>)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(String(a.DataType ?? ''), 'utf8');
    size += a.StringValue !== undefined ? Buffer.byteLength(String(a.StringValue), 'utf8') : ((a.BinaryValue as Uint8Array | undefined)?.byteLength ?? 0);
  }
  return size;
}

function sqsMessageTooLarge(op: string, input: Input): LimitViolation | undefined {
  if (op !== 'SendMessage' && op !== 'SendMessageBatch') return undefined;
  const name =
    String(input.QueueUrl ?? '')
      .split('/')
      .pop() ?? '';
  const id = topologyId(
    name,
    Object.values(QUEUES).flatMap((q) => [q.id, q.dlqId]),
  );
  const limit = Object.values(QUEUES).find((q) => q.id === id || q.dlqId === id)?.maximumMessageSizeBytes ?? 262_144;
  if (op === 'SendMessage' && sqsMessageSize(input) > limit) {
    return { status: 400, code: 'InvalidParameterValue', message: `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.` };
  }
  if (op === 'SendMessageBatch' && (input.Entries as Input[]).reduce((n, e) => n + sqsMessageSize(e), 0) > limit) {
    return { status: 400, code: 'BatchRequestTooLong', message: `Batch requests cannot be longer than ${limit} bytes.` };
  }
  return undefined;
}
