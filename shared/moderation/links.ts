import { excerpt } from './scan.ts';

/**
 * Information or links unrelated to the content of the forum (withyham.txt
 * §6.11 bullet 6; stilton.txt §7f).
 *
 * A link is on topic when its host is one the council's policy lists (its own
 * site, the county and district councils, planning portals, local news) or a
 * public body (gov.uk, nhs.uk, police.uk, parliament.uk). A link shortener
 * hides where it goes, so it is always flagged. Any other link is off topic
 * unless the sentence around it is about parish business, in which case the
 * rules are unsure and leave it to the second tier or the clerk.
 */

const SHORTENERS = new Set([
  'bit.ly',
  'tinyurl.com',
  't.co',
  'goo.gl',
  'ow.ly',
  'is.gd',
  'buff.ly',
  'rebrand.ly',
  'cutt.ly',
  'shorturl.at',
  'tiny.cc',
  'rb.gy',
  't.ly',
  'shorturl.com',
  'lnkd.in',
  'tiny.one',
]);
/** Public bodies and services every council's residents are sent to. */
const PUBLIC_SUFFIXES = [
  'gov.uk',
  'nhs.uk',
  'police.uk',
  'parliament.uk',
  'gov.wales',
  'llyw.cymru',
  'ac.uk',
  'sch.uk',
  'mod.uk',
  'planningportal.co.uk',
  'fixmystreet.com',
  'gov.scot',
];
/** A host that is a council's own, whatever the council (e.g. `anytown-pc.org.uk`, `foo-parishcouncil.org`). */
const COUNCIL_HOST = /(?:^|[.-])(?:parish|town|district|county|borough|city)?-?(?:council|pc|tc)(?:[.-]|$)|parishcouncil|towncouncil|parish\b/i;

const URL_RE =
  /\b(?:https?:\/\/|www\.)[^\s<>"()]+|\b(?<![@\w./-])(?:[a-z0-9-]{2,}\.)+(?:com|net|org|info|biz|io|co\.uk|org\.uk|uk|xyz|shop|online|site|ru|cn|me|tv|ly|be|gl|at|gd|cc|gy|in|one|store|club|top|live|news|app|link)\b(?:\/[^\s<>"()]*)?/gi;

export interface LinkContext {
  /** Hosts (and their subdomains) the council's policy treats as on topic. */
  readonly onTopicDomains: readonly string[];
}

export interface LinkFindings {
  readonly evidence: string[];
  /** Links the rules cannot place either way. */
  readonly unsure: boolean;
  /** How many links the text holds. */
  readonly links: number;
}

export function hostOf(link: string): string {
  const bare = link.replace(/^https?:\/\//i, '').replace(/^www\./i, '');
  return (bare.split(/[/:?#]/)[0] ?? '').toLowerCase().replace(/\.+$/, '');
}

const within = (host: string, domain: string): boolean => host === domain || host.endsWith(`.${domain}`);

export function isOnTopicHost(host: string, context: LinkContext): boolean {
  if (context.onTopicDomains.some((d) => within(host, d.toLowerCase()))) return true;
  if (PUBLIC_SUFFIXES.some((d) => within(host, d))) return true;
  return COUNCIL_HOST.test(host);
}

const SPAMMY_TLD = /\.(?:xyz|shop|online|site|win|top|club|info|biz|ru|cn|live|store|app|link|click)$/;
const CALL_TO_ACTION = /\b(?:visit|click|go to|check out|see|at|on|here|follow)\s*:?\s*$/i;

/** "the mail system at host mx.example.net" names a host; it is not a link anyone is sent to. */
function isBareMention(text: string, at: number, link: string, host: string): boolean {
  if (/^(?:https?:\/\/|www\.)/i.test(link) || link.includes('/') || SHORTENERS.has(host) || SPAMMY_TLD.test(host)) return false;
  const before = text.slice(Math.max(0, at - 20), at);
  return !CALL_TO_ACTION.test(before) || /\bhost\s*$/i.test(before);
}

export function detectOffTopicLinks(text: string, context: LinkContext, parishTopic: (sentence: string) => boolean): LinkFindings {
  const evidence: string[] = [];
  let unsure = false;
  let links = 0;
  URL_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = URL_RE.exec(text)) !== null) {
    const link = m[0].replace(/[.,;:!?)]+$/, '');
    const host = hostOf(link);
    if (!host.includes('.') || /^\d+(?:\.\d+)*$/.test(host) || /\.(?:pdf|docx?|jpe?g|png|xlsx?)$/i.test(host)) continue;
    if (isBareMention(text, m.index, link, host)) continue;
    links++;
    if (SHORTENERS.has(host)) {
      evidence.push(excerpt(link));
      continue;
    }
    if (isOnTopicHost(host, context)) continue;
    const sentence = text.slice(Math.max(0, m.index - 200), m.index + link.length + 120);
    if (parishTopic(sentence)) unsure = true;
    else evidence.push(excerpt(link));
  }
  return { evidence: evidence.slice(0, 3), unsure: unsure && evidence.length === 0, links };
}
