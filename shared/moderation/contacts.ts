import { ctx, eager, excerpt, g, patternSet, scan, sentenceBefore, type PatternSet } from './scan.ts';

/**
 * Private, personal information published without consent (withyham.txt
 * §6.11 bullet 5; stilton.txt §7e; stilton.txt §14 names "names, addresses,
 * email, IP addresses").
 *
 * A contact detail is a problem only when it is someone else's. Each phone
 * number, email address, postcode or street address is attributed: the
 * sender's own ("call me on", "my number is", "I live at", a signature block
 * after a sign-off) is fine; a council role address (clerk@, enquiries@) or a
 * public body's is fine; one tied to another person ("his number is", "ring
 * Dave on", "she lives at") is flagged. A detail with no owner either way is
 * a weak signal, for the second tier to judge.
 */

const PHONE = String.raw`(?<![\d\u00A3.])(?:\+44\s?\(?0?\)?\s?7\d{3}|\(?07\d{3}\)?)[\s-]?\d{3}[\s-]?\d{3}\b|(?<![\d\u00A3.])(?:\+44\s?\(?0?\)?\s?|\(?0)[1-3]\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b`;
const EMAIL = String.raw`\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b`;
const POSTCODE = String.raw`\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b`;
const STREET = String.raw`\b\d{1,3}[a-z]?,?\s+(?:(?-i:[A-Z][a-z]+)\s+){1,3}(?:Road|Rd|Lane|Close|Street|St|Avenue|Ave|Drive|Way|Crescent|Gardens|Court|Place|Terrace|Grove|Green|Row|Hill|View|Mews|Walk)\b`;

/** Role and public-body addresses: published so that people use them. */
const ROLE_ADDRESS =
  /^(?:clerk|deputy\w*|enquiries|info|office|admin|reception|contact|hello|parish\w*|council\w*|noreply|no-reply|help|support|planning|news(?:letter)?|bookings?|hall\w*|secretary|chair\w*|editor|press|media|sales|accounts|customerservices?)@|@(?:[\w-]+\.)*(?:gov\.uk|nhs\.(?:uk|net)|police\.uk|parliament\.uk|[\w-]*(?:parish|council|-pc)[\w-]*\.[\w.]+)$/i;

const OWN_BEFORE = ctx(
  String.raw`\b(?:my|our)\s+(?:\w+\s+){0,2}(?:number|mobile|phone|tel|telephone|landline|email|e-mail|address|postcode|details)\b|\b(?:call|ring|phone|text|contact|reach|email|e-mail|message|whatsapp)\s+(?:me|us)\b|\b(?:i|we)\s+(?:live|am|are|'m|'re|reside)\s+(?:at|in|on)\b|\b(?:i'm|i am|we're|we are)\s+(?:on|at)\s*$|\b(?:me|us)\s+(?:on|at)\s*$|\b(?:tel|mob|mobile|phone|t|m|e|email)\s*[:.]\s*$|\b(?:from|of)\s*:?\s*$`,
);
const SIGN_OFF = eager(
  ctx(
    String.raw`(?:^|\n)\s*(?:(?:kind|best|warm|many)?\s*regards|thanks(?: again)?|many thanks|thank you|best wishes|best|cheers|yours (?:sincerely|faithfully|truly)|sent from my \w+|diolch(?: yn fawr)?|cofion)\s*,?\s*(?:\n|$)`,
  ),
);
const THIRD_PARTY_BEFORE = ctx(
  String.raw`\b(?:personal|private|home)\s+(?:mobile|number|phone|email|e-mail|address|landline)\b|(?-i:[A-Z][a-z]+) (?-i:[A-Z][a-z]+),?\s*$|\b(?:clerk|councillor|cllr \w+|chair\w*)'s\b|\b(?:his|her|their|hers)\s+(?:\w+\s+){0,2}(?:number|mobile|phone|email|e-mail|address|postcode|details|house|home)\b|\b(?:he|she|they|him|her|them)\b|\b(?:call|ring|phone|text|contact|email|message|tell|ask)\s+(?:(?-i:[A-Z][a-z]+)|mr|mrs|ms|miss|dr|cllr|councillor)\b|\b(?:mr|mrs|ms|miss|dr)\.?\s+(?-i:[A-Z][a-z]+)|\b(?:neighbour|landlord|tenant|owner|husband|wife|son|daughter|ex|bloke|woman|man|lad|girl|guy|family|chap|fella)\b|\b(?:lives?|living|stays?|moved)\s+(?:at|to|in)\s*$`,
);

/** "… Thanks, Jenny Ward, 2 Elm Close, 07700 900372" at the end of a one-line message. */
const INLINE_SIGN_OFF = eager(
  ctx(
    String.raw`[.!?]\s+(?:(?:kind |best |many )?(?:thanks|regards)|cheers|best wishes|diolch|yours(?: sincerely| faithfully)?),?\s+(?-i:[A-Z][a-z]+)(?:\s+(?-i:[A-Z][a-z]+))?,?[^.!?]*$`,
  ),
);

interface Detail {
  readonly re: RegExp;
  readonly what: string;
}
// Run on every text, so compiled at import.
const DETAILS: Detail[] = [
  { re: new RegExp(PHONE, 'gi'), what: 'phone' },
  { re: new RegExp(EMAIL, 'gi'), what: 'email' },
  { re: new RegExp(POSTCODE, 'g'), what: 'postcode' },
  { re: new RegExp(STREET, 'g'), what: 'address' },
];

/** Personal facts that need no contact detail to be private. */
const PRIVATE_FACTS: PatternSet = patternSet([
  {
    re: g(
      String.raw`\b(?:mr|mrs|ms|miss|dr|old|poor)?\.?\s?(?-i:[A-Z][a-z]+) (?:at|from|in) (?:number |no\.? ?)?\d+[a-z]? (?:(?-i:[A-Z][a-z]+) ){1,3}|\b(?:clerk|councillor|cllr \w+|chair\w*|vicar|teacher)'s (?:home|personal|private) (?:address|mobile|number|email|phone)\b|\b(?:neighbour|someone else|next door)'s (?:bank|medical|hospital|benefit|council tax|tax|payslip|letter|post|statement|divorce|prescription)\b|\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b(?=[^\n]{0,80}\b(?:\d+ (?-i:[A-Z][a-z]+) (?:Close|Road|Lane|Street|Way|Drive|Avenue)|is that you|owner|lives)\b)|\bthe owner of (?:the )?(?:\w+ ){0,2}[A-Z]{2}\d{2}\s?[A-Z]{3}\b`,
    ),
    unlessBefore: ctx(String.raw`\b(?:i|we|my|our)\s+(?:\w+\s+){0,3}$|\b(?:it'?s|this is|i'm|i am|me,?)\s*$`),
  },
  { re: g(String.raw`\b(?:d\.?o\.?b\.?|date of birth|born on)\b[:\s]*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+\w+\s+\d{4})`) },
  { re: g(String.raw`\b(?:reg(?:istration)?|number plate|plate)\s*(?:number\s*|no\.?\s*)?(?:is\s+)?:?\s*[A-Z]{2}\d{2}\s?[A-Z]{3}\b`) },
  {
    re: g(
      String.raw`\b(?:he|she|they|him|her|them|his|wife|husband|son|daughter|neighbour|bloke|woman|man|family|(?-i:[A-Z][a-z]+))\s+(?:\w+\s+)?(?:lives?|living|stays?|moved)\s+(?:at|in|to)\s+(?:number\s+|no\.?\s*)?\d+[a-z]?\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:his|her|their)\s+(?:home\s+|house\s+)?address\s+is\b|\b(?:his|her|their)\s+(?:phone|mobile|number|email|e-mail)\s+(?:number\s+|address\s+)?is\b|\b(?:national insurance|ni) number\b|\bnhs number\b|\bbank (?:details|account|sort code)\b(?=[^.!?\n]{0,40}\b(?:his|her|their|is)\b)`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:(?:mr|mrs|ms|miss|dr)\.?\s+(?-i:[A-Z][a-z]+)|(?-i:[A-Z][a-z]+) (?:at|from) (?:number|no\.?)\s*\d+)\b[^.!?\n]{0,60}\b(?:has (?:got )?(?:cancer|dementia|hiv|aids|depression)|is (?:on benefits|in rehab|an alcoholic|bankrupt|getting divorced|pregnant|terminally ill)|was arrested|has a criminal record|just got out of prison|is having an affair|mental health)\b`,
    ),
  },
]);

/** The ordinal start of a signature block (after a sign-off line), or Infinity. */
function signatureStart(text: string): number {
  const m = SIGN_OFF.exec(text) ?? INLINE_SIGN_OFF.exec(text);
  return m ? m.index : Number.POSITIVE_INFINITY;
}

export interface ContactFindings {
  /** Someone else's details, or private facts about a person. */
  readonly evidence: string[];
  /** Details whose owner the rules cannot tell. */
  readonly unsure: boolean;
}

export function detectThirdPartyDetails(text: string): ContactFindings {
  const signatureAt = signatureStart(text);
  const evidence: string[] = [];
  let unsure = false;
  for (const { re, what } of DETAILS) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (what === 'email' && ROLE_ADDRESS.test(m[0])) continue;
      if (m.index >= signatureAt) continue;
      const before = sentenceBefore(text, m.index);
      if (OWN_BEFORE.test(before)) continue;
      if (THIRD_PARTY_BEFORE.test(before)) {
        const e = excerpt(m[0]);
        if (!evidence.includes(e)) evidence.push(e);
      } else if (what !== 'address') {
        unsure = true;
      }
    }
  }
  const facts = scan(signatureAt === Number.POSITIVE_INFINITY ? text : text.slice(0, signatureAt), PRIVATE_FACTS).evidence;
  for (const e of facts) if (!evidence.includes(e) && evidence.length < 3) evidence.push(e);
  return { evidence: evidence.slice(0, 3), unsure: unsure && evidence.length === 0 };
}
