import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPolicy, PolicyError } from '../../shared/policy/load.ts';
import type { Policy } from '../../shared/policy/schema.ts';
import { LOCAL_ID_DEFAULTS, LOCAL_SECRET_DEFAULTS } from '../../shared/topology.ts';
import { StartupError } from './errors.ts';

/**
 * The local hub's settings: the contract's environment variables with their
 * documented defaults (docs/local.md). Secrets and ids default to the fixed,
 * obviously-local values in shared/topology.ts; any of them can be overridden
 * by an environment variable of the same name.
 */

export { LOCAL_ID_DEFAULTS, LOCAL_SECRET_DEFAULTS };

export type LocalSecretName = keyof typeof LOCAL_SECRET_DEFAULTS | keyof typeof LOCAL_ID_DEFAULTS;

export interface HubConfig {
  readonly httpPort: number;
  readonly smtpPort: number;
  readonly council: string;
  /** What the functions load: the preset name, or the policy file's absolute path. */
  readonly policySource: string;
  readonly policy: Policy;
  readonly dataDir: string;
  /** Secrets and ids in use, by environment variable name. */
  readonly secrets: Record<LocalSecretName, string>;
  /** HUB_ACCOUNT_CONCURRENCY: Lambda's account concurrency to emulate (a new AWS account may have 10); unlimited if unset. */
  readonly accountConcurrency?: number;
}

/** Everything the contract lets a user set, validated; throws StartupError with one readable line. */
export function readConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): HubConfig {
  const httpPort = port(env.HUB_PORT, 'HUB_PORT', 3000);
  const smtpPort = port(env.HUB_SMTP_PORT, 'HUB_SMTP_PORT', 2525);
  const council = env.HUB_COUNCIL?.trim() || 'demo';
  const policySource = /[/\\]|\.json$/i.test(council) ? resolve(cwd, council) : council;
  const policy = policyOrStartupError(council, policySource);
  const dataDir = resolve(cwd, env.HUB_DATA_DIR?.trim() || '.hub');
  try {
    if (!statSync(dataDir).isDirectory()) throw new StartupError(`HUB_DATA_DIR ${dataDir} is not a directory`);
  } catch (error) {
    if (error instanceof StartupError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StartupError(`HUB_DATA_DIR ${dataDir} cannot be read (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  const pick = <K extends LocalSecretName>(name: K, fallback: string) => env[name]?.trim() || fallback;
  const secrets = {
    ...(Object.fromEntries(Object.entries(LOCAL_SECRET_DEFAULTS).map(([k, v]) => [k, pick(k as LocalSecretName, v)])) as Record<
      keyof typeof LOCAL_SECRET_DEFAULTS,
      string
    >),
    ...(Object.fromEntries(Object.entries(LOCAL_ID_DEFAULTS).map(([k, v]) => [k, pick(k as LocalSecretName, v)])) as Record<
      keyof typeof LOCAL_ID_DEFAULTS,
      string
    >),
    MESSENGER_PAGE_ID: pick('MESSENGER_PAGE_ID', policy.contacts.messengerPageId ?? LOCAL_ID_DEFAULTS.MESSENGER_PAGE_ID),
    MESSENGER_APP_ID: pick('MESSENGER_APP_ID', LOCAL_ID_DEFAULTS.MESSENGER_APP_ID),
    TWILIO_ACCOUNT_SID: pick('TWILIO_ACCOUNT_SID', LOCAL_ID_DEFAULTS.TWILIO_ACCOUNT_SID),
  };
  const concurrency = env.HUB_ACCOUNT_CONCURRENCY?.trim();
  if (concurrency && !/^[1-9]\d{0,4}$/.test(concurrency)) throw new StartupError(`HUB_ACCOUNT_CONCURRENCY must be a whole number from 1, not "${concurrency}"`);
  return { httpPort, smtpPort, council, policySource, policy, dataDir, secrets, ...(concurrency ? { accountConcurrency: Number(concurrency) } : {}) };
}

function port(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new StartupError(`${name} must be a port number (0-65535), got "${value}"`);
  return n;
}

/** The policy, or a StartupError saying in one line what is wrong with it. */
function policyOrStartupError(council: string, source: string): Policy {
  const looksLikePath = /[/\\]|\.json$/i.test(council);
  try {
    return loadPolicy(source);
  } catch (error) {
    if (error instanceof PolicyError) {
      const detail = error.problems.slice(0, 3).join('; ') + (error.problems.length > 3 ? `; and ${error.problems.length - 3} more` : '');
      throw new StartupError(looksLikePath ? `HUB_COUNCIL policy file ${council} is invalid: ${detail}` : `HUB_COUNCIL "${council}" is unknown: ${detail}`);
    }
    throw error;
  }
}
