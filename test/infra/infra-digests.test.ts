import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_KEY_HANDLER_SOURCE } from '../../infra/aws/constructs/audit-digests.ts';
import { FUNCTIONS, type FunctionId } from '../../shared/topology.ts';
import { asArray, placeholderCode, referencedIds, resourcesOfType, synth, type Synth } from './synth.ts';

/**
 * Signed audit digests in the template (issue 11): the Object Lock bucket,
 * the asymmetric signing key, who may sign and write (auditDigest only), who
 * may read (the auditor), and the public key as a stack output.
 */

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
}

let s: Synth;
let bucketId: string;
let keyId: string;

function statementsOfRole(roleId: string): Statement[] {
  return resourcesOfType(s.json, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: unknown) => referencedIds(r).has(roleId)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const roleOfFunction = (fn: FunctionId) => [...referencedIds(s.json.Resources[s.logicalId(s.stack.functions[fn])].Properties.Role)][0]!;
const onResource = (statements: Statement[], id: string) => statements.filter((st) => referencedIds(st.Resource).has(id));
const actionsOf = (statements: Statement[]) => statements.flatMap((st) => asArray(st.Action)).sort();
const allRoles = () => resourcesOfType(s.json, 'AWS::IAM::Role').map(([id]) => id);

beforeAll(() => {
  s = synth({ codeFor: placeholderCode });
  bucketId = s.logicalId(s.stack.auditDigests.bucket);
  keyId = s.logicalId(s.stack.auditDigests.signingKey);
});

describe('the digest store', () => {
  it('is a private, TLS-only bucket with Object Lock in COMPLIANCE mode for the policy formal retention (stilton: 6 years)', () => {
    const bucket = s.json.Resources[bucketId];
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 366 * 6 } },
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LifecycleConfiguration).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = resourcesOfType(s.json, 'AWS::S3::BucketPolicy').find(([, p]) => referencedIds(p.Properties.Bucket).has(bucketId))!;
    expect(
      (policy[1].Properties.PolicyDocument.Statement as any[]).some((st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
    ).toBe(true);
  });

  it('retention follows the council policy: a 1-year policy locks digests 366 days', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const policy = JSON.parse(readFileSync('shared/policy/presets/stilton.json', 'utf8'));
    policy.retention.formal.years = 1;
    const file = join(mkdtempSync(join(tmpdir(), 'digest-policy-')), 'short.json');
    writeFileSync(file, JSON.stringify(policy));
    const other = synth({ codeFor: placeholderCode, context: { council: file } });
    const bucket = other.json.Resources[other.logicalId(other.stack.auditDigests.bucket)];
    expect(bucket.Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: 366 });
    expect(other.json.Outputs.DigestRetentionYears.Value).toBe('1');
  });

  it('the signing key is asymmetric ECDSA P-256 for signing only, and kept if the stack is deleted', () => {
    const key = s.json.Resources[keyId];
    expect(key.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(key.DeletionPolicy).toBe('Retain');
  });
});

describe('who may sign, write and read digests', () => {
  it('auditDigest alone may sign and write digests: kms:Sign on the key, write-once objects under digests/, no delete', () => {
    const digestRole = roleOfFunction('auditDigest');
    const statements = statementsOfRole(digestRole);
    expect(actionsOf(onResource(statements, keyId))).toEqual(['kms:Sign']);
    expect(actionsOf(onResource(statements, bucketId))).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject', 's3:PutObjectRetention']);
    const objects = statements.find((st) => st.Sid === 'WriteAuditDigests')!;
    expect(JSON.stringify(objects.Resource)).toContain('/digests/*');
    for (const role of allRoles().filter((r) => r !== digestRole)) {
      const actions = [...actionsOf(onResource(statementsOfRole(role), keyId)), ...actionsOf(onResource(statementsOfRole(role), bucketId))];
      expect(
        actions.filter((a) => a === 'kms:Sign' || a.startsWith('s3:Put') || a.startsWith('s3:Delete')),
        role,
      ).toEqual([]);
    }
    expect(
      actionsOf(resourcesOfType(s.json, 'AWS::IAM::Role').flatMap(([r]) => onResource(statementsOfRole(r), bucketId))).filter((a) =>
        /Delete|BypassGovernance|PutBucket/.test(a),
      ),
    ).toEqual([]);
  });

  it('auditDigest reads the audit table only (it records nothing: an event would call for another digest) and may publish to the outbox for the email', () => {
    const statements = statementsOfRole(roleOfFunction('auditDigest'));
    const audit = onResource(statements, s.logicalId(s.stack.tables.audit));
    expect(
      actionsOf(audit).filter((a) => !['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:Scan'].includes(a)),
    ).toEqual([]);
    expect(onResource(statements, s.logicalId(s.stack.queues.audit))).toEqual([]);
    expect(actionsOf(onResource(statements, s.logicalId(s.stack.queues.outbox))).filter((a) => a.startsWith('sqs:Send'))).toEqual(['sqs:SendMessage']);
    expect(actionsOf(statements).filter((a) => a.startsWith('ses:') || a.startsWith('sms-voice:'))).toEqual([]);
  });

  it('the auditor reads digests and checks signatures with the public key, and cannot sign', () => {
    const statements = statementsOfRole(s.logicalId(s.stack.auditorRole));
    expect(actionsOf(onResource(statements, keyId))).toEqual(['kms:GetPublicKey', 'kms:Verify']);
    expect(actionsOf(onResource(statements, bucketId))).toEqual(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions']);
  });

  it('the bucket policy refuses any PutObject without If-None-Match (a digest is written once, whoever writes)', () => {
    const policy = resourcesOfType(s.json, 'AWS::S3::BucketPolicy').find(([, p]) => referencedIds(p.Properties.Bucket).has(bucketId))!;
    const deny = (policy[1].Properties.PolicyDocument.Statement as any[]).find((st) => st.Sid === 'DigestsAreWrittenOnce');
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutObject', Condition: { Null: { 's3:if-none-match': 'true' } } });
    expect(JSON.stringify(deny.Resource)).toContain('/digests/*');
  });

  it('runs hourly', () => {
    const rules = resourcesOfType(s.json, 'AWS::Events::Rule').filter(([, r]) =>
      (r.Properties.Targets as any[]).some((t) => referencedIds(t.Arn).has(s.logicalId(s.stack.functions.auditDigest))),
    );
    expect(rules.map(([, r]) => r.Properties.ScheduleExpression)).toEqual(['rate(1 hour)']);
    expect(FUNCTIONS.auditDigest.kind).toBe('schedule');
  });
});

describe('the public key as a stack output', () => {
  it('comes from a deploy-time custom resource whose role may only GetPublicKey on the signing key (and write its own logs)', () => {
    const output = s.json.Outputs.AuditSigningPublicKey;
    const [resourceId] = output.Value['Fn::GetAtt'] as [string, string];
    const resource = s.json.Resources[resourceId];
    expect(resource.Type).toBe('Custom::AuditSigningPublicKey');
    expect(referencedIds(resource.Properties.KeyId)).toEqual(new Set([keyId]));
    const fnId = [...referencedIds(resource.Properties.ServiceToken)][0]!;
    expect(fnId).toBe(s.logicalId(s.stack.auditDigests.publicKeyFunction));
    const fn = s.json.Resources[fnId];
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(fn.Properties.Code.ZipFile).toBe(PUBLIC_KEY_HANDLER_SOURCE);
    expect(PUBLIC_KEY_HANDLER_SOURCE.length).toBeLessThan(4096);
    const role = [...referencedIds(fn.Properties.Role)][0]!;
    expect(s.json.Resources[role].Properties.ManagedPolicyArns).toBeUndefined();
    const statements = statementsOfRole(role);
    expect(actionsOf(statements)).toEqual(['kms:GetPublicKey', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(referencedIds(statements.find((st) => asArray(st.Action).includes('kms:GetPublicKey'))!.Resource)).toEqual(new Set([keyId]));
    // No schedule, queue or route invokes it: it runs when the stack is deployed (no idle cost).
    expect(JSON.stringify(resourcesOfType(s.json, 'AWS::Events::Rule'))).not.toContain(fnId);
  });

  it('the handler answers CloudFormation with the key as base64 SubjectPublicKeyInfo, which verifies a signature as PEM', async () => {
    const handler = createRequire(import.meta.url)('../../infra/aws/constructs/signing-public-key.cjs');
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const puts: { url: string; body: any }[] = [];
    handler.deps.kms = () => ({ send: async (command: any) => ({ PublicKey: new Uint8Array(der), KeySpec: 'ECC_NIST_P256', keyId: command.input.KeyId }) });
    handler.deps.fetch = async (url: string, init: { body: string }) => {
      puts.push({ url, body: JSON.parse(init.body) });
      return { ok: true, status: 200 };
    };
    const event = {
      RequestType: 'Create',
      ResponseURL: 'https://cloudformation-response.example/put',
      StackId: 'stack',
      RequestId: 'r1',
      LogicalResourceId: 'SigningPublicKeyValue',
      ResourceProperties: { KeyId: 'arn:aws:kms:eu-west-2:1:key/k' },
    };
    await handler.handler(event);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'arn:aws:kms:eu-west-2:1:key/k',
      RequestId: 'r1',
      LogicalResourceId: 'SigningPublicKeyValue',
    });
    const pem = `-----BEGIN PUBLIC KEY-----\n${puts[0]!.body.Data.PublicKey.replace(/(.{64})/g, '$1\n')}\n-----END PUBLIC KEY-----\n`;
    const message = Buffer.from('digest');
    expect(verify('sha256', message, createPublicKey(pem), sign('sha256', message, privateKey))).toBe(true);

    handler.deps.kms = () => ({ send: async () => Promise.reject(new Error('AccessDeniedException')) });
    await handler.handler({ ...event, RequestId: 'r2' });
    expect(puts[1]!.body).toMatchObject({ Status: 'FAILED', Reason: 'AccessDeniedException', RequestId: 'r2' });
    await handler.handler({ ...event, RequestType: 'Delete', PhysicalResourceId: 'arn:aws:kms:eu-west-2:1:key/k', RequestId: 'r3' });
    expect(puts[2]!.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'arn:aws:kms:eu-west-2:1:key/k' });
  });
});
