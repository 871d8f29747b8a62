// `npm run gen:moderation`: writes shared/moderation/obscene-terms.json, the
// data of the rules tier's profanity matcher (shared/moderation/obscene-matcher.ts),
// from obscenity's English dataset narrowed to shared/moderation/obscene-words.ts
// and its recommended transformers. Built here, once, so that no Lambda parses
// obscenity's dataset at import. test/unit/moderation-obscene-matcher.test.ts
// rebuilds it and fails if the committed file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers, type TransformerContainer } from 'obscenity';
import { packCodePoints } from '../../shared/moderation/code-points.ts';
import type { ObsceneTerms, TransformSpec } from '../../shared/moderation/obscene-matcher.ts';
import { OBSCENE_WORDS } from '../../shared/moderation/obscene-words.ts';

export const OBSCENE_TERMS_FILE = fileURLToPath(new URL('../../shared/moderation/obscene-terms.json', import.meta.url));

/** What RegExpMatcher keeps after compiling; private in its typings, read here only. */
interface CompiledMatcher {
  readonly blacklistedTerms: readonly { readonly id: number; readonly regExp: RegExp }[];
}

/** obscenity's collapse-duplicates transformer, as its factory builds it. */
interface Collapse {
  readonly defaultThreshold: number;
  readonly customThresholds: ReadonlyMap<number, number>;
}

export function buildObsceneTerms(): ObsceneTerms {
  const dataset = englishDataset.removePhrasesIf((phrase) => !OBSCENE_WORDS.has(phrase.metadata?.originalWord ?? '')).build();
  const matcher = new RegExpMatcher({ ...dataset, ...englishRecommendedTransformers }) as unknown as CompiledMatcher;
  const flags = new Set(matcher.blacklistedTerms.map((t) => t.regExp.flags));
  if (flags.size !== 1) throw new Error(`obscenity compiled its patterns with different flags (${[...flags].join(', ')}); the matcher assumes one set`);
  return {
    generatedFrom: `obscenity ${obscenityVersion()} englishDataset narrowed to shared/moderation/obscene-words.ts, englishRecommendedTransformers`,
    blacklist: matcher.blacklistedTerms.map((t) => ({ id: t.id, source: t.regExp.source })),
    flags: [...flags][0]!,
    whitelist: [...(dataset.whitelistedTerms ?? [])],
    blacklistTransform: transformSpec(englishRecommendedTransformers.blacklistMatcherTransformers),
    whitelistTransform: transformSpec(englishRecommendedTransformers.whitelistMatcherTransformers),
  };
}

/** One-to-one maps first, then one collapse of repeats: the only shape the matcher implements. */
function transformSpec(chain: readonly TransformerContainer[] | undefined): TransformSpec {
  const maps = (chain ?? []).slice(0, -1);
  const last = chain?.at(-1);
  if (last?.type !== 1 || maps.some((t) => t.type !== 0)) throw new Error('obscenity transformer chain is not [simple maps..., collapse duplicates]');
  const collapse = last.factory() as unknown as Collapse;
  if (typeof collapse.defaultThreshold !== 'number' || !(collapse.customThresholds instanceof Map)) throw new Error('unexpected collapse transformer');
  const from: number[] = [];
  const to: number[] = [];
  for (let c = 0; c <= 0x10ffff; c++) {
    let mapped: number | undefined = c;
    for (const t of maps) if (t.type === 0 && mapped !== undefined) mapped = t.transform(mapped);
    if (mapped === undefined) throw new Error(`a map drops U+${c.toString(16)}; the matcher assumes maps never drop a character`);
    if (mapped !== c) {
      from.push(c);
      to.push(mapped);
    }
  }
  return {
    charMap: { from: packCodePoints(from), to: packCodePoints(to) },
    collapseDefault: Number.isFinite(collapse.defaultThreshold) ? collapse.defaultThreshold : null,
    collapseCustom: [...collapse.customThresholds].sort(([a], [b]) => a - b),
  };
}

function obscenityVersion(): string {
  const main = createRequire(import.meta.url).resolve('obscenity');
  return (JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export function obsceneTermsJson(): string {
  return `${JSON.stringify(buildObsceneTerms(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OBSCENE_TERMS_FILE, obsceneTermsJson());
  process.stdout.write(`wrote ${OBSCENE_TERMS_FILE}\n`);
}
