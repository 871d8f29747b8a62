import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Policy } from './schema.ts';
import { placeholderProblems, type TEXT_PLACEHOLDERS } from './texts.ts';

/**
 * Reading a council's policy file, and the checks that need no schema: what
 * every Lambda function uses (council-policy.ts). The schema (zod, load.ts)
 * is for files nothing has checked yet.
 */

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

/** The policy file the stack copied into this function's code package: read-only, validated at synth. */
function isShippedPolicyFile(path: string, env: NodeJS.ProcessEnv): boolean {
  const root = env.LAMBDA_TASK_ROOT;
  return root !== undefined && root !== '' && path.startsWith(`${root}/`) && !path.slice(root.length).includes('..');
}

const trusted = new Map<string, Policy>();

/**
 * A preset (the tests check every one against the schema), or the file the
 * stack shipped in this Lambda's code package (checked against the schema at
 * synth): only the cross-field checks run. Undefined for any other file.
 */
export function trustedPolicy(nameOrPath: string, env: NodeJS.ProcessEnv = process.env): Policy | undefined {
  const preset = isPresetName(nameOrPath);
  // Decided before the cache: a file is trusted only while it is the shipped one.
  if (!preset && !isShippedPolicyFile(nameOrPath, env)) return undefined;
  let policy = trusted.get(nameOrPath);
  if (!policy) {
    const { file, source } = policyFileOf(nameOrPath);
    policy = checkedPolicy(readPolicyJson(file, source) as Policy, source);
    trusted.set(nameOrPath, policy);
  }
  return policy;
}

/** Where a preset name or a path is read from, and the name its errors give. */
export function policyFileOf(nameOrPath: string): { file: string | URL; source: string } {
  return isPresetName(nameOrPath) ? { file: presetFile(nameOrPath), source: `${nameOrPath}.json` } : { file: nameOrPath, source: basename(nameOrPath) };
}

/** The file's JSON, or a PolicyError naming the file. */
export function readPolicyJson(file: string | URL, source: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(source, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new PolicyError(source, [`not valid JSON (${(err as Error).message})`]);
  }
}

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** The checks across fields that the schema cannot express; the policy comes back frozen. */
export function checkedPolicy(policy: Policy, source: string): Policy {
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

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
