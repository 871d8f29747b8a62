import { parseArgs } from 'node:util';

/**
 * Argument parsing shared by every `hub` command (audit, consent, cases, sar,
 * erase, hold …), so they all fail the same way: one short line and exit 2.
 *
 * API
 *   parseOptions(argv, spec)        → { values, positionals }. `spec` maps long
 *       option names to { type: 'string' | 'boolean', short?, hint? }. Throws
 *       UsageError for an unknown option (with "did you mean --from?"), a string
 *       option without a value (naming `hint`, e.g. YYYY-MM-DD) or a boolean
 *       option given a value. `--name=value` and `--name value` both work; `--`
 *       ends the options. util.parseArgs tokenises underneath.
 *   pickCommand(word, commands, what) → the command, case-insensitive; throws
 *       UsageError `unknown audit command "lst" (did you mean list?)`.
 *   oneOf(value, allowed, flag)     → a choice, case-insensitive, with a suggestion.
 *   isoDay(value, flag)             → a real calendar day as YYYY-MM-DD.
 *   reference(value)                → a reference normalised for lookup (trimmed,
 *       upper case): references are case-insensitive (`dem-2026-000002`).
 *   hexPrefix(value, flag, min)     → lower-case hex of `min`..64 characters (the
 *       12-character sender hash `list` shows is enough).
 *   didYouMean(input, candidates)   → the closest candidate, or undefined.
 *   UsageError                      → throw it for any bad invocation.
 *   reportUsageError(error, stderr, helpCommand) → writes
 *       `hub: <message>` and `Run 'hub audit --help' for the options.`; returns 2.
 */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** What the value looks like, for the "needs a value" message, e.g. `YYYY-MM-DD`. */
  readonly hint?: string;
  /** A string option that may be given more than once (`--sender a --sender b`): its value is every one, in order. */
  readonly multiple?: boolean;
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type OptionValues<S extends OptionSpecs> = {
  -readonly [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? string[] : string;
};

export interface ParsedOptions<S extends OptionSpecs> {
  readonly values: OptionValues<S>;
  readonly positionals: string[];
}

export function parseOptions<S extends OptionSpecs>(argv: readonly string[], spec: S): ParsedOptions<S> {
  const options = Object.fromEntries(Object.entries(spec).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
  // strict: false, so util.parseArgs never throws its own (long, oddly quoted)
  // messages; every problem is found in the tokens below instead.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const known = spec[token.name];
    if (!known) throw unknownOption(token.rawName, spec);
    if (known.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`option --${token.name} takes no value`);
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    // A value that is itself a known option (`--from --to`) is a forgotten value.
    if (value === undefined || (!token.inlineValue && /^--?[a-z]/i.test(value) && isKnown(value, spec))) {
      throw new UsageError(`option --${token.name} needs a value${known.hint ? ` (${known.hint})` : ''}`);
    }
    if (known.multiple) ((values[token.name] ??= []) as string[]).push(value);
    else values[token.name] = value;
  }
  return { values: values as OptionValues<S>, positionals };
}

function isKnown(raw: string, spec: OptionSpecs): boolean {
  const name = raw.replace(/^--?/, '').split('=')[0] ?? '';
  return name in spec || Object.values(spec).some((o) => o.short === name);
}

function unknownOption(rawName: string, spec: OptionSpecs): UsageError {
  const isLong = rawName.startsWith('--');
  const name = rawName.replace(/^--?/, '');
  const longNames = Object.keys(spec);
  const guess = didYouMean(name, longNames);
  const shown = isLong ? rawName : `-${name}`;
  return new UsageError(`unknown option ${shown}${guess ? ` (did you mean --${guess}?)` : ''}`);
}

export function pickCommand<T extends string>(word: string | undefined, commands: readonly T[], what: string): T {
  if (!word) throw new UsageError(`missing ${what} (one of ${commands.join(', ')})`);
  const found = commands.find((c) => c === word.toLowerCase());
  if (found) return found;
  const guess = didYouMean(word.toLowerCase(), commands);
  throw new UsageError(`unknown ${what} "${printable(word)}"${guess ? ` (did you mean ${guess}?)` : ` (one of ${commands.join(', ')})`}`);
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const found = allowed.find((a) => a === value.trim().toLowerCase());
  if (found) return found;
  const guess = didYouMean(value.trim().toLowerCase(), allowed);
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${printable(value)}"${guess ? ` (did you mean ${guess}?)` : ''}`);
}

export function isoDay(value: string, flag: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(`${value}T12:00:00Z`) : undefined;
  if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${flag} must be a real date as YYYY-MM-DD, got "${printable(value)}"`);
  }
  return value;
}

/** References are printed upper case (`DEM-2026-000002`) and accepted in any case. */
export function reference(value: string): string {
  return value.trim().toUpperCase();
}

export function hexPrefix(value: string, flag: string, min: number): string {
  const text = value.trim();
  if (!new RegExp(`^[0-9a-f]{${min},64}$`, 'i').test(text)) {
    throw new UsageError(`${flag} must be ${min} to 64 hexadecimal characters (the sender column of 'hub audit list' is enough)`);
  }
  return text.toLowerCase();
}

/** Closest candidate within a small edit distance, or a unique candidate the input starts. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3))) return best;
  const prefixed = candidates.filter((c) => input.length >= 2 && c.startsWith(input));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Optimal string alignment distance: a swap of two neighbours (form → from) counts as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}

/** Echoing user input into a terminal: no control characters, bounded length. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 60);
}

export interface Writable {
  write(text: string): unknown;
}

/** The one way a `hub` command reports a usage error: two short lines, exit code 2. */
export function reportUsageError(error: UsageError, stderr: Writable, helpCommand = 'hub --help'): number {
  stderr.write(`hub: ${error.message}\nRun '${helpCommand}' for the options.\n`);
  return 2;
}
