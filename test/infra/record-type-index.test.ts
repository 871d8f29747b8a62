import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../shared/topology.ts';
import { asArray, placeholderCode, referencedIds, resourcesOfType, synth, type Synth } from './synth.ts';

/**
 * The byRecordType index (issue 11: verify reads item records without the
 * chain) holds a copy of every audit record and lists all message content in
 * one partition. The auditor reads it; no function role may, even those that
 * read the audit table and its other indexes.
 */

let s: Synth;

beforeAll(() => {
  s = synth({ codeFor: placeholderCode });
}, 120_000);

/** Every IAM statement in the template, with the logical ids of the roles it is attached to. */
function statementsByRole(): { roles: Set<string>; resource: string }[] {
  const inline = resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([, p]) =>
    (p.Properties.PolicyDocument.Statement as { Resource: unknown }[]).map((st) => ({
      roles: new Set(asArray(p.Properties.Roles).flatMap((r: unknown) => [...referencedIds(r)])),
      resource: JSON.stringify(st.Resource),
    })),
  );
  const embedded = resourcesOfType(s.json, 'AWS::IAM::Role').flatMap(([id, role]) =>
    asArray(role.Properties.Policies).flatMap((p: any) =>
      (p.PolicyDocument.Statement as { Resource: unknown }[]).map((st) => ({ roles: new Set([id]), resource: JSON.stringify(st.Resource) })),
    ),
  );
  return [...inline, ...embedded];
}

describe('the byRecordType index', () => {
  it('exists on the audit table with sk as its partition key, so every record is in it', () => {
    const audit = s.json.Resources[s.logicalId(s.stack.tables.audit)];
    const index = audit.Properties.GlobalSecondaryIndexes.find((g: { IndexName: string }) => g.IndexName === 'byRecordType');
    expect(index.KeySchema).toEqual([
      { AttributeName: 'sk', KeyType: 'HASH' },
      { AttributeName: 'pk', KeyType: 'RANGE' },
    ]);
    expect(TABLES.audit.indexes.find((i) => i.name === 'byRecordType')?.auditorOnly).toBe(true);
  });

  it('is readable by the auditor role and by no function role', () => {
    const auditor = s.logicalId(s.stack.auditorRole);
    const granting = statementsByRole().filter((st) => st.resource.includes('/index/byRecordType'));
    expect(granting.length).toBeGreaterThan(0);
    for (const st of granting) expect([...st.roles]).toEqual([auditor]);
    // Function roles still read the other indexes.
    expect(statementsByRole().some((st) => !st.roles.has(auditor) && st.resource.includes('/index/byReference'))).toBe(true);
  });
});
