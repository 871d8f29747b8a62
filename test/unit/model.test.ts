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
    expect(InboundItem.safeParse(item).success).toBe(true);
  });

  it('rejects an unknown channel and names the field', () => {
    const result = InboundItem.safeParse({ ...item, channel: 'fax' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['channel']);
  });
});
