import { ENV, SECRET_KEYS, type SecretKey } from '../topology.ts';

/**
 * Provider secrets. In AWS, one JSON secret in Secrets Manager named by
 * SECRETS_ARN, read once per cold start through the AWS Parameters and Secrets
 * Lambda Extension (plain HTTP on localhost, so no SDK client is loaded on the
 * ingest path) and cached for the life of the container. Locally and in tests,
 * environment variables of the same names.
 */

export type Secrets = Readonly<Record<SecretKey, string>>;

let cached: Promise<Secrets> | undefined;

export function loadSecrets(env: NodeJS.ProcessEnv = process.env): Promise<Secrets> {
  cached ??= readSecrets(env).catch((error: unknown) => {
    cached = undefined; // a failed read must not poison the container
    throw error;
  });
  return cached;
}

/** For tests that change secrets between cases. */
export function resetSecretsCache(): void {
  cached = undefined;
}

async function readSecrets(env: NodeJS.ProcessEnv): Promise<Secrets> {
  const arn = env[ENV.secretsArn];
  const raw = arn ? await readFromExtension(arn, env) : fromEnvironment(env);
  const missing = SECRET_KEYS.filter((key) => typeof raw[key] !== 'string' || raw[key] === '');
  if (missing.length > 0) throw new Error(`secrets missing: ${missing.join(', ')}`);
  return raw as Secrets;
}

function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  return Object.fromEntries(SECRET_KEYS.map((key) => [key, env[key]]));
}

async function readFromExtension(arn: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(arn)}`;
  const response = await fetch(url, {
    headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
    signal: AbortSignal.timeout(3_000),
  });
  if (!response.ok) throw new Error(`secrets extension answered ${response.status}`);
  const body = (await response.json()) as { SecretString?: string };
  return JSON.parse(body.SecretString ?? '{}') as Record<string, unknown>;
}
