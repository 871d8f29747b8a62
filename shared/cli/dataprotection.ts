import type { Policy } from '../policy/schema.ts';
import type { AuditStore } from '../store/audit-store.ts';
import { eraseReferences, eraseSenders, ErasureRefusedError, type EraseDeps, type ErasureOutcome, type SenderErasure } from '../dataprotection/erase.ts';
import { HoldError, type HoldStore } from '../dataprotection/holds.ts';
import type { OpsTable } from '../dataprotection/ops-records.ts';
import type { RawMailEraser } from '../dataprotection/raw-mail.ts';
import { exportSubjectAccess, OutputDirectoryError } from '../dataprotection/sar.ts';
import { subjectKeys } from '../dataprotection/subject.ts';
import { pickCommand, parseOptions, reference, UsageError, type OptionSpecs } from './args.ts';
import { STORE_OPTIONS, type Output } from './audit.ts';

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
  ...STORE_OPTIONS,
  'ops-table': { type: 'string', hint: 'the operational table name' },
  'mail-bucket': { type: 'string', hint: 'the raw-mail bucket name' },
} as const satisfies OptionSpecs;

const IDENTITY = { type: 'string', multiple: true, hint: 'an email address, phone number or Messenger id' } as const;
const REASON = { type: 'string', hint: 'a case number such as SAR-2026-003' } as const;

const SPECS = {
  'sar export': { ...SHARED, sender: IDENTITY, out: { type: 'string', hint: 'a new directory' }, case: REASON },
  erase: { ...SHARED, sender: IDENTITY, reference: { type: 'string', multiple: true, hint: 'a reference such as STL-2026-000042' }, reason: REASON },
  'hold add': { ...SHARED, reason: REASON },
  'hold remove': { ...SHARED, reason: REASON },
  'hold list': { ...SHARED, json: { type: 'boolean' } },
} as const satisfies Record<string, OptionSpecs>;

export type DpCommand = keyof typeof SPECS;
type AnyDpOptions = (typeof SPECS)['sar export'] & (typeof SPECS)['erase'] & (typeof SPECS)['hold list'];

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
  let command: DpCommand = 'erase';
  let tail = rest;
  if (group !== 'erase') {
    const wanted = group === 'sar' ? (['export'] as const) : (['add', 'remove', 'list'] as const);
    if (rest[0] === '-h' || rest[0] === '--help') return helpArgs();
    command = `${group} ${pickCommand(rest[0], wanted, `${group} command`)}` as DpCommand;
    tail = rest.slice(1);
  }
  // Typed as every command's options; at run time only this command's are accepted.
  const { values: v, positionals } = parseOptions(tail, SPECS[command] as AnyDpOptions);
  if (v.help) return helpArgs();
  const trimmed = (list: readonly string[] | undefined) => (list ?? []).map((x) => x.trim()).filter(Boolean);
  const args: DpArgs = {
    command,
    senders: trimmed(v.sender),
    references: trimmed(v.reference).map(reference),
    ...(positionals[0] ? { ref: reference(positionals[0]) } : {}),
    ...(v.out !== undefined ? { out: v.out } : {}),
    ...(v.reason !== undefined ? { reason: caseText(v.reason, '--reason') } : {}),
    ...(v.case !== undefined ? { caseRef: caseText(v.case, '--case') } : {}),
    json: v.json === true,
    local: v.local === true,
    ...(v.table ? { table: v.table } : {}),
    ...(v['ops-table'] ? { opsTable: v['ops-table'] } : {}),
    ...(v['mail-bucket'] ? { mailBucket: v['mail-bucket'] } : {}),
    stack: v.stack ?? 'ParishCommsHub',
    ...(v.council ? { council: v.council } : {}),
    ...(v.region ? { region: v.region } : {}),
    help: false,
  };
  checkShape(args, positionals);
  return args;
}

/** The `--help` command to point at after a usage error. */
export function dpHelpCommand(argv: readonly string[]): string {
  return argv[0] === 'erase' ? 'hub erase --help' : `hub ${argv[0] ?? 'hold'} --help`;
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
  if (/@|\d[\d\s-]{8,}\d/.test(text))
    throw new UsageError(`${flag} goes into the permanent audit trail: give a case number, not an email address or phone number`);
  return text;
}

function helpArgs(): DpArgs {
  return { command: 'hold list', senders: [], references: [], json: false, local: false, stack: 'ParishCommsHub', help: true };
}

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 60);
}

export interface DpContext {
  readonly audit: AuditStore;
  readonly holds: HoldStore;
  readonly ops?: OpsTable;
  readonly rawMail?: RawMailEraser;
  /** Reads bodies too large for their record, for the SAR report. */
  readonly bodies?: { get(key: string): Promise<Uint8Array> };
  readonly senderKey?: string;
  readonly policy?: Policy;
  /** Recorded in the chain as who ran the command. */
  readonly operator: string;
  readonly out: Output;
  /** Refusals (stderr); `out` when absent. */
  readonly err?: Output;
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
      ctx.out.write(
        added ? `Hold placed on ${args.ref}: erasure and the retention sweep will skip it until it is removed.\n` : `${args.ref} is already on hold.\n`,
      );
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
    {
      audit: ctx.audit,
      holds: ctx.holds,
      senderKey,
      councilName: ctx.policy?.council.name ?? ctx.audit.council,
      now,
      ...(ctx.ops ? { ops: ctx.ops } : {}),
      ...(ctx.policy ? { policy: ctx.policy } : {}),
      ...(ctx.bodies ? { bodies: ctx.bodies } : {}),
    },
  );
  ctx.out.write(
    `Subject access export ${outcome.exportId}: ${outcome.items} recorded item${outcome.items === 1 ? '' : 's'}, ${outcome.informal} informal message${outcome.informal === 1 ? '' : 's'}.\n`,
  );
  for (const file of outcome.files) ctx.out.write(`  ${file}\n`);
  ctx.out.write(
    `Recorded in the audit trail (sar-exported, reference ${outcome.exportId}). Check report.html for other people's details before sending it (docs/data-protection.md).\n`,
  );
  return 0;
}

async function erase(args: DpArgs, ctx: DpContext, now: () => Date): Promise<number> {
  const deps: EraseDeps = { audit: ctx.audit, holds: ctx.holds, now, ...(ctx.ops ? { ops: ctx.ops } : {}), ...(ctx.rawMail ? { rawMail: ctx.rawMail } : {}) };
  const request = { reason: args.reason!, by: ctx.operator, basis: 'request' as const };
  let outcome: ErasureOutcome & Partial<SenderErasure>;
  try {
    outcome =
      args.senders.length > 0
        ? await eraseSenders(subjectKeys(args.senders, requireSenderKey(ctx)), request, deps)
        : await eraseReferences(args.references, request, deps, { opsCleanup: true });
  } catch (error) {
    if (error instanceof ErasureRefusedError) {
      (ctx.err ?? ctx.out).write(`hub: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  for (const ref of outcome.erased) ctx.out.write(`Erased ${ref}: content removed, audit trail kept.\n`);
  for (const ref of outcome.alreadyErased) ctx.out.write(`${ref} was already erased.\n`);
  for (const ref of outcome.notFound) ctx.out.write(`No audit record with reference ${ref}.\n`);
  if (outcome.informalRecords) ctx.out.write(`Removed ${outcome.informalRecords} informal message log${outcome.informalRecords === 1 ? '' : 's'}.\n`);
  if (outcome.otherRecords)
    ctx.out.write(
      `Removed or scrubbed ${outcome.otherRecords} other record${outcome.otherRecords === 1 ? '' : 's'} about them (consent, reply and message times, moderation, digest themes).\n`,
    );
  const nothing = outcome.erased.length + outcome.alreadyErased.length === 0 && !outcome.informalRecords && !outcome.otherRecords;
  if (nothing && args.senders.length) ctx.out.write('Nothing is held under that sender.\n');
  if (outcome.recordedAs) ctx.out.write(`Recorded in the audit trail (subject-erased, reference ${outcome.recordedAs}).\n`);
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
