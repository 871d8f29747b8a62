import { lazyOutboxPublisher } from '../queue/lazy-outbox-publisher.ts';
import { requireEnv } from '../runtime/env.ts';
import { loadSecrets } from '../runtime/secrets.ts';
import { recorderDepsFromEnv } from '../store/recorder-deps.ts';
import type { ClerkActionDeps } from './clerk-actions.ts';

// Apart from clerk-actions.ts, which classify imports for the clerk's links: this wiring is the moderation-link function's alone.
/** The function's dependencies from its environment (tables, queue, council, signing key). */
export async function clerkActionDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ClerkActionDeps> {
  const { outboxQueueUrl } = requireEnv(['auditTable', 'opsTable', 'outboxQueueUrl'], env);
  const { policy, audit, ops, now } = await recorderDepsFromEnv(env);
  return { policy, audit, ops, publish: lazyOutboxPublisher(outboxQueueUrl), signingKey: (await loadSecrets(env)).CONSENT_SIGNING_KEY, now };
}
