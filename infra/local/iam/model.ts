import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { idleDeploymentOf, type IdleDeployment } from '../../../bench/lib/cost.ts';
import { FUNCTIONS, QUEUES, TABLES, type FunctionId } from '../../../shared/topology.ts';

/**
 * The IAM model the local runtime enforces: each role's identity policies as
 * the CDK stack synthesises them, with every CloudFormation reference resolved
 * to a canonical local ARN (account 123456789012, eu-west-2, resources named by
 * their topology id). Built by synthesising the real stack offline once, then
 * cached under node_modules/.cache keyed by a hash of everything the stack is
 * built from, so a test run or `npm start` reads one small JSON file.
 */

export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_IAM_REGION = 'eu-west-2';
/** Placeholders for the deployment's mail domain and sender, substituted with the local sender at load. */
export const MAIL_DOMAIN_TOKEN = 'hub-mail-domain.invalid';
export const FROM_ADDRESS_TOKEN = `hub-from@${MAIL_DOMAIN_TOKEN}`;

/** `mandrillIntegration`: the role API Gateway's S3 integration for Mandrill acts as (not a function). */
export type Principal = FunctionId | 'auditor' | 'dpo' | 'mandrillIntegration';

export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[];
}

export interface RoleModel {
  readonly roleArn: string;
  readonly policies: readonly { name: string; policy: PolicyDocument }[];
}

export interface IamModel {
  readonly sourceHash: string;
  readonly roles: Readonly<Record<Principal, RoleModel>>;
  /** Topology table id -> KMS key ARN that encrypts it (DynamoDB calls need kms:Decrypt via DynamoDB). */
  readonly tableKeys: Readonly<Record<string, string | undefined>>;
  /** Resource-based policies by resource ARN: KMS key policies, SQS queue policies, S3 bucket policies. */
  readonly resourcePolicies: Readonly<Record<string, PolicyDocument>>;
  /** What an idle deployment of this stack pays for (the bench prices it). */
  readonly idle: IdleDeployment;
}

const ROOT = join(import.meta.dirname, '../../..');
const CACHE_DIR = join(ROOT, 'node_modules/.cache/hub-iam');

export const arn = {
  table: (id: string) => `arn:aws:dynamodb:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}:table/${id}`,
  queue: (id: string) => `arn:aws:sqs:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}:${id}`,
  bucket: (id: string) => `arn:aws:s3:::${id}`,
  role: (p: Principal) => `arn:aws:iam::${LOCAL_ACCOUNT}:role/hub-${p}`,
};

/** Everything the synthesised policies depend on. */
function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return [...walk('infra/aws'), ...walk('shared/policy'), 'shared/topology.ts', 'package-lock.json', 'infra/local/iam/model.ts', 'bench/lib/cost.ts'].sort();
}

export function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles())
    hash
      .update(relative(ROOT, join(ROOT, file)))
      .update('\0')
      .update(readFileSync(join(ROOT, file)))
      .update('\0');
  return hash.digest('hex').slice(0, 20);
}

let memo: Promise<IamModel> | undefined;

/** The model for the current sources: from the cache, or synthesised (about 2 s) and cached. */
export function loadIamModel(): Promise<IamModel> {
  memo ??= (async () => {
    const hash = sourceHash();
    const file = join(CACHE_DIR, `${hash}.json`);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as IamModel;
    } catch {
      const model = await synthesiseModel(hash);
      mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(model));
      renameSync(tmp, file);
      return model;
    }
  })();
  memo.catch(() => (memo = undefined));
  return memo;
}

async function synthesiseModel(hash: string): Promise<IamModel> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { App } = await import('aws-cdk-lib');
  const lambda = await import('aws-cdk-lib/aws-lambda');
  const { buildApp } = await import('../../aws/app.ts');
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'hub-iam-')),
    context: { mailDomain: MAIL_DOMAIN_TOKEN, fromAddress: FROM_ADDRESS_TOKEN, council: 'demo', region: LOCAL_IAM_REGION },
  });
  const { stack } = buildApp(app, { codeFor: () => lambda.Code.fromInline('export const handler = async () => ({});') });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, CfnResource> };
  const logicalId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId((c.node.defaultChild ?? c) as never);

  const names = new Map<string, { ref: string; arn: string }>();
  for (const id of Object.keys(TABLES) as (keyof typeof TABLES)[]) names.set(logicalId(stack.tables[id]), { ref: id, arn: arn.table(id) });
  for (const q of Object.values(QUEUES)) {
    names.set(logicalId(stack.queues[q.id]), { ref: `https://sqs.local/${LOCAL_ACCOUNT}/${q.id}`, arn: arn.queue(q.id) });
    names.set(logicalId(stack.deadLetterQueues[q.id]), { ref: `https://sqs.local/${LOCAL_ACCOUNT}/${q.dlqId}`, arn: arn.queue(q.dlqId) });
  }
  const roleOf = new Map<string, Principal>();
  for (const fn of Object.keys(FUNCTIONS) as FunctionId[]) roleOf.set(logicalId(stack.functions[fn].role as never), fn);
  roleOf.set(logicalId(stack.auditorRole), 'auditor');
  roleOf.set(logicalId(stack.dpoRole), 'dpo');
  roleOf.set(logicalId(stack.mandrillIntake.integrationRole), 'mandrillIntegration');

  const resolve = resolver(template.Resources, names);
  const roles = {} as Record<Principal, { roleArn: string; policies: { name: string; policy: PolicyDocument }[] }>;
  for (const p of roleOf.values()) roles[p] = { roleArn: arn.role(p), policies: [] };
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    for (const ref of (r.Properties.Roles ?? []) as { Ref: string }[]) {
      const p = roleOf.get(ref.Ref);
      if (p) roles[p].policies.push({ name: id, policy: resolve(r.Properties.PolicyDocument) as PolicyDocument });
    }
  }
  const tableKeys: Record<string, string | undefined> = {};
  for (const id of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
    const key = template.Resources[logicalId(stack.tables[id])]?.Properties.SSESpecification?.KMSMasterKeyId;
    tableKeys[id] = key ? String(resolve(key)) : undefined;
  }
  const resourcePolicies: Record<string, PolicyDocument> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::KMS::Key') resourcePolicies[String(resolve({ 'Fn::GetAtt': [id, 'Arn'] }))] = resolve(r.Properties.KeyPolicy) as PolicyDocument;
    if (r.Type === 'AWS::S3::BucketPolicy')
      resourcePolicies[arn.bucket(String(resolve(r.Properties.Bucket)))] = resolve(r.Properties.PolicyDocument) as PolicyDocument;
    if (r.Type === 'AWS::SQS::QueuePolicy') {
      for (const q of r.Properties.Queues as unknown[]) {
        const url = String(resolve(q));
        resourcePolicies[arn.queue(url.split('/').pop()!)] = resolve(r.Properties.PolicyDocument) as PolicyDocument;
      }
    }
  }
  return { sourceHash: hash, roles, tableKeys, resourcePolicies, idle: idleDeploymentOf(template.Resources) };
}

interface CfnResource {
  Type: string;
  Properties: Record<string, any>;
}

/** Resolves Ref / Fn::GetAtt / Fn::Join / Fn::Sub and pseudo parameters to local values. */
function resolver(resources: Record<string, CfnResource>, names: Map<string, { ref: string; arn: string }>) {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::Region': LOCAL_IAM_REGION,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'ParishCommsHub',
  };
  const generic = (id: string, attr: 'Ref' | 'Arn'): string => {
    const known = names.get(id);
    if (known) return attr === 'Ref' ? known.ref : known.arn;
    const type = resources[id]?.Type ?? '';
    const r = `arn:aws:${type.split('::')[1]?.toLowerCase() ?? 'unknown'}:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}`;
    switch (type) {
      case 'AWS::S3::Bucket':
        return attr === 'Ref' ? 'mail' : arn.bucket('mail');
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}:secret:${id}`;
      case 'AWS::KMS::Key':
        return attr === 'Ref' ? id : `arn:aws:kms:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}:key/${id}`;
      case 'AWS::SES::EmailIdentity':
        return resources[id]!.Properties.EmailIdentity as string;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}:log-group:${id}:*`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${LOCAL_IAM_REGION}:${LOCAL_ACCOUNT}:${id}`;
      default:
        return attr === 'Ref' ? id : `${r}:${id}`;
    }
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const entries = Object.entries(v);
    if (entries.length === 1) {
      const [k, inner] = entries[0]!;
      if (k === 'Ref') return pseudo[inner as string] ?? generic(inner as string, 'Ref');
      if (k === 'Fn::GetAtt') {
        const [id, attr] = inner as [string, string];
        if (attr !== 'Arn') throw new Error(`IAM model: Fn::GetAtt ${id}.${attr} not supported`);
        return generic(id, 'Arn');
      }
      if (k === 'Fn::Join') {
        const [sep, parts] = inner as [string, unknown[]];
        return parts.map(walk).join(sep);
      }
      if (k === 'Fn::Sub' && typeof inner === 'string') return inner.replace(/\$\{([^}]+)\}/g, (_, name: string) => pseudo[name] ?? generic(name, 'Ref'));
      if (k.startsWith('Fn::')) throw new Error(`IAM model: ${k} not supported`);
    }
    return Object.fromEntries(entries.map(([k, inner]) => [k, walk(inner)]));
  };
  return walk;
}
