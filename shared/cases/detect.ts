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

interface Rule {
  readonly type: CaseType;
  readonly id: string;
  readonly clause: string;
  readonly pattern: RegExp;
}

const ME = String.raw`(?:me|myself|my (?:family|son|daughter|wife|husband|late \w+|account|property|house|application|complaint))`;
const HELD = String.raw`(?:hold|have|keep|store|process|retain|possess)(?:s|ing)?`;
const ASK = String.raw`(?:please (?:could you |can you |would you )?(?:provide|send|supply|disclose|release|share|forward|let me (?:have|see|know))|(?:could|can|would|will) (?:you|the council) (?:please )?(?:provide|send|supply|disclose|release|share|forward|let me (?:have|see|know))|i (?:would like|wish|want|am writing) to (?:request|obtain|receive|ask for|see|have|be sent|be provided with|make a request)|i (?:hereby )?request|(?:kindly )?provide me with|i am requesting|i'?d like (?:to (?:see|request|receive|have)|a copy|copies))`;
const RECORDS = String.raw`(?:cop(?:y|ies)|minutes|documents?|records?|correspondence|e-?mails?|letters?|reports?|invoices?|receipts?|contracts?|accounts|figures|breakdown|spreadsheets?|agendas?|notes|register|list of|details of|information (?:on|about|regarding|relating to|concerning|held)|data (?:on|about|regarding|relating to|held)|expenditure|spending|budget|grant|quotes?|tenders?|survey|assessment|audit|policy documents?|risk assessment)`;

const RULES: readonly Rule[] = [
  { type: 'sar', id: 'sar-named', clause: 'UK GDPR art. 15; art. 12(3)', pattern: /\b(?:data )?subject access(?: request)?\b|\bD?SAR\b|\bright of access\b|\barticle 15\b|\bart\.? ?15\b/i },
  {
    type: 'sar',
    id: 'sar-own-data',
    clause: 'UK GDPR art. 15(1)',
    pattern: new RegExp(
      String.raw`\b(?:(?:personal )?(?:data|information|details|records?|files?)|everything|anything|what)\s+(?:that\s+|which\s+)?(?:you|the council|the parish council|council|your (?:office|council))\s+(?:currently\s+)?${HELD}\s+(?:about|on|relating to|concerning|regarding)\s+${ME}\b|\bmy (?:own )?personal (?:data|information)\b|\b(?:all\s+)?(?:e-?mails?|correspondence|records?|notes|documents?|messages|minutes|cop(?:y|ies)[^.?!]{0,40})\s+(?:that\s+|which\s+)?(?:mention(?:s|ing)?|refer(?:s|ring)? to|nam(?:e|es|ing)|about|concerning|relating to|regarding)\s+me\b|\bdata (?:held )?about me\b|\binformation (?:held )?(?:about|on) me\b`,
      'i',
    ),
  },
  {
    type: 'foi',
    id: 'foi-named',
    clause: 'FOIA 2000 s.1(1), s.8(1); EIR 2004 reg 5(1)',
    pattern: /\bfreedom of information\b|\bFOIA?\b|\bEIRs?\b|\benvironmental information regulations?\b/i,
  },
  {
    type: 'foi',
    id: 'foi-recorded-information',
    clause: 'FOIA 2000 s.1(1), s.8(1)',
    pattern: new RegExp(String.raw`${ASK}\b[^.?!\n]{0,80}?\b${RECORDS}\b`, 'i'),
  },
  {
    type: 'foi',
    id: 'foi-spending-question',
    clause: 'FOIA 2000 s.1(1)',
    pattern: /\bhow much (?:money )?(?:did|has|have|does|was|were) (?:the (?:parish )?council|you|the parish)\b[^.?!\n]{0,60}\b(?:spen[dt]|pa(?:y|id)|cost|receiv|allocat|budget)/i,
  },
  {
    type: 'complaint',
    id: 'complaint-named',
    clause: 'council complaints procedure (withyham.txt §6.13; stilton.txt §8)',
    pattern: /\b(?:formal|official) complaint\b|\b(?:wish|want|would like|intend|writing) to (?:make a |raise a |lodge a |submit a |file a )?complain\b|\b(?:make|raise|lodge|submit|file|register)(?:ing)? (?:a |my |this )?(?:formal )?complaint\b|\bcomplaints? procedure\b|\bthis is a complaint\b|\bmaladministration\b/i,
  },
  {
    type: 'complaint',
    id: 'complaint-about-council',
    clause: 'council complaints procedure (withyham.txt §6.13; stilton.txt §8)',
    pattern:
      /\b(?:complain(?:t|ing)?|unhappy|dissatisfied|disappointed|appalled|disgusted|not (?:at all )?(?:happy|satisfied)|angry|furious|upset) (?:about|with|at|by|regarding|over)\s+(?:the (?:way|manner) (?:in which )?|how )?(?:the |your |this )?(?:parish )?(?:council|clerk|councillors?|chair(?:man|woman|person)?|your (?:handling|response|decision|service|conduct|failure)|the (?:handling|response|decision|service|conduct|failure))/i,
  },
  {
    type: 'complaint',
    id: 'complaint-no-response',
    clause: 'council complaints procedure (withyham.txt §6.13; stilton.txt §8)',
    pattern: /\b(?:still )?(?:had|received|got) no (?:reply|response|answer|acknowledg(?:e)?ment)\b[^.?!\n]{0,60}\b(?:despite|after|weeks|months|chas|again|several)|\bthe council (?:has |have )?(?:failed|refused|neglected) to\b/i,
  },
];

/** Phrases that say the writer is NOT making this kind of request. */
const NEGATIONS: Record<CaseType, RegExp> = {
  foi: /\b(?:not|isn'?t|no need for) (?:an? |making an? )?(?:formal )?(?:FOI|freedom of information)(?: request)?\b|\bno(?:t)? (?:a |an )?(?:FOI|freedom of information) request\b/i,
  sar: /\bnot (?:a |making a )?(?:subject access|SAR)\b/i,
  complaint: /\b(?:not|isn'?t|no) (?:a |making a |meant as a |intended as a )?(?:formal )?complaint\b|\bnot (?:trying|wanting|wishing) to complain\b|\bno complaints?\b|\bnot complaining\b/i,
};

const PRIORITY: readonly CaseType[] = ['sar', 'foi', 'complaint'];

/** Every request type the text matches, in priority order (SAR, FOI, complaint). */
export function detectRequests(text: string): Detection[] {
  const found: Detection[] = [];
  for (const type of PRIORITY) {
    if (NEGATIONS[type].test(text)) continue;
    for (const rule of RULES.filter((r) => r.type === type)) {
      const match = rule.pattern.exec(text);
      if (!match) continue;
      found.push({ type, rule: rule.id, clause: rule.clause, evidence: match[0].replace(/\s+/g, ' ').slice(0, 80) });
      break;
    }
  }
  return found;
}

/** The case type a formal item starts with, if any: the first detection in priority order. */
export function detectRequest(subject: string | undefined, text: string): Detection | undefined {
  return detectRequests(subject ? `${subject}\n${text}` : text)[0];
}
