import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { councilPolicy } from '../../shared/policy/council-policy.ts';
import { loadPolicy, parsePolicy, PolicyError, PRESET_NAMES } from '../../shared/policy/load.ts';
import { MODERATION_CATEGORIES } from '../../shared/model/decision.ts';
import stilton from '../../shared/policy/presets/stilton.json' with { type: 'json' };

const clone = (): Record<string, any> => structuredClone(stilton) as Record<string, any>;

/** Every `clause` string anywhere in a policy object. */
function clauses(value: unknown, path = ''): { path: string; clause: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => clauses(v, `${path}.${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === 'clause' && typeof v === 'string' ? [{ path, clause: v }] : clauses(v, path ? `${path}.${k}` : k)));
  }
  return [];
}

describe('presets', () => {
  it.each(PRESET_NAMES)('%s loads and names itself', (name) => {
    const policy = loadPolicy(name);
    expect(policy.council.id).toBe(name);
    expect(policy.version).toMatch(new RegExp(`^${name}-`));
  });

  it.each(PRESET_NAMES)('%s: what a Lambda loads without the schema is exactly what the schema accepts', (name) => {
    const validated = loadPolicy(name);
    const trusted = loadPolicy(name, { trustPresets: true });
    expect(JSON.stringify(trusted)).toBe(JSON.stringify(validated));
    expect(Object.isFrozen(trusted.contacts.clerk)).toBe(true);
  });

  it('skips the schema only for the policy file shipped in the Lambda code package (LAMBDA_TASK_ROOT), which the stack validated at synth', () => {
    const root = mkdtempSync(join(tmpdir(), 'task-root-'));
    const file = join(root, 'my-parish.json');
    // A schema error the cross-field checks do not see: only the schema catches it.
    writeFileSync(file, JSON.stringify({ ...clone(), council: { ...clone().council, referencePrefix: 'stl' } }));
    const saved = process.env.LAMBDA_TASK_ROOT;
    try {
      delete process.env.LAMBDA_TASK_ROOT;
      expect(() => loadPolicy(file, { trustPresets: true })).toThrow(/referencePrefix/);
      process.env.LAMBDA_TASK_ROOT = root;
      expect(loadPolicy(file, { trustPresets: true }).council.referencePrefix).toBe('stl');
      expect(() => loadPolicy(file)).toThrow(/referencePrefix/);
    } finally {
      if (saved === undefined) delete process.env.LAMBDA_TASK_ROOT;
      else process.env.LAMBDA_TASK_ROOT = saved;
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a function reads its policy through councilPolicy: the shipped file without the schema, any other file with it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'task-root-'));
    const file = join(root, 'their-parish.json');
    const crossField = join(root, 'late-reminder.json');
    writeFileSync(file, JSON.stringify({ ...clone(), council: { ...clone().council, referencePrefix: 'stl' } }));
    writeFileSync(crossField, JSON.stringify({ ...clone(), consent: { ...clone().consent, reminderAfterDays: 30, expiresAfterDays: 30 } }));
    try {
      await expect(councilPolicy({ HUB_COUNCIL: file })).rejects.toThrow(/referencePrefix/);
      expect((await councilPolicy({ HUB_COUNCIL: file, LAMBDA_TASK_ROOT: root })).council.referencePrefix).toBe('stl');
      await expect(councilPolicy({ HUB_COUNCIL: crossField, LAMBDA_TASK_ROOT: root })).rejects.toThrow(PolicyError);
      expect((await councilPolicy({ HUB_COUNCIL: 'withyham' })).council.id).toBe('withyham');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('trusts a file only while it is under the task root: once trusted there, it is still checked in full from anywhere else', async () => {
    const root = mkdtempSync(join(tmpdir(), 'task-root-'));
    const file = join(root, 'their-parish.json');
    writeFileSync(file, JSON.stringify({ ...clone(), council: { ...clone().council, referencePrefix: 'stl' } }));
    try {
      expect((await councilPolicy({ HUB_COUNCIL: file, LAMBDA_TASK_ROOT: root })).council.referencePrefix).toBe('stl');
      await expect(councilPolicy({ HUB_COUNCIL: file })).rejects.toThrow(/referencePrefix/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('gives every council its own reference prefix and version', () => {
    const policies = PRESET_NAMES.map((n) => loadPolicy(n));
    expect(new Set(policies.map((p) => p.council.referencePrefix)).size).toBe(PRESET_NAMES.length);
    expect(loadPolicy('stilton').council.referencePrefix).toBe('STL');
    expect(loadPolicy('demo').council.referencePrefix).toBe('DEM');
  });

  it.each(PRESET_NAMES.filter((n) => n !== 'demo'))('%s cites its own policy text, or says which default it takes', (name) => {
    const found = clauses(loadPolicy(name));
    expect(found.length).toBeGreaterThan(15);
    for (const { path, clause } of found) {
      expect(clause.includes(`${name}.txt`) || clause.startsWith('default:'), `${path}: ${clause}`).toBe(true);
    }
  });

  it('honours the facts each policy states', () => {
    const withyham = loadPolicy('withyham');
    expect(withyham.channels.messenger).toMatchObject({ formal: false, clause: 'withyham.txt §6.4' });
    expect(withyham.channels['facebook-comment']).toMatchObject({ formal: false, clause: 'withyham.txt §6.5' });
    expect(withyham.channels.email).toMatchObject({ formal: true, clause: 'withyham.txt §6.3' });
    expect(withyham.channels.sms.clause).toContain('§7.4');

    const st = loadPolicy('stilton');
    expect(st.channels.messenger).toMatchObject({ formal: false, clause: 'stilton.txt §6' });
    expect(st.copiedToClerk).toMatchObject({ enabled: true, clause: 'stilton.txt §12' });
    expect(st.consent).toMatchObject({ enabled: true, clause: 'stilton.txt §11' });
    expect(st.channels.sms).toMatchObject({ formal: true, clause: 'stilton.txt §15' });
    expect(new Set(st.moderation.map((m) => m.category))).toEqual(new Set(MODERATION_CATEGORIES));

    const we = loadPolicy('west-end');
    expect(we.contacts.enquiries?.address).toBe('enquiries@westend-pc.gov.uk');
    expect(we.contacts.deputyClerk).toBeDefined();

    const cas = loadPolicy('cassington');
    expect(cas.contacts.clerk.address).toBe('cassingtonclerk@gmail.com');
    expect(cas.contacts.officialDomains.domains).not.toContain('gmail.com');
    expect(cas.officeHours.windows).toEqual([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '13:00' }]);
    expect(cas.officeHours.outOfOfficeReply).toBe(true);

    const wh = loadPolicy('wherstead');
    expect(wh.channels.mailchimp).toMatchObject({ formal: true, clause: 'wherstead.txt "Mailchimp"' });
    expect(wh.channels.messenger.formal).toBe(false);
    expect(wh.channels.messenger.clause).toMatch(/^default:/);
    expect(wh.channels.messenger.note).toBeTruthy();

    const demo = loadPolicy('demo');
    expect(demo.contacts).toMatchObject({
      messengerPageId: '104123456789012',
      smsNumbers: ['+447700900123'],
      clerk: { address: 'clerk@demo-parish.example.org.uk' },
    });
  });

  it('returns frozen policies, so no caller can change the rules at run time', () => {
    const policy = loadPolicy('stilton');
    expect(() => {
      (policy.channels.messenger as { formal: boolean }).formal = true;
    }).toThrow(TypeError);
  });
});

describe('a broken policy file names the field and says what was expected', () => {
  const cases: [string, (p: Record<string, any>) => void, string][] = [
    ['an empty standard text', (p) => (p.texts.consentRequest = ''), 'stilton.json: texts.consentRequest: expected a non-empty string'],
    [
      'a missing standard text',
      (p) => delete p.texts.notOfficialContact.sms,
      'stilton.json: texts.notOfficialContact.sms: missing; expected a non-empty string',
    ],
    ['a missing channel', (p) => delete p.channels.sms, 'stilton.json: channels.sms: missing'],
    [
      'a lower-case reference prefix',
      (p) => (p.council.referencePrefix = 'stl'),
      'stilton.json: council.referencePrefix: expected 2 to 5 capital letters, e.g. "STL"',
    ],
    ['a 12-hour time', (p) => (p.officeHours.windows[0].start = '9am'), 'stilton.json: officeHours.windows.0.start: expected a 24-hour time "HH:MM"'],
    ['a day that is not a day', (p) => (p.officeHours.windows[0].days = ['monday']), 'stilton.json: officeHours.windows.0.days.0: expected one of mon, tue'],
    [
      'an unknown moderation action',
      (p) => (p.moderation[0].action = 'delete'),
      'stilton.json: moderation.0.action: expected one of flag, hold-for-clerk, invite-formal-complaint, policy-breach-notice',
    ],
    ['an unknown moderation category', (p) => (p.moderation[1].category = 'rude'), 'stilton.json: moderation.1.category: expected one of'],
    ['a misspelt field', (p) => (p.channels.email.formall = true), 'stilton.json: channels.email: unknown field "formall"'],
    ['formality given as a string', (p) => (p.channels.email.formal = 'yes'), 'stilton.json: channels.email.formal: expected true or false, found "yes"'],
    ['a rule with no clause', (p) => delete p.copiedToClerk.clause, 'stilton.json: copiedToClerk.clause: missing; expected a non-empty string'],
    [
      'a mixed-case clerk address',
      (p) => (p.contacts.clerk.address = 'Clerk@StiltonParishCouncil.org'),
      'stilton.json: contacts.clerk.address: expected the address in lower case',
    ],
    [
      'a phone number without country code',
      (p) => (p.contacts.smsNumbers = ['07700900101']),
      'stilton.json: contacts.smsNumbers.0: expected an E.164 phone number',
    ],
    ['a zero-day rate limit', (p) => (p.autoReplyRateLimit.windowDays = 0), 'stilton.json: autoReplyRateLimit.windowDays: expected a positive number of days'],
    [
      'consent expiring before its reminder',
      (p) => (p.consent.expiresAfterDays = 3),
      'stilton.json: consent.expiresAfterDays: expected more days than consent.reminderAfterDays (7)',
    ],
    [
      'an office window that ends before it starts',
      (p) => (p.officeHours.windows[0].end = '08:00'),
      'stilton.json: officeHours.windows.0.end: expected a time after start (09:00)',
    ],
    [
      'a category listed twice',
      (p) => (p.moderation[1].category = p.moderation[0].category),
      'stilton.json: moderation.1.category: "obscene-or-racist" appears twice',
    ],
    ['a time zone other than London', (p) => (p.officeHours.timeZone = 'Europe/Paris'), 'stilton.json: officeHours.timeZone: expected "Europe/London"'],
  ];

  it.each(cases)('%s', (_label, breakIt, expected) => {
    const broken = clone();
    breakIt(broken);
    expect(() => parsePolicy(broken, 'stilton.json')).toThrow(PolicyError);
    expect(() => parsePolicy(broken, 'stilton.json')).toThrow(expected);
  });

  it('lists every bad field at once', () => {
    const broken = clone();
    broken.texts.outOfOffice = '';
    broken.council.name = 42;
    try {
      parsePolicy(broken, 'stilton.json');
      expect.unreachable('parsePolicy accepted a broken policy');
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyError);
      expect((err as PolicyError).problems).toEqual(
        expect.arrayContaining(['council.name: expected a non-empty string, found 42', 'texts.outOfOffice: expected a non-empty string']),
      );
    }
  });

  it('rejects something that is not an object at all', () => {
    expect(() => parsePolicy([], 'list.json')).toThrow('list.json: (top level): expected an object, found a list');
  });
});

describe('loadPolicy from a path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a council-written file', () => {
    const own = clone();
    own.council.id = 'little-snoring';
    own.council.name = 'Little Snoring Parish Council';
    own.council.referencePrefix = 'LSN';
    own.version = 'little-snoring-2025-04.1';
    const file = join(dir, 'little-snoring.json');
    writeFileSync(file, JSON.stringify(own));
    const policy = loadPolicy(file);
    expect(policy.council.name).toBe('Little Snoring Parish Council');
    expect(policy.channels.messenger.clause).toBe('stilton.txt §6');
  });

  it('names the file and the field when it is broken', () => {
    const own = clone();
    own.texts.consentRequest = '';
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(own));
    expect(() => loadPolicy(file)).toThrow('broken.json: texts.consentRequest: expected a non-empty string');
  });

  it('says when the file is not JSON', () => {
    const file = join(dir, 'not-json.json');
    writeFileSync(file, '{ "version": "1", }');
    expect(() => loadPolicy(file)).toThrow(/^not-json\.json: not valid JSON/);
  });

  it('says when the file does not exist', () => {
    expect(() => loadPolicy(join(dir, 'missing.json'))).toThrow('missing.json: cannot read the file (ENOENT)');
  });

  it('says which presets exist when the name is unknown', () => {
    expect(() => loadPolicy('stiltonn')).toThrow('stiltonn: not a preset (expected one of wherstead, withyham, stilton, west-end, cassington, demo)');
  });
});
