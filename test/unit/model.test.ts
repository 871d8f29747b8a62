import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { InboundItem } from '../../shared/model/index.ts';

describe('InboundItem schema', () => {
  const item = {
    schemaVersion: 1,
    itemId: 'meta:m_AbC123xyz',
    channel: 'messenger',
    provider: 'meta',
    kind: 'message',
    providerMessageId: 'm_AbC123xyz',
    receivedAt: '2026-01-01T10:00:00.000Z',
    sender: { id: '6543210987654321' },
    recipients: ['104123456789012'],
    text: 'The streetlight on Church Lane is out again',
    attachments: [],
    thread: {},
    transport: {},
  };

  it('accepts a normalised Messenger message', () => {
    expect(v.safeParse(InboundItem, item).success).toBe(true);
  });

  it('rejects an unknown channel and names the field', () => {
    const result = v.safeParse(InboundItem, { ...item, channel: 'fax' });
    expect(result.success).toBe(false);
    expect(result.issues && v.getDotPath(result.issues[0])).toBe('channel');
  });
});
