import { describe, expect, it } from 'vitest';
import { urlWithSortedParams } from '../../shared/channels/common.ts';
import { publicUrl, routePath, toWebhookRequest } from '../../shared/http/request.ts';
import { MAX_TEXT_CHARS, type InboundItem } from '../../shared/model/inbound-item.ts';
import { enqueueItems, MAX_QUEUE_TEXT_CHARS, serialiseItem } from '../../shared/queue/publish.ts';
import { harness, useTestSecrets } from '../fixtures/channels/harness.ts';
import { httpEvent } from '../support/http-events.ts';

const item = (text: string): InboundItem => ({
  schemaVersion: 1,
  itemId: 'twilio:SM1',
  channel: 'sms',
  provider: 'twilio',
  kind: 'sms',
  providerMessageId: 'SM1',
  receivedAt: '2026-01-05T10:00:00.000Z',
  sender: { id: '+447700900456' },
  recipients: ['+447700900123'],
  text,
  attachments: [],
  thread: {},
  transport: {},
});

describe('public URL for signatures', () => {
  it('uses PUBLIC_BASE_URL plus the route path without the stage, keeping the query string', () => {
    const event = httpEvent({ path: '/webhooks/twilio', stage: 'prod', query: 'a=1&b=two%20words' });
    expect(event.rawPath).toBe('/prod/webhooks/twilio');
    expect(routePath(event)).toBe('/webhooks/twilio');
    const request = toWebhookRequest(event, Buffer.alloc(0), { PUBLIC_BASE_URL: 'https://hub.example.gov.uk/api/' });
    expect(request.publicUrl).toBe('https://hub.example.gov.uk/api/webhooks/twilio?a=1&b=two%20words');
  });

  it('locally uses x-forwarded-proto (default http), the Host header and rawPath', () => {
    const headers = { host: 'localhost:3000' };
    expect(publicUrl({ path: '/webhooks/mandrill', rawPath: '/webhooks/mandrill', rawQueryString: '', headers }, {})).toBe(
      'http://localhost:3000/webhooks/mandrill',
    );
    expect(publicUrl({ path: '/x', rawPath: '/x', rawQueryString: 'q=1', headers: { ...headers, 'x-forwarded-proto': 'https' } }, {})).toBe(
      'https://localhost:3000/x?q=1',
    );
  });

  it('leaves a path alone when the stage is $default or not a prefix', () => {
    expect(routePath(httpEvent({ path: '/webhooks/twilio' }))).toBe('/webhooks/twilio');
    const event = httpEvent({ path: '/production/webhooks', stage: '$default' });
    event.requestContext.stage = 'prod';
    expect(routePath(event)).toBe('/production/webhooks');
  });
});

describe('signed parameter string', () => {
  it('sorts keys by code unit and appends key+value without separators, repeated keys with sorted values', () => {
    expect(
      urlWithSortedParams('https://x/y', [
        ['b', '2'],
        ['a', '1'],
        ['B', '3'],
        ['a', '0'],
      ]),
    ).toBe('https://x/yB3a0a1b2');
  });
});

describe('queue message size', () => {
  it('keeps the same text limit as the model', () => {
    expect(MAX_QUEUE_TEXT_CHARS).toBe(MAX_TEXT_CHARS);
  });

  it('leaves a normal item untouched', () => {
    expect(JSON.parse(serialiseItem(item('hello')))).toEqual(item('hello'));
  });

  it('cuts text to fit the queue message size and marks it truncated', () => {
    const body = serialiseItem(item('é'.repeat(5_000)), 4_096);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4_096);
    const parsed = JSON.parse(body) as InboundItem;
    expect(parsed.textTruncated).toBe(true);
    expect(parsed.text.length).toBeGreaterThan(1_000);
    expect('é'.repeat(5_000).startsWith(parsed.text)).toBe(true);
  });

  it('cuts text over the model limit and never splits a surrogate pair', () => {
    const parsed = JSON.parse(serialiseItem(item(`a${'😀'.repeat(MAX_TEXT_CHARS)}`))) as InboundItem;
    expect(parsed.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(parsed.textTruncated).toBe(true);
    expect(parsed.text.endsWith('😀')).toBe(true);
  });

  it('escapes the characters SQS refuses', () => {
    const body = serialiseItem(item('a\uFFFEb\uFFFF'));
    expect(body).not.toMatch(/[\uFFFE\uFFFF]/);
    expect((JSON.parse(body) as InboundItem).text).toBe('a\uFFFEb\uFFFF');
  });
});

describe('enqueueItems', () => {
  type Sent = { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] };
  /** A fake SQS that fails the given entry ids on the first `failFor` calls. */
  const fakeSqs = (failIds: Set<string>, failFor: number) => {
    const calls: Sent[] = [];
    return {
      calls,
      send: async (command: { input: Sent }) => {
        calls.push(command.input);
        const failing = calls.length <= failFor ? command.input.Entries.filter((e) => failIds.has(e.Id)) : [];
        return {
          Successful: command.input.Entries.filter((e) => !failing.includes(e)).map((e) => ({ Id: e.Id, MessageId: 'x', MD5OfMessageBody: 'x' })),
          Failed: failing.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
        };
      },
    };
  };
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ ...item(`text ${i}`), itemId: `twilio:SM${i}`, providerMessageId: `SM${i}` }));

  it('sends in batches of at most 10 and retries only the entries that failed', async () => {
    const sqs = fakeSqs(new Set(['3', '7']), 1);
    await enqueueItems(items(23), 'http://queue', sqs as never);
    expect(sqs.calls.map((c) => c.Entries.length)).toEqual([10, 2, 10, 3]);
    expect(sqs.calls[1]!.Entries.map((e) => JSON.parse(e.MessageBody).itemId)).toEqual(['twilio:SM3', 'twilio:SM7']);
  });

  it('throws when entries still fail after the retries, naming how many', async () => {
    const sqs = fakeSqs(new Set(['0']), 100);
    await expect(enqueueItems(items(2), 'http://queue', sqs as never)).rejects.toMatchObject({ name: 'EnqueueError', failed: 1 });
  });

  it('throws when no queue URL is configured, and sends nothing for no items', async () => {
    const sqs = fakeSqs(new Set(), 0);
    await enqueueItems([], 'http://queue', sqs as never);
    expect(sqs.calls).toEqual([]);
    const previous = process.env.INBOUND_QUEUE_URL;
    delete process.env.INBOUND_QUEUE_URL;
    await expect(enqueueItems(items(1), undefined, sqs as never)).rejects.toThrow('1 item(s) could not be enqueued');
    if (previous !== undefined) process.env.INBOUND_QUEUE_URL = previous;
  });
});

describe('error mapping', () => {
  it('turns an unexpected error into a plain 500 without its message', async () => {
    useTestSecrets();
    const h = harness(
      'test',
      () => {
        throw new Error('resident@example.co.uk said something');
      },
      1024,
    );
    const res = await h.call(httpEvent({ path: '/x', body: '{}' }));
    expect(res).toMatchObject({ statusCode: 500, body: 'internal error' });
  });

  it("answers with the core's status and body, without the internal counts", async () => {
    useTestSecrets();
    const h = harness('test', () => ({ status: 200, body: 'ok', items: [], skipped: { skipped_read: 2 } }), 1024);
    const res = await h.call(httpEvent({ path: '/x', body: '{}' }));
    expect(res).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'ok' });
  });
});
