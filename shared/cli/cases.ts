import { workingDaysBetween } from '../cases/clock.ts';
import { londonDate } from '../runtime/london-time.ts';
import type { CaseRecord, CaseStore } from '../store/case-store.ts';
import { isoDay, oneOf, parseOptions, pickCommand, reference, UsageError } from './args.ts';
import { csvCell } from './csv.ts';

/**
 * `hub cases list|show|export`: the clerk's and auditor's view of cases
 * (shared/store/case-store.ts). Pure argument handling and formatting; the
 * store and output are passed in. No personal data is printed: references,
 * channels, dates, types and states only (the resident is in `hub audit show`).
 */

export const CASES_USAGE = `Usage: hub cases <command> [options]

Commands:
  list                 cases, newest first: state, type, due date, response time
  show REF             one case: its state, clock and history of changes
  export               response times against the statutory deadlines (--csv or --json)

Filters (list, export):
  --open               only cases still open (open or awaiting clarification)
  --overdue            only open cases past their due date
  --type T             foi | sar | complaint
  --from YYYY-MM-DD    received on or after this day (Europe/London)
  --to YYYY-MM-DD      received on or before this day

Where the records are:
  --local              the running local hub (reads HUB_DATA_DIR/hub.json, default .hub/)
  --table NAME         the operational table (default: the stack output OpsTableName)
  --stack NAME         CloudFormation stack to read outputs from (default ParishCommsHub)
  --region REGION      AWS region

Output:
  --json               JSON      --csv   CSV (list, export)
  -h, --help           this text
`;

const OPTIONS = {
  open: { type: 'boolean' },
  overdue: { type: 'boolean' },
  type: { type: 'string', hint: 'foi | sar | complaint' },
  from: { type: 'string', hint: 'YYYY-MM-DD' },
  to: { type: 'string', hint: 'YYYY-MM-DD' },
  local: { type: 'boolean' },
  table: { type: 'string', hint: 'a table name' },
  stack: { type: 'string', hint: 'a stack name' },
  region: { type: 'string', hint: 'an AWS region' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMANDS = ['list', 'show', 'export'] as const;

export interface CasesArgs {
  readonly command: (typeof COMMANDS)[number];
  readonly ref?: string;
  readonly open: boolean;
  readonly overdue: boolean;
  readonly type?: 'foi' | 'sar' | 'complaint';
  readonly from?: string;
  readonly to?: string;
  readonly format: 'table' | 'json' | 'csv';
  readonly local: boolean;
  readonly table?: string;
  readonly stack: string;
  readonly region?: string;
  readonly help?: boolean;
}

/** argv after `cases`. */
export function parseCasesArgs(argv: readonly string[]): CasesArgs {
  const { values: v, positionals } = parseOptions(argv, OPTIONS);
  const base = { open: false, overdue: false, format: 'table' as const, local: false, stack: 'ParishCommsHub' };
  if (v.help) return { ...base, command: 'list', help: true };
  const [word, refWord, extra] = positionals;
  const command = pickCommand(word, COMMANDS, 'cases command');
  if (command === 'show' && !refWord) throw new UsageError('show needs a reference, e.g. hub cases show STL-2026-000042');
  const unexpected = command === 'show' ? extra : refWord;
  if (unexpected !== undefined) throw new UsageError(`unexpected argument "${unexpected.slice(0, 60)}"`);
  if (v.json && v.csv) throw new UsageError('choose one of --json and --csv');
  if (v.csv && command === 'show') throw new UsageError('--csv is for list and export');
  const from = v.from === undefined ? undefined : isoDay(v.from, '--from');
  const to = v.to === undefined ? undefined : isoDay(v.to, '--to');
  if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  return {
    ...base,
    command,
    ...(command === 'show' ? { ref: reference(refWord!) } : {}),
    open: Boolean(v.open),
    overdue: Boolean(v.overdue),
    ...(v.type !== undefined ? { type: oneOf(v.type, ['foi', 'sar', 'complaint'] as const, '--type') } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    format: v.json ? 'json' : v.csv ? 'csv' : command === 'export' ? 'csv' : 'table',
    local: Boolean(v.local),
    ...(v.table ? { table: v.table } : {}),
    ...(v.stack ? { stack: v.stack } : {}),
    ...(v.region ? { region: v.region } : {}),
  };
}

/** One row per case: what the clerk and an internal auditor look at. */
export interface CaseRow {
  readonly ref: string;
  readonly channel: string;
  readonly received: string;
  readonly status: string;
  readonly type: string;
  readonly dueOn: string;
  readonly answeredOn: string;
  /** Working days from receipt to the first answer (or to today while open). */
  readonly responseWorkingDays: number | null;
  /** `met`, `missed`, `overdue`, `due` (open, not yet due), `paused`, or '' without a clock. */
  readonly deadline: string;
  readonly clause: string;
}

export function caseRow(c: CaseRecord, today: string): CaseRow {
  const received = londonDate(new Date(c.receivedAt));
  const answeredOn = c.answeredAt ? londonDate(new Date(c.answeredAt)) : '';
  const end = answeredOn || (c.closedAt ? londonDate(new Date(c.closedAt)) : '');
  const dueOn = c.clock?.dueOn ?? '';
  const deadline = !c.clock
    ? ''
    : answeredOn
      ? answeredOn <= dueOn
        ? 'met'
        : 'missed'
      : c.status === 'closed'
        ? 'closed'
        : c.clock.pausedSince
          ? 'paused'
          : today > dueOn
            ? 'overdue'
            : 'due';
  return {
    ref: c.ref,
    channel: c.channel,
    received,
    status: c.status,
    type: c.type ?? '',
    dueOn,
    answeredOn,
    responseWorkingDays: c.status === 'not-tracked' ? null : workingDaysBetween(received, end || today),
    deadline,
    clause: c.clock?.clause ?? '',
  };
}

export interface CasesContext {
  readonly cases: CaseStore;
  readonly out: { write(text: string): void };
  readonly now?: Date;
}

export async function runCases(args: CasesArgs, ctx: CasesContext): Promise<number> {
  const today = londonDate(ctx.now ?? new Date());
  if (args.command === 'show') {
    const record = await ctx.cases.get(args.ref!);
    if (!record) {
      ctx.out.write(`no case ${args.ref}\n`);
      return 1;
    }
    const row = caseRow(record, today);
    if (args.format === 'json')
      ctx.out.write(
        `${JSON.stringify({ ...row, clock: record.clock ?? null, answers: record.answers, hold: record.hold ?? null, typeSource: record.typeSource ?? null }, null, 2)}\n`,
      );
    else ctx.out.write(showText(row, record));
    return 0;
  }
  const rows: CaseRow[] = [];
  const range = { ...(args.from ? { from: `${args.from}T00:00:00.000Z` } : {}), ...(args.to ? { to: `${args.to}T23:59:59.999Z` } : {}) };
  for await (const record of ctx.cases.list(widen(range))) {
    const row = caseRow(record, today);
    if (args.from && row.received < args.from) continue;
    if (args.to && row.received > args.to) continue;
    if (args.type && row.type !== args.type) continue;
    if (args.open && !(record.status === 'open' || record.status === 'awaiting-clarification')) continue;
    if (args.overdue && row.deadline !== 'overdue') continue;
    if (args.command === 'export' && record.status === 'not-tracked') continue;
    rows.push(row);
  }
  if (args.command === 'list') rows.reverse();
  ctx.out.write(format(rows, args.format));
  return 0;
}

/** London days start up to an hour before midnight UTC: widen the index range by a day and filter exactly above. */
function widen(range: { from?: string; to?: string }): { from?: string; to?: string } {
  const shift = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();
  return { ...(range.from ? { from: shift(range.from, -1) } : {}), ...(range.to ? { to: shift(range.to, 1) } : {}) };
}

const COLUMNS: (keyof CaseRow)[] = ['ref', 'channel', 'received', 'status', 'type', 'dueOn', 'answeredOn', 'responseWorkingDays', 'deadline', 'clause'];

function format(rows: readonly CaseRow[], as: CasesArgs['format']): string {
  if (as === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (as === 'csv') return `${[COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`;
  if (rows.length === 0) return 'No cases match.\n';
  const headers = ['Reference', 'Channel', 'Received', 'Status', 'Type', 'Due', 'Answered', 'Work days', 'Deadline'];
  const cells = rows.map((r) => [
    r.ref,
    r.channel,
    r.received,
    r.status,
    r.type || '-',
    r.dueOn || '-',
    r.answeredOn || '-',
    r.responseWorkingDays === null ? '-' : String(r.responseWorkingDays),
    r.deadline || '-',
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const overdue = rows.filter((r) => r.deadline === 'overdue').length;
  return `${[line(headers), ...cells.map(line), '', `${rows.length} case(s)${overdue ? `, ${overdue} OVERDUE` : ''}`].join('\n')}\n`;
}

function showText(row: CaseRow, record: CaseRecord): string {
  const lines = [
    `Case ${row.ref}`,
    `  Channel:    ${row.channel}`,
    `  Received:   ${row.received}`,
    `  Status:     ${row.status}${record.hold ? ` (held: ${record.hold})` : ''}`,
    `  Type:       ${row.type || 'none'}${record.typeSource ? ` (${record.typeSource === 'clerk' ? 'set by the clerk' : `detected: ${record.typeSource}`})` : ''}`,
    ...(record.clock
      ? [
          `  Due:        ${record.clock.dueOn} — ${record.clock.rule} (${record.clock.clause})${record.clock.extended ? ', extended' : ''}${record.clock.pausedSince ? `, paused since ${record.clock.pausedSince}` : ''}`,
        ]
      : []),
    `  Answers:    ${record.answers}${row.answeredOn ? ` (first ${row.answeredOn})` : ''}`,
    `  Deadline:   ${row.deadline || 'no statutory clock'}`,
    `  Work days:  ${row.responseWorkingDays ?? '-'}`,
    '',
    `The full history (answers, commands, deliveries) is in: hub audit show ${row.ref}`,
  ];
  return `${lines.join('\n')}\n`;
}
