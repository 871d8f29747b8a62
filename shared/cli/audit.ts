import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHANNELS } from '../model/inbound-item.ts';
import { CLASSIFICATIONS } from '../model/decision.ts';
import { CONSENT_STATUSES, type AuditEvent, type AuditSummary } from '../model/audit.ts';
import { londonDay } from '../runtime/london-time.ts';
import type { AuditStore, SummaryFilter } from '../store/audit-store.ts';
import { hashSender } from '../store/hash.ts';
import {
  DIGEST_OPTIONS,
  digestLocation,
  NO_VERIFY_ARGS,
  runDigest,
  runKey,
  runVerify,
  VERIFY_OPTIONS,
  verifyArgs,
  type DigestAccess,
  type DigestLocation,
  type VerifyArgs,
} from './audit-verify.ts';
import { londonDateTime } from '../runtime/london-time.ts';
import { hexPrefix, isoDay, oneOf, parseOptions, pickCommand, reference, UsageError, type OptionSpecs } from './args.ts';
import { csvCell } from './csv.ts';

/**
 * `hub audit list|show|verify|export`: the auditor's command line. Pure
 * argument handling and formatting here; the store and the output stream are
 * passed in, so tests drive it against dynalite without spawning processes.
 */

export const USAGE = `Usage: hub audit <command> [options]

Commands:
  list                 list audited items (a readable table; --json for machines)
  show REF             the whole event history of one item, e.g. STL-2026-000042
  verify               check the council's whole audit trail: the hash chain, the HEAD mark,
                       every summary and message content against its events, and anchors you
                       kept; lists every finding and exits 1 if there is any
  export               every matching item, streamed (--csv or --json; no row cap)
  digest               sign a digest of the chain now ({council, seq, head hash, time}) and store
                       it outside the table; --json prints it for you to keep
  key                  the public key digests are signed with (PEM)

Filters (list, export):
  --from YYYY-MM-DD    received on or after this day (Europe/London)
  --to YYYY-MM-DD      received on or before this day
  --channel NAME       ${CHANNELS.join(' | ')}
  --classification C   ${CLASSIFICATIONS.join(' | ')}
  --consent STATUS     ${CONSENT_STATUSES.join(' | ')}
  --reference REF      one item (any case)
  --sender ID          an email address or phone number (needs the sender-hash key:
                       HUB_SENDER_KEY, or the local hub's key with --local)
  --sender-hash HEX    the pseudonymous sender id: the 12 characters 'list' shows, or all 64

Where the records are:
  --local              the running local hub (reads HUB_DATA_DIR/hub.json, default .hub/)
  --table NAME         the audit table (default: the stack output AuditTableName)
  --stack NAME         CloudFormation stack to read outputs from (default ParishCommsHub)
  --council ID         the council whose chain to verify (default: the stack output Council)
  --region REGION      AWS region (default: the SDK chain, else eu-west-2)

Verify:
  --anchor SEQ:HASH    a head you kept from an earlier verify (several: comma-separated): the
                       chain must still have that hash at that event
  --digest FILE        a digest you kept (several: comma-separated): its signature must verify and
                       the chain must still hold its hash at its event
  --allow-empty        an empty chain is not a finding (a new hub that has recorded nothing yet)

Digests (verify, digest, key; docs/audit.md):
  --public-key FILE    check signatures with the public key you kept, not the hub's current one
  --digest-bucket NAME the stack output DigestBucketName   } for a role that cannot read the
  --signing-key ARN    the stack output AuditSigningKeyArn } stack outputs (the auditor role)

Output:
  --json               JSON (list/show/verify: one document; export: JSON Lines)
  --csv                CSV (list, export)
  -h, --help           this text
`;

export { UsageError };

export interface AuditArgs {
  readonly command: 'list' | 'show' | 'verify' | 'export' | 'digest' | 'key';
  readonly ref?: string;
  readonly filter: SummaryFilter;
  readonly senderIdentity?: string;
  readonly format: 'table' | 'json' | 'csv';
  readonly local: boolean;
  readonly table?: string;
  readonly stack: string;
  readonly council?: string;
  readonly region?: string;
  readonly verify: VerifyArgs;
  /** verify, digest, key: where the digests and the key are (default: the stack outputs, or HUB_DATA_DIR with --local). */
  readonly digests: DigestLocation;
  readonly help: boolean;
}

const COMMANDS = ['list', 'show', 'verify', 'export', 'digest', 'key'] as const;

/** The options every `hub` command that reads the audit table takes. */
export const STORE_OPTIONS = {
  local: { type: 'boolean' },
  table: { type: 'string', hint: 'the audit table name' },
  stack: { type: 'string', hint: 'a CloudFormation stack name' },
  council: { type: 'string', hint: 'a council id' },
  region: { type: 'string', hint: 'an AWS region' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

const AUDIT_OPTIONS = {
  ...STORE_OPTIONS,
  from: { type: 'string', hint: 'YYYY-MM-DD' },
  to: { type: 'string', hint: 'YYYY-MM-DD' },
  channel: { type: 'string', hint: CHANNELS.join(' | ') },
  classification: { type: 'string', hint: CLASSIFICATIONS.join(' | ') },
  consent: { type: 'string', hint: CONSENT_STATUSES.join(' | ') },
  reference: { type: 'string', hint: 'a reference such as STL-2026-000042' },
  sender: { type: 'string', hint: 'an email address or phone number' },
  'sender-hash': { type: 'string', hint: 'the sender column of list, 12 to 64 hex characters' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  ...VERIFY_OPTIONS,
  ...DIGEST_OPTIONS,
} as const satisfies OptionSpecs;

export function parseAuditArgs(argv: readonly string[]): AuditArgs {
  const { values: v, positionals } = parseOptions(argv, AUDIT_OPTIONS);
  const [group, commandWord, refWord, ...extra] = positionals;
  if (v.help) return { command: 'list', filter: {}, format: 'table', local: false, stack: 'ParishCommsHub', verify: NO_VERIFY_ARGS, digests: {}, help: true };
  pickCommand(group, ['audit'] as const, 'command');
  const command = pickCommand(commandWord, COMMANDS, 'audit command');
  if (command === 'show' && !refWord) throw new UsageError('show needs a reference, e.g. hub audit show STL-2026-000042');
  const unexpected = command === 'show' ? extra[0] : (refWord ?? extra[0]);
  if (unexpected !== undefined) throw new UsageError(`unexpected argument "${unexpected.slice(0, 60)}"`);
  if (v.json && v.csv) throw new UsageError('choose one of --json and --csv');
  if (v.csv && (command === 'show' || command === 'verify')) throw new UsageError(`--csv is for list and export`);
  if (v.sender !== undefined && v['sender-hash'] !== undefined) throw new UsageError('choose one of --sender and --sender-hash');

  const from = v.from === undefined ? undefined : isoDay(v.from, '--from');
  const to = v.to === undefined ? undefined : isoDay(v.to, '--to');
  if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const senderHash = v['sender-hash'] === undefined ? undefined : hexPrefix(v['sender-hash'], '--sender-hash', 12);
  const filter: SummaryFilter = {
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(v.channel !== undefined ? { channel: oneOf(v.channel, CHANNELS, '--channel') } : {}),
    ...(v.classification !== undefined ? { classification: oneOf(v.classification, CLASSIFICATIONS, '--classification') } : {}),
    ...(v.consent !== undefined ? { consentStatus: oneOf(v.consent, CONSENT_STATUSES, '--consent') } : {}),
    ...(v.reference !== undefined ? { ref: reference(v.reference) } : {}),
    ...(senderHash === undefined ? {} : senderHash.length === 64 ? { senderHash } : { senderHashPrefix: senderHash }),
  };
  return {
    command,
    ...(refWord && command === 'show' ? { ref: reference(refWord) } : {}),
    filter,
    ...(v.sender !== undefined ? { senderIdentity: v.sender } : {}),
    format: v.json ? 'json' : v.csv ? 'csv' : command === 'export' ? 'csv' : 'table',
    local: v.local ?? false,
    ...(v.table !== undefined ? { table: v.table } : {}),
    stack: v.stack ?? 'ParishCommsHub',
    ...(v.council !== undefined ? { council: v.council } : {}),
    ...(v.region !== undefined ? { region: v.region } : {}),
    verify: verifyArgs(v, command),
    digests: digestLocation(v),
    help: false,
  };
}

/** What `--local` reads: written by the local hub when it starts. */
export interface LocalHubInfo {
  readonly dynamodbEndpoint: string;
  readonly auditTable: string;
  readonly council: string;
  readonly senderKey: string;
  /** The FIFO audit queue and its endpoint: events the CLI records go to the appender. */
  readonly sqsEndpoint?: string;
  readonly auditQueueUrl?: string;
  /** The operational table (consent, cases, data protection). */
  readonly opsTable?: string;
}

export function readLocalHubInfo(dataDir = process.env.HUB_DATA_DIR?.trim() || '.hub'): LocalHubInfo {
  const file = join(resolve(dataDir), 'hub.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalHubInfo;
  } catch {
    throw new UsageError(`no running local hub found (${file} is missing); start it with npm start, or set HUB_DATA_DIR`);
  }
}

export interface Output {
  write(text: string): void;
}

export interface RunContext {
  readonly store: AuditStore;
  readonly out: Output;
  /** Progress lines for long exports (stderr). */
  readonly progress?: Output;
  /** Key for --sender; absent when unknown. */
  readonly senderKey?: string;
  /** The digest store and key (verify, digest, key). */
  readonly digests?: DigestAccess;
}

/** Runs one parsed command; returns the process exit code. */
export async function runAudit(args: AuditArgs, ctx: RunContext): Promise<number> {
  const filter = withSender(args, ctx.senderKey);
  switch (args.command) {
    case 'list':
      return list(ctx, filter, args.format);
    case 'export':
      return exportAll(ctx, filter, args.format === 'json' ? 'json' : 'csv');
    case 'show':
      return show(ctx, args.ref!, args.format === 'json');
    case 'verify':
      return runVerify({ ...ctx, ...(args.digests.publicKeyFile ? { publicKeyFile: args.digests.publicKeyFile } : {}) }, args.verify, args.format === 'json');
    case 'digest':
      return runDigest(ctx, args.format === 'json');
    case 'key':
      return runKey(ctx);
  }
}

function withSender(args: AuditArgs, key: string | undefined): SummaryFilter {
  if (args.senderIdentity === undefined) return args.filter;
  if (!key) throw new UsageError('--sender needs the sender-hash key (set HUB_SENDER_KEY, or use --sender-hash)');
  return { ...args.filter, senderHash: hashSender(args.senderIdentity, key) };
}

const COLUMNS = ['ref', 'receivedAt', 'channel', 'classification', 'consentStatus', 'retainUntil', 'senderHash'] as const;

async function list(ctx: RunContext, filter: SummaryFilter, format: AuditArgs['format']): Promise<number> {
  const rows: AuditSummary[] = [];
  for await (const summary of ctx.store.listSummaries(filter)) rows.push(summary);
  rows.sort(byReceived);
  if (format === 'json') {
    ctx.out.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (format === 'csv') {
    ctx.out.write(`${COLUMNS.join(',')}\n`);
    for (const row of rows) ctx.out.write(csvRow(row));
  } else {
    ctx.out.write(
      table(
        ['Reference', 'Received', 'Channel', 'Class', 'Consent', 'Keep until', 'Sender'],
        rows.map((r) => [
          r.ref,
          londonDateTime(r.receivedAt),
          r.channel,
          r.classification,
          r.consentStatus,
          r.retainUntil.slice(0, 10),
          r.senderHash.slice(0, 12),
        ]),
      ),
    );
    ctx.out.write(`${rows.length} item${rows.length === 1 ? '' : 's'}\n`);
  }
  return 0;
}

/**
 * Streams in the same order as `list` (received time, then reference) while
 * holding at most one Europe/London day of summaries in memory.
 */
async function exportAll(ctx: RunContext, filter: SummaryFilter, format: 'csv' | 'json'): Promise<number> {
  if (format === 'csv') ctx.out.write(`${COLUMNS.join(',')}\n`);
  let count = 0;
  const days = filter.ref ? [undefined] : (await ctx.store.summaryDays()).filter((d) => (!filter.from || d >= filter.from) && (!filter.to || d <= filter.to));
  for (const day of days) {
    const rows: AuditSummary[] = [];
    for await (const summary of ctx.store.listSummaries(day ? { ...filter, from: day, to: day } : filter)) rows.push(summary);
    for (const summary of rows.sort(byReceived)) {
      ctx.out.write(format === 'csv' ? csvRow(summary) : `${JSON.stringify(summary)}\n`);
      count += 1;
      if (count % 500 === 0) ctx.progress?.write(`exported ${count} items…\n`);
    }
  }
  ctx.progress?.write(`exported ${count} item${count === 1 ? '' : 's'}\n`);
  return 0;
}

function byReceived(a: AuditSummary, b: AuditSummary): number {
  return a.receivedAt.localeCompare(b.receivedAt) || a.ref.localeCompare(b.ref);
}

async function show(ctx: RunContext, ref: string, json: boolean): Promise<number> {
  const [summary, events, content] = await Promise.all([ctx.store.getSummary(ref), ctx.store.eventsFor(ref), ctx.store.getContent(ref)]);
  if (!summary && events.length === 0) {
    ctx.out.write(json ? `${JSON.stringify({ ref, found: false })}\n` : `No audit record with reference ${ref}\n`);
    return 1;
  }
  if (json) {
    ctx.out.write(`${JSON.stringify({ ref, summary, events, content }, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [`Reference ${ref}`];
  if (summary) {
    lines.push(
      `  channel         ${summary.channel} (${summary.provider})`,
      `  received        ${londonDateTime(summary.receivedAt)}`,
      `  classification  ${summary.classification}`,
      `  consent         ${summary.consentStatus}`,
      `  sender (hash)   ${summary.senderHash}`,
      `  keep until      ${summary.retainUntil}`,
    );
  }
  const erased = content?.erased ?? summary?.erased;
  if (erased) lines.push(`  personal data   erased on ${londonDay(erased.at)} because ${oneLine(erased.reason)}`);
  else if (content?.content?.subject) lines.push(`  subject         ${oneLine(content.content.subject)}`);
  lines.push('', 'Events:');
  for (const event of events) lines.push(...describeEvent(event));
  ctx.out.write(`${lines.join('\n')}\n`);
  return 0;
}

function describeEvent(event: AuditEvent): string[] {
  const head = `  #${event.seq}  ${londonDateTime(event.at)}  ${event.type}`;
  const out = [head];
  const reasons = event.data.reasons;
  if (Array.isArray(reasons)) {
    for (const reason of reasons as { rule?: string; clause?: string; detail?: string }[]) {
      out.push(`        ${reason.rule ?? '?'} [${reason.clause ?? '?'}] ${oneLine(reason.detail ?? '')}`);
    }
  }
  const rest = Object.entries(event.data).filter(([key]) => key !== 'reasons');
  if (rest.length > 0) out.push(`        ${rest.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('  ')}`);
  out.push(`        hash ${event.hash.slice(0, 16)}…  prev ${event.prevHash.slice(0, 16)}…`);
  return out;
}

function csvRow(summary: AuditSummary): string {
  return `${COLUMNS.map((column) => csvCell(String(summary[column] ?? ''))).join(',')}\n`;
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  return line(header) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('');
}
