import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../shared/model/index.ts';
import { buildMessengerRequest, classifyGraphError } from '../../shared/delivery/messenger.ts';
import { buildTwilioRequest, classifyTwilioError } from '../../shared/delivery/twilio.ts';
import { buildEmail } from '../../shared/delivery/email.ts';
import { senderFor } from '../../shared/delivery/senders.ts';
import { classifyAwsError, capText } from '../../shared/delivery/errors.ts';
import { retryDelaySeconds, retryWindowSeconds } from '../../shared/delivery/deliver.ts';
import { QUEUES } from '../../shared/topology.ts';

const now = new Date('2026-03-02T12:00:00Z');
const env = { MESSENGER_PAGE_ID: '104123456789012', TWILIO_ACCOUNT_SID: 'AC123' };

function msg(over: Partial<OutboxMessage>): OutboxMessage {
  return {
    schemaVersion: 1,
    id: 'meta:m_1:auto-reply',
    kind: 'auto-reply',
    channel: 'messenger',
    to: '6543210987654321',
    council: 'demo',
    itemId: 'meta:m_1',
    text: 'Thanks for your message.',
    createdAt: now.toISOString(),
    ...over,
  };
}

describe('Messenger requests', () => {
  it('answers inside the 24-hour window as RESPONSE with our metadata', () => {
    const request = buildMessengerRequest(msg({ lastUserMessageAt: '2026-03-01T13:00:00Z' }), now, env);
    expect(request).toEqual({
      url: 'https://graph.facebook.com/v25.0/104123456789012/messages',
      body: {
        recipient: { id: '6543210987654321' },
        messaging_type: 'RESPONSE',
        message: { text: 'Thanks for your message.' },
        metadata: 'hub:meta:m_1:auto-reply',
      },
    });
  });

  it('does not send outside the 24-hour window, and never falls back to a tag', () => {
    expect(buildMessengerRequest(msg({ lastUserMessageAt: '2026-03-01T11:59:00Z' }), now, env)).toEqual({ skip: 'outside-24h-window' });
    expect(buildMessengerRequest(msg({}), now, env)).toEqual({ skip: 'no-user-message-time' });
  });

  it('answers a comment with one Private Reply within 7 days', () => {
    const comment = msg({ channel: 'facebook-comment', to: '987_112', lastUserMessageAt: '2026-02-24T12:30:00Z' });
    const request = buildMessengerRequest(comment, now, env);
    expect(request).toMatchObject({ body: { recipient: { comment_id: '987_112' } } });
    expect(JSON.stringify(request)).not.toContain('HUMAN_AGENT');
    expect(buildMessengerRequest({ ...comment, lastUserMessageAt: '2026-02-23T11:00:00Z' }, now, env)).toEqual({ skip: 'outside-private-reply-window' });
  });

  it('caps text at 2000 characters without splitting a character', () => {
    const request = buildMessengerRequest(msg({ text: '🌳'.repeat(2500), lastUserMessageAt: now.toISOString() }), now, env);
    const text = (request as unknown as { body: { message: { text: string } } }).body.message.text;
    expect(Array.from(text)).toHaveLength(2000);
    expect(text.endsWith('…')).toBe(true);
    expect(capText('short', 2000)).toBe('short');
  });

  it('classifies Graph errors: throttling and outages retry, a gone recipient does not', () => {
    expect(classifyGraphError(500).retryable).toBe(true);
    expect(classifyGraphError(400, 613).retryable).toBe(true);
    expect(classifyGraphError(400, 551)).toMatchObject({ retryable: false, reason: 'recipient-unavailable' });
    expect(classifyGraphError(400, 10, 2018278)).toMatchObject({ retryable: false, reason: 'outside-window' });
  });
});

describe('SMS requests', () => {
  it('answers through the provider the item came in on', () => {
    expect(senderFor(msg({ channel: 'sms', provider: 'twilio' }))).toBe('twilio');
    expect(senderFor(msg({ channel: 'sms', provider: 'aws-sms' }))).toBe('eum');
    expect(senderFor(msg({ channel: 'email' }))).toBe('ses');
    expect(senderFor(msg({ channel: 'facebook-comment' }))).toBe('messenger');
  });

  it('builds the Twilio form from our number to the resident', () => {
    const { url, form } = buildTwilioRequest(msg({ channel: 'sms', provider: 'twilio', to: '+447700900456', from: '+447700900123' }), env);
    expect(url).toBe('https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json');
    expect(Object.fromEntries(form)).toEqual({ To: '+447700900456', From: '+447700900123', Body: 'Thanks for your message.' });
  });

  it('treats an opted-out number as permanent and an outage as retryable', () => {
    expect(classifyTwilioError(400, 21610)).toMatchObject({ retryable: false, reason: 'recipient-opted-out' });
    expect(classifyTwilioError(503).retryable).toBe(true);
    expect(classifyTwilioError(429, 20429).retryable).toBe(true);
    expect(classifyAwsError({ name: 'ConflictException', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', $metadata: { httpStatusCode: 400 } })).toMatchObject({
      retryable: false,
      reason: 'recipient-opted-out',
    });
    expect(classifyAwsError({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }).retryable).toBe(true);
    expect(classifyAwsError(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))).toMatchObject({ retryable: true, reason: 'timeout' });
  });
});

describe('email', () => {
  it('marks auto-replies (RFC 3834) and prefixes the subject once', () => {
    const reply = buildEmail(
      msg({ channel: 'email', to: 'r@example.org', subject: 'Hedge', autoSubmitted: true, ref: 'DEM-2026-000001' }),
      'hub@demo.example.org',
      now,
    );
    expect(reply.subject).toBe('Auto: Hedge');
    expect(reply.headers).toMatchObject({ 'Auto-Submitted': 'auto-replied', 'X-Hub-Ref': 'DEM-2026-000001', 'X-Hub-Kind': 'auto-reply' });
    expect(buildEmail(msg({ channel: 'email', subject: 'Auto: Hedge', autoSubmitted: true }), 'hub@demo.example.org', now).subject).toBe('Auto: Hedge');
    const routed = buildEmail(msg({ channel: 'email', kind: 'clerk-routing', subject: 'New item', replyTo: 'r@example.org' }), 'hub@demo.example.org', now);
    expect(routed.subject).toBe('New item');
    expect(routed.replyTo).toBe('r@example.org');
    expect(routed.headers?.['Auto-Submitted']).toBe('auto-generated');
  });

  it('gives both copies of a message the same Message-ID', () => {
    const a = buildEmail(msg({ channel: 'email' }), 'hub@demo.example.org', now);
    const b = buildEmail(msg({ channel: 'email' }), 'hub@demo.example.org', new Date());
    expect(a.messageId).toBe(b.messageId);
    expect(a.messageId).toMatch(/^<[0-9a-f]{32}@demo\.example\.org>$/);
  });
});

describe('retry backoff', () => {
  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 8, 20].map((n) => retryDelaySeconds(n))).toEqual([30, 60, 120, 3600, 3600]);
    expect(retryDelaySeconds(5, 0)).toBe(0);
  });

  it('keeps retrying through a provider outage of a few hours before the DLQ, and the docs say how long', () => {
    const hours = retryWindowSeconds(QUEUES.outbox.maxReceiveCount) / 3600;
    expect(hours).toBeGreaterThanOrEqual(4);
    expect(hours).toBeLessThanOrEqual(8);
    const docs = readFileSync(join(import.meta.dirname, '../../docs/delivery.md'), 'utf8');
    expect(docs).toContain(`After ${QUEUES.outbox.maxReceiveCount} receives`);
    expect(docs).toContain(`about ${Math.round(hours)} hours`);
  });
});
