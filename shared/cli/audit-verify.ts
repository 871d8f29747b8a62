import type { Finding } from '../store/audit-verify.ts';
import { verifyAudit, type SignedCheckpoint, type VerifyReport, type VerifySource } from '../store/verify-audit.ts';
import { UsageError, type OptionSpecs } from './args.ts';

/**
 * `hub audit verify`: its options, its run and its output. The checks
 * themselves are in shared/store/verify-audit.ts.
 */

export const VERIFY_OPTIONS = {
  anchor: { type: 'string', hint: 'SEQ:HASH as verify prints it after "Head:" (several: comma-separated)' },
  'allow-empty': { type: 'boolean' },
} as const satisfies OptionSpecs;

export interface VerifyArgs {
  readonly anchors: readonly SignedCheckpoint[];
  readonly allowEmpty: boolean;
}

export const NO_VERIFY_ARGS: VerifyArgs = { anchors: [], allowEmpty: false };

export function verifyArgs(v: { anchor?: string; 'allow-empty'?: boolean }, command: string): VerifyArgs {
  if ((v.anchor !== undefined || v['allow-empty']) && command !== 'verify') throw new UsageError('--anchor and --allow-empty are for verify');
  const anchors = (v.anchor ?? '')
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const anchor = parseAnchor(part);
      if (!anchor) throw new UsageError(`--anchor must be SEQ:HASH (an event number and its 64-hex hash, as verify prints them), got "${part.slice(0, 80)}"`);
      return anchor;
    });
  return { anchors, allowEmpty: v['allow-empty'] ?? false };
}

export interface VerifyContext {
  readonly store: VerifySource;
  readonly out: { write(text: string): void };
}

export async function runVerify(ctx: VerifyContext, args: VerifyArgs, json: boolean): Promise<number> {
  const report = await verifyAudit(ctx.store, { anchors: args.anchors, allowEmpty: args.allowEmpty });
  ctx.out.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatVerifyReport(report));
  return report.ok ? 0 : 1;
}

/** `--anchor SEQ:HASH`: a head the auditor kept (from an earlier verify, the minutes, a digest). */
export function parseAnchor(value: string): SignedCheckpoint | undefined {
  const match = /^(\d{1,12}):([0-9a-fA-F]{64})$/.exec(value.trim());
  if (!match) return undefined;
  const seq = Number(match[1]);
  if (seq < 1) return undefined;
  return { seq, hash: match[2]!.toLowerCase(), label: `the anchor you gave (${seq}:${match[2]!.slice(0, 12).toLowerCase()}…)` };
}

export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [];
  const scope = `${count(report.events, 'event')}, ${count(report.items, 'item')}, ${count(report.digests, 'digest')}, ${count(report.anchors, 'anchor')} checked`;
  if (report.ok) {
    lines.push(`OK: the ${report.council} audit trail verifies: ${scope}.`);
    if (report.pending > 0) lines.push(`${count(report.pending, 'event')} recorded in the last minutes ${report.pending === 1 ? 'is' : 'are'} still on the way into the chain.`);
    lines.push(`Head: ${report.events}:${report.headHash}`);
    lines.push('Keep that line (or a digest, hub audit digest): a later "hub audit verify --anchor <it>" proves nothing up to it was changed or removed since.');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`FAILED: the ${report.council} audit trail has ${count(report.findings.length, 'finding')} (${scope}):`);
  for (const finding of report.findings) lines.push(...describeFinding(finding));
  return `${lines.join('\n')}\n`;
}

function describeFinding(finding: Finding): string[] {
  const where = [finding.seq !== undefined ? `event ${finding.seq}` : undefined, finding.type, finding.ref].filter(Boolean).join(' · ');
  return [`- [${finding.code}]${where ? ` ${where}:` : ''} ${finding.problem}`, `    next: ${finding.next}`];
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-GB')} ${noun}${n === 1 ? '' : 's'}`;
}
