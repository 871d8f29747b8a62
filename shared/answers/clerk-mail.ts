/**
 * Pure reading of the clerk's reply: what they wrote (without the quoted
 * routing email and their signature) and the `#commands` on its first line.
 */

export const CASE_COMMANDS = ['close', 'foi', 'sar', 'complaint', 'not-foi', 'extend', 'clarify'] as const;
export type CaseCommand = (typeof CASE_COMMANDS)[number];

export interface ClerkReply {
  /** The answer for the resident, trimmed; empty when the clerk sent only commands. */
  readonly answer: string;
  readonly commands: readonly CaseCommand[];
  /** `#words` on the command line that are not commands: nothing is done, the clerk is told. */
  readonly unknownCommands: readonly string[];
}

/** Lines that start the quoted original in the common mail clients. */
const QUOTE_HEADERS: readonly RegExp[] = [
  /^on\b.{0,300}\bwrote:\s*$/i, // Gmail, Apple Mail, Thunderbird (maybe wrapped, see below)
  /^-{2,}\s*original message\s*-{2,}\s*$/i, // Outlook desktop
  /^_{10,}\s*$/, // Outlook on the web, before a From:/Sent: block
  /^from:\s.+$/i, // Outlook without a rule line (accepted only when a Sent:/Date: line follows)
  /^-{2,}\s*forwarded message\s*-{2,}\s*$/i,
];
/** The RFC 3676 signature delimiter and the mobile clients' footers. */
const SIGNATURE = /^(-- ?|sent from my \S.*|sent from outlook.*|get outlook for .*|sent from mail for windows.*)$/i;

export function readClerkReply(text: string): ClerkReply {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (startsQuote(lines, i)) break;
    if (SIGNATURE.test(trimmed)) break;
    if (trimmed.startsWith('>')) continue;
    kept.push(line.replace(/\s+$/, ''));
  }
  const { commands, unknownCommands, rest } = commandLine(kept);
  return { answer: rest.join('\n').trim(), commands, unknownCommands };
}

function startsQuote(lines: readonly string[], i: number): boolean {
  const line = lines[i]!.trim();
  // Gmail wraps "On …, Name <address> wrote:" over two lines.
  const joined = `${line} ${(lines[i + 1] ?? '').trim()}`;
  if (/^on\b/i.test(line) && (QUOTE_HEADERS[0]!.test(line) || (line.length > 20 && QUOTE_HEADERS[0]!.test(joined)))) return true;
  if (QUOTE_HEADERS[1]!.test(line) || QUOTE_HEADERS[4]!.test(line)) return true;
  const next = lines.slice(i + 1, i + 5).map((l) => l.trim());
  if (QUOTE_HEADERS[2]!.test(line)) return next.some((l) => /^from:\s/i.test(l));
  if (QUOTE_HEADERS[3]!.test(line)) return next.some((l) => /^(sent|date):\s/i.test(l));
  return false;
}

/** The first non-empty line is a command line when every word on it is a `#word`. */
function commandLine(lines: readonly string[]): { commands: CaseCommand[]; unknownCommands: string[]; rest: readonly string[] } {
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return { commands: [], unknownCommands: [], rest: lines };
  const words = lines[first]!.trim()
    .split(/[\s,;]+/)
    .filter(Boolean);
  if (!words.every((w) => /^#[a-z-]+$/i.test(w))) return { commands: [], unknownCommands: [], rest: lines };
  const commands: CaseCommand[] = [];
  const unknownCommands: string[] = [];
  for (const word of words) {
    const name = word.slice(1).toLowerCase();
    if ((CASE_COMMANDS as readonly string[]).includes(name)) {
      if (!commands.includes(name as CaseCommand)) commands.push(name as CaseCommand);
    } else unknownCommands.push(word);
  }
  return { commands, unknownCommands, rest: lines.slice(first + 1) };
}
