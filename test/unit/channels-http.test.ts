import { describe, expect, it } from 'vitest';
import { urlWithSortedParams } from '../../shared/channels/common.ts';
import { publicUrl, routePath, toWebhookRequest } from '../../shared/http/request.ts';
import { MAX_TEXT_CHARS, type InboundItem } from '../../shared/model/inbound-item.ts';
import { MAX_QUEUE_TEXT_CHARS, serialiseItem } from '../../shared/queue/publish.ts';
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
    expect(publicUrl({ path: '/webhooks/mandrill', rawPath: '/webhooks/mandrill', rawQueryString: '', headers }, {})).toBe('http://localhost:3000/webhooks/mandrill');
    expect(publicUrl({ path: '/x', rawPath: '/x', rawQueryString: 'q=1', headers: { ...headers, 'x-forwarded-proto': 'https' } }, {})).toBe('https://localhost:3000/x?q=1');
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
    expect(urlWithSortedParams('https://x/y', [['b', '2'], ['a', '1'], ['B', '3'], ['a', '0']])).toBe('https://x/yB3a0a1b2');
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
    const parsed = JSON.parse(serialiseItem(item('a' + '😀'.repeat(MAX_TEXT_CHARS)))) as InboundItem;
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
