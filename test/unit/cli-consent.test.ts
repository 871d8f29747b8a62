import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/cli/args.ts';
import { parseConsentArgs } from '../../shared/cli/consent.ts';

const parse = (line: string) => parseConsentArgs(line.split(' ').filter(Boolean), () => 'jclerk');
const usage = (line: string) => {
  try {
    parse(line);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for: ${line}`);
};

describe('hub consent record: arguments', () => {
  it('records a grant by phone, with a note, for a reference in any case; who recorded it defaults to the user', () => {
    const args = parseConsentArgs(
      ['record', 'stl-2026-000042', '--granted', '--how', 'phone', '--note', 'Rang on Tuesday, happy for us to pass it on'],
      () => 'jclerk',
    );
    expect(args.record).toEqual({
      ref: 'STL-2026-000042',
      answer: 'granted',
      how: 'phone',
      recordedBy: 'jclerk',
      note: 'Rang on Tuesday, happy for us to pass it on',
    });
    expect(parse('record STL-2026-000042 --declined --how in-person --by Jane').record).toMatchObject({
      answer: 'declined',
      how: 'in-person',
      recordedBy: 'Jane',
    });
  });

  it('one short line for each mistake, with a suggestion', () => {
    expect(usage('record STL-2026-000042 --how phone')).toMatch(/--granted or --declined/);
    expect(usage('record STL-2026-000042 --granted --declined --how phone')).toMatch(/--granted or --declined/);
    expect(usage('record STL-2026-000042 --granted')).toMatch(/--how is required/);
    expect(usage('record STL-2026-000042 --granted --how phnoe')).toMatch(/did you mean phone/);
    expect(usage('record --granted --how phone')).toMatch(/needs a reference/);
    expect(usage('recrod STL-2026-000042 --granted --how phone')).toMatch(/did you mean record/);
    expect(usage('record STL-2026-000042 --grantd --how phone')).toMatch(/did you mean --granted/);
  });
});
