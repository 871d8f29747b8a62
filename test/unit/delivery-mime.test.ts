import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { composeMime, encodeHeaderText, formatAddress, InvalidAddressError } from '../../shared/delivery/mime.ts';

const base = {
  from: 'Demo Parish Council <hub@demo-parish.example.org>',
  to: ['resident@example.co.uk'],
  subject: 'Your message',
  text: 'Hello',
  date: new Date('2026-03-02T10:00:00Z'),
};

function headerLines(mime: string): string[] {
  return mime.split('\r\n\r\n')[0]!.split('\r\n');
}

describe('composeMime', () => {
  it('cannot be made to add a header through a value containing CR/LF', async () => {
    const mime = composeMime({
      ...base,
      subject: 'Hello\r\nBcc: victim@example.com',
      headers: { 'X-Hub-Ref': 'STL-2026-000001\nBcc: other@example.com' },
    });
    const names = headerLines(mime)
      .filter((l) => !l.startsWith(' '))
      .map((l) => l.split(':')[0]!.toLowerCase());
    expect(names).not.toContain('bcc');
    const parsed = await PostalMime.parse(mime);
    expect(parsed.bcc ?? []).toEqual([]);
    expect(parsed.subject).toBe('Hello Bcc: victim@example.com');
  });

  it('encodes non-ASCII subjects and names so a mail reader shows them exactly', async () => {
    const subject = 'Auto: Überwachung of the Mill Road hedge – ça va? 🌳 '.repeat(3).trim();
    const mime = composeMime({ ...base, from: 'Conseil Très Cher <hub@demo-parish.example.org>', subject, text: 'Grüße 🌳' });
    for (const line of headerLines(mime)) expect(line.length).toBeLessThanOrEqual(998);
    expect(/^[\x00-\x7f]*$/.test(mime)).toBe(true);
    const parsed = await PostalMime.parse(mime);
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.name).toBe('Conseil Très Cher');
    expect(parsed.text?.trim()).toBe('Grüße 🌳');
  });

  it('carries threading, reply-to and extra headers, and an html alternative', async () => {
    const mime = composeMime({
      ...base,
      replyTo: 'resident@example.co.uk',
      inReplyTo: '<CAF123@mail.example.co.uk>',
      references: ['<root@mail.example.co.uk>'],
      html: '<p>Hello</p>',
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Hub-Outbox-Id': 'ses:abc:auto-reply' },
    });
    const parsed = await PostalMime.parse(mime);
    const header = (name: string) => parsed.headers.find((h) => h.key === name)?.value;
    expect(header('in-reply-to')).toBe('<CAF123@mail.example.co.uk>');
    expect(header('references')?.split(/\s+/)).toEqual(['<root@mail.example.co.uk>', '<CAF123@mail.example.co.uk>']);
    expect(header('auto-submitted')).toBe('auto-replied');
    expect(header('x-hub-outbox-id')).toBe('ses:abc:auto-reply');
    expect(parsed.replyTo?.[0]?.address).toBe('resident@example.co.uk');
    expect(parsed.html).toContain('<p>Hello</p>');
  });

  it('drops malformed message ids instead of writing them', () => {
    const mime = composeMime({ ...base, inReplyTo: 'not an id\r\nX-Evil: 1', references: ['<ok@host>', '<bad id@host>'] });
    expect(mime).not.toContain('X-Evil');
    expect(mime).toContain('References: <ok@host>');
    expect(mime).not.toContain('In-Reply-To');
  });

  it('refuses addresses that are not plain mailboxes', () => {
    expect(() => formatAddress('a@b.example, c@d.example', 'To')).toThrow(InvalidAddressError);
    expect(() => formatAddress('no-at-sign', 'To')).toThrow(InvalidAddressError);
    expect(formatAddress('Jo "JJ" Bloggs <jo@example.org>', 'To')).toBe('"Jo \\"JJ\\" Bloggs" <jo@example.org>');
  });

  it('keeps every encoded word within 75 characters', () => {
    const encoded = encodeHeaderText('é'.repeat(200));
    for (const word of encoded.split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
  });
});
