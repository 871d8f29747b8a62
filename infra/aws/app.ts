import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PROVIDER_SETTINGS } from '../../shared/topology.ts';
import { HubStack, type HubStackProps } from './stack.ts';

/**
 * The CDK app. Every option is a context value (cdk.json holds the defaults;
 * override with -c key=value):
 *   council        preset name or path to a policy file         (demo)
 *   mailDomain     domain SES receives and sends mail for
 *   region         AWS region                                   (eu-west-2)
 *   stackName                                                   (ParishCommsHub)
 *   fromAddress    sender address                               (hub@<mailDomain>)
 *   alarmEmail     operator address subscribed to the alarms topic
 *   apiDomain + apiCertificateArn   custom domain for the HTTP API
 *   auditorPrincipals   comma-separated ARNs allowed to assume the auditor role
 *   endUserMessagingSms true: End User Messaging two-way SMS (its SNS topic and that topic's key, $1 a month)
 *   PROVIDER_SETTINGS (shared/topology.ts: messengerPageId, twilioAccountSid …)
 *                  non-secret provider ids
 * The account stays unresolved, so `cdk synth` works offline without credentials.
 */
export function buildApp(app: App = new App(), overrides: Partial<HubStackProps> = {}): { app: App; stack: HubStack } {
  const ctx = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const mailDomain = ctx('mailDomain');
  if (!mailDomain) throw new Error('context mailDomain is required (-c mailDomain=mail.your-parish.gov.uk)');
  const apiDomain = ctx('apiDomain');
  const apiCertificateArn = ctx('apiCertificateArn');
  if (apiDomain && !apiCertificateArn) throw new Error('context apiDomain needs apiCertificateArn');

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const stack = new HubStack(app, ctx('stackName') ?? 'ParishCommsHub', {
    env: { region: ctx('region') ?? 'eu-west-2', ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}) },
    description: 'Parish Comms Hub: event-driven communications hub for a parish council',
    council: ctx('council') ?? 'demo',
    mailDomain,
    ...(ctx('fromAddress') ? { fromAddress: ctx('fromAddress') } : {}),
    ...(ctx('alarmEmail') ? { alarmEmail: ctx('alarmEmail') } : {}),
    ...(apiDomain && apiCertificateArn ? { apiDomain: { name: apiDomain, certificateArn: apiCertificateArn } } : {}),
    ...(ctx('auditorPrincipals')
      ? {
          auditorPrincipalArns: ctx('auditorPrincipals')!
            .split(',')
            .map((s) => s.trim()),
        }
      : {}),
    ...(ctx('dpoPrincipals')
      ? {
          dpoPrincipalArns: ctx('dpoPrincipals')!
            .split(',')
            .map((s) => s.trim()),
        }
      : {}),
    ...(ctx('endUserMessagingSms') === 'true' || app.node.tryGetContext('endUserMessagingSms') === true ? { endUserMessagingSms: true } : {}),
    ids: Object.fromEntries(PROVIDER_SETTINGS.map((key) => [key, ctx(key)])),
    ...overrides,
  });
  return { app, stack };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildApp().app.synth();
}
