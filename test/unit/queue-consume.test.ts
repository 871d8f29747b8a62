import type { SQSEvent, SQSRecord } from 'aws-lambda';
import * as v from 'valibot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InboundItem } from '../../shared/model/inbound-item.ts';
import { sqsBatchHandler } from '../../shared/queue/consume.ts';
import { log } from '../../shared/runtime/log.ts';

const record = (messageId: string, body: string) => ({ messageId, body, attributes: { ApproximateReceiveCount: '1' } }) as unknown as SQSRecord;
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

const item = {
  schemaVersion: 1,
  itemId: 'twilio:SM0001',
  channel: 'sms',
  provider: 'twilio',
  kind: 'sms',
  providerMessageId: 'SM0001',
  receivedAt: '2026-11-28T10:00:00.000Z',
  sender: { id: '+447700900123' },
  recipients: ['+441632960001'],
  text: 'The bin on Mill Lane was not emptied',
  attachments: [],
  thread: {},
  transport: {},
};

afterEach(() => vi.restoreAllMocks());

describe('sqsBatchHandler: a message that fails the schema', () => {
  it('is reported failed and logged by field and issue, without the text, address or number in it', async () => {
    const error = vi.spyOn(log, 'error');
    const handled = vi.fn(async (_item: InboundItem) => {});
    const { text: _text, ...noText } = item;
    const malformed = { ...noText, channel: 'alice@example.org', sender: '+447700900123', recipients: ['+441632960001', 7], subject: ['Mill Lane bins'] };
    const result = await sqsBatchHandler(InboundItem, handled, { name: 'classify' })(batch(record('bad', JSON.stringify(malformed))));

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(handled).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledWith('record failed validation', {
      consumer: 'classify',
      messageId: 'bad',
      receiveCount: 1,
      issues: ['channel:picklist', 'sender:object', 'recipients.1:string', 'subject:string', 'text:missing'],
    });
    expect(JSON.stringify(error.mock.calls)).not.toMatch(/alice|example\.org|7700900123|1632960001|Mill Lane/);
  });

  it("never logs a record's keys: they come from the message and may be addresses", async () => {
    const error = vi.spyOn(log, 'error');
    const schema = v.object({ bySender: v.record(v.string(), v.number()) });
    const body = JSON.stringify({ bySender: { 'alice@example.org': 'two' } });
    const result = await sqsBatchHandler(schema, async () => {}, { name: 'test' })(batch(record('m1', body)));

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(error.mock.calls[0]?.[1]).toMatchObject({ issues: ['bySender.*:number'] });
    expect(JSON.stringify(error.mock.calls)).not.toContain('alice');
  });

  it("logs a handler's own validation error by name only: a ValiError's message quotes the value it rejected", async () => {
    const error = vi.spyOn(log, 'error');
    const handler = async () => void v.parse(v.picklist(['ok']), 'alice@example.org');
    const result = await sqsBatchHandler(InboundItem, handler, { name: 'classify' })(batch(record('m2', JSON.stringify(item))));

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(error.mock.calls[0]?.[1]).toMatchObject({ error: 'ValiError', detail: undefined });
    expect(JSON.stringify(error.mock.calls)).not.toContain('alice');
  });

  it('rejects a number JSON writes as 1e999 (Infinity), as the zod schema did, instead of classifying the item', async () => {
    const handled = vi.fn(async (_item: InboundItem) => {});
    const body = JSON.stringify({ ...item, transport: { spamScore: 0 } }).replace('"spamScore":0', '"spamScore":-1e999');
    const result = await sqsBatchHandler(InboundItem, handled, { name: 'classify' })(batch(record('inf', body), record('ok', JSON.stringify(item))));

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'inf' }]);
    expect(handled).toHaveBeenCalledTimes(1);
    expect(handled.mock.calls[0]?.[0]).toMatchObject({ itemId: 'twilio:SM0001', transport: {} });
  });
});
