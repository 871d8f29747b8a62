/**
 * Structured JSON logs, one line per entry, in the shape Powertools Logger
 * writes (level, message, timestamp, service, sampling_rate, xray_trace_id,
 * then the attributes; errors as name/location/message/stack), so Lambda's
 * JSON log format and application log level filter them as before.
 *
 * Not Powertools itself: its ~25 KB of code cost every function 3-5 ms of
 * module load on each cold start, and the hub uses none of its other features
 * (context injection, buffering, sampling). Lines go straight to
 * process.stdout/stderr, as Powertools did, not through Lambda's patched console.
 *
 * The rule for every caller: log ids, counts, rule names, hashes and statuses
 * only. Never message text, subjects, email addresses, phone numbers or names:
 * where a log line must tell two senders apart, log their sender hash.
 */

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
type Attributes = Readonly<Record<string, unknown>>;

const THRESHOLD: Record<string, number> = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 };
const SERVICE = 'parish-comms-hub';

export interface Logger {
  debug(message: string, attributes?: Attributes): void;
  info(message: string, attributes?: Attributes): void;
  warn(message: string, attributes?: Attributes): void;
  error(message: string, attributes?: Attributes): void;
}

/** LOG_LEVEL, else SILENT under vitest, else INFO; Lambda's application log level (AWS_LAMBDA_LOG_LEVEL) wins, as in Powertools. */
function threshold(env: NodeJS.ProcessEnv): number {
  const configured = (env.AWS_LAMBDA_LOG_LEVEL ?? env.LOG_LEVEL ?? (env.VITEST ? 'SILENT' : 'INFO')).toUpperCase();
  return THRESHOLD[configured] ?? THRESHOLD.INFO!;
}

function formatError(error: Error): Record<string, unknown> {
  const location = /\((.*):(\d+):\d+\)/.exec(error.stack ?? '') ?? /at (.*):(\d+):\d+/.exec(error.stack ?? '');
  return {
    name: error.name,
    location: location ? `${location[1]}:${location[2]}` : '',
    message: error.message,
    stack: error.stack,
    ...(error.cause !== undefined ? { cause: error.cause instanceof Error ? formatError(error.cause) : error.cause } : {}),
  };
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return formatError(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const min = threshold(env);
  const write = (level: Level, message: string, attributes?: Attributes): void => {
    if (THRESHOLD[level]! < min) return;
    const traceId = /Root=([^;]+)/.exec(env._X_AMZN_TRACE_ID ?? '')?.[1];
    const entry = { level, message, timestamp: new Date().toISOString(), service: SERVICE, sampling_rate: 0, xray_trace_id: traceId, ...attributes };
    const line = `${JSON.stringify(entry, replacer)}\n`;
    if (level === 'WARN' || level === 'ERROR') process.stderr.write(line);
    else process.stdout.write(line);
  };
  return {
    debug: (message, attributes) => write('DEBUG', message, attributes),
    info: (message, attributes) => write('INFO', message, attributes),
    warn: (message, attributes) => write('WARN', message, attributes),
    error: (message, attributes) => write('ERROR', message, attributes),
  };
}

export const log: Logger = createLogger();
