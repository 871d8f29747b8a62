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
  /** FIFO queues' requests cost more (public SQS price). */
  sqsFifoPerRequest: 0.5 / 1e6,
  dynamodbPerWru: 0.71 / 1e6,
  dynamodbPerRru: 0.14 / 1e6,
  sesOutboundPerEmail: 0.1 / 1000,
  sesInboundPerEmail: 0.1 / 1000,
  sesInboundPer256KbChunk: 0.09 / 1000,
  kmsKeyPerMonth: 1,
  secretPerMonth: 0.4,
  /** Public Secrets Manager API price (not in engineering-notes.md): $0.05 per 10,000 calls. */
  secretsApiPerCall: 0.05 / 10_000,
  /** Public CloudWatch price (not in engineering-notes.md): $0.10 a month per standard-resolution alarm metric (a metric-math alarm pays for each metric it reads). */
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
  /** Customer managed KMS keys ($1 a month each, symmetric or asymmetric). */
  kmsKeys: number;
  secrets: number;
  /** Alarm metrics: one per single-metric alarm, one per metric a metric-math alarm reads. */
  alarms: number;
  /** Standard queues with a Lambda event source mapping (each long-polls while idle). */
  polledQueues: number;
  /** FIFO queues with a Lambda event source mapping (FIFO requests cost more). */
  polledFifoQueues: number;
  /** Requests a month per polled queue while idle. */
  idlePollsPerQueue: number;
  /** Scheduled invocations a month, each at its function's memory. */
  scheduledRuns: readonly { memoryMb: number; perMonth: number }[];
  /** CloudWatch Logs ingested a month while idle, GB (scheduled runs aside, idle functions do not run). */
  logGbIngestedPerMonth: number;
}

/** Assumed billed duration and log bytes of one scheduled run that finds nothing to do. */
export const IDLE_SCHEDULED_RUN = { durationMs: 500, logBytes: 2_000 } as const;

export function idleMonthlyCost(d: IdleDeployment): CostBreakdown {
  const runs = d.scheduledRuns.reduce((s, r) => s + r.perMonth, 0);
  const runGbSeconds = d.scheduledRuns.reduce((s, r) => s + r.perMonth * lambdaGbSeconds(r.memoryMb, IDLE_SCHEDULED_RUN.durationMs), 0);
  const parts = {
    kmsKeys: d.kmsKeys * PRICES.kmsKeyPerMonth,
    secrets: d.secrets * PRICES.secretPerMonth,
    alarms: d.alarms * PRICES.alarmPerMonth,
    sqsIdlePolling: d.idlePollsPerQueue * (d.polledQueues * PRICES.sqsPerRequest + d.polledFifoQueues * PRICES.sqsFifoPerRequest),
    schedules:
      runs * PRICES.lambdaPerRequest + runGbSeconds * PRICES.lambdaPerGbSecond + (runs * IDLE_SCHEDULED_RUN.logBytes * PRICES.logsPerGbIngested) / 1024 ** 3,
    logs: d.logGbIngestedPerMonth * PRICES.logsPerGbIngested,
  };
  return { ...parts, total: Object.values(parts).reduce((s, v) => s + v, 0) };
}

/** An idle event source mapping long-polls about this often a month (engineering-notes.md). */
export const IDLE_POLLS_PER_QUEUE = 650_000;

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

/**
 * What an idle deployment pays for, counted in a synthesised CloudFormation
 * template: keys, secrets, alarm metrics, queues polled by a mapping (standard
 * or FIFO), and scheduled rules with the memory of the function they run.
 */
export function idleDeploymentOf(resources: Readonly<Record<string, TemplateResource>>): IdleDeployment {
  const all = Object.entries(resources);
  const ofType = (type: string) => all.filter(([, r]) => r.Type === type).map(([id, r]) => [id, r.Properties ?? {}] as const);
  const refId = (value: unknown): string | undefined => {
    const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
    return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
  };
  const mappedQueues = ofType('AWS::Lambda::EventSourceMapping')
    .map(([, p]) => resources[refId(p.EventSourceArn) ?? ''])
    .filter((r) => r?.Type === 'AWS::SQS::Queue');
  const fifo = mappedQueues.filter((q) => q?.Properties?.FifoQueue === true).length;
  const scheduledRuns = ofType('AWS::Events::Rule')
    .filter(([, p]) => typeof p.ScheduleExpression === 'string')
    .flatMap(([, p]) =>
      ((p.Targets ?? []) as { Arn: unknown }[]).map((t) => ({
        memoryMb: Number(resources[refId(t.Arn) ?? '']?.Properties?.MemorySize ?? 128),
        perMonth: runsPerMonth(p.ScheduleExpression as string),
      })),
    );
  const alarmMetrics = (p: Readonly<Record<string, unknown>>) =>
    Array.isArray(p.Metrics) ? (p.Metrics as { MetricStat?: unknown }[]).filter((m) => m.MetricStat).length : 1;
  return {
    kmsKeys: ofType('AWS::KMS::Key').length,
    secrets: ofType('AWS::SecretsManager::Secret').length,
    alarms: ofType('AWS::CloudWatch::Alarm').reduce((n, [, p]) => n + alarmMetrics(p), 0),
    polledQueues: mappedQueues.length - fifo,
    polledFifoQueues: fifo,
    idlePollsPerQueue: IDLE_POLLS_PER_QUEUE,
    scheduledRuns,
    logGbIngestedPerMonth: 0,
  };
}

const HOURS_PER_MONTH = 730;

/** Runs a month of an EventBridge `rate(...)` expression (cron expressions are not used by the stack). */
export function runsPerMonth(expression: string): number {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) throw new Error(`schedule ${expression}: only rate(...) is priced`);
  const hours = { minute: 1 / 60, hour: 1, day: 24 }[m[2]!.replace(/s$/, '') as 'minute' | 'hour' | 'day'];
  return HOURS_PER_MONTH / (Number(m[1]) * hours);
}
