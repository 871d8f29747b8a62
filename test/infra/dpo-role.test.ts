import { beforeAll, describe, expect, it } from 'vitest';
import { DPO_ACCESS } from '../../infra/aws/access.ts';
import { asArray, placeholderCode, referencedIds, resourcesOfType, synth, type Synth } from './synth.ts';

/**
 * The data protection officer role: exactly the rights `hub sar export`,
 * `hub erase` and `hub hold` use, separate from the read-only auditor, and
 * the retention sweep function's rights.
 */

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let s: Synth;
const statementsOf = (roleId: string): Statement[] =>
  resourcesOfType(s.json, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: unknown) => referencedIds(r).has(roleId)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);

beforeAll(() => {
  s = synth({ codeFor: placeholderCode });
}, 120_000);

describe('data protection officer role', () => {
  it('has exactly the actions the commands need, and no delete on the audit table', () => {
    const statements = statementsOf(s.logicalId(s.stack.dpoRole));
    const actions = [...new Set(statements.flatMap((st) => asArray(st.Action)))].sort();
    expect(actions).toEqual([
      'cloudformation:DescribeStacks',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      's3:DeleteObject',
      's3:GetObject',
      // Events it records are named on the FIFO audit queue for the appender (the chain's only writer).
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    const put = statements.find((st) => asArray(st.Action).includes('dynamodb:PutItem') && referencedIds(st.Resource).has(s.logicalId(s.stack.tables.audit)))!;
    expect(put.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual(['EVENTKEY#*', 'HOLD#*']);
    const auditId = s.logicalId(s.stack.tables.audit);
    const opsId = s.logicalId(s.stack.tables.ops);
    const onAudit = statements.filter((st) => referencedIds(st.Resource).has(auditId));
    expect(onAudit.flatMap((st) => asArray(st.Action))).not.toContain('dynamodb:DeleteItem');
    expect(onAudit.flatMap((st) => asArray(st.Action))).not.toContain('dynamodb:Scan');
    const update = onAudit.find((st) => asArray(st.Action).includes('dynamodb:UpdateItem'))!;
    expect(update.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual([...DPO_ACCESS.auditUpdatableKeys]);
    expect(JSON.stringify(update.Condition)).not.toContain('CHAIN#');
    const deletes = statements.filter((st) => asArray(st.Action).includes('dynamodb:DeleteItem'));
    expect(deletes).toHaveLength(1);
    expect([...referencedIds(deletes[0]!.Resource)]).toEqual([opsId]);
    expect(deletes[0]!.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual([...DPO_ACCESS.opsDeletableKeys]);
    // Every class erasure deletes (shared/dataprotection/key-classes.ts), and not the clerk's case reminders.
    for (const key of ['CONSENT-NOTE#*', 'CONSENT-OPEN#*', 'CONSENT-MATTERS#*', 'LASTMSG#*', 'OFFENCES#*', 'DUE#consent-reminder#*'])
      expect(deletes[0]!.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toContain(key);
    expect(JSON.stringify(deletes[0]!.Condition)).not.toMatch(/"DUE#\*"|case-reminder/);
    const opsUpdate = statements.find((st) => asArray(st.Action).includes('dynamodb:UpdateItem') && referencedIds(st.Resource).has(opsId))!;
    expect(opsUpdate.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual(['CASE#*', 'THEME#*']);
    const read = onAudit.find((st) => asArray(st.Action).includes('dynamodb:Query'))!;
    expect(JSON.stringify(read.Resource)).toMatch(/index\/bySender"[\s\S]*index\/byReference"|index\/byReference"[\s\S]*index\/bySender"/);
    for (const st of statements)
      expect(
        asArray(st.Action).some((a) => a.startsWith('secretsmanager:')),
        st.Sid,
      ).toBe(false);
  });

  it('is a separate role from the auditor, whose rights are unchanged', () => {
    expect(s.logicalId(s.stack.dpoRole)).not.toBe(s.logicalId(s.stack.auditorRole));
    const auditorActions = statementsOf(s.logicalId(s.stack.auditorRole)).flatMap((st) => asArray(st.Action));
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 's3:DeleteObject']) expect(auditorActions).not.toContain(write);
    expect(s.json.Outputs.DpoRoleArn).toBeDefined();
  });

  it('the retention sweep runs daily and can append and tombstone, never delete audit items', () => {
    const rules = resourcesOfType(s.json, 'AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression === 'rate(1 day)');
    expect(rules).toHaveLength(1);
    const fnId = s.logicalId(s.stack.functions.retentionSweep);
    expect(referencedIds(rules[0]![1].Properties.Targets)).toContain(fnId);
    const roleId = [...referencedIds(s.json.Resources[fnId].Properties.Role)][0]!;
    const statements = statementsOf(roleId);
    const actions = statements.flatMap((st) => asArray(st.Action));
    expect(actions).toContain('dynamodb:UpdateItem');
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions.some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    // It deletes the oversized bodies of what it erases, and no raw mail (the lifecycle rule expires that).
    const s3Delete = statements.filter((st) => asArray(st.Action).includes('s3:DeleteObject'));
    expect(s3Delete).toHaveLength(1);
    expect(JSON.stringify(s3Delete[0]!.Resource)).toContain('/content/*');
    expect(JSON.stringify(s3Delete[0]!.Resource)).not.toContain('/inbound/*');
    // Nothing on the operational table or the queues the pipeline uses.
    const touched = new Set(statements.flatMap((st) => [...referencedIds(st.Resource)]));
    expect(touched.has(s.logicalId(s.stack.tables.ops))).toBe(false);
    // Except the audit queue: its events reach the chain through the appender.
    for (const queue of Object.values(s.stack.queues)) expect(touched.has(s.logicalId(queue))).toBe(queue === s.stack.queues.audit);
  });

  it('the raw-mail bucket keeps mail as long as the policy says', () => {
    const [, bucket] = resourcesOfType(s.json, 'AWS::S3::Bucket').find(([id]) => id.startsWith('MailBucket'))!;
    expect(bucket.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(30);
  });
});
