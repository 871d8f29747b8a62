import { ctx, g, patternSet, type Pattern, type PatternSet } from './scan.ts';

/**
 * The meaning-level patterns of the rules tier, one table per category of
 * withyham.txt §6.11 / stilton.txt §7. Each pattern carries the context that
 * cancels it, so ordinary parish business passes: "I'd kill for a bench",
 * "some idiot parked across my drive", "someone has illegally dumped a fridge",
 * "is it illegal to park on the verge?".
 */

/** "not illegal", "isn't unlawful", "is it illegal to …?" */
const NEGATED = ctx(String.raw`(?:\bnot|n't|\bnothing|\bno|\bis it|\bwould it be|\bwhether it(?:'s| is)|\bif it(?:'s| is)|\bwasn't)\s+(?:\w+\s+)?$`);
/** About an unknown person: "whoever did this is a thief". */
const UNKNOWN_PERSON = String.raw`\b(?:whoever|someone|somebody|anyone who|the (?:person|people|thief|thieves|idiots?|yobs?|kids) who|some)\b`;
const NOT_IDENTIFIABLE = ctx(String.raw`(?:\bnot|n't|\bnothing|\bno)\s+(?:\w+\s+)?$|${UNKNOWN_PERSON}`);
const QUESTION_AFTER = ctx(String.raw`^[^.!\n]*\?`);

// ── personal-attack (withyham.txt §6.10, §6.11 bullet 2; stilton.txt §7b) ─────
const INSULTS = String.raw`idiots?|morons?|imbeciles?|cretins?|halfwits?|numpt(?:y|ies)|muppets?|clowns?|buffoons?|jobsworths?|tossers?|prats?|pillocks?|plonkers?|dinosaurs?|parasites?|leeches|freeloaders?|hypocrites?|bullies|bully|cowards?|losers?|nonentit(?:y|ies)|has-beens?|dimwits?|fools?|dunces?|lackeys?|yes-men|toadies|twpsyn|ff\u0175l|ffwl|chocolate teapot|thick as (?:two short planks|mince)|dickheads?|d1ckheads?|pr[i*1]cks?|knobheads?|bellends?|tossers?`;
const PEOPLE = String.raw`(?:you|yous|clerk|chair(?:man|woman|person)?|councillors?|cllrs?|council(?:lors)?|lot|bunch|people|members?|staff|committee|officials?|woman|man|bloke|mayor|parish council|pc)`;
export const ATTACK: PatternSet = patternSet([
  {
    re: g(String.raw`\b(?:${INSULTS})\b`),
    unlessBefore: ctx(
      String.raw`\b(?:some|any|like an?|feel like an?|not an?|no)\s+(?:\w+\s+)?$|\bi(?:'m| am| was| felt like| feel like)\s+(?:such\s+|a (?:right|total|complete)\s+)?an?\s+(?:\w+\s+)?$`,
    ),
    unlessSentence: ctx(
      String.raw`\b(?:april fool|fool's gold|sheep (?:grazing|field|farmer)|flock|lamb|puppet show|dinosaur (?:park|museum|exhibition)|bully(?:ing)? (?:policy|at school)|anti-bullying)`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:useless|incompetent|clueless|pathetic|spineless|brainless|brain[- ]dead|gutless|arrogant|lazy|corrupt|shameless|self-serving|power[- ]mad|jumped[- ]up|two-faced|stupid|thick|ignorant|ugly|fat)\s+(?:\w+\s+)?${PEOPLE}\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:you|clerk|chair(?:man|woman)?|councillors?|cllrs?(?:\s+[A-Z]\w+)?|council|mayor|she|he|they)\s+(?:is|are|'re|'s|was|were)\s+(?:so\s+|totally\s+|completely\s+|utterly\s+|clearly\s+|just\s+|an?\s+)?(?:useless|incompetent|clueless|pathetic|a disgrace|a joke|an embarrassment|stupid|thick|spineless|a waste of|not fit to|unfit|deluded|a liability|past (?:it|their|his|her)|senile|gutless|two-faced|full of (?:it|themselves|himself|herself))\b`,
    ),
  },
  {
    re: g(
      String.raw`\byou(?:\s+lot)?\s+(?:are|'re)\s+(?:all\s+)?(?:a\s+|an\s+)?(?:bunch|load|pack|shower|gang) of\b|\b(?:bunch|load|pack|shower|gang) of (?:useless|idiots|clowns|muppets|incompetents|amateurs|crooks|liars|jokers)\b`,
    ),
  },
  {
    re: g(
      String.raw`\bwaste of (?:space|oxygen|skin|a salary)\b|\bget a (?:proper )?(?:life|brain|grip)\b|\bshut (?:up|your (?:mouth|face))\b|\bugly\s+(?:old\s+)?(?:cow|git|bitch)\b|\bold (?:git|bag|cow|bat|fool|duffer)\b|\bbitch(?:es)?\b|\bsilly (?:old )?(?:cow|woman|man|git|little)\b|\bgo and (?:do one|jump off)|\bdo one\b|\bjog on\b|\bnobody (?:likes|wants) you\b|\bshould be ashamed of (?:yourself|yourselves|himself|herself|themselves)\b|\bresign(?:,| now| immediately)?\b(?=[^.!?\n]{0,30}\b(?:useless|now|disgrace|shame)\b)|\bnot fit (?:for|to hold) (?:office|purpose|the role)\b(?=[^.!?\n]{0,0})`,
    ),
    unlessSentence: ctx(String.raw`\b(?:bins?|lights?|system|website|road|bridge|drain|app)\s+(?:is|are)\s+not fit for purpose`),
  },
  {
    re: g(
      String.raw`\b(?:cllr|councillor|the clerk|the chair\w*|the mayor|you|he|she|(?-i:[A-Z][a-z]+))(?:'s| is| are|'re| was)\s+(?:such\s+)?(?:a|an)\s+(?:complete|total|utter|absolute|right|proper|useless|nasty|vile|horrible|pathetic|arrogant|lazy|stupid|thick|sad|bitter|jumped[- ]up|pompous|smug|spiteful|vindictive|nasty little|little|two-faced|lying|ignorant|old)\s+(?!(?:star|legend|gem|hero|asset|gentleman|lady|credit|pleasure|saint|angel|treasure|joy|diamond|professional)\b)\w+`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:nastiest|vilest|laziest|stupidest|thickest|worst|most useless|most incompetent)\s+(?:woman|man|person|councillor|clerk|chair\w*|neighbour|bloke|idiot)\b|\bcouldn't organise a (?:piss-up|p\*ss-up|party) in a brewery\b|\bone brain cell\b|\b(?:iq|brain) of a\b|\bget back in your box\b|\bwho do you think you are\b|\bthick as\b|\bnot the sharpest\b|\b(?:twp|twpsyn|ff\u0175l|ffwl|mochyn|diawl|pen dafad|twat|tosser|wanker|bellend|knobhead|dickhead|arsehole|scumbag|bitch|slag|nonce|muppet)s?\b`,
    ),
    unlessBefore: ctx(String.raw`\b(?:some|like an?|not an?)\s+$`),
  },
  // Threats, open and veiled.
  {
    re: g(
      String.raw`\b(?:i|we)(?:'ll|'m going to|'m gonna| will| am going to| are going to|'re going to| could| would)\s+(?:\w+\s+)?(?:kill|hurt|smash|batter|thump|punch|deck|burn|torch|sort|deal with|get|find|visit|pay (?:him|her|you|them) a visit)\s+(?:you|him|her|your|his|them|the clerk|the chair\w*|the councillor)\b`,
    ),
    unlessSentence: ctx(
      String.raw`\b(?:sort|deal with|get|find)\s+(?:it|this|that)\b|\bget (?:you|him|her|them) (?:a|an|the|some|back|in touch|to)\b|\bfind (?:you|him|her|them) (?:a|an|the|some)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:know|found out|find out|we've got) (?:where|what car) (?:you|he|she|they|the clerk|the chair\w*) (?:li?ves?|drives?|parks?)\b|\b(?:watch|mind) (?:your|his|her|their) backs?\b|\byou(?:'ll| will| are going to|'re going to) (?:regret|pay for) (?:this|it)\b|\bhe(?:'ll| will) regret\b|\byou(?:'ve| have) been warned\b|\bconsider (?:yourself|yourselves) warned\b|\bcoming for you\b|\bit would be a (?:shame|pity) if\b|\bshame if something (?:happened|were to happen)\b|\baccidents? (?:happen|can happen)\b(?=[^.!?\n]{0,60}\b(?:you|your|clerk|councillor|chair))|\bsomething (?:might|may|could|will) happen to (?:you|your|him|her|the clerk)\b|\bbe careful (?:walking|driving|going) home\b|\blook(?:ing)? over (?:your|his|her) shoulder\b|\bnice (?:house|car|family|kids)[^.!?\n]{0,30}\bshame\b|\bwe know where\b|\bi know where you\b|\bsee you (?:outside|after the meeting)\b(?=[^.!?\n]{0,40}\b(?:sort|settle|deal)\b)?|\bsleep with one eye open\b|\bwon't be (?:so )?(?:smug|brave|safe)\b|\byou(?:'ll| will) (?:get|have) what(?:'s| is) coming\b|\bget what(?:'s| is) coming to (?:you|him|her|them)\b|\bdays are numbered\b|\b(?:i'd|i would) watch (?:where|how|what) you\b|\bif i were you\b(?=[^.!?\n]{0,0})|\b(?:know|knows) which (?:house|car|road)\b|\bjust saying\b(?=[^\n]{0,0})(?<=(?:lives?|house|car)[^\n]{0,40}just saying)|\byou(?:'ll| will) regret\b|\bmark my words\b|\b(?:be|go|come) round (?:to )?(?:the |his |her |their |your )?(?:councillors?'?s?|clerk'?s?|chair\w*'?s?)?\s*(?:house|houses|home|homes|place)\b|\bround (?:his|her|their|your) (?:house|home|place)\b|\bpay (?:him|her|them|you) a (?:little )?visit\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:should be|ought to be|deserve to be|needs? to be)\s+(?:shot|hanged|hung|strung up|lynched|put down|taken out(?:side)?|run out of (?:the )?(?:village|town)|burned|burnt)\b|\bburn (?:their|his|her|the clerk's) (?:house|car)\b|\bput (?:a brick|bricks) through\b|\bbrick through (?:your|his|her|their)\b`,
    ),
  },
]);

/** An identifiable person: a named councillor, an office holder, a named resident or business. */
const PERSON = String.raw`(?:(?:cllr|councillor|mr|mrs|ms|miss|dr)\.?\s+(?-i:[A-Z])[\w'-]+|the (?:clerk|deputy clerk|chair(?:man|woman|person)?|vice[- ]chair\w*|treasurer|caretaker|tree warden|warden|vicar|landlord|builder|vet|manager|headteacher|head|mayor|secretary|contractor|owner|man|woman|bloke|lady|guy|chap)\b(?:\s+(?:who|of|at|that)\s+(?:\w+\s+){1,4}?)?|(?-i:[A-Z][a-z]+ [A-Z][a-z]+)(?:'s)?|(?:he|she)(?:'s)?)`;
/** Crimes and dishonesty alleged of an identifiable person: potentially libellous and an alleged breach of the law (the set's judgement call 5). */
export const CRIME_BY_PERSON: Pattern[] = [
  {
    re: g(
      String.raw`${PERSON}\s+(?:\w+\s+){0,6}?(?:(?:has been|is|was|were|are|been|keeps|kept)\s+)?(?:skimm(?:ing|ed)|steal(?:ing|s)?|stole|nick(?:ing|ed)|pocket(?:ing|ed)|fiddl(?:ing|ed)|embezzl\w+|defraud\w*|taking (?:a|his|her) cut|took a cut|on the fiddle|fencing|dealing|drink[- ]driving|selling (?:drugs|stolen)|using (?:the )?(?:parish|council|village|hall)\s+\w+\s+for (?:his|her|their) own|paying (?:his|her|their) (?:workers|staff) \u00A3\d|paid (?:his|her|their) (?:workers|staff) cash|cut down the protected|felled the protected|arrested for|charged with|convicted of|a known (?:fraudster|thief|criminal|crook|drug dealer)|known fraudster|cooking the books)\b`,
    ),
    unlessBefore: ctx(String.raw`\b(?:if|whether|not|never)\s+(?:\w+\s+)?$`),
    unlessSentence: ctx(String.raw`\b(?:someone|somebody|whoever|anyone|kids|youths|thieves|yobs|people keep)\b`),
  },
  {
    re: g(
      String.raw`\b(?:that's|that is|this is|it's|it is)\s+(?:theft|fraud|stealing|embezzlement|bribery|corruption|misconduct in public office)\b|\btook a cut\b|\bbent as a\b|\bhis mate's firm\b[^.!?\n]{0,40}\bcontract\b|\bgot (?:his|her|their) (?:mate|mates|friend|son|brother|wife)'?s? (?:firm|company|business) the\b`,
    ),
  },
];

// ── potentially-libellous (withyham.txt §6.11 bullet 3; stilton.txt §7c) ──────
export const LIBEL: PatternSet = patternSet([
  ...CRIME_BY_PERSON,
  {
    re: g(
      String.raw`\bdraw your own conclusions\b|\bmakes you wonder\b[^.!?\n]{0,40}\b(?:who|why|how much|what)\b|\bfunny how (?:cllr|councillor|the clerk|the chair\w*|he|she|(?-i:[A-Z][a-z]+))\b|\b(?:everyone knows|rumour (?:has it|is)|word is|apparently|allegedly|i(?:'ve)? heard)\b[^.!?\n]{0,60}\b(?:affair|drunk|drinks|sacked|fired|arrested|bankrupt|debt|prison|jail|inside|police|beats|beat|fraud|stole|stealing|dodgy|bent|backhander|bribe|on the take|criminal record)\b|\b(?:cowboy|cowboys|rogue trader|rip[- ]?off merchants?|scammers?|con artists?)\b(?=[^.!?\n]{0,60})|\bripped (?:me|us|people|residents|everyone|pensioners) off\b|\b(?:overcharg\w+|fleec\w+)\b(?=[^.!?\n]{0,40}\b(?:pensioners|residents|people|everyone|us|customers)\b)|\b(?:was|got|been) (?:sacked|fired|struck off|disqualified|banned from driving|done for)\b|\b(?:drunk|pissed|hammered|legless) (?:at|in|during|on) (?:the|every|a)\b|\b(?:went|gone) (?:bust|bankrupt|into liquidation) (?:owing|leaving)\b|\bbeats? (?:his|her) (?:wife|husband|partner|kids|dog)\b`,
    ),
    unlessBefore: NOT_IDENTIFIABLE,
  },
  {
    re: g(
      String.raw`${PERSON}\s+(?:\w+\s+){0,3}?(?:is|was|has been)\s+(?:having an affair|an? (?:drunk|alcoholic|adulterer|bankrupt)|sacked (?:from|for)|struck off|bankrupt)\b|\b(?:killed|injured|harmed)\b[^.!?\n]{0,60}\b(?:through|by|because of) (?:sheer )?negligence\b|\bcovers? (?:it|this|things) up\b|\bself-serving liar\b|\b(?:is|are|he's|she's) (?:a )?(?:liar|liars|lying)\b|\blies to\b`,
    ),
    unlessBefore: NOT_IDENTIFIABLE,
  },
  {
    re: g(
      String.raw`\b(?:is|are|was|were|'s|'re)\s+(?:all\s+)?(?:clearly\s+|obviously\s+|basically\s+)?(?:a\s+|an\s+|such a\s+|nothing but\s+(?:a\s+)?|(?:total|complete|known|convicted|bunch of|pair of|load of)\s+)*(?:crooks?|crooked|thie(?:f|ves)|fraud(?:ster)?s?|embezzlers?|a criminal|criminals|swindlers?|paedos?|paedophiles?|pedos?|con ?m[ae]n|on the take|in the pocket of|in bed with|bent|dodgy|liars?|lying)\b`,
    ),
    unlessBefore: NOT_IDENTIFIABLE,
    unlessSentence: ctx(
      String.raw`\b(?:sign|signpost|post|pole|railings?|gate|fence|bollard|tree|road|lane|leg|pin|nail|railing)s?\s+(?:is|are|was|were)\s+(?:\w+\s+)?(?:bent|dodgy)\b|\bdodgy (?:knee|back|hip|weather|connection|wifi|signal)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:stole|stolen|steals|stealing|nicked|pinched|pocketed|embezzled|siphoned|syphoned|fiddled|fiddling|misappropriated|misused|creamed off|helped (?:himself|herself|themselves) to|trousered|diverted)\s+(?:\w+\s+){0,4}?(?:money|funds?|cash|precept|grant|\u00A3\s?\d[\d,]*k?|expenses|books|accounts|the lot|council tax|taxpayers?'? money|public money|donations?)\b`,
    ),
    unlessBefore: NOT_IDENTIFIABLE,
  },
  {
    re: g(
      String.raw`\b(?:lin(?:ing|ed|e)\s+(?:his|her|their|your|own|the)\s+(?:own\s+)?pockets?|backhanders?|brown envelopes?|kick-?backs?|bribe(?:s|d|ry)?|bribing|took a bribe|taking bribes|on the fiddle|cooking the books|cooked the books|fiddl(?:e|ed|ing) (?:the|his|her|their) expenses|embezzl\w+|money laundering|laundering money|backroom deals?|sweetheart deal|jobs for (?:the|their|his|her) (?:boys|mates|friends)|rigged|stitch[- ]up|fixed (?:the|it) for (?:his|her|their) (?:mates?|friends?|son|daughter|brother|wife|husband)|(?:paid|bought) off by\b|(?:his|her|their) mates? (?:got|get|won) the contract|nepotism|cronyism)\b`,
    ),
    unlessBefore: NOT_IDENTIFIABLE,
  },
  {
    re: g(String.raw`\bcorrupt(?:ion)?\b`),
    unlessBefore: ctx(
      String.raw`${UNKNOWN_PERSON}|(?:\bnot|n't|\bnothing|\bno)\s+(?:\w+\s+)?$|\b(?:file|attachment|pdf|document|download|data|image|link|video|photo|form)s?\s+(?:is|was|are|were|seems|looks|came through|arrived)\s+(?:\w+\s+)?$`,
    ),
    unlessAfter: ctx(String.raw`^\s*(?:file|attachment|pdf|document|download|data|image|link)`),
  },
  {
    re: g(
      String.raw`\b(?:has|have|had)\s+(?:been\s+)?(?:convicted|arrested|done|cautioned|jailed|banged up|inside)\s+(?:for|of)\s+(?:\w+\s+){0,2}(?:fraud|theft|assault|drink[- ]driving|dealing|drugs|abuse|violence)\b|\b(?:is|was)\s+(?:a\s+)?(?:drug dealer|wife[- ]beater|drunk|alcoholic|sex offender|racist|nonce)\b|\b(?:lied|has lied|is lying|lies)\s+(?:to|about)\s+(?:the|us|residents|the public|everyone)\b|\bcovering (?:it|this|things) up\b|\bcover[- ]up\b|\bforged\b|\bfalsified\b|\bdoctored (?:the )?minutes\b`,
    ),
    unlessBefore: NOT_IDENTIFIABLE,
    unlessAfter: QUESTION_AFTER,
  },
]);

// ── plagiarised-or-unlawful (withyham.txt §6.10 bullet 2, §6.11 bullet 4; stilton.txt §7d) ──
export const PLAGIARISED: PatternSet = patternSet([
  {
    re: g(
      String.raw`\bnot my (?:own )?(?:photo|photograph|picture|pic|image|video|words|poem|article|work)\b|\b(?:pinched|nicked|lifted|borrowed|took|saved|downloaded|ripped|grabbed|screenshot(?:ted)?|copied)\s+(?:\w+\s+){0,4}?(?:from|off|out of)\s+(?:\w+\s+){0,4}?(?:flickr|instagram|gallery|iplayer|youtube|bbc|itv|sky|echo|mail|telegraph|times|guardian|courier|gazette|star|paper|newspaper|photographer|booklet|book|wikipedia|website|society|getty|shutterstock|magazine|netflix)\b|\bre-?uploaded\b|\btyped (?:it |the (?:whole|full) (?:thing|chapter|book) )?(?:all )?out\b|\bpasted (?:the |in the |below the )?(?:full|whole|entire)\b|\b(?:reworded|paraphrased|rewrote|rewritten)\b(?=[^.!?\n]{0,60})|\b(?:mostly|all|largely|straight) (?:from|off) (?:wikipedia|the (?:\w+ )?(?:mail|telegraph|times|guardian|echo|paper|book|website))\b|\b(?:traced|scanned|photocopied|copied|screenshotted)\s+(?:\w+\s+){0,3}?(?:os|ordnance survey|landranger|explorer)\b|\b(?:ordnance survey|os|landranger|explorer) (?:map|sheet)\b[^.!?\n]{0,60}\b(?:scanned|traced|copied|whole sheet|pdf below|photocopied)\b|\b(?:downloaded|recorded|ripped) (?:it |this )?(?:off|from) (?:iplayer|itv ?x|youtube|sky|netflix|the telly|tv|radio)\b|\b(?:print|publish|reproduce|put)\s+(?:this|the whole|the full|the entire|a whole)\s+(?:chapter|book|booklet|article|piece|poem)\b|\bnot asked (?:them|him|her|the author|the photographer)\b|\bwithout asking (?:them|him|her|the author|the photographer)\b|\bwatermark\b`,
    ),
    unlessSentence: ctx(String.raw`\bmy own (?:photo|photograph|picture|words)\b|\bwith (?:their|his|her|kind) permission\b`),
  },
  {
    re: g(
      String.raw`\u00A9|\(c\)\s*\d{4}|\bcopyright\s+(?:\u00A9\s*)?\d{4}|\ball rights reserved\b|\breproduced (?:without|with(?:out)? the) permission\b|\bcopied (?:and|&) pasted\b|\bcopy (?:and|&) paste[d]?\b|\bcut (?:and|&) paste[d]?\b|\bc\s?&\s?p(?:'d|ed)?\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:article|story|piece|text|report|post|poem|photo|photos|picture|pictures|image|images|review|recipe|column|this|below|following)\s+(?:below\s+)?(?:is\s+|was\s+|has been\s+)?(?:copied|lifted|pasted|taken|nicked|borrowed|reposted|screenshotted|scanned)\s+(?:straight\s+|directly\s+|word for word\s+|in full\s+)?(?:from|off|out of)\b|\b(?:copied|lifted|pasted|reproduced|screenshotted|scanned)\s+(?:it\s+|this\s+|the (?:whole|full|entire) (?:article|story|piece|thing)\s+)?(?:word for word|in full|from (?:the|today's|this week's|a|behind)\s+(?:\w+\s+){0,3}(?:paywall|times|telegraph|guardian|mail|echo|courier|argus|herald|express|gazette|observer|standard|news|paper|newspaper|magazine|book|website))\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:from|behind) (?:the|a) paywall\b|\bpaywalled\b|\bfull (?:article|text|story) (?:below|here|pasted|copied)\b|\bhere(?:'s| is) the (?:full |whole )?(?:article|story|text) (?:from|for those)\b|\bfor (?:those|anyone) (?:without|who (?:can't|don't)) (?:a )?subscri\w+\b|\bsource:\s*(?:the\s+)?[A-Z]|\bpassed (?:it )?off as (?:my|his|her|their|your) own\b|\bwithout (?:giving )?(?:credit|crediting|permission|attribution)\b|\bdidn't credit\b|\bno credit (?:given|to)\b|\bmy (?:photo|photograph|picture|image|poem|article|words|design|logo)\b[^.!?\n]{0,60}\b(?:without (?:my )?permission|without credit|stolen|nicked|used|copied)\b|\b(?:stolen|nicked|copied|used) (?:my|his|her) (?:photo|photograph|picture|image|poem|design|logo|words)\b|\bplagiar\w+\b`,
    ),
    unlessSentence: ctx(String.raw`\b(?:please|kindly)\s+(?:share|credit)\b|\bshared with permission\b|\bwith (?:kind )?permission\b`),
  },
  {
    re: g(
      String.raw`\bpaywall\w*\b|\b(?:full|whole|entire) (?:article|text|piece|story|chapter|booklet|book|report)\b[^.!?\n]{0,40}\b(?:below|here|pasted|copied|attached|for (?:those|anyone))\b|\b(?:removed|cropped|cut off|edited out) (?:the )?(?:watermark|credit|photographer's name)\b|\b(?:cracked|crack for|keygen|serial key|activation key)\b|\bfree (?:full )?(?:movies?|films?|ebooks?|software|windows|office|photoshop)\b|\bwrote this (?:poem|myself)\b(?=[^\n]{0,0})|\b(?:recorded|ripped|downloaded|taped) (?:it |this |the (?:programme|show|episode|report|match) )?(?:off|from) (?:the )?(?:telly|tv|radio|bbc|itv|sky|channel 4|iplayer)\b|\bscreenshots? of (?:the|today's|this week's) (?:article|paper|times|telegraph|mail|echo|courier|gazette)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:pirated|pirate (?:copies|copy|sites?|streams?)|bootleg(?:ged)?|torrent(?:ed|ing| sites?| files?| links?| downloads?)|cracked (?:software|copy|copies|version)|knock[- ]?offs?|fake (?:designer|handbags|watches|trainers|perfume|id|ids|documents?|mot|certificates?)|counterfeit|moody (?:gear|trainers|watches)|iptv|jailbroken|loaded firesticks?|dodgy (?:firestick|fire stick|box|boxes)s?|knocked[- ]off (?:gear|goods|tools|phones)|fell off (?:the back of )?a lorry|cheap (?:fags|tobacco|cigarettes|vodka) (?:no questions|from abroad|duty[- ]free)|no questions asked|untaxed (?:cigarettes|tobacco)|stolen (?:goods|tools|bikes?|phones?) for sale|weed for sale|selling (?:weed|drugs|puppies without)|(?:illegal|unlicensed) (?:puppies|puppy farm|tobacco|fireworks))\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:watch|stream|download|get)\s+(?:the\s+)?(?:full\s+|new\s+|latest\s+|all the\s+|every\s+)?(?:film|movie|match|series|episodes?|album|sky sports|premier league|football|boxing|ppv)s?\s+(?:for\s+)?free\b|\bfree (?:film|movie|sky|netflix|football|sports) (?:streams?|downloads?)\b`,
    ),
  },
  {
    re: g(
      String.raw`\bleaked\s+(?:\w+\s+)?(?:minutes|report|documents?|emails?|papers?|letter|draft|exempt|confidential|part ii|part 2)\b|\b(?:here (?:are|is)|posting|sharing|attached (?:are|is))\s+(?:the\s+)?(?:confidential|exempt|private|part ii|part 2|closed session)\b`,
    ),
  },
]);

// ── commercial-or-spam (withyham.txt §6.10 bullet 5, §6.11 bullet 7; stilton.txt §7g) ──
export const COMMERCIAL: PatternSet = patternSet([
  {
    re: g(
      String.raw`\bno[- ]obligation\b|\bsave you (?:up to )?\d+\s?%|\bdiscount codes?\b|\bthis week only\b|\u00A3\d+(?:\.\d\d)?\s*(?:call[- ]?out|any size|per (?:hour|visit|bag|clean|room)|a (?:visit|clean|room)|this week|only)\b|\b(?:txt|text|call|ring|whatsapp|phone)\s+(?:now\s+)?(?:on\s+)?(?:\+44\s?|0)7\d{3}|\bi(?:'m| am) an? (?:qualified |local |fully insured )?(?:plumber|electrician|builder|gardener|roofer|cleaner|tree surgeon|handyman|mechanic|decorator|painter|dog walker|tutor|accountant|photographer|carpenter|joiner|tiler|plasterer|locksmith|window cleaner|landscaper)\b[^.!?\n]{0,80}\b(?:message me|pm me|dm me|call me|\u00A3|can (?:look|help|do|sort)|quote|rates)\b|\bfollow @\w+|\b(?:appeal|verify|claim|confirm|unlock|reactivate)\s+(?:here|now|at|your)\b[^\n]{0,40}https?://|\b(?:tax )?refund of \u00A3[\d.,]+|\bwill be (?:unpublished|deleted|suspended|disabled)\b|\b\d{2,4}% returns?\b|\breturns guaranteed\b|\bguaranteed returns\b|\bmy trader\b|\bjoin my team\b|\bbe your own boss\b`,
    ),
  },
  {
    re: g(
      String.raw`\bfor sale\b|\b(?:i'm|i am|we're|we are|now|currently|am|are)\s+(?:\w+\s+)?(?:selling|offering)\b(?!\s+off)|\bbuy now\b|\border (?:now|today|yours)\b|\bshop now\b|\bbook (?:now|today|yours|your slot)\b|\bonly \u00A3\d|\b\u00A3\d+(?:\.\d\d)?\s*(?:each|per (?:hour|bag|load|session|week|month)|ono|o\.n\.o|a bag|a load|an hour)\b|\bono\b|\bcollection only\b|\bavailable (?:now|for (?:hire|booking|all)|to buy)\b(?![^.!?\n]{0,30}\b(?:hall|pavilion|allotment|council)\b)`,
    ),
    unlessBefore: ctx(String.raw`\b(?:not|no longer|council|hall|allotments?|land|field)\s+(?:\w+\s+)?$`),
    unlessSentence: ctx(String.raw`\b(?:council|parish)\s+(?:is|are|was)\s+(?:\w+\s+)?selling\b|\bhall\b[^.!?\n]*\bavailable\b`),
  },
  {
    re: g(
      String.raw`\b\d{1,2}\s?% off\b|\u00A3\d+\s?off\b|\bdiscount code\b|\bpromo(?:tion(?:al)?)? code\b|\bvoucher code\b|\buse code\s+\w+|\bspecial offer\b|\blimited (?:time )?offer\b|\boffer ends\b|\bfree (?:quotes?|estimates?|trial|gift|consultation|delivery|survey)\b|\bbest prices?\b|\bunbeatable\b|\bcompetitive (?:rates|prices)\b|\bno job too (?:small|big)\b|\bfully insured\b|\bgrand opening\b|\bnew (?:business|salon|shop|cafe)\b[^.!?\n]{0,40}\b(?:opening|open|offer|discount|book)\b|\bcheck out (?:my|our) (?:page|website|shop|business|etsy|ebay)\b|\b(?:like|follow|share) (?:my|our) (?:page|business|shop)\b|\bvisit (?:my|our) (?:website|shop|page|stall)\b|\bwe (?:offer|provide|specialise in|cover)\b|\brates from\b|\bget in touch for (?:a )?(?:quote|prices|rates|booking)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:pm|dm|inbox|message)(?: me| us)? for (?:prices|details|info|more|a quote|rates|bookings?)\b|\bgoing cheap\b|\bbargain\b(?=[^.!?\n]{0,40}(?:\u00A3|\bdm\b|\bpm\b|collect))|\b(?:business|earning) opportunit(?:y|ies)\b|\b(?:become an?|looking for) (?:ambassadors?|distributors?|reps?)\b|\bfree spins\b|\bbetting tips\b|\b(?:bet|casino|slots) bonus\b|\bprize draw\b|\bmeta (?:support|team)\b|\bpage (?:will be|has been) (?:disabled|removed|restricted)\b|\bcheck out (?:my|our)\b|\bcall (?:now|today) for\b|\bbook (?:your|a) (?:free )?(?:slot|appointment|session|consultation) (?:now|today|with (?:me|us))\b|\bwe (?:are|'re) (?:now )?(?:taking|accepting) (?:bookings|orders)\b|\b(?:our|my) (?:prices|rates) (?:start|are)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:dm|pm|inbox)\s+(?:me|us)\b|\b(?:message|whatsapp|text|contact|call|ring)\s+(?:me|us)\s+(?:now\s+)?(?:for|to (?:get|order|book))\s+(?:\w+\s+)?(?:prices?|details|info|a quote|quotes|orders?|discount|bookings?|more)\b`,
    ),
    unlessBefore: ctx(String.raw`\b(?:please don't|don't|do not|can you|could you|please can you|will you|would you|can someone|could someone)\s+$`),
  },
  {
    re: g(
      String.raw`\b(?:crypto(?:currency)?|bitcoin|btc|ethereum|forex|nft|binary options)\b|\binvestment opportunit(?:y|ies)\b|\bearn (?:\u00A3|\$)\s?\d[\d,]*\b|\bwork (?:from|at) home\b.*\b(?:earn|\u00A3)|\bpassive income\b|\bget rich\b|\bmake money (?:fast|online|from home)\b|\bdouble your money\b`,
    ),
  },
  {
    re: g(
      String.raw`\bclick (?:here|the link|below|my profile|my bio) to (?:claim|win|get|earn|buy|order|grab|find out)\b|\bclaim your (?:prize|reward|refund|free)\b|\byou(?:'ve| have) (?:won|been selected)\b|\bcongratulations[!,.]?\s+(?:you|your)\b|\bfree (?:iphone|gift card|giveaway|samples?)\b|\bgiveaway\b|\bcasino\b|\bviagra\b|\bpayday loans?\b|\bloans? approved\b|\bseo services\b|\bnext of kin\b|\bthe sum of (?:us)?[$\u00A3]|\btransfer (?:of )?(?:us)?[$\u00A3]\s?[\d,]{6,}|\bverify your (?:mailbox|account|email|password)\b|\baccount (?:has been |will be )?suspended\b|\bfollowers? (?:for sale|cheap)\b|\bbuy (?:\w+\s+)?(?:followers|likes)\b|\bhot (?:singles|girls|women)\b|\bdating site\b|\bweight loss\b|\bslimming (?:pills|tea)\b|\bketo\b|\bonlyfans\b|\btelegram me\b|\bwhatsapp \+\d|\bmy (?:profile|bio) for\b|\blink in (?:my )?bio\b|\bsugar (?:daddy|mummy)\b`,
    ),
  },
]);

// ── alleges-breach (withyham.txt §6.11 bullet 8, §6.13; stilton.txt §7h, §8) ───
/** Routine reports of nuisance offences by unknown people are service requests, not allegations against anyone. */
const ROUTINE_NUISANCE = ctx(
  String.raw`\b(?:fly[- ]?tip\w*|dump(?:ed|ing)|tipp(?:ed|ing)|rubbish|litter\w*|park(?:ed|ing|s)?|speed(?:ing|ers?)?|dog (?:fouling|mess|poo)|fouling|bonfires?|graffiti|camp(?:ed|ing)|encampments?|fires?|fireworks?|tyres?|mattress\w*|fridge\w*|quad bikes?|off-road bikes?|motorbikes?|hare cours\w*|poach\w*|verge|pavement)\b`,
);
const BREACH_OBJECTS = String.raw`(?:code of conduct|standing orders|financial regulations|(?:\w+\s+){0,2}polic(?:y|ies)|data protection(?: act)?|gdpr|planning (?:permission|conditions?|consent|law|rules)|conditions? of (?:the )?(?:planning|consent|permission)|the law|law|regulations|rules|freedom of information act|foi act|equality act|localism act|local government act|transparency code|openness|nolan principles|seven principles|contract|tenancy agreement|terms of the (?:lease|tenancy)|procurement rules|the constitution|(?:their|its|the council's) own (?:rules|procedures|policy))`;
export const BREACH: PatternSet = patternSet([
  ...CRIME_BY_PERSON,
  {
    re: g(
      String.raw`\bsurely (?:that|this|it)(?:'s| is)? (?:not|n't|against)\b|\bhow is (?:that|this|it) (?:legal|lawful|allowed)\b|\bisn't (?:that|this|it) (?:against|a breach|illegal|unlawful)\b|\b(?:shared|passed on|gave out|given out|leaked|disclosed|published)\s+(?:my|our|residents'?|people's)\s+(?:\w+\s+)?(?:details|email|emails|address|addresses|data|information|phone number)\b|\b(?:my|our) (?:details|data|email address|personal information) (?:was|were|has been|have been) (?:shared|passed on|given|leaked|disclosed)\b|\b(?:foi|freedom of information|subject access)\b[^.!?\n]{0,80}\b(?:late|overdue|ignored|no (?:reply|answer|response)|not (?:answered|replied)|still waiting|weeks? ago|months? ago|20 working days|deadline)\b|\b(?:meeting|decision|vote)\b[^.!?\n]{0,50}\bwithout (?:proper |any |the required )?(?:notice|agenda|quorum|a vote|consultation|being advertised)\b|\b(?:not|wasn't|was not|weren't|were not) quorate\b|\b(?:threw|kicked|shut|kept|locked) (?:the )?(?:public|residents|us|press) out\b|\b(?:excluded|barred) (?:the )?(?:public|press|residents)\b|\b(?:cash in hand|illegal(?:ly)? employ\w*|no right to work|below (?:the )?minimum wage)\b|\b(?:accounts|audit|agar|annual return|budget)\b[^.!?\n]{0,50}\b(?:never|not|still not|haven't been|weren't)\s+(?:been\s+)?(?:published|approved|audited|signed|put up)\b|\b(?:spent|paid|awarded|gave)\b[^.!?\n]{0,50}\bwithout (?:a )?(?:vote|resolution|tender|quotes|approval|authority)\b|\b(?:his|her|their) (?:own|wife's|husband's|son's|daughter's|brother's|mate's|friend's|family's) (?:firm|company|business|land|application)\b[^.!?\n]{0,60}\b(?:vote|voted|contract|approved|awarded|got)\b|\b(?:voted|vote|voting)\b[^.!?\n]{0,40}\b(?:his|her|their) own\b|\b(?:code of conduct|standing orders|financial regulations|nolan principles|monitoring officer|register of interests|declaration of interests?)\b`,
    ),
    unlessSentence: ctx(
      String.raw`\b(?:copy of|where can i (?:find|see|read)|link to|could you send|is there a|do you have)\b[^.!?\n]{0,40}\b(?:code of conduct|standing orders|financial regulations|register)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:register of interests|interests? (?:form|register))\b[^.!?\n]{0,40}\b(?:not|never|hasn't|has not|isn't|out of date|since)\b|\b(?:hasn't|has not|never|not)\s+(?:updated|completed|filled in)\s+(?:his|her|their)\s+register\b|\b(?:should|ought to) have (?:been )?declared\b|\b(?:should|ought to) have declared\b|\bbreach(?:es|ed)? the\s+(?:\w+\s+){0,5}(?:regulations|act|rules|code|orders|policy)\b|\bbreaks the (?:rules|law|code)\b|\b(?:past|beyond|missed|outside) the (?:legal|statutory) (?:deadline|time limit|20[- ]day)\b|\bno resolution to exclude\b|\bfiddled (?:his|her|their) expenses\b|\bknown fraudster\b`,
    ),
    unlessAfter: QUESTION_AFTER,
  },
  {
    re: g(
      String.raw`\b(?:breach(?:ed|es|ing)?|broken|broke|breaks|breaking|flouted|flouting|ignor(?:ed|ing)|disregard(?:ed|ing)|contraven(?:e|ed|es|ing)|violat(?:e|ed|es|ing)|in contravention of|contrary to|in breach of|not (?:in line|compliant|complying) with|did(?:n't| not) (?:follow|comply with)|failed to (?:follow|comply with)|went against|goes against|against)\s+(?:of\s+)?(?:the\s+|their\s+|its\s+|his\s+|her\s+|our\s+|your\s+)?(?:council's\s+|council\s+|members'?\s+|own\s+)?${BREACH_OBJECTS}\b`,
    ),
    unlessBefore: NEGATED,
    unlessAfter: QUESTION_AFTER,
  },
  {
    re: g(
      String.raw`\b(?:gdpr|data protection|data|planning|code of conduct|conduct|policy|contract|tenancy|licen[cs]e|licensing|foi|procurement|governance)\s+(?:breach(?:es)?|violations?|failures?)\b`,
    ),
    unlessBefore: NEGATED,
    unlessAfter: QUESTION_AFTER,
  },
  {
    re: g(
      String.raw`\bunlawful(?:ly)?\b|\billegal(?:ly|ity)?\b|\bagainst the law\b|\bbreaking the law\b|\bbroke the law\b|\bultra vires\b|\bmaladministration\b|\bmisconduct\b|\bwithout (?:planning )?(?:permission|consent)\b|\bwithout (?:a )?(?:licen[cs]e|vote|resolution|quorum|proper authority|authori[sz]ation)\b`,
    ),
    unlessBefore: NEGATED,
    unlessAfter: QUESTION_AFTER,
    unlessSentence: ROUTINE_NUISANCE,
  },
  {
    re: g(
      String.raw`\b(?:fail(?:ed|ing|s)?|neglected|omitted|forgot|didn't bother|did not bother|never)\s+to\s+(?:declare|disclose|register|mention)\s+(?:an?|his|her|their|any|the)?\s*(?:\w+\s+){0,2}interests?\b|\b(?:undeclared|undisclosed|unregistered|hidden|conflict(?:s)? of)\s+(?:pecuniary |personal |prejudicial |business |financial )?interests?\b|\bconflict of interest\b|\b(?:didn't|did not|never|hasn't|has not|haven't|have not)\s+(?:declare[d]?|disclose[d]?|register(?:ed)?)\s+(?:an?|his|her|their|any|the)?\s*(?:\w+\s+){0,2}interests?\b|\b(?:his|her|their|the councillor's|cllr \w+'s)\s+(?:register of )?interests?\s+(?:form\s+)?(?:is|was|has been)\s+(?:out of date|incomplete|wrong|missing|blank)\b|\b(?:voted|vote|spoke|sat)\s+on\s+(?:\w+\s+){0,4}(?:his|her|their)\s+own\s+(?:planning\s+)?(?:application|land|property|business|house|extension)\b|\b(?:owns|related to|married to|brother|sister|son|daughter|wife|husband|friend)[^.!?\n]{0,60}\b(?:voted|vote|approved|decided|sat on)\b|\bpredetermin(?:ed|ation)\b`,
    ),
    unlessAfter: QUESTION_AFTER,
  },
  {
    re: g(
      String.raw`\bminutes\b[^.!?\n]{0,60}\b(?:(?:still|yet to be|never|not|haven't been|have not been|hasn't been|weren't|were not|aren't|are not)\s+(?:been\s+)?(?:published|posted|put up|uploaded|made available|approved|available|online|on the website)|missing|months? (?:late|overdue|old)|overdue|doctored|altered|changed after|don't (?:match|reflect)|do not (?:match|reflect)|inaccurate|wrong)\b|\b(?:no|without)\s+minutes\b|\b(?:not|never)\s+(?:properly\s+)?(?:advertised|minuted|quorate|published|on the agenda)\b|\binquorate\b|\bsecret meetings?\b|\bwithout (?:public )?(?:consultation|notice)\b|\b(?:agenda|notice)\b[^.!?\n]{0,40}\b(?:not|never|only)\s+(?:\w+\s+){0,2}(?:published|posted|put up|displayed)\b|\b(?:three|3) clear days\b|\b(?:audit|accounts|annual return|agar)\b[^.!?\n]{0,50}\b(?:not|never|still not|yet to be)\s+(?:been\s+)?(?:published|signed off|done|submitted|audited|made available)\b|\b(?:refused|failed|refusing|failing)\s+to\s+(?:publish|release|answer|respond to|disclose|provide)\s+(?:\w+\s+){0,2}(?:minutes|accounts|documents|my foi|my freedom of information|information|the figures|the report)\b|\bexcluded (?:the )?(?:public|press)\b|\bwithout (?:a )?(?:vote|resolution|tender|quotes)\b|\bno (?:tender|quotes|competitive)\b[^.!?\n]{0,30}\b(?:contract|work|job)\b`,
    ),
    unlessAfter: QUESTION_AFTER,
  },
  {
    re: g(
      String.raw`\b(?:report(?:ed|ing)?|complain(?:ed|ing)?|refer(?:red|ring)?|escalat(?:e|ed|ing)|tak(?:e|ing) (?:this|it))\s+(?:this|it|you|him|her|them|the (?:clerk|chair\w*|council(?:lor)?|matter))?\s*to\s+(?:the\s+)?(?:monitoring officer|ombudsman|ico|information commissioner|standards (?:board|committee)|external auditor|district council's monitoring|police|action fraud)\b|\bstandards complaint\b|\bformal complaint about (?:cllr|councillor|the clerk|the chair)\b`,
    ),
    unlessSentence: ROUTINE_NUISANCE,
  },
]);

// ── off-topic chatter (withyham.txt §6.10 "Stay on topic", §6.11 bullet 6; stilton.txt §7f) ──
/** Parish business: what the council's page is for. */
export const PARISH_TOPIC = ctx(
  String.raw`\b(?:council\w*|parish|clerk|cllr|chair\w*|mayor|meeting|agenda|minutes|planning|application|precept|budget|grant|allotments?|village|hall|pavilion|playground|play area|rec(?:reation)? ground|village green|footpaths?|bridleway|right of way|roads?|lane|street|pavement|pothole|verges?|hedges?|trees?|drains?|flood\w*|gull(?:e)?y|bins?|litter|rubbish|fly[- ]?tip\w*|dog|parking|speed\w*|traffic|bus(?:es)?|streetlights?|lights?|bench(?:es)?|noticeboard|defibrillator|defib|cemetery|churchyard|church|school|community|residents?|neighbours|local|consultation|survey|by-election|parish election|council election|vacancy|volunteers?|litter[- ]pick|fete|event|newsletter|website|facebook page|police|pcso|crime|highways|county|district|borough|housing|development|wind ?farm|solar|quarry|pond|river|brook|stream|path|cycle|crossing|junction|sign|signs|vandal\w*|graffiti|war memorial|remembrance|jubilee|coronation|tidy|clean[- ]up|council tax|nature|wildlife|conservation|heritage|bypass|hgv|lorr(?:y|ies)|weight limit|gritting|grit bin|snow|ice|post office|shop|pub|surgery|doctor|pharmacy|library|broadband|phone box|kiosk|neighbourhood plan|section 106|s106|cil|cemetery|burial|car park|toilets?|dog bins?|mowing|grass cutting|hedge cutting)\b`,
);
export const CHATTER: PatternSet = patternSet([
  {
    re: g(
      String.raw`\bshare this (?:prayer|post|message)\b[^.!?\n]{0,40}\b(?:\d+|seven|ten) (?:people|friends)\b|\bsee a miracle\b|\b(?:the ashes|the cricket|the footie|the match|the rugby|six nations|world cup|the euros|premier league|champions league|grand national|wimbledon|the darts|the snooker|strictly|bake off|love island|eurovision|i'm a celebrity|gogglebox|corrie|eastenders|emmerdale|the archers)\b|\bjust got (?:engaged|married|hitched|a puppy|back from)\b|\b(?:royal family|monarchy|the king's|king charles|prince harry|meghan)\b|\bvote (?:green|labour|tory|conservative|reform|lib dem|liberal democrat|snp|plaid)\b|\b(?:green|labour|tory|conservative|reform) party\b|\bfavourite (?:christmas )?(?:film|movie|song|tv show|show|book|band|album|crisps|biscuit|takeaway)\b|\bpineapple on pizza\b|\bwhere do you (?:all )?stand on\b|\bprove me wrong\b|\b(?:recipe|recipes|bbcgoodfood|wordle|candy crush|kardashians?|celebrity|holiday snaps?|my holiday|on holiday in|back from (?:spain|france|greece|turkey|florida|tenerife|majorca|benidorm|dubai)|sheeple|wake up people|do your (?:own )?research|mainstream media|they don't want you to know|petition\.parliament|change\.org|38degrees|happy birthday|happy anniversary|new baby|it's a (?:boy|girl)|engagement|my wedding|our wedding|type amen|copy and paste this|nigel|fifa|playstation|xbox|fortnite|the lottery|euromillions)\b|\b(?:flat earth|chemtrails|5g (?:causes|kills)|plandemic|vaccine (?:injur|damage)|new world order|globalists?)\b|\b(?:the chancellor|the prime minister|the pm|no\.? 10|downing street|westminster|the government|rishi|keir|starmer|sunak|farage|trump|biden|putin|gaza|ukraine|brexit)\b`,
    ),
    unlessSentence: ctx(
      String.raw`\b(?:mp|member of parliament|county councillor|polling station|hustings|local plan|planning|precept|grant|funding for (?:the|our) (?:village|parish))\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:anyone|anybody|who(?:'s| is| else is)?)\s+(?:\w+\s+){0,2}(?:watch(?:ing|ed)?|see|saw|seen|going to|catch|listening to|tried|recommend|know a good|got a good|play(?:ing)?)\b[^.!?\n]{0,60}\b(?:match|game|final|strictly|bake off|eastenders|corrie|coronation street|love island|eurovision|the (?:film|movie|show|telly|tv)|netflix|gig|concert|festival|x factor|f1|grand prix|world cup|euros|premier league|cup|takeaway|curry|chinese|pizza|recipe|holiday|cruise|barber|hairdresser|plumber|electrician|builder|mechanic|dentist|vet|babysitter)\b`,
    ),
  },
  {
    re: g(
      String.raw`\b(?:come on|up the|c'mon)\s+(?:you\s+)?(?:\w+\s+)?(?:united|city|rovers|town|wanderers|albion|villa|spurs|arsenal|chelsea|liverpool|reds|blues|england|wales|lions|boys)\b|\b(?:what a|great|brilliant|terrible)\s+(?:match|game|goal|result|final|episode|finale)\b|\b(?:happy birthday|happy anniversary|rip|r\.i\.p|congratulations on (?:your|the) (?:wedding|baby|engagement))\b|\bchain (?:letter|message)\b|\bshare if you\b|\btype amen\b|\b(?:my|our) (?:cat|dog|parrot|tortoise|hamster|rabbit|kid|kids|husband|wife|nan|mum|dad)\b[^.!?\n]{0,40}\b(?:birthday|funny|cute|hilarious|lol|haha)\b|\b(?:political|politics|brexit|trump|biden|labour|tory|tories|reform uk|lib dems?|starmer|sunak|farage|corbyn|boris|immigration policy|the government|westminster|vaccines?|5g|chemtrails|flat earth|climate hoax|net zero scam)\b`,
    ),
    unlessSentence: ctx(String.raw`\b(?:mp|member of parliament|local plan|county councillor|election|polling station|hustings|5g mast|phone mast|telecom)\b`),
    weak: false,
  },
  {
    re: g(
      String.raw`\b(?:lol|lmao|rofl|haha+|hehe+|omg|\uD83E\uDD23|\uD83D\uDE02)\b|\b(?:anyone|anybody)\s+(?:know|knows|recommend|got)\s+(?:a good|any good|where (?:i can|to) (?:buy|get))\b|\bweather(?:'s| is)? (?:lovely|awful|rubbish|glorious)\b|\b(?:what's|whats) for (?:tea|dinner)\b|\bjoke of the day\b|\b(?:selfie|meme|quiz)\b`,
    ),
    weak: true,
  },
]);
