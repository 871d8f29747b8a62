import type { ModerationCategory } from '../model/moderation-categories.ts';
import { detectThirdPartyDetails } from './contacts.ts';
import { detectOffTopicLinks, type LinkContext } from './links.ts';
import { ATTACK, BREACH, CHATTER, COMMERCIAL, LIBEL, PARISH_TOPIC, PLAGIARISED } from './patterns.ts';
import { detectObscene } from './profanity.ts';
import { scan } from './scan.ts';

export type { LinkContext };

/**
 * The rules tier: fast, explainable, no I/O. For each category of
 * withyham.txt §6.11 / stilton.txt §7 it returns the words that made it
 * decide, and the categories where it saw something it cannot judge (a
 * contact detail with no owner, a non-council link in a post about parish
 * business, chatter in a post that also mentions parish matters). Those are
 * what the optional second tier is asked about.
 */

export interface RulesFinding {
  readonly category: ModerationCategory;
  readonly evidence: readonly string[];
}

export interface RulesAssessment {
  readonly findings: readonly RulesFinding[];
  /** Categories the rules could not decide; the second tier may. */
  readonly unsure: readonly ModerationCategory[];
}

const PATTERN_CATEGORIES = [
  ['personal-attack', ATTACK],
  ['potentially-libellous', LIBEL],
  ['plagiarised-or-unlawful', PLAGIARISED],
  ['commercial-or-spam', COMMERCIAL],
  ['alleges-breach', BREACH],
] as const;

export function assessWithRules(raw: string, context: LinkContext): RulesAssessment {
  const text = raw.normalize('NFKC');
  const findings: RulesFinding[] = [];
  const unsure: ModerationCategory[] = [];
  const found = (category: ModerationCategory, evidence: readonly string[]) => {
    if (evidence.length > 0) findings.push({ category, evidence });
  };
  if (text.trim().length === 0) return { findings, unsure };

  found('obscene-or-racist', detectObscene(text).evidence);
  for (const [category, patterns] of PATTERN_CATEGORIES) {
    const result = scan(text, patterns);
    found(category, result.evidence);
    if (result.weak && result.evidence.length === 0) unsure.push(category);
  }
  const details = detectThirdPartyDetails(text);
  found('personal-information', details.evidence);
  if (details.unsure) unsure.push('personal-information');

  const onTopic = (s: string) => PARISH_TOPIC.test(s);
  const links = detectOffTopicLinks(text, context, onTopic);
  const chatter = scan(text, CHATTER);
  // A scam or advert's link is the spam itself, not a second breach.
  const offTopic = findings.some((f) => f.category === 'commercial-or-spam') ? [] : [...links.evidence];
  if (chatter.evidence.length > 0) {
    if (onTopic(text)) unsure.push('off-topic-links');
    else offTopic.push(...chatter.evidence);
  } else if (links.unsure || (chatter.weak && !onTopic(text))) {
    unsure.push('off-topic-links');
  }
  found('off-topic-links', offTopic.slice(0, 3));
  return { findings, unsure: unsure.filter((c) => !findings.some((f) => f.category === c)) };
}
