import type { ModerationCategory, ModerationFlag } from '../../shared/model/decision.ts';
import type { ModerationRule } from '../../shared/policy/schema.ts';

export type { ModerationRule };

/**
 * Content moderation for the categories a council's policy lists
 * (withyham.txt §6.11, stilton.txt §7, west-end.txt "We retain the right to
 * remove comments or content that includes"). Pure and cheap: every pattern is
 * compiled once at module load; a call only runs them.
 *
 * The lexicon flags what a clerk would want to look at, and deliberately lets
 * ordinary parish business through: potholes, bins, "I'd kill for a bench",
 * "the council is selling off the allotments", "someone has illegally dumped
 * a fridge". Where a word is only a problem in some contexts, the context rule
 * sits next to the pattern.
 */

interface Pattern {
  /** Global, case-insensitive; `lastIndex` is reset before each use. */
  re: RegExp;
  /** Skip a match whose preceding text (same sentence, up to 60 chars) matches this. */
  unlessBefore?: RegExp;
  /** Skip a match whose following text (same sentence, up to 60 chars) matches this. */
  unlessAfter?: RegExp;
  /** Skip the match when the resident is giving their own details or signing off (personal information, links). */
  ownDetailsExempt?: boolean;
}

/** Residents type both ' and ’; every apostrophe in a pattern accepts either. */
const apostrophes = (source: string): string => source.replaceAll("'", "['’]");
const g = (source: string): RegExp => new RegExp(apostrophes(source), 'gi');
const ctx = (source: string): RegExp => new RegExp(apostrophes(source), 'i');

/** "not illegal", "isn't unlawful", "nothing illegal", "is it illegal to ...?" */
const NEGATED = ctx(String.raw`(?:\bnot|n't|\bnothing|\bno|\bis it|\bwould it be|\bwhether it(?:'s| is)|\bif it(?:'s| is))\s+(?:\w+\s+)?$`);

// ── obscene-or-racist (withyham.txt §6.11 bullet 1; stilton.txt §7a) ──────────
// Strong profanity and slurs only. Mild British venting ("bloody potholes",
// "crap service", "taking the piss") is not obscene.
const OBSCENE: Pattern[] = [
  { re: g(String.raw`\bf+u+c+k+(?:s|ed|er|ers|ing|in'?|wit|wits)?\b`) },
  { re: g(String.raw`\bmother\s?f\w*ker\b`) },
  { re: g(String.raw`\bf\*+k\w*|\bs\*+t\b|\bc\*+t\b`) },
  { re: g(String.raw`\bshit(?:e|s|ty|ting|head|heads|hole|holes)?\b`) },
  { re: g(String.raw`\bcunts?\b`) },
  { re: g(String.raw`\btwats?\b`) },
  { re: g(String.raw`\bwank(?:er|ers|ing)?\b`) },
  { re: g(String.raw`\bbollocks\b`) },
  { re: g(String.raw`\bbastards?\b`) },
  { re: g(String.raw`\bdick ?heads?\b`) },
  { re: g(String.raw`\barse ?holes?\b|\bpiss off\b`) },
  // Racist slurs and phrases, kept to unambiguous forms.
  { re: g(String.raw`\bpakis?\b|\bwogs?\b|\bniggers?\b|\bchinks\b|\bgyppos?\b|\bgypos?\b|\bpikeys?\b`) },
  {
    re: g(
      String.raw`\bgo back to (?:your|their) own countr(?:y|ies)\b|\b(?:send (?:them|'em) (?:all )?|go )back (?:to )?where (?:they|you) (?:came|come) from\b`,
    ),
  },
];

// ── personal-attack (withyham.txt §6.11 bullet 2; stilton.txt §7b) ────────────
// Insults aimed at people, and threats. "Some idiot parked across my drive"
// insults nobody identifiable, so a generic "some/an" before the insult is exempt.
const INSULT_WORDS = String.raw`idiots?|morons?|imbeciles?|cretins?|halfwits?|nincompoops?|numpt(?:y|ies)|muppets?|clowns?|buffoons?|liars?|scumbags?|jobsworths?|tossers?|prats?|pillocks?|plonkers?`;
const PEOPLE = String.raw`(?:you|clerk|chair(?:man|woman|person)?|councillors?|cllrs?|council(?:lors)?|lot|bunch|people|members?|staff|committee|officials?|woman|man|bloke|idiot)`;
const ATTACK: Pattern[] = [
  {
    re: g(String.raw`\b(?:${INSULT_WORDS})\b`),
    unlessBefore: ctx(
      String.raw`\b(?:some|any|like an?)\s+(?:\w+\s+)?$|\bi(?:'m| am| was| felt like| feel like)\s+(?:such\s+|a (?:right|total|complete)\s+)?an?\s+(?:\w+\s+)?$`,
    ),
  },
  { re: g(String.raw`\b(?:useless|incompetent|clueless|pathetic|spineless|brainless|brain[- ]dead)\s+(?:\w+\s+)?${PEOPLE}\b`) },
  {
    re: g(
      String.raw`\b(?:you|clerk|chair(?:man|woman)?|councillors?|council)\s+(?:is|are|'re|'s)\s+(?:so\s+|totally\s+|completely\s+|utterly\s+)?(?:useless|incompetent|clueless|pathetic|a disgrace|a joke|an embarrassment|stupid|thick)\b`,
    ),
  },
  { re: g(String.raw`\byou(?:\s+lot)?\s+(?:are|'re)\s+(?:all\s+)?(?:a\s+|an\s+)?(?:bunch|load|pack|shower|gang) of\b`) },
  {
    re: g(
      String.raw`\bwaste of (?:space|oxygen|skin)\b|\bget a (?:proper )?(?:life|brain)\b|\bshut (?:up|your (?:mouth|face))\b|\bugly\s+(?:old\s+)?(?:cow|git|bitch)\b|\bold (?:git|bag|cow|bat)\b|\bbitch(?:es)?\b`,
    ),
  },
  // Threats: first-person intent to harm, or the classic menaces.
  {
    re: g(
      String.raw`\b(?:i|we)(?:'ll|'m going to|'m gonna| will| am going to| are going to|'re going to)\s+(?:\w+\s+)?(?:kill|hurt|smash|batter|thump|punch|deck|burn|torch)\s+(?:you|him|her|your|his|the clerk|the chair\w*|the councillor)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:know|found out|find out) where (?:you|he|she|they) li?ves?\b|\b(?:watch|mind) your back\b|\byou(?:'ll| will) (?:regret|pay for) (?:this|it)\b|\byou(?:'ve| have) been warned\b|\bcoming for you\b`,
    ),
  },
  { re: g(String.raw`\b(?:should be|ought to be|deserve to be)\s+(?:shot|hanged|strung up|lynched)\b`) },
];

// ── potentially-libellous (withyham.txt §6.11 bullet 3; stilton.txt §7c) ──────
// Statements of fact that an identifiable person committed a crime or is
// dishonest or corrupt. Opinions ("I disagree with the chairman") are fine.
/** Negated, or about an unknown person ("whoever did this is a thief"). */
const NOT_IDENTIFIABLE_SOURCE = String.raw`(?:\bnot|n't|\bnothing|\bno)\s+(?:\w+\s+)?$|\b(?:whoever|someone|somebody|anyone who|the (?:person|people|thief|thieves|idiots?) who)\b`;
const NOT_IDENTIFIABLE = ctx(NOT_IDENTIFIABLE_SOURCE);
const LIBEL: Pattern[] = [
  {
    re: g(
      String.raw`\b(?:is|are|was|were|'s|'re)\s+(?:all\s+)?(?:a\s+|an\s+|such a\s+|nothing but\s+(?:a\s+)?|(?:total|complete|known|bunch of|pair of|load of)\s+)*(?:crooks?|thie(?:f|ves)|fraud(?:ster)?s?|embezzlers?|criminals?|swindlers?|paedos?|paedophiles?|con ?m[ae]n|on the take|in the pocket of)\b`,
    ),
    unlessBefore: NOT_IDENTIFIABLE,
  },
  { re: g(String.raw`\b(?:clerk|chair\w*|councillors?|cllrs?(?:\s+\w+)?|mayor|treasurer|council)\s+(?:is|are|was|were)\s+(?:all\s+)?bent\b`) },
  {
    re: g(
      String.raw`\b(?:stole|stolen|nicked|pinched|pocketed|embezzled|siphoned|fiddled|fiddling|misappropriated|creamed off|syphoned)\s+(?:\w+\s+){0,3}?(?:money|funds?|cash|precept|grant|\u00a3\s?\d[\d,]*k?|expenses|books|accounts|the lot)\b`,
    ),
    unlessBefore: NOT_IDENTIFIABLE,
  },
  {
    re: g(
      String.raw`\b(?:lin(?:ing|ed|e)\s+(?:his|her|their|your|own|the)\s+(?:own\s+)?pockets?|backhanders?|brown envelopes?|kick-?backs?|bribe(?:s|d|ry)?|bribing|took a bribe|on the fiddle|cooking the books|cooked the books|fiddl(?:e|ed|ing) (?:the|his|her|their) expenses|embezzl\w+)\b`,
    ),
    unlessBefore: NOT_IDENTIFIABLE,
  },
  {
    re: g(String.raw`\bcorrupt(?:ion)?\b`),
    unlessBefore: ctx(
      String.raw`${NOT_IDENTIFIABLE_SOURCE}|\b(?:file|attachment|pdf|document|download|data|image|link|video|photo|form)s?\s+(?:is|was|are|were|seems|looks|came through|arrived)\s+(?:\w+\s+)?$`,
    ),
    unlessAfter: ctx(String.raw`^\s*(?:file|attachment|pdf|document|download|data|image|link)`),
  },
];

// ── plagiarised-or-unlawful (withyham.txt §6.11 bullet 4; stilton.txt §7d) ─────
// Copied material and plainly unlawful content (piracy, counterfeits, leaks).
const PLAGIARISED: Pattern[] = [
  {
    re: g(
      String.raw`\u00a9|\(c\)\s*\d{4}|\bcopyright\s+(?:\u00a9\s*)?\d{4}|\ball rights reserved\b|\breproduced (?:without|with(?:out)? the) permission\b|\bcopied (?:and|&) pasted\b|\bcopy (?:and|&) paste[d]?\b|\bcut (?:and|&) paste[d]?\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:article|story|piece|text|report)\s+(?:below\s+)?(?:is\s+|was\s+)?(?:copied|lifted|pasted)\s+(?:straight\s+|word for word\s+)?from\b|\b(?:copied|lifted)\s+(?:it\s+|this\s+)?word for word\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:pirated|pirate copies|bootleg(?:ged)?|torrent(?:ed|ing| sites?| files?| links?| downloads?)|cracked (?:software|copy|copies)|knock[- ]?offs?|fake (?:designer|handbags|watches|trainers|perfume)|counterfeit (?:goods|designer|handbags|watches|trainers|perfume|cigarettes|tobacco|vodka))\b|\bselling counterfeit\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:watch|stream|download)\s+(?:the\s+)?(?:full\s+|new\s+|latest\s+)?(?:film|movie|match|series|episodes?|album)s?\s+(?:for\s+)?free\b|\bfree (?:film|movie|sky|netflix|football) (?:streams?|downloads?)\b|\bdodgy (?:firestick|fire stick)s?\b`,
    ),
  },
  { re: g(String.raw`\bleaked\s+(?:\w+\s+)?(?:minutes|report|documents?|emails?|papers?|letter|draft)\b`) },
];

// ── personal-information (withyham.txt §6.11 bullet 5; stilton.txt §7e) ───────
// Third parties' contact details, addresses and dates of birth. A resident's
// own details ("call me on", "my number is", a signature block) are exempt, as
// are role addresses (clerk@, enquiries@, info@) and public-body domains.
const PERSONAL: Pattern[] = [
  // UK phone numbers: mobiles, geographic, +44.
  {
    re: g(
      String.raw`(?<![\d\u00a3.])(?:\+44\s?\(?0?\)?\s?7\d{3}|\(?07\d{3}\)?)\s?\d{3}\s?\d{3}\b|(?<![\d\u00a3.])(?:\+44\s?\(?0?\)?\s?|\(?0)[1-3]\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b`,
    ),
    ownDetailsExempt: true,
  },
  // Email addresses that are not role or public-body addresses.
  {
    re: g(
      String.raw`\b(?!(?:clerk|deputy\w*|enquiries|info|office|admin|reception|contact|hello|parish\w*|council\w*|noreply|no-reply|help|support|planning|news(?:letter)?)@)[\w.+-]+@(?![\w-]+\.gov\.uk\b)(?![\w.-]*(?:parish|council|-pc\.)\w*)[\w-]+(?:\.[\w-]+)+\b`,
    ),
    ownDetailsExempt: true,
  },
  // Full UK postcodes.
  { re: g(String.raw`\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b`), ownDetailsExempt: true },
  // Someone else's home, by phrase.
  {
    re: g(
      String.raw`\b(?:he|she|they|him|her|them|his|wife|husband|son|daughter|neighbour|bloke|woman|man|family)\s+(?:\w+\s+)?(?:lives?|living|stays?)\s+(?:at|in)\s+(?:number\s+|no\.?\s*)?\d+[a-z]?\b(?:\s+[A-Z]\w+){0,3}|\b(?:his|her|their)\s+(?:home\s+|house\s+)?address\s+is\b|\b(?:his|her|their) (?:phone|mobile|number|email)\s+(?:number\s+)?is\b`,
    ),
  },
  // Dates of birth.
  { re: g(String.raw`\b(?:d\.?o\.?b\.?|date of birth|born on)\b[:\s]*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+\w+\s+\d{4})?`) },
  // Vehicle registrations given as such.
  { re: g(String.raw`\b(?:reg(?:istration)?|number plate|plate)\s*(?:number\s*|no\.?\s*)?(?:is\s+)?:?\s*[A-Z]{2}\d{2}\s?[A-Z]{3}\b`) },
];

// ── off-topic-links (withyham.txt §6.11 bullet 6; stilton.txt §7f) ────────────
// Links we cannot tie to parish business. Public-body and council sites are on
// topic; link shorteners are always flagged because they hide the destination.
const SHORTENERS = String.raw`bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|buff\.ly|rebrand\.ly|cutt\.ly|shorturl\.at|tiny\.cc|rb\.gy|t\.ly`;
const ON_TOPIC_HOSTS = String.raw`(?:[\w-]+\.)*(?:gov\.uk|nhs\.uk|police\.uk|parliament\.uk|fixmystreet\.com|planningportal\.co\.uk|[\w-]*(?:parish|council|-pc)[\w-]*\.[\w.]+)`;
const LINKS: Pattern[] = [
  { re: g(String.raw`\b(?:https?://)?(?:www\.)?(?:${SHORTENERS})/\S+`) },
  { re: g(String.raw`\b(?:https?://|www\.)(?!(?:www\.)?(?:${SHORTENERS})/)(?!(?:www\.)?${ON_TOPIC_HOSTS}(?:[/:?#\s]|$))[^\s<>"()]+`), ownDetailsExempt: true },
  {
    re: g(
      String.raw`\b(?=[a-z0-9-]{2,}\.[a-z])(?<![@\w.\/-])(?!(?:${SHORTENERS})/)(?!${ON_TOPIC_HOSTS}\b)[a-z0-9-]{2,}\.(?:com|net|org|info|biz|io|co\.uk|org\.uk|uk|xyz|shop|online|site|ru|cn)\b(?:/\S*)?`,
    ),
    ownDetailsExempt: true,
  },
];

// ── commercial-or-spam (withyham.txt §6.11 bullet 7; stilton.txt §7g, §4e) ─────
// Selling, promotions and scams. "The council is selling off the field" and
// "is there a discount for hall hire?" are parish business, not spam.
const COMMERCIAL: Pattern[] = [
  {
    re: g(String.raw`\bfor sale\b|\b(?:i'm|i am|we're|we are|now|currently)\s+selling\b(?!\s+off)|\bbuy now\b|\border (?:now|today)\b|\bshop now\b`),
    unlessBefore: ctx(String.raw`\b(?:not|no longer)\s+$`),
  },
  {
    re: g(
      String.raw`\b\d{1,2}\s?% off\b|\u00a3\d+\s?off\b|\bdiscount code\b|\bpromo(?:tion(?:al)?)? code\b|\bvoucher code\b|\buse code\s+\w+|\bspecial offer\b|\blimited (?:time )?offer\b|\boffer ends\b|\bfree (?:quotes?|estimates?|trial|gift|consultation)\b|\bbest prices?\b|\bunbeatable\b|\bcompetitive rates\b|\bno job too small\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:dm|pm|inbox)\s+(?:me|us)\b|\b(?:message|whatsapp|text|contact)\s+(?:me|us)\s+(?:for|to (?:get|order|book))\s+(?:\w+\s+)?(?:prices?|details|info|a quote|orders?|discount)\b`,
    ),
    unlessBefore: ctx(String.raw`\b(?:please don't|don't|do not|can you|could you|please can you|will you|would you)\s+$`),
  },
  {
    re: g(
      String.raw`\b(?:crypto(?:currency)?|bitcoin|btc|ethereum|forex|nft|binary options)\b|\binvestment opportunit(?:y|ies)\b|\bearn (?:\u00a3|\$)\s?\d[\d,]*\b|\bwork (?:from|at) home\b.*\b(?:earn|\u00a3)|\bpassive income\b|\bget rich\b`,
    ),
  },
  {
    re: g(
      String.raw`\bclick (?:here|the link|below) to (?:claim|win|get|earn|buy|order|grab)\b|\bclaim your (?:prize|reward|refund)\b|\byou(?:'ve| have) (?:won|been selected)\b|\bcongratulations[!,.]?\s+(?:you|your)\b|\bfree (?:iphone|gift card|giveaway)\b|\bgiveaway\b|\bcasino\b|\bviagra\b|\bpayday loans?\b|\bloans? approved\b|\bseo services\b|\bnext of kin\b|\bthe sum of (?:us)?[$\u00a3]|\btransfer (?:of )?(?:us)?[$\u00a3]\s?[\d,]{6,}|\bverify your (?:mailbox|account|email|password)\b|\baccount (?:has been |will be )?suspended\b|\bfollowers? (?:for sale|cheap)\b|\bbuy (?:\w+\s+)?(?:followers|likes)\b`,
    ),
  },
];

// ── alleges-breach (withyham.txt §6.11 bullet 8, §6.13; stilton.txt §7h, §8) ───
// An allegation that the council, a councillor, staff or an identifiable person
// broke a policy, the Code of Conduct or the law: it needs due process (a formal
// complaint or the police). Routine reports of nuisance offences by unknown
// people (fly-tipping, illegal parking, speeding, dog fouling) are service
// requests the council handles; they are not flagged. Questions ("is it
// illegal to...?") and negations ("not illegal") are not allegations.
const ROUTINE_NUISANCE = ctx(
  String.raw`\b(?:fly[- ]?tip\w*|dump(?:ed|ing)|tipp(?:ed|ing)|rubbish|litter\w*|park(?:ed|ing|s)?|speed(?:ing|ers?)?|dog (?:fouling|mess|poo)|fouling|bonfires?|graffiti|camp(?:ed|ing)|encampments?|fires?|fireworks?|tyres?|mattress\w*|fridge\w*)\b`,
);
const BREACH: Pattern[] = [
  {
    re: g(
      String.raw`\b(?:breach(?:ed|es|ing)?|broken|broke|breaking|flouted|flouting|ignor(?:ed|ing)|contraven(?:e|ed|es|ing)|violat(?:e|ed|es|ing)|in contravention of|contrary to)\s+(?:of\s+)?(?:the\s+|their\s+|its\s+|his\s+|her\s+|our\s+|your\s+)?(?:council's\s+|council\s+|members'?\s+|own\s+)?(?:code of conduct|standing orders|financial regulations|(?:\w+\s+){0,2}polic(?:y|ies)|data protection(?: act)?|gdpr|planning (?:permission|conditions?|consent|law|rules)|conditions? of (?:the )?(?:planning|consent|permission)|the law|law|regulations|rules|freedom of information act|foi act|equality act|localism act|contract|tenancy agreement|terms of the (?:lease|tenancy))\b`,
    ),
  },
  { re: g(String.raw`\b(?:gdpr|data protection|data|planning|code of conduct|conduct|policy|contract|tenancy|licen[cs]e|licensing|foi)\s+breach(?:es)?\b`) },
  {
    re: g(
      String.raw`\bunlawful(?:ly)?\b|\billegal(?:ly|ity)?\b|\bagainst the law\b|\bbreaking the law\b|\bbroke the law\b|\bultra vires\b|\bmaladministration\b|\bmisconduct\b|\bwithout (?:planning )?permission\b|\bwithout (?:planning )?consent\b`,
    ),
    unlessBefore: NEGATED,
    unlessAfter: ctx(String.raw`^[^.!?\n]*\?`),
  },
  {
    re: g(
      String.raw`\bfail(?:ed|ing|s)? to (?:declare (?:an?|his|her|their)?\s*(?:pecuniary |personal |prejudicial )?interests?|disclose (?:an?|his|her|their)\s+interests?|follow (?:the )?(?:proper )?(?:process|procedure|policy|standing orders))|\bundeclared (?:pecuniary |personal )?interests?\b|\bpredetermin(?:ed|ation)\b|\bnot (?:properly )?(?:advertised|minuted|quorate)\b|\binquorate\b|\bsecret meetings?\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:report(?:ed|ing)?|complain(?:ed|ing)?|refer(?:red|ring)?)\s+(?:this|it|you|him|her|them|the (?:clerk|chair\w*|council(?:lor)?))?\s*to\s+(?:the\s+)?(?:monitoring officer|ombudsman|ico|information commissioner|standards (?:board|committee)|external auditor)\b`,
    ),
  },
];

// Only unlawful/illegal and "without permission" yield to the routine-nuisance
// context; an explicit "breach of the code of conduct" never does.
const ROUTINE_SENSITIVE = new Set<Pattern>([BREACH[2]!]);

const LEXICON: Readonly<Record<ModerationCategory, readonly Pattern[]>> = {
  'obscene-or-racist': OBSCENE,
  'personal-attack': ATTACK,
  'potentially-libellous': LIBEL,
  'plagiarised-or-unlawful': PLAGIARISED,
  'personal-information': PERSONAL,
  'off-topic-links': LINKS,
  'commercial-or-spam': COMMERCIAL,
  'alleges-breach': BREACH,
};

/** The resident giving their own details: a short window before the match. */
const OWN_DETAILS = ctx(
  String.raw`\b(?:my|our)\s+(?:\w+\s+)?(?:number|mobile|phone|tel|telephone|email|e-mail|address|postcode|website|site|details)\b|\b(?:call|ring|phone|text|contact|reach|email|e-mail)\s+(?:me|us)\b|\b(?:i|we)\s+(?:live|am|are|'m|'re)\s+at\b|\b(?:tel|mob|mobile|phone|t|m|e|email)\s*[:.]\s*$`,
);
/** Sign-offs: what follows is a signature block, the sender's own details. */
const SIGN_OFF = ctx(
  String.raw`(?:^|\n)\s*(?:(?:kind|best|warm|many)?\s*regards|thanks(?: again)?|many thanks|thank you|best wishes|best|cheers|yours (?:sincerely|faithfully|truly)|sent from my \w+)\s*,?\s*(?:\n|$)`,
);

const SENTENCE_END = /[.!?\n]/u;
const WINDOW = 60;
const MAX_EVIDENCE = 3;
const MAX_EXCERPT = 60;

function sentenceBefore(text: string, index: number): string {
  const start = Math.max(0, index - WINDOW);
  const chunk = text.slice(start, index);
  let cut = -1;
  for (let i = chunk.length - 1; i >= 0; i--) {
    if (SENTENCE_END.test(chunk[i]!)) {
      cut = i;
      break;
    }
  }
  return cut === -1 ? chunk : chunk.slice(cut + 1);
}

function sentenceAfter(text: string, index: number): string {
  return text.slice(index, index + WINDOW);
}

function sentenceOf(text: string, index: number, length: number): string {
  return sentenceBefore(text, index) + text.slice(index, index + length) + sentenceAfter(text, index + length).split(SENTENCE_END)[0];
}

function excerpt(match: string): string {
  const s = match.replace(/\s+/gu, ' ').trim();
  return s.length <= MAX_EXCERPT ? s : `${s.slice(0, MAX_EXCERPT - 1)}…`;
}

function scan(text: string, patterns: readonly Pattern[], signatureAt: number): string[] {
  const evidence: string[] = [];
  for (const p of patterns) {
    p.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = p.re.exec(text)) !== null) {
      if (m[0].length === 0) {
        p.re.lastIndex++;
        continue;
      }
      const at = m.index;
      const before = p.unlessBefore || p.ownDetailsExempt || ROUTINE_SENSITIVE.has(p) ? sentenceBefore(text, at) : '';
      if (p.unlessBefore?.test(before)) continue;
      if (p.unlessAfter?.test(sentenceAfter(text, at + m[0].length))) continue;
      if (p.ownDetailsExempt && (at >= signatureAt || OWN_DETAILS.test(before))) continue;
      if (ROUTINE_SENSITIVE.has(p) && ROUTINE_NUISANCE.test(sentenceOf(text, at, m[0].length))) continue;
      const e = excerpt(m[0]);
      if (!evidence.includes(e)) evidence.push(e);
      if (evidence.length >= MAX_EVIDENCE) return evidence;
    }
  }
  return evidence;
}

/**
 * The moderation flags for `text` under the council's rules: one flag per
 * category that the rules list and the text matches, carrying the rule's
 * clause and action and up to three short excerpts of the matched words.
 */
export function detectModeration(text: string, rules: readonly ModerationRule[]): ModerationFlag[] {
  if (rules.length === 0 || text.length === 0) return [];
  const sign = SIGN_OFF.exec(text);
  const signatureAt = sign ? sign.index : Number.POSITIVE_INFINITY;
  const flags: ModerationFlag[] = [];
  for (const rule of rules) {
    const evidence = scan(text, LEXICON[rule.category], signatureAt);
    if (evidence.length > 0) flags.push({ category: rule.category, evidence, clause: rule.clause, action: rule.action });
  }
  return flags;
}
