/**
 * Cost arithmetic at public eu-west-2 prices (USD). Pure: the benchmark feeds
 * it counted requests and measured durations; the assumptions are explicit
 * inputs so the report can print them beside the figures.
 */

export const PRICES = {
  lambdaPerRequest: 0.2 / 1e6,
  /** arm64, eu-west-2. */
  lambdaPerGbSecond: 0.0000133334,
  httpApiPerRequest: 1.16 / 1e6,
  /** Per request, each 64 KB chunk of payload counts as one request. */
  sqsPerRequest: 0.4 / 1e6,
  dynamodbPerWru: 0.71 / 1e6,
  dynamodbPerRru: 0.14 / 1e6,
  sesOutboundPerEmail: 0.1 / 1000,
  sesInboundPerEmail: 0.1 / 1000,
  sesInboundPer256KbChunk: 0.09 / 1000,
  kmsKeyPerMonth: 1,
  secretPerMonth: 0.4,
  /** Public Secrets Manager API price (not in engineering-notes.md): $0.05 per 10,000 calls. */
  secretsApiPerCall: 0.05 / 10_000,
  /** Public CloudWatch price (not in engineering-notes.md): standard-resolution alarm $0.10 a month. */
  alarmPerMonth: 0.1,
  logsPerGbIngested: 0.5985,
} as const;

export const SQS_CHUNK_BYTES = 64 * 1024;
export const SES_INBOUND_CHUNK_BYTES = 256 * 1024;

/** SQS bills every 64 KB chunk of a request's payload as one request. */
export function sqsBilledRequests(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / SQS_CHUNK_BYTES));
}

/** Lambda bills duration in 1 ms steps, at the configured memory. */
export function lambdaGbSeconds(memoryMb: number, durationMs: number): number {
  return (memoryMb / 1024) * (Math.ceil(durationMs) / 1000);
}

export interface LambdaUse {
  fn: string;
  memoryMb: number;
  invocations: number;
  /** Mean billed handler duration per invocation, ms. */
  durationMs: number;
  /** Reads the provider secret through the extension on a cold start. */
  readsSecrets: boolean;
}

export interface ItemUsage {
  lambda: LambdaUse[];
  httpApiRequests: number;
  /** Already in 64 KB-chunk units. */
  sqsBilledRequests: number;
  wru: number;
  rru: number;
  sesOutboundEmails: number;
  sesInboundEmails: number;
  sesInboundBytes: number;
}

export interface CostAssumptions {
  /** Share of invocations that are cold starts (parish volume: nearly all). */
  coldFraction: number;
  /** Billed INIT duration per cold start, ms (billed since 2025-08-01). */
  initMs: number;
  /** CloudWatch Logs bytes written per invocation (START/END/REPORT + the handler's structured lines). */
  logBytesPerInvocation: number;
}

export type CostBreakdown = Record<string, number> & { total: number };

/** Cost of one item (multiply by 1,000 for the per-1,000 figure). */
export function costPerItem(usage: ItemUsage, a: CostAssumptions) {
  let requests = 0;
  let compute = 0;
  let init = 0;
  let secrets = 0;
  let logs = 0;
  for (const use of usage.lambda) {
    requests += use.invocations * PRICES.lambdaPerRequest;
    compute += use.invocations * lambdaGbSeconds(use.memoryMb, use.durationMs) * PRICES.lambdaPerGbSecond;
    const cold = use.invocations * a.coldFraction;
    init += cold * lambdaGbSeconds(use.memoryMb, a.initMs) * PRICES.lambdaPerGbSecond;
    if (use.readsSecrets) secrets += cold * PRICES.secretsApiPerCall;
    logs += (use.invocations * a.logBytesPerInvocation * PRICES.logsPerGbIngested) / 1024 ** 3;
  }
  const parts = {
    lambdaRequests: requests,
    lambdaDuration: compute,
    lambdaInit: init,
    httpApi: usage.httpApiRequests * PRICES.httpApiPerRequest,
    sqs: usage.sqsBilledRequests * PRICES.sqsPerRequest,
    dynamodbWrites: usage.wru * PRICES.dynamodbPerWru,
    dynamodbReads: usage.rru * PRICES.dynamodbPerRru,
    sesOutbound: usage.sesOutboundEmails * PRICES.sesOutboundPerEmail,
    sesInbound:
      usage.sesInboundEmails * PRICES.sesInboundPerEmail +
      (usage.sesInboundEmails > 0 ? Math.max(usage.sesInboundEmails, Math.ceil(usage.sesInboundBytes / SES_INBOUND_CHUNK_BYTES)) : 0) *
        PRICES.sesInboundPer256KbChunk,
    secretsApi: secrets,
    logs,
  };
  const total = Object.values(parts).reduce((s, v) => s + v, 0);
  return { ...parts, total };
}

export interface IdleDeployment {
  kmsKeys: number;
  secrets: number;
  alarms: number;
  /** Queues with a Lambda event source mapping (each long-polls while idle). */
  polledQueues: number;
  /** Requests a month per polled queue while idle. */
  idlePollsPerQueue: number;
  /** CloudWatch Logs ingested a month while idle, GB (none: idle functions do not run). */
  logGbIngestedPerMonth: number;
}

export function idleMonthlyCost(d: IdleDeployment): CostBreakdown {
  const parts = {
    kmsKeys: d.kmsKeys * PRICES.kmsKeyPerMonth,
    secrets: d.secrets * PRICES.secretPerMonth,
    alarms: d.alarms * PRICES.alarmPerMonth,
    sqsIdlePolling: d.polledQueues * d.idlePollsPerQueue * PRICES.sqsPerRequest,
    logs: d.logGbIngestedPerMonth * PRICES.logsPerGbIngested,
  };
  return { ...parts, total: Object.values(parts).reduce((s, v) => s + v, 0) };
}
