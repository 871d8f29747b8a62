import type { AuditStore } from '../store/audit-store.ts';
import { CaseStore } from '../store/case-store.ts';
import type { OpsStore } from '../store/ops-store.ts';
import type { Policy } from '../policy/schema.ts';
import { PAGE_HEADERS, escapeHtml } from '../pipeline/consent-page.ts';
import { londonDate } from '../runtime/london-time.ts';
import { caseworkOf } from './casework.ts';
import { applyCommands } from './commands.ts';
import { registerReminders } from './open-case.ts';
import { verifyCaseLink, type LinkCommand } from './case-link.ts';
import { requireEnv } from '../runtime/env.ts';
import { recorderDepsFromEnv } from '../store/recorder-deps.ts';
import { loadSecrets } from '../runtime/secrets.ts';

/**
 * `GET|POST /cases/{token}`: a signed link from the routing email. GET shows
 * what the link will do and a button; POST applies it once (audited as
 * `case-updated`, by `signed-link`). Tampered 404, expired 410.
 */

export interface CaseLinkDeps {
  readonly policy: Policy;
  readonly cases: CaseStore;
  readonly audit: AuditStore;
  readonly ops: Pick<OpsStore, 'putDue'>;
  readonly signingKey: string;
  readonly now: () => Date;
}

export interface CaseLinkResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const WHAT: Record<LinkCommand, string> = {
  close: 'close this case',
  foi: 'treat this as an FOI/EIR request (20 working days)',
  sar: 'treat this as a subject access request (one month)',
  complaint: 'treat this as a complaint (acknowledgement due)',
  'not-foi': 'stop the statutory clock (not a request)',
  extend: 'extend the statutory deadline',
};

export async function handleCaseLink(req: { method: string; token: string }, deps: CaseLinkDeps): Promise<CaseLinkResponse> {
  const council = deps.policy.council.name;
  const checked = verifyCaseLink(req.token, deps.signingKey, deps.now());
  if (!checked.ok || checked.claims.council !== deps.policy.council.id) {
    const expired = !checked.ok && checked.reason === 'expired';
    return page(
      expired ? 410 : 404,
      council,
      expired ? 'This link has expired' : 'Link not found',
      expired ? 'Reply to the routing email with the command on the first line instead.' : 'Check the link in the routing email.',
    );
  }
  const { ref, command } = checked.claims;
  const record = await deps.cases.get(ref);
  if (!record) return page(404, council, 'Case not found', `There is no case ${ref}.`);
  if (req.method === 'GET' || req.method === 'HEAD') {
    return page(200, council, `${ref}: ${WHAT[command]}?`, `Press the button to ${WHAT[command]}. It is recorded in the audit trail.`, true);
  }
  if (req.method !== 'POST') return page(405, council, 'Not allowed', 'Use the button on the page.');
  const at = deps.now().toISOString();
  const result = applyCommands(record, [command], londonDate(deps.now()), at, caseworkOf(deps.policy).complaintWorkingDays);
  if (result.problems.length) return page(409, council, 'Not applied', result.problems.join(' '));
  if (result.changes.length === 0) return page(200, council, 'Already done', `${ref} was already in that state; nothing changed.`);
  const updated = await deps.cases.update(ref, (c) => ({
    ...applyCommands(c, [command], londonDate(deps.now()), at, caseworkOf(deps.policy).complaintWorkingDays).record,
    version: c.version,
  }));
  await deps.audit.append({
    ref,
    itemId: record.itemId,
    type: 'case-updated',
    at,
    data: {
      by: 'signed-link',
      commands: [`#${command}`],
      status: updated.status,
      ...(updated.type ? { caseType: updated.type } : {}),
      ...(updated.clock ? { dueOn: updated.clock.dueOn, clause: updated.clock.clause } : {}),
    },
    eventKey: `${ref}:link:${command}:${record.version}`,
  });
  if (updated.clock && updated.clock.dueOn !== record.clock?.dueOn) await registerReminders(deps.ops, ref, updated.clock.dueOn, deps.policy, deps.now());
  return page(200, council, 'Done', `${ref}: ${result.changes.join('; ')}.`);
}

function page(statusCode: number, council: string, title: string, text: string, button = false): CaseLinkResponse {
  const body = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>${escapeHtml(title)} - ${escapeHtml(council)}</title></head>
<body><main><p>${escapeHtml(council)}</p><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${button ? '<form method="post"><button type="submit">Confirm</button></form>' : ''}</main></body></html>
`;
  return { statusCode, headers: { ...PAGE_HEADERS }, body };
}

/** Production wiring from the environment. */
export async function caseLinkDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<CaseLinkDeps> {
  const { opsTable } = requireEnv(['auditTable', 'opsTable'], env);
  const { policy, client, audit, ops, now } = await recorderDepsFromEnv(env);
  return { policy, cases: new CaseStore({ client, tableName: opsTable }), ops, audit, signingKey: (await loadSecrets(env)).CONSENT_SIGNING_KEY, now };
}
