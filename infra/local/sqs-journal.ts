import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CorruptDataError } from './errors.ts';

/**
 * local-aws-sqs keeps messages in memory only. The local hub makes them
 * survive a restart (or a crash) with an append-only journal:
 * every message the emulator stores (SendMessage, SendMessageBatch, and the
 * redrive of a message to its dead-letter queue, which keeps the message id)
 * is appended as a `put`, every DeleteMessage as a `del`. At start the journal
 * is replayed, the live messages are put back into their queues with their
 * original message ids, and the journal is compacted to just those.
 *
 * What does not survive: receive counts and visibility (a restored message
 * is visible at once, with ApproximateReceiveCount starting again at 1), and
 * delays. Nothing is lost; at worst a message is delivered once more, which
 * every consumer is built to tolerate.
 */

/** The parts of local-aws-sqs's Queue the journal uses (public members in its typings). */
interface EmulatedQueue {
  readonly QueueName: string;
  setRecord: (input: Record<string, unknown>, messageId?: string) => { record: { MessageId: string } };
  delete: (receiptHandle: string) => boolean;
}

interface EmulatedService {
  readonly Queues: EmulatedQueue[];
}

interface PutEntry {
  readonly op: 'put';
  readonly queue: string;
  readonly id: string;
  readonly message: Record<string, unknown>;
}
interface DeleteEntry {
  readonly op: 'del';
  readonly queue: string;
  readonly id: string;
}
type JournalEntry = PutEntry | DeleteEntry;

const KEPT_FIELDS = ['MessageBody', 'MessageAttributes', 'MessageSystemAttributes', 'MessageGroupId', 'MessageDeduplicationId'];

export interface SqsJournal {
  /** Messages put back into the queues at start, per queue name. */
  readonly restored: Readonly<Record<string, number>>;
  /** Rewrite the journal to the live messages only. */
  compact(): void;
}

export function attachSqsJournal(service: unknown, file: string): SqsJournal {
  const queues = (service as EmulatedService).Queues;
  const live = replay(file);
  const restored: Record<string, number> = {};

  for (const entry of live.values()) {
    const queue = queues.find((q) => q.QueueName === entry.queue);
    if (!queue) continue; // a queue that no longer exists in the topology
    queue.setRecord({ ...entry.message }, entry.id);
    restored[entry.queue] = (restored[entry.queue] ?? 0) + 1;
  }
  writeSnapshot(file, live);

  for (const queue of queues) {
    const setRecord = queue.setRecord;
    queue.setRecord = (input, messageId) => {
      const result = setRecord(input, messageId);
      const message = Object.fromEntries(KEPT_FIELDS.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]));
      const entry: PutEntry = { op: 'put', queue: queue.QueueName, id: result.record.MessageId, message };
      live.set(entry.id, entry);
      appendFileSync(file, `${JSON.stringify(entry)}\n`);
      return result;
    };
    const remove = queue.delete.bind(queue);
    queue.delete = (receiptHandle) => {
      const deleted = remove(receiptHandle);
      const id = messageIdOf(receiptHandle);
      if (id && live.get(id)?.queue === queue.QueueName) {
        live.delete(id);
        appendFileSync(file, `${JSON.stringify({ op: 'del', queue: queue.QueueName, id } satisfies DeleteEntry)}\n`);
      }
      return deleted;
    };
  }

  return {
    restored,
    compact: () => writeSnapshot(file, live),
  };
}

/** local-aws-sqs receipt handles are base64 of a uuid followed by JSON naming the message id. */
function messageIdOf(receiptHandle: string): string | undefined {
  try {
    const text = Buffer.from(receiptHandle, 'base64').toString('utf8');
    const parsed = JSON.parse(text.slice(text.indexOf('{'))) as { MessageId?: unknown };
    return typeof parsed.MessageId === 'string' ? parsed.MessageId : undefined;
  } catch {
    return undefined;
  }
}

function replay(file: string): Map<string, PutEntry> {
  const live = new Map<string, PutEntry>();
  if (!existsSync(file)) return live;
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      // A torn last line from a crash mid-write is expected; anything earlier is corruption.
      if (index >= lines.length - 2) return;
      throw new CorruptDataError(`${file} line ${index + 1} is not valid JSON`);
    }
    if (entry?.op === 'put' && typeof entry.id === 'string' && typeof entry.queue === 'string') live.set(entry.id, entry);
    else if (entry?.op === 'del' && typeof entry.id === 'string') {
      if (live.get(entry.id)?.queue === entry.queue) live.delete(entry.id);
    } else throw new CorruptDataError(`${file} line ${index + 1} is not a queue journal entry`);
  });
  return live;
}

function writeSnapshot(file: string, live: Map<string, PutEntry>): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, [...live.values()].map((e) => `${JSON.stringify(e)}\n`).join(''));
  renameSync(tmp, file);
}
