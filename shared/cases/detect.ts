import type { CaseType } from './clock.ts';

/**
 * Which formal items start a statutory clock. Rules are written from the law
 * (each names its clause), not from examples; each detection names the rule
 * that fired, its clause and the words that matched.
 *
 * - SAR (UK GDPR art. 15(1)): an individual asking for their own personal data.
 *   It need not say "subject access" (ICO: a request is valid in any words, to
 *   anyone in the organisation). The rules: the right named (`sar-named`, not
 *   when it is only mentioned, planned, chased or sent elsewhere); a request
 *   for data about, on or mentioning the writer, or their own file or
 *   correspondence (`sar-own-data`), or, in one sentence, a request for
 *   records whose object is theirs (`sar-own-records`); images in which they
 *   appear (`sar-own-image`); to whom their data went or where it came from
 *   (art. 15(1)(c), (g), `sar-recipients-or-source`); someone with authority
 *   acting for the data subject, not for the deceased (`sar-on-behalf`). A
 *   request for one's own data made "under FOI" is still a SAR (FOIA s.40(1)),
 *   so SAR is tested first and takes precedence over the FOI rules that do not
 *   rest on the Act being named.
 * - FOI / EIR (FOIA s.1(1), s.8(1); EIR reg 5(1)): a request for recorded
 *   information the council holds; it need not mention the Act. The rules:
 *   the Act named as the basis of a request (`foi-named`); a request for a
 *   kind of record (`foi-recorded-information`); whether information is held,
 *   then asked for (`foi-whether-held`, `foi-what-is-held`); figures from the
 *   council's records asked as a question (`foi-figures-question`). Not: forms
 *   and price lists (business as usual), corrections (rectification), a
 *   councillor's need to know, police or internal-audit access.
 * - Complaint (the policies' complaints clauses, withyham.txt §6.13, stilton.txt
 *   §8): dissatisfaction with the council's own actions, service, staff or
 *   contractors asking for a response. The rules: a complaint made or the
 *   procedure invoked (`complaint-named`); dissatisfaction with the council
 *   and a request for explanation, apology, investigation or remedy
 *   (`complaint-about-council`, `complaint-dissatisfied-remedy`,
 *   `complaint-no-response`). Not: a complaint about someone the council does
 *   not answer for, asking how to complain, or a planned complaint.
 *
 * Detection only proposes: the clerk confirms or corrects with `#foi`, `#sar`,
 * `#complaint` or `#not-foi`, and the routing email says which rule fired.
 * The quality is measured on the labelled sets (`npm run eval:requests`).
 */

export interface Detection {
  readonly type: CaseType;
  readonly rule: string;
  readonly clause: string;
  /** The words that matched (a short excerpt, for the clerk's copy only). */
  readonly evidence: string;
}

/** A request that someone give the writer something they hold (not "please find attached", not "please fix"). */
const ASK = String.raw`(?:(?:please|pls|plz|kindly|could|can|would|will)\b[^.?!\n]{0,30}?\b(?:send|post|provide|supply|furnish|disclose|release|share|forward|e-?mail|let me (?:have|see)|give me)\b|\b(?:can|could|may) (?:i|we|u) (?:please )?(?:have|see|get|obtain|inspect|view|receive)\b|\bgrateful (?:to (?:receive|have|see)|if you (?:would|could) (?:send|provide|let me have))\b|\bsend (?:me|us)\b|\bi(?:'d| would| should)? (?:also |really |just |now |very much |still )?(?:like|want|wish|need)\b(?! to (?!see\b|have\b|receive\b|obtain\b|inspect\b|view\b|get\b|be sent\b|read\b|request\b))(?: to (?:see|have|receive|obtain|inspect|view|get|be sent|read|request))?[^.?!\n]{0,25}?\b(?:cop(?:y|ies)|the|any|all|a breakdown|details|sight|everything|anything|whatever)\b|\bi(?:'d| would) be grateful for\b|\bi(?:'m| am) (?:requesting|asking for)\b|\bi(?: want|'d| would| should)? (?:also |really |just |now |very much |still )?(?:want|like) to see\b|\bi (?:hereby )?(?:write to )?request\b|^\s*request\s*:|\bwhat information does\b|\bplease (?:confirm|tell me) what\b|\b(?:has|does) the council (?:got|have|had|hold|keep) any\b|\bi(?:'m| am) after\b|\b(?:have|take) a look at\b|\b(?:is|would) it (?:be )?possible (?:for me )?to (?:get|have|see|obtain|receive|view|read)\b|\b(?:we|i) would be grateful for\b|\b(?:interested|like) to read\b|\bi have a right to (?:see|have|know)\b|\b(?:tell|let) me (?:know )?(?:exactly )?what\b|\bsend (?:it|them|whatever|everything)\b|\bplease provide\b|\b(?:making|make|submit\w*) a request\b|\btreat this as a request\b|\b(?:want|like|request|need|seek\w*) access to\b|\b(?:i|we)(?:'d| would) like (?:a )?cop(?:y|ies)\b)`;
/** Recorded information (FOIA s.1(1), s.84 "information recorded in any form"). */
const RECORDS = String.raw`(?:cop(?:y|ies)|(?:annual )?returns?|(?:comments|responses?|representations?|submissions?|objections?) (?:that )?the council (?:sent|made|submitted|gave)|anything on file|folders?|minutes?|documents?|records?|files?|correspondence|e-?mails?|letters?|reports?|invoices?|receipts?|claims?|contracts?|agreements?|accounts|figures|totals?|amounts?|numbers? of|breakdown|spreadsheets?|agendas?|register|schedules?|list of|details of|information|data|results|expenditure|spending|expenses|allowances|fees|budget|grants? (?:awarded|paid)|quotes?|quotations|tenders?|surveys?(?! link)|assessments?|audits?|plans?|drawings|polic(?:y|ies)|recordings?|transcripts?|cctv|photos?|notes|bills?|declarations?|registers? of interests?|gifts and hospitality|reserves|test results|inspections?|readings|numbers|statistics|petitions?|responses? to)`;
/** Asking for a record named just before: "…the bat survey? I'd like a copy." */
const COPY_OF_IT = String.raw`\b(?:(?:like|have|want|get|see|send(?: me| us)?|provide|post)\s+(?:a |any )?cop(?:y|ies)|(?:send|forward|post|e-?mail)\s+(?:it|them|whatever)(?: to me)?|(?:like|want|wish) to (?:see|have|read) (?:it|them))\b`;
/** Routine business (README judgement 2): a form to fill in or a price list is not a request for the council's records. */
const BUSINESS_AS_USUAL =
  /\b(?:corrected|amended|taken down)\b|\bwant (?:it|this|them) removed\b|\bfill (?:in|out)\b|\b(?:booking|application|entry|nomination|hire) forms?\b|\bprice list\b|\bsurvey link\b|\blink to\b|\bhire (?:rates|charges|prices)\b|\bterms and conditions\b/i;
/** After "my": words for a place, a relative or a contact detail, which do not make the record the writer's own. */
const NOT_MINE = String.raw`(?!(?:e-?mail|phone|number|mobile|address|house|home|street|road|lane|village|garden|area|neighbour\w*|mum|mother|dad|father|son|daughter|brother|sister|husband|wife|partner|family|child\w*|gran\w*|grand\w*|late|own house|request|foi|question|view|opinion|concerns?)\b)`;
/**
 * Personal data about the writer (UK GDPR art. 4(1), art. 15(1)): data named
 * as about, on or mentioning them, their own file, records or correspondence,
 * what someone wrote or said about them, or images in which they appear.
 */
const SELF = String.raw`(?:\b(?:data|information|info|details|anything|everything|emails?|notes?|documents?|records?|messages?|minutes|reports?|letters?|correspondence|complaints?|file|folder|log|photos?|images?|footage|cctv|recordings?)\b[^.?!\n]{0,40}?\b(?:about|on|of|concerning|regarding|relating to|mentions?|mentioning|naming|refer(?:s|ring|red)? to|that name)\s+(?:me|myself)\b|\bon file (?:for|about|on) me\b|\b(?:data|information|details|records?) of mine\b|where i'?m mentioned|i(?:'m| am| was) mentioned|\bmy (?:own )?(?:personal (?:data|information|details)|data|details you hold|file|records?|[a-z]+ (?:file|records?|log)|phone calls?|calls?|e-?mails(?! (?:is\b|address|[\w.+-]+@))|messages?|correspondence)\b|\blog of my\b|\b(?:notes?|records?|reports?|files?|log|e-?mails?|letters?|photos?|data|information|details)\b[^.?!\n]{0,20}?\b(?:about|on|of|concerning|regarding) my ${NOT_MINE}[a-z]+|\b(?:phone )?(?:calls?|e-?mails?|letters?|messages?|conversations?|statements?) (?:that )?i (?:have |had )?(?:made|sent|wrote|written|had|exchanged|gave|given|provided|submitted)\b|\b(?:e-?mails?|messages?|letters?) (?:between me and|i (?:exchanged|sent|wrote))|\bwhat (?:you|the council|[a-z]+) (?:holds?|has|have|keeps?|got|wrote|said|reported|recorded) (?:on|about) me\b|\bwhat (?:have you|has the council|do you|does the council) (?:got|hold|have|keep) (?:on|about) me\b|(?:info(?:rmation)?|data|details) (?:the council|you|council) (?:holds?|has|have|keeps?) (?:on|about) me)`;
/** Someone acting for the data subject (ICO: a parent, a solicitor, an attorney or deputy, a relative with authority). */
const ACTING_FOR = String.raw`(?:on behalf of (?:my|our)|(?:her|his|their|signed) (?:authority|consent)|we (?:are instructed by|act for)|\bsolicitors? (?:for|acting for)\b|\b(?:we|i) (?:act|are acting|am acting) for\b|as (?:her|his) (?:parent|guardian|solicitor)|power of attorney|court of protection|acting (?:as|for)\b[^.?!\n]{0,20}\b(?:deputy|attorney)|deputy for|(?:writing|asking|emailing) for my (?:mum|mother|dad|father|son|daughter|brother|sister|husband|wife|partner|gran\w*|grand\w*)|(?:he|she)(?:'s| has) signed|(?:as|i am|i'm) the (?:parent|guardian|mother|father|mum|dad) of|\bmy (?:son|daughter|child)\b)`;
/** Images of the writer (ICO: CCTV and photographs of a person are their personal data). */
const IN_THE_IMAGE =
  /\b(?:cctv|footage|camera|video|photos?|pictures?|images?|recording)\b[\s\S]{0,160}\b(?:it'?s me|i(?:'m| am| was) (?:on|in|visible|the one)|(?:shows?|showing|of) me\b|me (?:locking|walking|parking|standing|leaving|arriving))|\b(?:photos?|pictures?|images?) of my (?:car|vehicle|van|house|home|property)\b/i;
/** Art. 15(1)(c) and (g): to whom the writer's data was disclosed, and where it came from. */
const RECIPIENTS =
  /\b(?:who|whether|if)\b[^.?!\n]{0,50}\b(?:shared|sent|passed|disclosed|given|gave|sold)\b[^.?!\n]{0,10}\bmy (?:personal )?(?:data|information|info|details)\b|\bwhere (?:you|the council) got my (?:details|data|information|name|address)\b/i;

/**
 * In one sentence, a request and an object that is the writer's own: about,
 * on or mentioning them, between them and the council, or "my <something>"
 * that is not a place, a relative or a contact detail they are giving.
 */
const OWN_OBJECT = new RegExp(
  String.raw`\b(?:about|on|concerning|regarding|mentioning|naming|between|for) (?:me|myself)\b|\bmy ${NOT_MINE}(?:own )?[a-z]+(?: [a-z]+)?\b`,
  'i',
);
const INFO_QUESTION =
  /\b(?:what|wat|wot)\b[^.?!\n]{0,30}\b(?:info\w*|data|details|records?|have|got|hold|holds|keep|wrote|written|recorded|said)\b[^.?!\n]{0,30}\b(?:on|about) me\b/i;
function ownDataRequest(text: string): RegExpExecArray | null {
  for (const sentence of text.split(/(?<=[.?!])\s+|\n+/)) {
    if (INFO_QUESTION.test(sentence)) return INFO_QUESTION.exec(sentence);
    const ask = re(ASK).exec(sentence.split(/\b(?:so (?:that )?(?:i|we) can|in order to|because)\b/i)[0]!);
    if (
      ask &&
      OWN_OBJECT.test(sentence.slice(ask.index + ask[0].length)) &&
      re(String.raw`\b${RECORDS}\b|\b(?:everything|anything|whatever|what)\b`).test(sentence)
    )
      return ask;
  }
  return null;
}

interface Rule {
  readonly type: CaseType;
  readonly id: string;
  readonly clause: string;
  readonly test: (text: string) => RegExpExecArray | null;
}

const re = (source: string) => new RegExp(source, 'im');
const both = (a: RegExp, b: RegExp) => (text: string) => (a.test(text) ? b.exec(text) : null);
/** The deceased are not data subjects (UK GDPR recital 27): a relative's request for their file is FOI. */
const DECEASED = /\b(?:late (?:father|mother|husband|wife|dad|mum|brother|sister|son|daughter|partner|grand\w*)|deceased|died|passed away|death)\b/i;
const unlessDeceased = (test: (t: string) => RegExpExecArray | null) => (t: string) => (DECEASED.test(t) ? null : test(t));

/** Alternatives as one case-insensitive pattern, from a word boundary (and to one, with 'b'). */
function anyOf(alternatives: readonly string[], end: '' | 'b' = ''): RegExp {
  return new RegExp(String.raw`\b(?:${alternatives.join('|')})${end ? String.raw`\b` : ''}`, 'i');
}

/** The three complaint ingredients (README label definition; withyham.txt §6.13, stilton.txt §8). */
const COUNCIL_ACTOR = anyOf(
  [
    String.raw`(?:the|this|parish|our) council\b`,
    String.raw`(?<!(?:district|county|borough|city|unitary) )council'?s\b`,
    String.raw`(?:deputy )?clerk\b`,
    String.raw`councillors?\b`,
    String.raw`cllr\b`,
    String.raw`chair(?:man|woman|person)?\b`,
    String.raw`parish office\b`,
    String.raw`your (?:contractors?|admin|staff|grass ?cutters|workmen|team|page|office|officer)\b`,
    String.raw`council (?:lads|staff|workers|contractors?|officers?|employees?)\b`,
    String.raw`which the council runs\b`,
    String.raw`you lot\b`,
    String.raw`council(?:-owned|'s)? (?:gate|land|field|property|building|hall|car park|fence|bench|playground|play area|pavilion|cemetery|allotments?|toilets?|van|vehicle)\b`,
    String.raw`your (?:caretaker|office|drainage|works|contractors'|booking|system|website|handyman|groundsman|groundsmen|gardeners?|wardens?|litter pickers?)\b`,
    String.raw`(?:hall )?booking system\b`,
  ],
  '',
);
const DISSATISFIED = anyOf(
  [
    String.raw`unhappy`,
    String.raw`dissatisfied`,
    String.raw`not (?:at all )?(?:satisfied|happy)`,
    String.raw`disappointed`,
    String.raw`appalled`,
    String.raw`disgusted`,
    String.raw`disgrace(?:ful)?`,
    String.raw`outrageous`,
    String.raw`unacceptable`,
    String.raw`unprofessional`,
    String.raw`embarrassing`,
    String.raw`humiliat\w*`,
    String.raw`shocking`,
    String.raw`fail(?:ed|ure|s) to`,
    String.raw`no refund`,
    String.raw`(?:still|yet) (?:not|no|hasn'?t|haven'?t)`,
    String.raw`(?:was|were|been) promised`,
    String.raw`(?:3rd|third|second|2nd|fourth) time`,
    String.raw`cracked`,
    String.raw`deleted my`,
    String.raw`censor\w*`,
    String.raw`wrongly`,
    String.raw`rude(?:ly)?`,
    String.raw`filthy`,
    String.raw`dismissive`,
    String.raw`ignored`,
    String.raw`without (?:notifying|telling|consulting|asking|(?:any )?consultation|(?:my )?consent)`,
    String.raw`did not consent`,
    String.raw`lost my`,
    String.raw`shambles`,
    String.raw`nobody (?:\w+ ){0,4}(?:has )?(?:replied|answered|responded|got back)`,
    String.raw`fed up`,
    String.raw`(?:in|a) (?:complete |total )?mess\b`,
    String.raw`(?:posted|shared|published|disclosed|leaked|passed on|circulated|copied) my`,
    String.raw`not allowed`,
    String.raw`object\w* (?:strongly )?to (?:how|the way)`,
    String.raw`stolen`,
    String.raw`injur\w*`,
    String.raw`ruined`,
    String.raw`nothing (?:has been|was|is being) done`,
    String.raw`blocked`,
    String.raw`for (?:a fortnight|weeks|months|\d+ (?:days|weeks|months))`,
    String.raw`unfair(?:ly)?`,
    String.raw`unjust`,
    String.raw`mishandl\w*`,
    String.raw`nobody (?:has )?(?:answered|replied|responded|come|came|done)`,
    String.raw`dumped`,
    String.raw`damag(?:ed|ing)`,
    String.raw`why (?:did|has|have|was|were|is) (?:your|the council|the clerk)`,
    String.raw`done nothing`,
    String.raw`distress\w*`,
    String.raw`refused to`,
    String.raw`nothing back`,
    String.raw`no (?:reply|response|answer)`,
    String.raw`threaten\w*`,
  ],
  'b',
);
const REMEDY = anyOf(
  [
    String.raw`apolog\w*`,
    String.raw`refund\w*`,
    String.raw`compensat\w*`,
    String.raw`explanation`,
    String.raw`explain(?:ing)? (?:why|how)`,
    String.raw`why (?:this|it) (?:happened|was allowed)`,
    String.raw`how this (?:happened|was allowed)`,
    String.raw`looked (?:at|into)`,
    String.raw`investigat\w*`,
    String.raw`(?:like|want) (?:this|it) reviewed`,
    String.raw`accountab\w*`,
    String.raw`held to account`,
    String.raw`put (?:this|it|things) right`,
    String.raw`who(?:'s| is) paying`,
    String.raw`(?:formal|proper|written) (?:reply|answer|response)`,
    String.raw`what (?:will|are you going to|is going to|is the council going to) (?:be )?do(?:ne)?`,
    String.raw`correction`,
    String.raw`before the (?:full )?council`,
    String.raw`(?:want|like) (?:this|it) sorted`,
    String.raw`(?:stop|prevent) (?:this|it) happening again`,
    String.raw`money back`,
    String.raw`pay for (?:the |its )?(?:repair|damage|replacement)`,
    String.raw`expect (?:you|the council) to (?:pay|repair|replace|put)`,
    String.raw`(?:want|expect|demand) an? (?:answer|reply|response)\b`,
    String.raw`(?:reply|respond|write back) to me`,
    String.raw`(?:want|like|need) to know why`,
    String.raw`confirm in writing`,
    String.raw`respond personally`,
    String.raw`(?:come|someone) (?:and|to) look`,
    String.raw`(?:tell|let) me what (?:the council|you) (?:will|are going to) do`,
    String.raw`reviewed`,
  ],
  '',
);
const COMPLAINT_CLAUSE = 'council complaints procedure (withyham.txt §6.13; stilton.txt §8)';
const FOI_CLAUSE = 'FOIA 2000 s.1(1), s.8(1); EIR 2004 reg 5(1)';

const RULES: readonly Rule[] = [
  {
    type: 'sar',
    id: 'sar-named',
    clause: 'UK GDPR art. 15; art. 12(3) (a request "under the Data Protection Act" is this right)',
    test: (t) =>
      /\bsubject access(?: request)?\b|\bD?SAR\b(?!\w)|\barticle 15\b|\bart\.? ?15\b|\b(?:exercise|exercising|under) (?:my )?right of access\b|\b(?:exercise|exercising) my (?:data(?: protection)? |access |information )rights?\b|\b(?:request|requesting|asking) under the (?:UK )?(?:GDPR|data protection act(?: 2018)?)\b[^.?!\n]{0,120}\b(?:me|my)\b/i.exec(
        t,
      ),
  },
  { type: 'sar', id: 'sar-own-data', clause: 'UK GDPR art. 15(1)', test: both(re(ASK), re(SELF)) },
  { type: 'sar', id: 'sar-own-records', clause: 'UK GDPR art. 15(1) (records about the requester, in any words)', test: ownDataRequest },
  {
    type: 'sar',
    id: 'sar-on-behalf',
    clause: 'UK GDPR art. 15(1); ICO: requests made on behalf of the data subject',
    test: unlessDeceased(
      both(
        re(ACTING_FOR),
        re(
          String.raw`\b(?:personal (?:data|information)|data|information|records?|reports?|e-?mails?|notes|files?|letters|documents?|correspondence|photos?|anything|everything)\b[^.?!\n]{0,80}?\b(?:relating to|about|concerning|regarding|on|mention(?:ing)?|of|for) (?:her|him|them|my client|our client)\b|\b(?:her|his) (?:[a-z]+ )?(?:accident|notes|file|records?|reference|application|report)\b|\bwhat (?:the council|you) (?:has|have|holds?|keeps?) (?:on|about) (?:him|her|them)\b`,
        ),
      ),
    ),
  },
  { type: 'sar', id: 'sar-own-image', clause: 'UK GDPR art. 15(1), (3) (a copy of images of the data subject)', test: both(re(ASK), IN_THE_IMAGE) },
  { type: 'sar', id: 'sar-recipients-or-source', clause: 'UK GDPR art. 15(1)(c), (g)', test: (t) => RECIPIENTS.exec(t) },
  {
    type: 'foi',
    id: 'foi-named',
    clause: FOI_CLAUSE,
    test: (t) =>
      /\b(?:under|using|per|in accordance with)\s+(?:the\s+)?(?:FOIA?|freedom of information|EIRs?|environmental information regulations)\b|\b(?:this is|please treat this as|consider this(?: as)?|i am (?:making|submitting)|i'?m (?:making|submitting)|i (?:wish|would like|'d like) to make)\s+an?\s+(?:FOIA?|freedom of information|EIR)\b|^\s*(?:FOIA?|freedom of information|EIR)(?: request)?\s*[:\-\u2013]|\b(?:FOIA?|freedom of information|EIR) request (?:for|regarding|about|re|concerning)\b/im.exec(
        t,
      ),
  },
  {
    type: 'foi',
    id: 'foi-recorded-information',
    clause: FOI_CLAUSE,
    test: (t) =>
      BUSINESS_AS_USUAL.test(t)
        ? null
        : (re(String.raw`${ASK}(?:[^.?!]|\d\.){0,120}?\b${RECORDS}\b`).exec(t) ?? re(String.raw`\b${RECORDS}\b[^]{0,100}?${COPY_OF_IT}`).exec(t)),
  },
  {
    type: 'foi',
    id: 'foi-what-is-held',
    clause: 'FOIA 2000 s.1(1)(a) (to be told whether information is held)',
    test: (t) => /\bwhat (?:information|records|data|documents|correspondence) (?:does|do|did) (?:the (?:parish )?council|you) (?:hold|have|keep)\b/i.exec(t),
  },
  {
    type: 'foi',
    id: 'foi-whether-held',
    clause: 'FOIA 2000 s.1(1)(a), (b) (whether information is held, and to have it)',
    test: (t) =>
      re(ASK).test(t) || /\bif so\b/i.test(t)
        ? re(
            String.raw`\b(?:do|does|did|has|have) (?:you|the (?:parish )?council) (?:have|hold|keep|had|got|received|carried out|commissioned|done)\b[^.?!\n]{0,20}?\b${RECORDS}\b`,
          ).exec(t)
        : null,
  },
  {
    type: 'foi',
    id: 'foi-figures-question',
    clause: "FOIA 2000 s.1(1) (figures held in the council's records and accounts)",
    test: (t) =>
      /\bhow much (?:money |rent )?(?:did|has|have|does|was|were|is) (?:the (?:parish )?council|you|the parish)\b[^.?!\n]{0,60}\b(?:spen[dt]|pa(?:y|id|ying)|cost|receiv|gets?|got|allocat|budget)|\bwhat(?:'?s| is| are)? (?:the (?:parish )?council|you) (?:paying|spending|paid|spent)\b|\bhow much (?:money |rent )?(?:the (?:parish )?council|you) (?:has |have |had )?(?:gets|got|receiv\w*|is paid|spen[dt]|paid|pays|charged|raised)\b|\bhow much (?:was|were|has been|is being) (?:paid|spent|received)\b|\bwhat (?:was|were|is|are) the (?:total |full |actual )?(?:cost|costs|spend|amount paid)\b|\bhow many\b[^.?!\n]{0,40}\b(?:has |have |did )?(?:the (?:parish )?council|you)\b[^.?!\n]{0,10}\b(?:received|issued|upheld|made|planted|awarded|granted|let|sold|employ\w*|recorded|logged)\b/i.exec(
        t,
      ),
  },
  {
    type: 'complaint',
    id: 'complaint-named',
    clause: COMPLAINT_CLAUSE,
    test: (t) =>
      /\b(?:formal|official) complaint\b|\b(?:wish|want|would like|'d like|intend|writing|write|have|need|must) to (?:formally )?(?:make a |raise a |lodge a |submit a |file a )?complain\b|\bi(?:'m| am) complaining\b|\bcomplain(?:ing)? (?:formally|in the strongest terms)\b|\bi (?:formally |hereby )?complain\b|\b(?:make|making|raise|raising|lodge|lodging|submit|submitting|file|filing|register|registering)\s+(?:a |my |this )?(?:formal )?complaint\b|\b(?:log|treat|treated|record|recorded|register|take|accept|raise|raised|pass|passed|put)\s+(?:this|it)?\s*(?:[a-z]+ ){0,4}?as\s+an?\s+(?:formal\s+)?complaint\b|\b(?:this|it) is (?:now )?an? (?:formal )?complaint\b|\b(?:under|to|via|through|invok\w*|in line with) (?:your|the|its|the council'?s) complaints? (?:procedure|panel|process|policy|committee)\b|\bletter of complaint\b|\b(?:i|we) (?:must |have to |need to )?(?:formally )?complain (?:about|that|of)\b|\b(?:write|writing|wrote)\b[^.?!\n]{0,20}\bto complain\b|\bescalating\b|\b(?:express|expressing) (?:my|our) (?:deep |strong |great )?dissatisfaction\b|\bformally complaining\b|\bescalat(?:e|ed|ing)\b[^.?!\n]{0,40}\bcomplaint|\bstage (?:2|two)\b|\bmaladministration\b|^\s*complaint\s*(?:re|about|regarding|[:\-\u2013])/im.exec(
        t,
      ),
  },
  {
    type: 'complaint',
    id: 'complaint-about-council',
    clause: COMPLAINT_CLAUSE,
    test: both(
      /\b(?:apolog|explanation|explain why|investigat|looked into|look into|escalat|a (?:response|reply)|respond|remedy|put (?:this|it) right|what (?:happens|will be done)|compensat|refund|acknowledg)/i,
      /\b(?:unhappy|dissatisfied|not satisfied|disappointed|appalled|disgusted|not (?:at all )?happy|angry|furious|upset) (?:about|with|at|by|regarding|over|that)\s+(?:the (?:way|manner) (?:in which )?|how )?(?:the |your |this )?(?:parish )?(?:council|clerk|councillors?|cllr|chair(?:man|woman|person)?|handling|response|decision|service|conduct|failure)/i,
    ),
  },
  {
    type: 'complaint',
    id: 'complaint-dissatisfied-remedy',
    clause: `${COMPLAINT_CLAUSE}: dissatisfaction with the council's own service, staff or contractors, asking for a response or remedy`,
    test: (t) => (COUNCIL_ACTOR.test(t) && DISSATISFIED.test(t) ? REMEDY.exec(t) : null),
  },
  {
    type: 'complaint',
    id: 'complaint-no-response',
    clause: COMPLAINT_CLAUSE,
    test: (t) =>
      /\bthe council (?:has |have )?(?:failed|refused|neglected) to\b[^.?!\n]{0,120}[.?!]?[^.?!\n]{0,120}\b(?:complain|apolog|explanation|investigat|escalat)/i.exec(
        t,
      ),
  },
];

/** The writer says they are not (yet) making this kind of request, or only mentions it. */
const NEGATIONS: Record<CaseType, RegExp> = {
  foi: /\b(?:going to|will|i'll|we'll|might|may|intend to|plan to|shall)\s+(?:be\s+)?(?:submit|make|send|put|fil|lodg|do)\w*\b[^.?!\n]{0,20}\b(?:an? )?(?:FOI|freedom of information)|\b(?:not|isn'?t|no need for) (?:an? |making an? )?(?:formal )?(?:FOI|freedom of information)(?: request)?\b|\bwithdraw\w*\b[^.?!\n]{0,30}\b(?:FOI|freedom of information|request)/i,
  sar: /\b(?:going to|will|i'll|we'll|might|may|intend to|plan to|shall)\s+(?:be\s+)?(?:submit|make|send|put|fil|lodg|do)\w*\b[^.?!\n]{0,20}\b(?:an? )?(?:subject access|SAR)|\bnot (?:a |making a )?(?:subject access|SAR)\b|\bblank\b[^.?!\n]{0,30}\bform\b|\b(?:someone|people|residents|a man|a woman) (?:used|made|sent)\b[^.?!\n]{0,10}\b(?:subject access|SAR)|\b(?:subject access|SAR)(?: request)? to (?:the|another) (?:district|county|police|nhs|school)\b|\b(?:handling of|response to|reply to|chasing|outcome of|delay (?:in|with)|complain\w* about)\b[^.?!\n]{0,20}\b(?:my|the|our|a) (?:subject access|SAR|data (?:protection )?request)\b|\b(?:who|where|how)\b[^.?!\n]{0,30}\b(?:send|make|submit|address)\b[^.?!\n]{0,30}\b(?:subject access|SAR)\b|\bthank(?:s| you) for (?:sending|getting back|replying|your (?:reply|response|letter|email))\b|\ball received\b/i,
  complaint:
    /\b(?:thinking of|considering|might|may|going to|could) (?:make|making|submit\w*|lodg\w*|rais\w*|put\w*(?: in)?) an? (?:formal )?complaint\b|\b(?:not|isn'?t|no) (?:a |making a |meant as a |intended as a )?(?:formal )?complaint\b|\bnot (?:trying|wanting|wishing) to complain\b|\bnot complaining\b|\bin case (?:i|we) (?:ever )?need\b|\b(?:how|who|where) (?:do|can|should|would) (?:i|we) (?:go to |make a |send a )?complain\w*\b|\bwho do (?:i|we) (?:go|turn) to\b|\b(?:can|could|should) (?:i|we) complain\b[^.?!\n]{0,40}\?|\bif (?:i|we) ever (?:need|want)\b/i,
};

/**
 * Bodies the parish council does not answer for (README of the labelled sets,
 * judgement 7; the complaints procedure covers the council's own service and
 * its contractors): a complaint aimed at them is a near miss.
 */
const THIRD_PARTY =
  /\b(?:next door|neighbou?rs?|[a-z]+ water\b|royal mail|(?:district|county|borough|city|unitary) council|the (?:district|county|police|hospital|school|nhs)\b|highways|bus (?:company|operator|service)|stagecoach|arriva|gp|surgery|the pub|landlord|bin men|dustmen|bin collections?|openreach|network rail|farmers?|landowners?|developers?|(?:dog )?owners|motorists|youths|teenagers|the \d+ bus|bus drivers?)\b/i;
const COUNCIL_OWN =
  /\b(?:parish council'?s?|the clerk|(?:deputy )?clerk'?s?|councillors?|cllr|the chair(?:man|woman|person)?|(?<!(?:district|county|borough|city|unitary) )council'?s (?:contractors?|officers?|staff|response|decision|handling|process|own)|council contractor|parish office|your (?:contractors?|caretaker|office|staff|admin|team))\b/i;

/**
 * Other routes to information that are not FOI (judgement 5): a councillor's
 * need to know, the police under DPA 2018 Sch. 2 para. 2.
 */
const NOT_FOI_ROUTES: readonly RegExp[] = [
  /(?:Cllr\.?|Councillor) [A-Z][A-Za-z.' -]{1,30}\s*$/, // signed by a councillor
  /\bas (?:a|your) (?:parish )?councillor\b|\b(?:Cllr\.?|Councillor) [A-Z][A-Za-z'-]+ here\b|\bconstabulary\b|\bpolice (?:officer|force|station)\b|\b(?:this is|i am|i'm) (?:DC|PC|DS|DI|Sergeant|Inspector|Constable)\b|\bcrime ref|\b(?:as|i am|i'm) (?:your|the) internal auditor\b|\binternal auditor here\b/i,
];
const NOT_FOI_ROUTE = { test: (t: string) => NOT_FOI_ROUTES.some((r) => r.test(t.trim())) };

/** FOI rules that do not rest on the Act being named: a SAR or another access route takes precedence over them. */
const UNNAMED_FOI_RULES = new Set(['foi-recorded-information', 'foi-what-is-held', 'foi-whether-held', 'foi-figures-question']);

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
      if (UNNAMED_FOI_RULES.has(rule.id) && (found.some((d) => d.type === 'sar') || NOT_FOI_ROUTE.test(text))) continue;
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
  if (THIRD_PARTY.test(sentence) || COUNCIL_OWN.test(sentence)) return THIRD_PARTY.test(sentence) && !COUNCIL_OWN.test(sentence);
  // "I want to make a complaint." names no one: the rest of the message says about whom.
  return THIRD_PARTY.test(text) && !COUNCIL_OWN.test(text);
}

/** The case type a formal item starts with, if any: the first detection in priority order. */
export function detectRequest(subject: string | undefined, text: string): Detection | undefined {
  return detectRequests(subject ? `${subject}\n${text}` : text)[0];
}
