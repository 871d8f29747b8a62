import { checkedPolicy, isPresetName, PolicyError, PRESET_NAMES, policyFileOf, readPolicyJson, trustedPolicy } from './policy-file.ts';
import { policySchemas, type Policy } from './schema.ts';

export { isPresetName, PolicyError, PRESET_NAMES, presetFile, type PresetName } from './policy-file.ts';

export interface LoadPolicyOptions {
  /**
   * Skip the schema for a preset, or for the policy file the stack shipped in
   * this Lambda's code package (under LAMBDA_TASK_ROOT); the cross-field
   * checks still run. Lambda functions load their policy through
   * council-policy.ts, which does the same without this module (and so
   * without zod) in their bundles.
   */
  readonly trustPresets?: boolean;
}

const cache = new Map<string, Policy>();

/** A preset name (`stilton`) or a path to a JSON policy file (`./my-council.json`), checked against the schema. */
export function loadPolicy(nameOrPath: string, options: LoadPolicyOptions = {}): Policy {
  const trusted = options.trustPresets ? trustedPolicy(nameOrPath) : undefined;
  if (trusted) return trusted;
  const cached = cache.get(nameOrPath);
  if (cached) return cached;
  if (!isPresetName(nameOrPath) && !/[/\\]|\.json$/i.test(nameOrPath)) {
    throw new PolicyError(nameOrPath, [`not a preset (expected one of ${PRESET_NAMES.join(', ')}) or a path to a .json policy file`]);
  }
  const { file, source } = policyFileOf(nameOrPath);
  const policy = parsePolicy(readPolicyJson(file, source), source);
  cache.set(nameOrPath, policy);
  return policy;
}

/** Validates a policy object; throws PolicyError listing every bad field. */
export function parsePolicy(json: unknown, source: string): Policy {
  const result = policySchemas().PolicySchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${describe(issue, valueAt(json, issue.path))}`);
    throw new PolicyError(source, dedupe(problems));
  }
  return checkedPolicy(result.data, source);
}

type Issue = { code: string; path: readonly PropertyKey[]; message: string; keys?: readonly string[]; expected?: string; values?: readonly unknown[] };

const EXPECTED: Record<string, string> = {
  object: 'expected an object',
  array: 'expected a list',
  string: 'expected a string',
  number: 'expected a number',
  boolean: 'expected true or false',
};

function describe(issue: Issue, found: unknown): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (misspelt?)`;
  }
  // Our schemas word their own messages ("expected ..."); zod's generic ones are rephrased.
  let message = issue.message;
  if (!message.startsWith('expected')) {
    if (issue.code === 'invalid_type' && issue.expected) message = EXPECTED[issue.expected] ?? `expected ${issue.expected}`;
    else if (issue.code === 'invalid_value' && issue.values) message = `expected one of ${issue.values.map(String).join(', ')}`;
  }
  if (issue.code === 'invalid_type') return found === undefined ? `missing; ${message}` : `${message}, found ${kind(found)}`;
  return message;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = json;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}
