import type { CaseType } from './clock.ts';

/**
 * Which formal items start a statutory clock. Rules are written from the law
 * (each cites it), not from examples:
 *
 * - SAR: an individual asking for their own personal data (UK GDPR art. 15(1)).
 *   It need not say "subject access" (ICO: a request is valid in any words, to
 *   anyone in the organisation, art. 12(2)). A request for the requester's own
 *   data made "under FOI" is still a SAR (FOIA s.40(1)), so SAR is tested first.
 * - FOI / EIR: a request in writing, with a name and an address for
 *   correspondence, describing the information wanted (FOIA s.1(1), s.8(1)); it
 *   need not mention the Act. Environmental information is requested the same
 *   way (EIR 2004 reg 5(1)). The hub looks for a request for recorded
 *   information held by the council (copies, minutes, figures, correspondence…),
 *   or an explicit mention of the Acts, and not a service request or a question
 *   the council answers in the ordinary way.
 * - Complaint: dissatisfaction with the council's own actions, decisions or
 *   service, which its complaints procedure handles (withyham.txt §6.13 /
 *   stilton.txt §8 ask posters to "submit a formal complaint to the Council"),
 *   as opposed to a report about someone else (a neighbour, a pothole).
 *
 * Detection only proposes: the clerk confirms or corrects with `#foi`, `#sar`,
 * `#complaint` or `#not-foi`, and the routing email says which rule fired.
 */

export interface Detection {
  readonly type: CaseType;
  readonly rule: string;
  readonly clause: string;
  /** The words that matched (a short excerpt, for the clerk's copy only). */
  readonly evidence: string;
}

/** A request that someone give the writer something they hold (not "please find attached", not "please fix"). */
const ASK = String.raw`(?:(?:please|pls|plz|kindly|could|can|would|will)\b[^.?!\n]{0,30}?\b(?:send|provide|supply|disclose|release|share|forward|e-?mail|let me (?:have|see)|give me)\b|\b(?:can|could|may) (?:i|we) (?:have|see|get|obtain|inspect|view)\b|\bi(?:'d| would)? (?:like|want|wish|need)\b(?: to (?:see|have|receive|obtain|inspect|view|get|be sent))?[^.?!\n]{0,25}?\b(?:cop(?:y|ies)|the|any|all|a breakdown|details|sight)\b|\bi(?:'d| would) be grateful for\b|\bi(?:'m| am) (?:requesting|asking for)\b|\bi (?:want|would like|'d like) to see (?:it|them|this|that)\b|\bi (?:hereby )?request\b|\bwhat information does\b|\bplease (?:confirm|tell me) what\b)`;
/** Recorded information (FOIA s.1(1), s.84 "information recorded in any form"). */
const RECORDS = String.raw`(?:cop(?:y|ies)|minutes?|documents?|records?|files?|correspondence|e-?mails?|letters?|reports?|invoices?|receipts?|contracts?|accounts|figures|numbers? of|breakdown|spreadsheets?|agendas?|register|schedules?|list of|details of|information|data|results|expenditure|spending|budget|grants? (?:awarded|paid)|quotes?|quotations|tenders?|surveys?(?! link)|assessments?|audits?|plans?|drawings|policy|recordings?|transcripts?|cctv|photos?|notes)`;
/** Oneself as the data subject, or someone the writer acts for (ICO: a relative or solicitor with authority). */
const SELF = String.raw`(?:(?:about|on|of|concerning|regarding|relating to|mentions?|mentioning|naming|referring to|that name)\s+me\b|where i'?m mentioned|i(?:'m| am| was) mentioned|\bmy (?:own )?(?:personal (?:data|information)|data|file|records?|[a-z]+ records|phone call|call|e-?mails?|correspondence|details you hold)\b|e-?mails? i (?:exchanged|sent|wrote)|(?:info(?:rmation)?|data|details) (?:the council|you|council) (?:holds?|has|have|keeps?) (?:on|about) me)`;
const ACTING_FOR = String.raw`(?:on behalf of (?:my|our)|(?:her|his|their|signed) authority|we (?:are instructed by|act for)|as (?:her|his) (?:parent|guardian|solicitor))`;

interface Rule {
  readonly type: CaseType;
  readonly id: string;
  readonly clause: string;
  readonly test: (text: string) => RegExpExecArray | null;
}

const re = (source: string) => new RegExp(source, 'i');
const both = (a: RegExp, b: RegExp) => (text: string) => (a.test(text) ? b.exec(text) : null);

const RULES: readonly Rule[] = [
  {
    type: 'sar',
    id: 'sar-named',
    clause: 'UK GDPR art. 15; art. 12(3)',
    test: (t) => /\bsubject access(?: request)?\b|\bD?SAR\b(?!\w)|\barticle 15\b|\bart\.? ?15\b|\b(?:exercise|exercising|under) (?:my )?right of access\b/i.exec(t),
  },
  { type: 'sar', id: 'sar-own-data', clause: 'UK GDPR art. 15(1)', test: both(re(ASK), re(SELF)) },
  {
    type: 'sar',
    id: 'sar-on-behalf',
    clause: 'UK GDPR art. 15(1); ICO: requests made on behalf of the data subject',
    // The deceased are not data subjects (UK GDPR recital 27): a relative's request for their file is FOI.
    test: (t) => (/\b(?:late|deceased|died|passed away|death)\b/i.test(t) ? null : both(re(ACTING_FOR), re(String.raw`\b(?:personal (?:data|information)|records?|reports?|e-?mails?|notes|files?)\b[^.?!\n]{0,80}\b(?:relating to|about|concerning|mention(?:ing)?|of) (?:her|him|them|my client|our client)\b`))(t)),
  },
  {
    type: 'foi',
    id: 'foi-named',
    clause: 'FOIA 2000 s.1(1), s.8(1); EIR 2004 reg 5(1)',
    test: (t) =>
      /\b(?:under|using|per|in accordance with)\s+(?:the\s+)?(?:FOIA?|freedom of information|EIRs?|environmental information regulations)\b|\b(?:this is|please treat this as|consider this(?: as)?|i am (?:making|submitting)|i'?m (?:making|submitting)|i (?:wish|would like|'d like) to make)\s+an?\s+(?:FOIA?|freedom of information|EIR)\b|^\s*(?:FOIA?|freedom of information|EIR)(?: request)?\s*[:\-\u2013]|\b(?:FOIA?|freedom of information|EIR) request (?:for|regarding|about|re|concerning)\b/im.exec(t),
  },
  { type: 'foi', id: 'foi-recorded-information', clause: 'FOIA 2000 s.1(1), s.8(1); EIR 2004 reg 5(1)', test: (t) => re(String.raw`${ASK}[^.?!\n]{0,80}?\b${RECORDS}\b`).exec(t) },
  {
    type: 'foi',
    id: 'foi-what-is-held',
    clause: 'FOIA 2000 s.1(1)(a) (to be told whether information is held)',
    test: (t) => /\bwhat (?:information|records|data|documents|correspondence) (?:does|do|did) (?:the (?:parish )?council|you) (?:hold|have|keep)\b/i.exec(t),
  },
  {
    type: 'foi',
    id: 'foi-spending-question',
    clause: 'FOIA 2000 s.1(1)',
    test: (t) => /\bhow much (?:money )?(?:did|has|have|does|was|were) (?:the (?:parish )?council|you|the parish)\b[^.?!\n]{0,60}\b(?:spen[dt]|pa(?:y|id)|cost|receiv|allocat|budget)/i.exec(t),
  },
  {
    type: 'complaint',
    id: 'complaint-named',
    clause: 'council complaints procedure (withyham.txt §6.13; stilton.txt §8)',
    test: (t) =>
      /\b(?:formal|official) complaint\b|\b(?:wish|want|would like|'d like|intend|writing|write) to (?:make a |raise a |lodge a |submit a |file a )?complain\b|\bi(?:'m| am) complaining\b|\b(?:make|making|raise|raising|lodge|lodging|submit|submitting|file|filing|register|registering)\s+(?:a |my |this )?(?:formal )?complaint\b|\b(?:log|treat|record|register|take|accept)\s+(?:this|it)\s+as\s+an?\s+(?:formal\s+)?complaint\b|\b(?:this|it) is an? (?:formal )?complaint\b|\bcomplaints? (?:procedure|panel|process|policy)\b|\bescalat(?:e|ed|ing)\b[^.?!\n]{0,40}\bcomplaint|\bstage (?:2|two)\b|\bmaladministration\b/i.exec(t),
  },
  {
    type: 'complaint',
    id: 'complaint-about-council',
    clause: 'council complaints procedure (withyham.txt §6.13; stilton.txt §8)',
    test: both(
      /\b(?:apolog|explanation|explain why|investigat|looked into|look into|escalat|a (?:response|reply)|respond|remedy|put (?:this|it) right|what (?:happens|will be done)|compensat|refund|acknowledg)/i,
      /\b(?:unhappy|dissatisfied|not satisfied|disappointed|appalled|disgusted|not (?:at all )?happy|angry|furious|upset) (?:about|with|at|by|regarding|over)\s+(?:the (?:way|manner) (?:in which )?|how )?(?:the |your |this )?(?:parish )?(?:council|clerk|councillors?|cllr|chair(?:man|woman|person)?|handling|response|decision|service|conduct|failure)/i,
    ),
  },
  {
    type: 'complaint',
    id: 'complaint-no-response',
    clause: 'council complaints procedure (withyham.txt §6.13; stilton.txt §8)',
    test: (t) => /\bthe council (?:has |have )?(?:failed|refused|neglected) to\b[^.?!\n]{0,120}[.?!]?[^.?!\n]{0,120}\b(?:complain|apolog|explanation|investigat|escalat)/i.exec(t),
  },
];

/** The writer says they are not (yet) making this kind of request, or only mentions it. */
const NEGATIONS: Record<CaseType, RegExp> = {
  foi: /\b(?:not|isn'?t|no need for) (?:an? |making an? )?(?:formal )?(?:FOI|freedom of information)(?: request)?\b|\bwithdraw\w*\b[^.?!\n]{0,30}\b(?:FOI|freedom of information|request)/i,
  sar: /\bnot (?:a |making a )?(?:subject access|SAR)\b|\b(?:who|where|how)\b[^.?!\n]{0,30}\b(?:send|make|submit|address)\b[^.?!\n]{0,30}\b(?:subject access|SAR)\b|\bthank(?:s| you) for sending\b/i,
  complaint: /\b(?:not|isn'?t|no) (?:a |making a |meant as a |intended as a )?(?:formal )?complaint\b|\bnot (?:trying|wanting|wishing) to complain\b|\bnot complaining\b|\bin case (?:i|we) (?:ever )?need\b|\bif (?:i|we) ever (?:need|want)\b/i,
};

/**
 * Bodies the parish council does not answer for (README of the labelled sets,
 * judgement 7; the complaints procedure covers the council's own service and
 * its contractors): a complaint aimed at them is a near miss.
 */
const THIRD_PARTY = /\b(?:next door|neighbou?rs?|[a-z]+ water\b|royal mail|(?:district|county|borough|city|unitary) council|the (?:district|county|police|hospital|school|nhs)\b|highways|bus (?:company|operator|service)|stagecoach|arriva|gp|surgery|the pub|landlord|bin men|dustmen|bin collections?|openreach|network rail)\b/i;
const COUNCIL_OWN = /\b(?:parish council'?s?|the clerk|clerk'?s|councillors?|cllr|the chair|council'?s (?:contractor|officer|staff)|council contractor|parish office)\b/i;

/**
 * Other routes to information that are not FOI (judgement 5): a councillor's
 * need to know, the police under DPA 2018 Sch. 2 para. 2.
 */
const NOT_FOI_ROUTES: readonly RegExp[] = [
  /(?:Cllr\.?|Councillor) [A-Z][A-Za-z.' -]{1,30}\s*$/, // signed by a councillor
  /\bas (?:a|your) (?:parish )?councillor\b|\bconstabulary\b|\bpolice\b|\bcrime ref|\binternal audit(?:or)?\b/i,
];
const NOT_FOI_ROUTE = { test: (t: string) => NOT_FOI_ROUTES.some((r) => r.test(t.trim())) };

const PRIORITY: readonly CaseType[] = ['sar', 'foi', 'complaint'];

/** Every request type the text matches, in priority order (SAR, FOI, complaint). */
export function detectRequests(text: string): Detection[] {
  const found: Detection[] = [];
  for (const type of PRIORITY) {
    if (NEGATIONS[type].test(text)) continue;
    for (const rule of RULES.filter((r) => r.type === type)) {
      const match = rule.test(text);
      if (!match) continue;
      if (type === 'complaint' && aimedElsewhere(text, match)) continue;
      // A request for one's own data is a SAR even if it is phrased as a records request (FOIA s.40(1)); both only when FOI is named.
      if ((rule.id === 'foi-recorded-information' || rule.id === 'foi-what-is-held') && (found.some((d) => d.type === 'sar') || NOT_FOI_ROUTE.test(text))) continue;
      found.push({ type, rule: rule.id, clause: rule.clause, evidence: match[0].replace(/\s+/g, ' ').slice(0, 80) });
      break;
    }
  }
  return found;
}

/** The sentence with the complaint names another body and not the council's own people or contractors. */
function aimedElsewhere(text: string, match: RegExpExecArray): boolean {
  const start = Math.max(text.lastIndexOf('.', match.index) + 1, 0);
  const endDot = text.slice(match.index + match[0].length).search(/[.?!\n]/);
  const sentence = text.slice(start, endDot < 0 ? undefined : match.index + match[0].length + endDot);
  return THIRD_PARTY.test(sentence) && !COUNCIL_OWN.test(sentence);
}

/** The case type a formal item starts with, if any: the first detection in priority order. */
export function detectRequest(subject: string | undefined, text: string): Detection | undefined {
  return detectRequests(subject ? `${subject}\n${text}` : text)[0];
}
