import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type FunctionId } from '../../shared/topology.ts';
import { LOCAL_REGION } from './emulators.ts';
import { runAs } from './iam/enforce.ts';

/**
 * Runs the real handler files the way Lambda does: imported once by their
 * topology `entry` (a cold start), then invoked with an event and a context
 * that counts down the function's timeout. A handler file that does not
 * exist yet is reported, not fatal, so the hub runs while pieces arrive.
 */

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

export class HandlerMissingError extends Error {
  constructor(fn: FunctionId) {
    super(`handler ${FUNCTIONS[fn].entry} is not available`);
    this.name = 'HandlerMissingError';
  }
}

export class HandlerTimeoutError extends Error {
  constructor(fn: FunctionId, seconds: number) {
    super(`${fn} timed out after ${seconds} s`);
    this.name = 'HandlerTimeoutError';
  }
}

/** Lambda's synchronous invocation limits: 6 MB request (6,291,456 bytes of event JSON) and response (100 bytes more). */
export const LAMBDA_REQUEST_LIMIT_BYTES = 6_291_456;
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_556;

export class LambdaPayloadTooLargeError extends Error {
  readonly direction: 'request' | 'response';
  constructor(fn: FunctionId, direction: 'request' | 'response', bytes: number) {
    super(`${fn}: ${direction} payload of ${bytes} bytes is over Lambda's 6 MB limit`);
    this.direction = direction;
    this.name = direction === 'request' ? 'RequestEntityTooLargeException' : 'ResponseSizeTooLarge';
  }
}

/**
 * Lambda's answer when the account (or region) has no concurrency left:
 * TooManyRequestsException, 429. The function never runs. API Gateway turns
 * it into a 500; an SQS event source mapping leaves the batch in flight, so
 * each message comes back after its visibility timeout with one more receive
 * counted, and can reach the DLQ without ever having been tried.
 */
export class LambdaThrottledError extends Error {
  readonly statusCode = 429;
  constructor(fn: FunctionId, limit: number) {
    super(`${fn}: throttled, the account's ${limit} concurrent executions are all in use`);
    this.name = 'TooManyRequestsException';
  }
}

/**
 * The account's concurrency: AWS's default is 1,000 a region, but a new
 * account may start at 10. Unlimited unless set (HUB_ACCOUNT_CONCURRENCY).
 */
const concurrency = { limit: Number.POSITIVE_INFINITY, inFlight: 0, throttles: {} as Partial<Record<FunctionId, number>> };

export function setAccountConcurrency(limit: number | undefined): void {
  concurrency.limit = limit === undefined ? Number.POSITIVE_INFINITY : limit;
}

/** Throttled invocations per function since the process started (Lambda's Throttles metric). */
export function throttleCounts(): Readonly<Partial<Record<FunctionId, number>>> {
  return { ...concurrency.throttles };
}

/** Runs `work` as one execution of `fn` within the account's concurrency, or throws LambdaThrottledError without running it. */
export async function withinAccountConcurrency<T>(fn: FunctionId, work: () => Promise<T>): Promise<T> {
  if (concurrency.inFlight >= concurrency.limit) {
    concurrency.throttles[fn] = (concurrency.throttles[fn] ?? 0) + 1;
    throw new LambdaThrottledError(fn, concurrency.limit);
  }
  concurrency.inFlight += 1;
  try {
    return await work();
  } finally {
    concurrency.inFlight -= 1;
  }
}

const jsonBytes = (value: unknown): number => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8'));

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const loaded = new Map<FunctionId, Promise<Handler>>();

export function handlerAvailable(fn: FunctionId, root = PROJECT_ROOT): boolean {
  return existsSync(resolve(root, FUNCTIONS[fn].entry));
}

function loadHandler(fn: FunctionId, root: string): Promise<Handler> {
  let promise = loaded.get(fn);
  if (!promise) {
    const file = resolve(root, FUNCTIONS[fn].entry);
    if (!existsSync(file)) return Promise.reject(new HandlerMissingError(fn));
    promise = import(pathToFileURL(file).href).then((module: { handler?: unknown }) => {
      if (typeof module.handler !== 'function') throw new Error(`${FUNCTIONS[fn].entry} does not export a handler`);
      return module.handler as Handler;
    });
    promise.catch(() => loaded.delete(fn));
    loaded.set(fn, promise);
  }
  return promise;
}

export async function invoke(fn: FunctionId, event: unknown, root = PROJECT_ROOT): Promise<unknown> {
  const requestBytes = jsonBytes(event);
  if (requestBytes > LAMBDA_REQUEST_LIMIT_BYTES) throw new LambdaPayloadTooLargeError(fn, 'request', requestBytes);
  const handler = await loadHandler(fn, root);
  return withinAccountConcurrency(fn, () => run(fn, handler, event));
}

/**
 * An asynchronous invocation (SES, SNS, EventBridge → Lambda): a throttle is
 * not the caller's error. Lambda keeps the event in its own queue and retries
 * it (for up to six hours), so the local runtime waits for a free execution.
 */
export function invokeAsync(fn: FunctionId, event: unknown, root = PROJECT_ROOT): Promise<unknown> {
  return retryWhileThrottled(() => invoke(fn, event, root));
}

export async function retryWhileThrottled<T>(call: () => Promise<T>): Promise<T> {
  for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof LambdaThrottledError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function run(fn: FunctionId, handler: Handler, event: unknown): Promise<unknown> {
  const { timeoutSeconds, memoryMb } = FUNCTIONS[fn];
  const deadline = Date.now() + timeoutSeconds * 1000;
  const requestId = randomUUID();
  const context: Context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `hub-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:123456789012:function:hub-${fn}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/hub-${fn}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandlerTimeoutError(fn, timeoutSeconds)), timeoutSeconds * 1000);
  });
  try {
    // Every AWS call the handler makes is evaluated against this function's role (./iam/enforce.ts).
    const result = await Promise.race([runAs(fn, () => Promise.resolve(handler(event, context))), timeout]);
    const responseBytes = jsonBytes(result);
    if (responseBytes > LAMBDA_RESPONSE_LIMIT_BYTES) throw new LambdaPayloadTooLargeError(fn, 'response', responseBytes);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
