import { parseArgs } from 'node:util';
import type { Policy } from '../policy/schema.ts';
import type { AuditStore } from '../store/audit-store.ts';
import { eraseReferences, eraseSenders, ErasureRefusedError, type EraseDeps, type ErasureOutcome } from '../dataprotection/erase.ts';
import { HoldError, type HoldStore } from '../dataprotection/holds.ts';
import type { OpsTable } from '../dataprotection/ops-records.ts';
import type { RawMailEraser } from '../dataprotection/raw-mail.ts';
import { exportSubjectAccess, OutputDirectoryError } from '../dataprotection/sar.ts';
import { senderHashes } from '../dataprotection/subject.ts';
import { UsageError, type Output } from './audit.ts';

/**
 * `hub sar export`, `hub erase`, `hub hold add|remove|list`: the data
 * protection officer's commands. Argument handling and the run are pure of
 * process state: the stores and outputs are passed in (tests drive them on
 * dynalite); shared/cli/main.ts opens the stores, as the DPO role in AWS.
 */

export const DP_USAGE = `Usage:
  hub sar export --sender ID [--sender ID …] --out DIR [--case REF]
        everything held about one person (email address, phone number or Messenger id;
        give every identity they used) as report.html, report.json and manifest.json
  hub erase --sender ID [--sender ID …] --reason TEXT
  hub erase --reference REF [--reference REF …] --reason TEXT
        erase personal data, keep the audit trail; refused while a legal hold applies
  hub hold add REF --reason TEXT      stop erasure and the retention sweep for a matter
  hub hold remove REF --reason TEXT
  hub hold list [--json]

  --reason and --case go into the permanent audit trail: give a case number
  (e.g. SAR-2026-003), never a name, address or phone number.

Where the records are: --local (the running local hub), or --table, --ops-table,
--mail-bucket, --council, --stack NAME (default ParishCommsHub), --region.
The sender-hash key comes from HUB_SENDER_KEY (or the local hub with --local).
`;

const SHARED = {
  local: { type: 'boolean' },
  table: { type: 'string' },
  'ops-table': { type: 'string' },
  'mail-bucket': { type: 'string' },
  stack: { type: 'string' },
  council: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SPECS = {
  'sar export': { ...SHARED, sender: { type: 'string', multiple: true }, out: { type: 'string' }, case: { type: 'string' } },
  erase: { ...SHARED, sender: { type: 'string', multiple: true }, reference: { type: 'string', multiple: true }, reason: { type: 'string' } },
  'hold add': { ...SHARED, reason: { type: 'string' } },
  'hold remove': { ...SHARED, reason: { type: 'string' } },
  'hold list': { ...SHARED, json: { type: 'boolean' } },
} as const;

export type DpCommand = keyof typeof SPECS;

export interface DpArgs {
  readonly command: DpCommand;
  readonly senders: readonly string[];
  readonly references: readonly string[];
  readonly ref?: string;
  readonly out?: string;
  readonly reason?: string;
  readonly caseRef?: string;
  readonly json: boolean;
  readonly local: boolean;
  readonly table?: string;
  readonly opsTable?: string;
  readonly mailBucket?: string;
  readonly stack: string;
  readonly council?: string;
  readonly region?: string;
  readonly help: boolean;
}

export const DP_GROUPS = ['sar', 'erase', 'hold'] as const;

export function parseDpArgs(argv: readonly string[]): DpArgs {
  const [group, ...rest] = argv;
  let command: DpCommand;
  let tail = rest;
  if (group === 'erase') command = 'erase';
  else {
    const sub = rest[0];
    const wanted = group === 'sar' ? ['export'] : ['add', 'remove', 'list'];
    if (rest.some((a) => a === '-h' || a === '--help') && (!sub || sub.startsWith('-'))) return helpArgs();
    if (!sub || !wanted.includes(sub)) throw new UsageError(`${sub ? `unknown ${group} command "${printable(sub)}"` : `missing ${group} command`} (one of ${wanted.join(', ')})`);
    command = `${group} ${sub}` as DpCommand;
    tail = rest.slice(1);
  }
  const spec = SPECS[command];
  let parsed;
  try {
    parsed = parseArgs({ args: [...tail], options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(oneLineParseError(error as Error, Object.keys(spec)));
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return helpArgs();
  const positionals = parsed.positionals;
  const str = (name: string) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  const many = (name: string) => ((v[name] as string[] | undefined) ?? []).map((s) => s.trim()).filter(Boolean);
  const args: DpArgs = {
    command,
    senders: many('sender'),
    references: many('reference').map((r) => r.toUpperCase()),
    ...(positionals[0] ? { ref: positionals[0].trim().toUpperCase() } : {}),
    ...(str('out') !== undefined ? { out: str('out') } : {}),
    ...(str('reason') !== undefined ? { reason: caseText(str('reason')!, '--reason') } : {}),
    ...(str('case') !== undefined ? { caseRef: caseText(str('case')!, '--case') } : {}),
    json: v.json === true,
    local: v.local === true,
    ...(str('table') ? { table: str('table') } : {}),
    ...(str('ops-table') ? { opsTable: str('ops-table') } : {}),
    ...(str('mail-bucket') ? { mailBucket: str('mail-bucket') } : {}),
    stack: str('stack') ?? 'ParishCommsHub',
    ...(str('council') ? { council: str('council') } : {}),
    ...(str('region') ? { region: str('region') } : {}),
    help: false,
  };
  checkShape(args, positionals);
  return args;
}

function checkShape(args: DpArgs, positionals: readonly string[]): void {
  const needsRef = args.command === 'hold add' || args.command === 'hold remove';
  const allowed = needsRef ? 1 : 0;
  if (positionals.length > allowed) throw new UsageError(`unexpected argument "${printable(positionals[allowed] ?? '')}"`);
  if (needsRef && !args.ref) throw new UsageError(`${args.command} needs a reference, e.g. hub ${args.command} STL-2026-000042 --reason FOI-2026-007`);
  if ((needsRef || args.command === 'erase') && !args.reason) throw new UsageError(`${args.command} needs --reason (a case number, e.g. SAR-2026-003)`);
  if (args.command === 'sar export') {
    if (args.senders.length === 0) throw new UsageError('sar export needs --sender (an email address, phone number or Messenger id)');
    if (!args.out) throw new UsageError('sar export needs --out DIR (a new directory for the report)');
  }
  if (args.command === 'erase') {
    if (args.senders.length > 0 && args.references.length > 0) throw new UsageError('erase takes --sender or --reference, not both');
    if (args.senders.length === 0 && args.references.length === 0) throw new UsageError('erase needs --sender ID or --reference REF');
  }
}

/** Case numbers and reasons are kept in the chain for ever: refuse what looks like an address or a phone number. */
function caseText(value: string, flag: string): string {
  const text = value.trim();
  if (!text) throw new UsageError(`${flag} must not be empty`);
  if (text.length > 200) throw new UsageError(`${flag} must be at most 200 characters`);
  if (/@|\d[\d\s-]{8,}\d/.test(text)) throw new UsageError(`${flag} goes into the permanent audit trail: give a case number, not an email address or phone number`);
  return text;
}

function helpArgs(): DpArgs {
  return { command: 'hold list', senders: [], references: [], json: false, local: false, stack: 'ParishCommsHub', help: true };
}

/** util.parseArgs messages run to several lines; keep the first, and suggest the option meant. */
function oneLineParseError(error: Error, known: readonly string[]): string {
  const first = (error.message.split('\n')[0] ?? 'bad arguments').replace(/\. To specify a positional argument.*$/, '');
  const unknown = /Unknown option '--?([^']+)'/.exec(first);
  if (unknown) {
    const guess = known.find((k) => closeTo(unknown[1] ?? '', k));
    return `unknown option --${printable(unknown[1] ?? '')}${guess ? ` (did you mean --${guess}?)` : ''}`;
  }
  return first;
}

function closeTo(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]! <= 2;
}

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 60);
}

export interface DpContext {
  readonly audit: AuditStore;
  readonly holds: HoldStore;
  readonly ops?: OpsTable;
  readonly rawMail?: RawMailEraser;
  readonly senderKey?: string;
  readonly policy?: Policy;
  /** Recorded in the chain as who ran the command. */
  readonly operator: string;
  readonly out: Output;
  readonly now?: () => Date;
}

/** Runs one parsed command; returns the exit code (0 done, 1 refused or not found). */
export async function runDp(args: DpArgs, ctx: DpContext): Promise<number> {
  const now = ctx.now ?? (() => new Date());
  switch (args.command) {
    case 'sar export':
      return sarExport(args, ctx, now);
    case 'erase':
      return erase(args, ctx, now);
    case 'hold add': {
      const added = await ctx.holds.add(args.ref!, args.reason!, ctx.operator, now().toISOString());
      ctx.out.write(added ? `Hold placed on ${args.ref}: erasure and the retention sweep will skip it until it is removed.\n` : `${args.ref} is already on hold.\n`);
      return 0;
    }
    case 'hold remove': {
      const removed = await ctx.holds.remove(args.ref!, args.reason!, ctx.operator, now().toISOString());
      ctx.out.write(removed ? `Hold on ${args.ref} removed.\n` : `${args.ref} has no hold.\n`);
      return removed ? 0 : 1;
    }
    case 'hold list':
      return holdList(args, ctx);
  }
}

async function sarExport(args: DpArgs, ctx: DpContext, now: () => Date): Promise<number> {
  const senderKey = requireSenderKey(ctx);
  const outcome = await exportSubjectAccess(
    { identities: args.senders, outDir: args.out!, by: ctx.operator, ...(args.caseRef ? { caseRef: args.caseRef } : {}) },
    { audit: ctx.audit, holds: ctx.holds, senderKey, councilName: ctx.policy?.council.name ?? ctx.audit.council, now, ...(ctx.ops ? { ops: ctx.ops } : {}), ...(ctx.policy ? { policy: ctx.policy } : {}) },
  );
  ctx.out.write(`Subject access export ${outcome.exportId}: ${outcome.items} recorded item${outcome.items === 1 ? '' : 's'}, ${outcome.informal} informal message${outcome.informal === 1 ? '' : 's'}.\n`);
  for (const file of outcome.files) ctx.out.write(`  ${file}\n`);
  ctx.out.write(`Recorded in the audit trail as event ${outcome.eventSeq}. Check report.html for other people's details before sending it (docs/data-protection.md).\n`);
  return 0;
}

async function erase(args: DpArgs, ctx: DpContext, now: () => Date): Promise<number> {
  const deps: EraseDeps = { audit: ctx.audit, holds: ctx.holds, now, ...(ctx.ops ? { ops: ctx.ops } : {}), ...(ctx.rawMail ? { rawMail: ctx.rawMail } : {}) };
  const request = { reason: args.reason!, by: ctx.operator, basis: 'request' as const };
  let outcome: ErasureOutcome & { informalRecords?: number };
  try {
    outcome =
      args.senders.length > 0
        ? await eraseSenders(senderHashes(args.senders, requireSenderKey(ctx)), request, deps)
        : await eraseReferences(args.references, request, deps, { opsCleanup: true });
  } catch (error) {
    if (error instanceof ErasureRefusedError) {
      ctx.out.write(`hub: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  for (const ref of outcome.erased) ctx.out.write(`Erased ${ref}: content removed, audit trail kept.\n`);
  for (const ref of outcome.alreadyErased) ctx.out.write(`${ref} was already erased.\n`);
  for (const ref of outcome.notFound) ctx.out.write(`No audit record with reference ${ref}.\n`);
  if (outcome.informalRecords) ctx.out.write(`Removed ${outcome.informalRecords} informal message log${outcome.informalRecords === 1 ? '' : 's'}.\n`);
  const nothing = outcome.erased.length + outcome.alreadyErased.length === 0 && !outcome.informalRecords;
  if (nothing) ctx.out.write(args.senders.length ? 'Nothing is held under that sender.\n' : '');
  return outcome.notFound.length > 0 ? 1 : 0;
}

async function holdList(args: DpArgs, ctx: DpContext): Promise<number> {
  const holds = await ctx.holds.list();
  if (args.json) ctx.out.write(`${JSON.stringify(holds, null, 2)}\n`);
  else if (holds.length === 0) ctx.out.write('No legal holds.\n');
  else for (const h of holds) ctx.out.write(`${h.ref}  since ${h.addedAt.slice(0, 10)}  by ${h.addedBy}  ${h.reason}\n`);
  return 0;
}

function requireSenderKey(ctx: DpContext): string {
  if (!ctx.senderKey) throw new UsageError('--sender needs the sender-hash key: set HUB_SENDER_KEY (the CONSENT_SIGNING_KEY secret), or use --local');
  return ctx.senderKey;
}

export { HoldError, OutputDirectoryError };
