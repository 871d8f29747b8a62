import { describe, expect, it } from 'vitest';
import { readClerkReply } from '../../shared/answers/clerk-mail.ts';
import { replyAddress, verifyReplyAddress, looksLikeReplyAddress } from '../../shared/answers/reply-address.ts';
import { countSegments, splitSms } from '../../shared/delivery/sms-segments.ts';

describe("reading the clerk's reply", () => {
  it('drops the Gmail quote header (wrapped over two lines), quoted lines and the signature', () => {
    const r = readClerkReply(
      'Thanks, fixed.\n\nJane\n-- \nJane Smith, Clerk\n07700 900000\n\nOn Tue, 10 Mar 2026 at 10:00, Parish Hub <\nhub@example.org> wrote:\n> the routed text',
    );
    expect(r.answer).toBe('Thanks, fixed.\n\nJane');
  });
  it('drops an Outlook original-message block and "Sent from my iPhone"', () => {
    expect(readClerkReply('Yes.\r\n\r\nSent from my iPhone\r\n').answer).toBe('Yes.');
    expect(readClerkReply('Agreed.\n\n-----Original Message-----\nFrom: Hub\nSent: today\n\nrouted').answer).toBe('Agreed.');
    expect(readClerkReply('Agreed.\n________________________________\nFrom: Hub <hub@x>\nSent: Tuesday\nrouted').answer).toBe('Agreed.');
  });
  it('keeps a line that merely starts with "From:" in the answer when no Sent:/Date: follows', () => {
    expect(readClerkReply('From: the council meeting, the answer is yes.').answer).toBe('From: the council meeting, the answer is yes.');
  });
  it('commands only on a first line made of #words', () => {
    expect(readClerkReply('#foi #extend\nWe need more time.')).toMatchObject({
      commands: ['foi', 'extend'],
      answer: 'We need more time.',
      unknownCommands: [],
    });
    expect(readClerkReply('#close')).toMatchObject({ commands: ['close'], answer: '' });
    expect(readClerkReply('See #5 on the agenda.')).toMatchObject({ commands: [], answer: 'See #5 on the agenda.' });
    expect(readClerkReply('#clsoe\nThanks').unknownCommands).toEqual(['#clsoe']);
  });
});

describe('signed reply addresses', () => {
  const key = 'k';
  it('round trip, case-insensitive; another council, another ref or a changed signature fails', () => {
    const a = replyAddress('demo', 'DEM-2026-000042', 'notify.example.org', key);
    expect(verifyReplyAddress(a.toUpperCase(), 'demo', 'notify.example.org', key)).toBe('DEM-2026-000042');
    expect(verifyReplyAddress(a, 'stilton', 'notify.example.org', key)).toBeUndefined();
    expect(verifyReplyAddress(a.replace('000042', '000043'), 'demo', 'notify.example.org', key)).toBeUndefined();
    expect(verifyReplyAddress(a, 'demo', 'other.example.org', key)).toBeUndefined();
    expect(verifyReplyAddress(a, 'demo', 'notify.example.org', 'other-key')).toBeUndefined();
    expect(looksLikeReplyAddress(a, 'notify.example.org')).toBe(true);
    expect(a.split('@')[0]!.length).toBeLessThanOrEqual(64);
  });
});

describe('SMS segments', () => {
  it('GSM-7: 160 in one segment, 153 per segment after; extension characters count twice', () => {
    expect(countSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments('a'.repeat(161)).segments).toBe(2);
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
    expect(countSegments('€'.repeat(80)).units).toBe(160);
    expect(countSegments('£ and é are GSM').encoding).toBe('GSM-7');
  });
  it('UCS-2: 70 in one segment, 67 after; an emoji takes two units', () => {
    expect(countSegments('ł'.repeat(70)).segments).toBe(1);
    expect(countSegments('ł'.repeat(71)).segments).toBe(2);
    expect(countSegments('😀'.repeat(35))).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 });
  });
  it('splits at spaces into numbered parts of at most 10 segments', () => {
    const text = 'word '.repeat(700).trim();
    const { parts, segments } = splitSms(text);
    expect(parts.length).toBe(3);
    for (const p of parts) expect(countSegments(p).segments).toBeLessThanOrEqual(10);
    expect(parts[0]!.startsWith('(1/3) word')).toBe(true);
    expect(
      parts
        .join(' ')
        .replace(/\(\d\/3\) /g, '')
        .split(' ').length,
    ).toBe(700);
    expect(segments).toBe(parts.reduce((n, p) => n + countSegments(p).segments, 0));
    expect(splitSms('short').parts).toEqual(['short']);
  });
});

describe("the clerk's attachments by email", () => {
  it('multipart/mixed with the files after the text, filenames RFC 2231-encoded (no header injection)', async () => {
    const { composeMime } = await import('../../shared/delivery/mime.ts');
    const { default: PostalMime } = await import('postal-mime');
    const raw = composeMime({
      from: 'hub@example.org',
      to: ['resident@example.net'],
      subject: 'Re: FOI',
      text: 'The contract is attached.',
      html: '<p>The contract is attached.</p>',
      date: new Date('2026-06-01T10:00:00Z'),
      attachments: [{ filename: 'contract "2026"\r\nX-Evil: 1.pdf', contentType: 'application/pdf', content: new Uint8Array([37, 80, 68, 70]) }],
    });
    expect(raw).not.toMatch(/^X-Evil/m);
    const parsed = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
    expect(parsed.text?.trim()).toBe('The contract is attached.');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.mimeType).toBe('application/pdf');
    expect(parsed.attachments[0]!.filename).toBe('contract "2026" X-Evil: 1.pdf');
    expect([...new Uint8Array(parsed.attachments[0]!.content as ArrayBuffer)]).toEqual([37, 80, 68, 70]);
  });
});
