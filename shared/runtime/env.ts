import { ENV } from '../topology.ts';

/**
 * The one reader of a function's environment, for every `…DepsFromEnv()`:
 * settings by their name in shared/topology.ts `ENV`, required ones checked
 * together (the error names every one missing), and the council. The outbox
 * publisher that loads the SQS client on first use is queue/lazy-outbox-publisher.ts.
 */

export type EnvKey = keyof typeof ENV;

/** The named settings, each required. */
export function requireEnv<const K extends EnvKey>(keys: readonly K[], env: NodeJS.ProcessEnv = process.env): { readonly [P in K]: string } {
  const missing = keys.filter((key) => !env[ENV[key]]);
  if (missing.length > 0) throw new Error(`${missing.map((key) => ENV[key]).join(', ')} must be set`);
  return Object.fromEntries(keys.map((key) => [key, env[ENV[key]]])) as { [P in K]: string };
}

/** The council whose policy this deployment applies (a bundled preset; `demo` when unset, as locally). */
export function councilOf(env: NodeJS.ProcessEnv = process.env): string {
  return env[ENV.council] ?? 'demo';
}

/** A number setting, or the default when it is unset or not a number. */
export function numberEnv(key: EnvKey, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const parsed = Number(env[ENV[key]] ?? fallback);
  return Number.isFinite(parsed) ? parsed : fallback;
}
