// `npm run gen:moderation` (with obscene-terms.ts): writes
// shared/moderation/pattern-literals.json, for each pattern of the rules tier
// the words it cannot match without (required-literals.ts), as one regular
// expression that scan() tests before running the pattern. Keyed by the
// pattern's source, so an edited pattern has no entry (and is always run)
// until this is run again; test/unit/moderation-pattern-literals.test.ts
// fails while the file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '../../shared/moderation/rules.ts';
import { allPatternSets } from '../../shared/moderation/scan.ts';
import { requiredLiterals } from './required-literals.ts';

export const PATTERN_LITERALS_FILE = fileURLToPath(new URL('../../shared/moderation/pattern-literals.json', import.meta.url));

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A text contains one of `words` iff it contains one of those that contain no other: "steal" makes "stealing" redundant. */
function minimal(words: readonly string[]): string[] {
  const unique = [...new Set(words)].sort();
  return unique.filter((w) => !unique.some((other) => other !== w && w.includes(other)));
}

export function buildPatternLiterals(): { generatedBy: string; needs: Record<string, string> } {
  const needs: Record<string, string> = {};
  // The analysis reads sources as non-unicode patterns; a u or v pattern gets no entry and always runs.
  const sources = allPatternSets().flatMap((set) => set.patterns.filter((p) => !/[uv]/.test(p.re.flags)).map((p) => p.re.source));
  for (const source of [...new Set(sources)].sort()) {
    const literals = requiredLiterals(source);
    if (!literals) continue;
    needs[source] = minimal(literals).map(escapeRegExp).join('|');
  }
  return { generatedBy: 'npm run gen:moderation (infra/build/pattern-literals.ts)', needs };
}

export function patternLiteralsJson(): string {
  return `${JSON.stringify(buildPatternLiterals(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(PATTERN_LITERALS_FILE, patternLiteralsJson());
  process.stdout.write(`wrote ${PATTERN_LITERALS_FILE}\n`);
}
