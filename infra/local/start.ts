import { readConfig } from './config.ts';
import { ENV, WEBHOOKS, type WebhookDefinition } from '../../shared/topology.ts';
import { StartupError } from './errors.ts';

/**
 * `npm start`: the whole hub in the foreground, offline. Prints the URLs, the
 * local secrets in use and a line containing `ready`; Ctrl-C (SIGINT) or
 * SIGTERM stops it cleanly with everything persisted under HUB_DATA_DIR.
 * A bad setting is one line on stderr and exit code 1, never a stack trace.
 */

function fail(message: string): never {
  process.stderr.write(`hub: ${message}\n`);
  process.exit(1);
}

process.on('uncaughtException', (error) => fail(`stopped on an unexpected error: ${error.message}`));
process.on('unhandledRejection', (error) => fail(`stopped on an unexpected error: ${(error as Error)?.message ?? String(error)}`));

// Handler logs are JSON lines; keep the console readable unless asked for more.
process.env.LOG_LEVEL ??= 'WARN';

try {
  const config = readConfig();
  // Loaded after the configuration is known to be good: it starts nothing by itself.
  const { startHub } = await import('./hub.ts');
  const hub = await startHub(config, { warn: (m) => process.stderr.write(`hub: ${m}\n`) });

  const restored = Object.entries(hub.restoredMessages).filter(([, n]) => n > 0);
  const lines = [
    `Parish Comms Hub (local) for ${config.policy.council.name} [HUB_COUNCIL=${config.council}]`,
    `  Home page        ${hub.httpUrl}/`,
    `  Outbox (JSON)    ${hub.httpUrl}/local/outbox`,
    `  Items (JSON)     ${hub.httpUrl}/local/items`,
    ...WEBHOOKS.map(
      (w: WebhookDefinition) => `  ${w.name.padEnd(16)} ${hub.httpUrl}${w.pathSecret ? w.path.replace('{secret}', config.secrets[w.pathSecret]) : w.path}`,
    ),
    `  Mandrill         ${process.env[ENV.mandrillWebhookUrl]} (stored, then checked: a bad signature is answered 200 and logged)`,
    `  End User Msg SMS ${hub.httpUrl}/local/sms (POST the SNS message JSON)`,
    `  Consent links    ${hub.httpUrl}/consent/{token}`,
    `  SMTP             localhost:${hub.smtpPort}`,
    `  Data             ${config.dataDir}${restored.length ? ` (restored queued messages: ${restored.map(([q, n]) => `${q} ${n}`).join(', ')})` : ''}`,
    hub.iamEnforcement
      ? `IAM enforcement is on: every AWS call a function makes is checked against its role in the synthesised stack; each denial is one "hub: iam:" line naming the function, action and key (HUB_IAM_ENFORCEMENT=off disables it, for debugging only)`
      : `IAM enforcement is OFF (HUB_IAM_ENFORCEMENT=off): calls are not checked against the stack's roles, so a missing grant will not show. For debugging only.`,
    ...(config.accountConcurrency !== undefined
      ? [
          `Lambda account concurrency ${config.accountConcurrency} (HUB_ACCOUNT_CONCURRENCY): an invocation over it is throttled as in AWS (a queue batch comes back with one more receive counted; a webhook gets 500)`,
        ]
      : []),
    `Local secrets and ids (override with environment variables of the same names):`,
    ...Object.entries(config.secrets).map(([name, value]) => `  ${name.padEnd(26)} ${value}`),
    `ready: accepting traffic on ${hub.httpUrl} and smtp://localhost:${hub.smtpPort} (Ctrl-C to stop)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`hub: ${signal}, saving state and stopping\n`);
    const force = setTimeout(() => fail('did not stop within 10 s'), 10_000);
    force.unref();
    hub.stop().then(
      () => {
        process.stdout.write('hub: stopped\n');
        process.exit(0);
      },
      (error: unknown) => fail(`error while stopping: ${(error as Error).message}`),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof StartupError) fail(error.message);
  fail(`could not start: ${(error as Error)?.message ?? String(error)}`);
}
