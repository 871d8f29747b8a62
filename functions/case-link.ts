import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleCaseLink, type CaseLinkDeps } from '../shared/cases/case-page.ts';
import { ENV } from '../shared/topology.ts';
import { log } from '../shared/runtime/log.ts';

/** `GET|POST /cases/{token}`: a signed link in the routing email changes the case (shared/cases/case-page.ts). */
let deps: Promise<CaseLinkDeps> | undefined;

async function depsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<CaseLinkDeps> {
  const [{ createDocumentClient }, { AuditStore }, { OpsStore }, { CaseStore }, { loadPolicy }, { loadSecrets }, { auditQueueFromEnv }] = await Promise.all([
    import('../shared/store/client.ts'),
    import('../shared/store/audit-store.ts'),
    import('../shared/store/ops-store.ts'),
    import('../shared/store/case-store.ts'),
    import('../shared/policy/load.ts'),
    import('../shared/runtime/secrets.ts'),
    import('../shared/store/audit-queue.ts'),
  ]);
  const policy = loadPolicy(env[ENV.council] ?? 'demo', { trustPresets: true });
  const client = createDocumentClient();
  const opsTable = env[ENV.opsTable]!;
  return {
    policy,
    cases: new CaseStore({ client, tableName: opsTable }),
    ops: new OpsStore({ client, tableName: opsTable }),
    audit: new AuditStore({ client, tableName: env[ENV.auditTable]!, council: policy.council.id, queue: auditQueueFromEnv(env) }),
    signingKey: (await loadSecrets(env)).CONSENT_SIGNING_KEY,
    now: () => new Date(),
  };
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
  const method = event.requestContext.http.method;
  try {
    deps ??= depsFromEnv().catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
    const response = await handleCaseLink({ method, token: event.pathParameters?.token ?? '' }, await deps);
    log.info('request', { route: 'cases', method, status: response.statusCode });
    return response;
  } catch (error) {
    log.error('case link failed', { method, error: (error as Error)?.name });
    return { statusCode: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '60' }, body: 'Please try again in a minute: nothing was changed.' };
  }
});
