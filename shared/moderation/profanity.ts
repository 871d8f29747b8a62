import { obsceneMatches } from './obscene-matcher.ts';
import { excerpt, g, patternSet, scan, type PatternSet } from './scan.ts';

/**
 * Obscene or racist content (withyham.txt §6.11 bullet 1; stilton.txt §7a).
 *
 * Profanity comes from `obscenity`, a maintained matcher that sees through
 * leetspeak, repeated letters, spacing and look-alike characters ("sh1t",
 * "fuuuck", "tw@t"). Its English list is narrowed to words that are obscene
 * in a British parish (obscene-words.ts) and compiled ahead of time
 * (obscene-matcher.ts). Starred forms ("f***", "c**t") and slurs the list
 * lacks are added as patterns, with racist generalisations about a group of
 * people.
 */

const GROUPS = String.raw`(?:immigrants?|migrants?|asylum seekers?|foreigners?|gypsies|gipsies|travell?ers|muslims?|jews?|blacks|asians?|poles|polish|romanians?|eastern europeans?|pakistanis?|indians?|chinese|africans?|arabs?|refugees?|roma)`;
const EXTRA: PatternSet = patternSet([
  {
    re: g(
      String.raw`\bf[*#@!$%_.-]{2,3}(?:k|king|ing|ed|er|s)?(?![\w*])|\bf[*#]ck\w*|\bs[*#]{1,3}t\b|\bsh[*#]t\w*|\bc[*#]{2,3}t\b|\bc[*#]nt\b|\bb[*#]{4,5}(?![\w*])|\btw[*#]t|\bb[*#]{1,2}(?:stard|llocks)|\bw[*#]nk\w*|\bfcuk\w*|\bmotherf\w*|\bmofo\b|\bstfu\b|\bgtfo\b|\bwtf\b|\bffs\b|\beff(?:ing|in'?|ed)\b|\beff off\b|\bf\s?[.\s]\s?u\s?[.\s]\s?c\s?[.\s]\s?k\b|\bb[o0]l+[o0]?(?:x|cks|ck)\b|\bbollox\b|\bbolx\b|\bs\s?h\s?[i1!]\s?t\b|\bpr[*1!]ck\w*|\bd[*1!]ck\s?heads?\b|\bc[o0]cks?uckers?\b|\bsh[a4]g(?:ged|ging)?\b|\bf[\s._*-]+u[\s._*-]+c[\s._*-]+k|\bs[\s._*-]+h[\s._*-]+i[\s._*-]+t\b|\bph?u?c?k(?:in|ing)\b(?<!\bpicking)|\bfkn\b|\bf[*]?cking\b|\bfookin\w*|\bcachu\b|\btosser\w*|\bwanker\w*|\bbellends?\b|\bknobheads?\b|\bslags?\b|\bp[*]kis?\b|\bn[*]gg\w*|\bg[*]ppos?\b|\bp[*]keys?\b`,
    ),
  },
  {
    re: g(
      String.raw`\bpiss off\b|\bpissed off\b(?= with (?:you|the clerk|council))|\bsod off\b|\bbugger off\b|\bfeck(?:ing)?\b|\bbellends?\b|\bknobheads?\b|\bdickheads?\b|\bdick ?heads?\b|\barse ?holes?\b|\bscumbags?\b`,
    ),
  },
  {
    re: g(
      String.raw`\bpakis?\b|\bwogs?\b|\bnig(?:ger|nog)s?\b|\bgyppos?\b|\bgypos?\b|\bpikeys?\b|\bchinks\b|\bcoons?\b|\bspics?\b|\bragheads?\b|\btowel ?heads?\b|\bsambos?\b|\bkrauts?\b|\bfrogs\b(?= (?:and|who|are))|\bjungle bunn(?:y|ies)\b|\bwhite trash\b|\btinkers\b|\bdidicoys?\b|\billegals\b|\bboat people\b|\bhalf[- ]caste\b|\bcoloureds?\b(?= (?:people|family|lot|bloke|man|woman))|\bsend (?:them|'em) (?:all )?(?:back|home)\b(?!\s+to\s+(?:the|a|our|my|his|her)\b)|\b(?:not|aren't|isn't) (?:real|proper) (?:english|british)\b|\b(?:invaders|invasion)\b(?=[^.!?\n]{0,40}\b(?:migrants|immigrants|boats|foreigners|them)\b)|\bour own (?:people|kind) first\b|\btaking (?:our|all the) (?:jobs|houses|homes)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:go |send (?:them|'em|him|her) (?:all )?|ship (?:them|'em) )back (?:to )?(?:(?:your|their|his|her) own countr(?:y|ies)|where (?:they|you|he|she) (?:came|come) from|(?:africa|pakistan|poland|romania|india|their own))\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:all|these|those|bloody|typical|the)\s+${GROUPS}\b[^.!?\n]{0,60}\b(?:scum|vermin|animals|parasites|thieves|thieving|dirty|filthy|criminals|breed like|invading|invasion|flooding|swarming|taking over|should be (?:kicked|thrown|sent|deported|shot|gassed)|not welcome|don't belong|can't be trusted|are all the same|lazy|spongers|scroungers|inbred)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b${GROUPS}\s+(?:are|is)\s+(?:all\s+|just\s+)?(?:scum|vermin|animals|parasites|thieves|dirty|filthy|criminals|lazy|spongers|scroungers|a plague|a disease|ruining)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:the|that|those|these|are)\s+${GROUPS}\b[^.!?\n]{0,50}\b(?:bring (?:crime|trouble|disease)|always get|get everything|than (?:taxpayers|locals|us|real residents|decent people|british people)|we don't want (?:them|'em)|don't want (?:them|'em) here|go home|on benefits|jumping the queue)\b|\b(?:asian|polish|romanian|muslim|black|gypsy|traveller|foreign|pakistani|indian|chinese|african|immigrant) lot\b|\b(?:stop|quit) housing (?:foreigners|immigrants|migrants|asylum seekers|them)\b|\b(?:christian|white|english|british) (?:english )?(?:village|country|town)\b(?=[^\n]{0,0})|\bdoesn't need a (?:mosque|temple|gurdwara|synagogue)\b|\bkeep \w+ (?:english|british|white)\b|\bwe don't want (?:them|their sort|their kind|that sort|those people) here\b|\btheir sort\b|\bthat sort\b(?= of people)|\bsays it all\b(?<=(?:asian|polish|muslim|black|gypsy|gypsies|travellers|foreign)[^\n]{0,80}says it all)|\bgypsies\b(?=[^.!?\n]{0,40}\bthan\b)`,
    ),
  },
  {
    re: g(
      String.raw`\bno (?:blacks|irish|dogs|gypsies|travell?ers|foreigners)\b(?=[^.!?\n]{0,30}\b(?:no|here|welcome)\b)|\b(?:our|this) (?:village|country) (?:for|is for) (?:the )?(?:english|british|white)\b|\bwhite (?:villages?|britain|power)\b|\brace traitors?\b|\bgreat replacement\b`,
    ),
  },
]);

export interface ProfanityResult {
  readonly evidence: string[];
}

export function detectObscene(text: string): ProfanityResult {
  const evidence: string[] = [];
  for (const m of obsceneMatches(text)) {
    const e = excerpt(text.slice(m.startIndex, m.endIndex + 1));
    if (!evidence.includes(e)) evidence.push(e);
    if (evidence.length >= 3) return { evidence };
  }
  for (const e of scan(text, EXTRA, 3 - evidence.length).evidence) if (!evidence.includes(e)) evidence.push(e);
  return { evidence };
}
