import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { policySchemas, type Policy } from './schema.ts';
import { placeholderProblems, type TEXT_PLACEHOLDERS } from './texts.ts';
export const PRESET_NAMES = ['wherstead', 'withyham', 'stilton', 'west-end', 'cassington', 'demo'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * A preset's file in the source tree. The presets are read, not imported, so
 * they are in no Lambda bundle: the stack copies the one council's file into
 * the bundle (infra/aws/council.ts) and HUB_COUNCIL names that copy.
 */
export function presetFile(name: PresetName): URL {
  return new URL(`./presets/${name}.json`, import.meta.url);
}

/** A policy file that cannot be used; the message names the file, the field and what was expected. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  readonly source: string;
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(problems.map((p) => `${source}: ${p}`).join('\n'));
    this.source = source;
    this.problems = problems;
  }
}

export interface LoadPolicyOptions {
  /**
   * Skip the schema for a preset, or for the policy file the stack shipped in
   * this Lambda's code package (under LAMBDA_TASK_ROOT); the cross-field
   * checks still run. For Lambda handlers: the stack loads the same file with
   * the full schema at synth, and the tests check every preset against it, so
   * in a deployed function the schema would only cost cold-start time (~10 ms).
   */
  readonly trustPresets?: boolean;
}

/** The policy file the stack copied into this function's code package: read-only, validated at synth. */
function isShippedPolicyFile(path: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const root = env.LAMBDA_TASK_ROOT;
  return root !== undefined && root !== '' && path.startsWith(`${root}/`) && !path.slice(root.length).includes('..');
}

const cache = new Map<string, Policy>();

/** A preset name (`stilton`) or a path to a JSON policy file (`./my-council.json`). */
export function loadPolicy(nameOrPath: string, options: LoadPolicyOptions = {}): Policy {
  const key = options.trustPresets ? `trusted:${nameOrPath}` : nameOrPath;
  const cached = cache.get(key);
  if (cached) return cached;
  let policy: Policy;
  if (isPresetName(nameOrPath)) {
    policy = policyFromFile(presetFile(nameOrPath), `${nameOrPath}.json`, options.trustPresets === true);
  } else if (/[/\\]|\.json$/i.test(nameOrPath)) {
    policy = policyFromFile(nameOrPath, basename(nameOrPath), options.trustPresets === true && isShippedPolicyFile(nameOrPath));
  } else {
    throw new PolicyError(nameOrPath, [`not a preset (expected one of ${PRESET_NAMES.join(', ')}) or a path to a .json policy file`]);
  }
  cache.set(key, policy);
  return policy;
}

function policyFromFile(file: string | URL, source: string, trusted: boolean): Policy {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(source, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new PolicyError(source, [`not valid JSON (${(err as Error).message})`]);
  }
  return trusted ? checkedPolicy(json as Policy, source) : parsePolicy(json, source);
}

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
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

function checkedPolicy(policy: Policy, source: string): Policy {
  const problems = crossFieldProblems(policy);
  if (problems.length > 0) throw new PolicyError(source, problems);
  return deepFreeze(policy);
}

function crossFieldProblems(p: Policy): string[] {
  const problems: string[] = [];
  p.officeHours.windows.forEach((w, i) => {
    if (w.end <= w.start) problems.push(`officeHours.windows.${i}.end: expected a time after start (${w.start})`);
  });
  if (p.consent.expiresAfterDays <= p.consent.reminderAfterDays) {
    problems.push(`consent.expiresAfterDays: expected more days than consent.reminderAfterDays (${p.consent.reminderAfterDays})`);
  }
  if (p.consent.enabled && p.consent.channels.length === 0) {
    problems.push('consent.channels: expected at least one channel when consent.enabled is true');
  }
  for (const rule of ['copiedToClerk', 'officialAddress'] as const) {
    if (p[rule].enabled && !p.channels.email) problems.push(`${rule}: needs channels.email`);
  }
  for (const [key, value] of Object.entries(p.texts) as [keyof typeof TEXT_PLACEHOLDERS, string | Record<string, string> | undefined][]) {
    if (value === undefined) continue;
    const texts = typeof value === 'string' ? [[`texts.${key}`, value]] : Object.entries(value).map(([channel, t]) => [`texts.${key}.${channel}`, t]);
    for (const [path, template] of texts) for (const problem of placeholderProblems(key, template!)) problems.push(`${path}: ${problem}`);
  }
  // A digest mailed to an address the hub receives for would come back in as mail.
  p.audit?.digestRecipients.forEach((to, i) => {
    if (p.contacts.hubAddresses.includes(to)) problems.push(`audit.digestRecipients.${i}: expected an auditor's address, not one the hub sends from`);
  });
  if (new Set(p.audit?.digestRecipients).size !== (p.audit?.digestRecipients.length ?? 0)) problems.push('audit.digestRecipients: an address appears twice');
  const seen = new Set<string>();
  p.moderation.forEach((m, i) => {
    if (seen.has(m.category)) problems.push(`moderation.${i}.category: "${m.category}" appears twice; expected one rule per category`);
    seen.add(m.category);
  });
  return problems;
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

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
