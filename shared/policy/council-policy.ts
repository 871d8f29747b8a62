import { councilOf } from '../runtime/env.ts';
import { trustedPolicy } from './policy-file.ts';
import type { Policy } from './schema.ts';

/**
 * A function's council policy, named by HUB_COUNCIL. In AWS that is the file
 * the stack shipped in the code package, checked against the schema at
 * synth, so only the cross-field checks run and the policy schema (load.ts) is
 * in no function's start-up: about 25 KB that every cold start compiled for
 * nothing. Any other file (the local hub, tests) is checked in full, by a
 * module loaded only then.
 */
export async function councilPolicy(env: NodeJS.ProcessEnv = process.env): Promise<Policy> {
  const nameOrPath = councilOf(env);
  return trustedPolicy(nameOrPath, env) ?? (await import('./load.ts')).loadPolicy(nameOrPath);
}
