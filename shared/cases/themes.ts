/**
 * Informal themes for the daily digest (stilton.txt §5, west-end.txt: "emerging
 * themes or helpful suggestions are passed to the relevant people"). Pure: a
 * topic from a small lexicon of what parish councils hear about, and a short
 * example with contact details and numbers removed, so the digest carries no
 * personal data beyond what the clerk already sees on the council's own pages.
 */

const TOPICS: readonly [string, RegExp][] = [
  ['Roads and potholes', /\b(?:pot-?holes?|road surface|pavements?|footways?|kerbs?|tarmac)\b/i],
  ['Speeding and traffic', /\b(?:speed(?:ing)?|traffic|20 ?mph|30 ?mph|lorr(?:y|ies)|hgvs?|rat-?run)\b/i],
  ['Parking', /\b(?:park(?:ing|ed)|double yellow|blocking (?:the )?(?:drive|road))\b/i],
  ['Street lights', /\b(?:street ?lights?|lamp ?posts?|street ?lamps?)\b/i],
  ['Litter, bins and fly-tipping', /\b(?:litter|rubbish|bins?|fly-?tip(?:ping|ped)?|dog (?:mess|poo|fouling))\b/i],
  ['Trees, hedges and verges', /\b(?:trees?|hedges?|verges?|overgrown|grass cutting|mowing)\b/i],
  ['Flooding and drainage', /\b(?:flood(?:ing|ed)?|drains?|drainage|gull(?:y|ies)|standing water)\b/i],
  ['Planning and development', /\b(?:planning|development|new homes|housing|building site|extension)\b/i],
  ['Play areas, green and recreation', /\b(?:play ?(?:area|park|ground)|playground|swings?|the green|recreation ground|rec\b|skate ?park|pavilion)\b/i],
  ['Footpaths and rights of way', /\b(?:footpaths?|bridleways?|stiles?|rights? of way|public path)\b/i],
  ['Meetings and the council', /\b(?:meetings?|agenda|minutes|councillors?|precept|election)\b/i],
  ['Events and community', /\b(?:fete|events?|festival|fair|christmas|quiz|litter pick|volunteer)\b/i],
  ['Village hall and bookings', /\b(?:village hall|hall hire|booking|bookings)\b/i],
  ['Buses and transport', /\b(?:bus(?:es)?|bus stop|train|transport)\b/i],
  ['Noise and nuisance', /\b(?:noise|noisy|nuisance|anti-?social|vandal(?:ism)?|graffiti)\b/i],
];

export const OTHER_TOPIC = 'Other';

export function topicOf(text: string): string {
  return TOPICS.find(([, pattern]) => pattern.test(text))?.[0] ?? OTHER_TOPIC;
}

/** At most `max` characters, without email addresses, phone numbers, links, postcodes, @mentions or house numbers. */
export function shortExample(text: string, max = 90): string {
  const scrubbed = text
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]')
    .replace(/https?:\/\/\S+|www\.\S+/gi, '[link]')
    .replace(/(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b/g, '[phone]')
    .replace(/\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/gi, '[postcode]')
    .replace(/@\w+/g, '@[name]')
    .replace(/\b\d{1,4}[a-z]?\s+(?=[A-Z][a-z]+ (?:Road|Rd|Street|St|Lane|Close|Way|Avenue|Drive|Crescent|Gardens|Court|Place)\b)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(scrubbed);
  return chars.length <= max
    ? scrubbed
    : `${chars
        .slice(0, max - 1)
        .join('')
        .replace(/\s+\S*$/, '')}…`;
}
