/**
 * The load run's schedule, decided up front and reproducible from a seed:
 * N unique provider events ("items") at R items/s, open loop (item i is due
 * at i/R seconds whatever happened to earlier ones), with duplicates, provider
 * retries and hostile requests mixed in as extra requests on the same clock.
 */

/** A legitimate event and what the hub should do with it (demo policy). */
export const SCENARIOS = {
  /** Messenger message from a new PSID: informal, one auto-reply. */
  'messenger-informal': { channel: 'messenger', record: 'log', expects: ['auto-reply'], weight: 22 },
  /** A friendly Facebook comment: informal; what is sent depends on moderation, so nothing is required. */
  'comment-informal': { channel: 'facebook-comment', record: 'log', expects: [], weight: 6 },
  /** Twilio SMS from a new number: formal, routed to the clerk. */
  'twilio-formal': { channel: 'sms', record: 'audit', expects: ['clerk-routing'], weight: 14 },
  /** End User Messaging SMS (POST /local/sms): formal. */
  'eum-formal': { channel: 'sms', record: 'audit', expects: ['clerk-routing'], weight: 10 },
  /** Mandrill inbound email to an official address: formal. */
  'mandrill-formal': { channel: 'email', record: 'audit', expects: ['clerk-routing'], weight: 12 },
  /** SMTP (SES receiving) email to the clerk: formal. */
  'smtp-formal': { channel: 'email', record: 'audit', expects: ['clerk-routing'], weight: 12 },
  /** SMTP out-of-office (Auto-Submitted): formal, routed, never auto-answered. */
  'smtp-auto-reply': { channel: 'email', record: 'audit', expects: ['clerk-routing'], weight: 4 },
  /** Mailchimp unsubscribe: a consent-ledger record, nothing sent. */
  'mailchimp-ledger': { channel: 'mailchimp', record: 'audit', expects: [], weight: 12 },
  /** Twilio STOP: a consent-ledger record, nothing sent. */
  'twilio-stop': { channel: 'sms', record: 'audit', expects: [], weight: 8 },
} as const satisfies Record<string, { channel: string; record: 'audit' | 'log'; expects: readonly string[]; weight: number }>;
export type Scenario = keyof typeof SCENARIOS;

/** Requests that must be refused (or accepted and dropped) with a given status. */
export const HOSTILE = {
  'bad-signature': 401,
  /** Mandrill's REST API stores before anything can check the signature (200); the intake then records nothing. */
  'forged-mandrill': 200,
  malformed: 400,
  oversized: 413,
  'unknown-event': 200,
  'wrong-mailchimp-secret': 404,
} as const;
export type Hostile = keyof typeof HOSTILE;

export type Send =
  | { readonly at: number; readonly type: 'item'; readonly item: number; readonly scenario: Scenario }
  /** The same provider event again, at (nearly) the same moment: the concurrent-duplicate race. */
  | { readonly at: number; readonly type: 'duplicate'; readonly item: number; readonly scenario: Scenario }
  /** The same provider event again, later, as a provider does after a slow or lost acknowledgement. */
  | { readonly at: number; readonly type: 'retry'; readonly item: number; readonly scenario: Scenario }
  | { readonly at: number; readonly type: 'hostile'; readonly item: number; readonly hostile: Hostile };

export interface PlanOptions {
  readonly items: number;
  /** Items per second. */
  readonly rate: number;
  readonly seed?: number;
  readonly duplicateShare?: number;
  readonly retryShare?: number;
  readonly hostileShare?: number;
  /** Delay of a provider retry after the original, ms. */
  readonly retryAfterMs?: number;
}

/** SMTP has no provider event id: a second SMTP delivery is a second email (SES gives it a new messageId). */
const resendable = (s: Scenario) => !s.startsWith('smtp-');

export function plan(options: PlanOptions): Send[] {
  const { items, rate } = options;
  if (!Number.isInteger(items) || items < 1) throw new Error('--items must be a positive integer');
  if (!(rate > 0)) throw new Error('--rate must be a positive number');
  const random = mulberry32(options.seed ?? 1);
  const dupShare = options.duplicateShare ?? 0.1;
  const retryShare = options.retryShare ?? 0.08;
  const hostileShare = options.hostileShare ?? 0.08;
  const retryAfter = options.retryAfterMs ?? 3_000;
  const scenarios = Object.entries(SCENARIOS) as [Scenario, (typeof SCENARIOS)[Scenario]][];
  const totalWeight = scenarios.reduce((sum, [, s]) => sum + s.weight, 0);
  const hostiles = Object.keys(HOSTILE) as Hostile[];
  const interval = 1000 / rate;

  const sends: Send[] = [];
  let hostileCount = 0;
  for (let i = 0; i < items; i++) {
    const at = i * interval;
    // Every scenario appears at least once when there are enough items; then by weight.
    let scenario: Scenario;
    if (i < scenarios.length && items >= scenarios.length * 4) scenario = scenarios[i]![0];
    else {
      let pick = random() * totalWeight;
      scenario = scenarios.find(([, s]) => (pick -= s.weight) < 0)?.[0] ?? scenarios[0]![0];
    }
    sends.push({ at, type: 'item', item: i, scenario });
    if (resendable(scenario) && random() < dupShare) sends.push({ at: at + random() * Math.min(interval, 20), type: 'duplicate', item: i, scenario });
    if (resendable(scenario) && random() < retryShare) sends.push({ at: at + retryAfter, type: 'retry', item: i, scenario });
    // Hostile kinds in turn, so a short run still sends each one.
    if (random() < hostileShare) sends.push({ at: at + interval / 2, type: 'hostile', item: i, hostile: hostiles[hostileCount++ % hostiles.length]! });
  }
  return sends.sort((a, b) => a.at - b.at);
}

/** Small, fast, seedable PRNG (public domain). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
