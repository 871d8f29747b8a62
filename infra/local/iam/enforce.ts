import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { Client } from '@smithy/core/client';
import { HttpResponse } from '@smithy/core/protocols';
import { setLocalS3AccessCheck } from '../../../shared/channels/mail-stores.ts';
import { ENV, MAIL_BUCKET } from '../../../shared/topology.ts';
import { arn, FROM_ADDRESS_TOKEN, loadIamModel, MAIL_DOMAIN_TOKEN, type IamModel, type Principal, type RoleModel } from './model.ts';
import { limitViolation, type LimitViolation } from './limits.ts';
import { authRequests, type AuthRequest } from './requests.ts';

/**
 * IAM enforcement for everything that runs the handlers off AWS (the local
 * hub, the integration/fault/e2e tests, load and bench). Every AWS SDK v3
 * client gets one middleware, attached on its first send: when the call is
 * made on behalf of a principal (a function, or the auditor), each request IAM
 * would authorise is evaluated with @cloud-copilot/iam-simulate against that
 * principal's role policies from the synthesised stack (./model.ts). A denied
 * call never reaches the emulator: the SDK receives the HTTP error AWS sends
 * (AccessDeniedException, 400, for the JSON services; AccessDenied, 403, for
 * S3), and the denial is recorded and reported.
 *
 * Who is calling: `runAs(principal, fn)` for everything `fn` does (the local
 * Lambda runtime wraps each invocation in it), or `bindPrincipal(client, p)`
 * for a client that always acts for one principal (a test's deps, a poller).
 * Calls with neither are the harness itself (creating tables, reading results)
 * and are not evaluated.
 */

export interface Denial {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly detail: string;
}

export const ENFORCEMENT_SWITCH = 'HUB_IAM_ENFORCEMENT';

const scope = new AsyncLocalStorage<Principal>();
const bound = new WeakMap<object, Principal>();
const attached = new WeakSet<object>();
const denials: Denial[] = [];
const evaluated = new Map<Principal, number>();
let reporter: (denial: Denial) => void = () => undefined;
let installed = false;
let model: IamModel | undefined;
let simulator: Promise<typeof import('@cloud-copilot/iam-simulate')> | undefined;

async function ready(): Promise<typeof import('@cloud-copilot/iam-simulate')> {
  simulator ??= import('@cloud-copilot/iam-simulate');
  model ??= await loadIamModel();
  return simulator;
}

/** True unless HUB_IAM_ENFORCEMENT=off (a debugging run only). */
export function enforcementWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[ENFORCEMENT_SWITCH] !== 'off';
}

/**
 * Patches every SDK client. Idempotent. Returns false when switched off. The
 * model and the simulator load on the first call made for a principal, so
 * processes that never make one (unit tests) pay nothing.
 */
export function installIamEnforcement(options: { onDenial?: (denial: Denial) => void } = {}): boolean {
  if (options.onDenial) reporter = options.onDenial;
  if (!enforcementWanted()) return false;
  if (installed) return true;
  installed = true;
  // The local mail store stands for the S3 bucket: its reads, writes and deletes are evaluated as S3's would be.
  setLocalS3AccessCheck((action, key) =>
    checkLocalAccess(
      key === undefined
        ? { action, resource: arn.bucket(MAIL_BUCKET.id), context: {}, detail: `bucket ${MAIL_BUCKET.id}` }
        : { action, resource: `${arn.bucket(MAIL_BUCKET.id)}/${key}`, context: {}, detail: `object ${key}` },
    ),
  );
  const send = Client.prototype.send as (...args: unknown[]) => unknown;
  Client.prototype.send = function patchedSend(this: Client<any, any, any, any>, ...args: unknown[]) {
    if (!attached.has(this.middlewareStack)) {
      attached.add(this.middlewareStack);
      this.middlewareStack.add(enforcementMiddleware(this) as never, { step: 'deserialize', priority: 'low', name: 'hubIamEnforcement' });
    }
    return send.apply(this, args);
  } as typeof Client.prototype.send;
  return true;
}

export function iamEnforcementActive(): boolean {
  return installed && enforcementWanted();
}

export function runAs<T>(principal: Principal, fn: () => T): T {
  return scope.run(principal, fn);
}

export function bindPrincipal<C extends object>(client: C, principal: Principal): C {
  bound.set(client, principal);
  // A DocumentClient shares its middleware stack with the client it wraps.
  const inner = (client as { config?: unknown; middlewareStack?: object }).middlewareStack;
  if (inner) bound.set(inner, principal);
  return client;
}

export function currentPrincipal(): Principal | undefined {
  return scope.getStore();
}

/** Every denial since start (or the last `clearDenials`). */
export function recordedDenials(): readonly Denial[] {
  return denials;
}

/** How many requests were evaluated for each principal (allowed or not): proof that a flow ran under enforcement. */
export function evaluatedCalls(): Readonly<Partial<Record<Principal, number>>> {
  return Object.fromEntries(evaluated);
}

export function clearDenials(): void {
  denials.length = 0;
}

export function describeDenial(d: Denial): string {
  return `iam: DENIED ${d.principal} ${d.action} ${d.detail} (${d.resource})`;
}

/**
 * Evaluates one request outside the SDK, for local stand-ins of AWS calls
 * (raw mail read from a directory instead of S3). Throws AccessDenied like S3.
 */
export async function checkLocalAccess(request: AuthRequest): Promise<void> {
  const principal = currentPrincipal();
  if (!iamEnforcementActive() || !principal) return;
  const denied = await firstDenied(principal, [request]);
  if (denied) throw Object.assign(new Error(`Access Denied (${denied.action})`), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
}

function enforcementMiddleware(client: Client<any, any, any, any>) {
  return (next: (args: any) => Promise<any>, context: { clientName?: string; commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
    if (!iamEnforcementActive()) return next(args);
    const clientName = context.clientName ?? '';
    const principal = scope.getStore() ?? bound.get(client) ?? bound.get(client.middlewareStack);
    if (principal) {
      await ready();
      const denied = await firstDenied(principal, authRequests(clientName, context.commandName ?? '', args.input, model!));
      if (denied) return { response: accessDeniedResponse(clientName, denied), output: undefined };
    }
    // AWS's limits apply to every caller, after authorisation.
    const limit = limitViolation(clientName, context.commandName ?? '', args.input);
    if (limit) return { response: errorResponse(clientName, limit), output: undefined };
    return next(args);
  };
}

/** Decisions by principal, sender and request: the same call is decided once (bounded, cleared when full). */
const decisions = new Map<string, Promise<boolean>>();

async function firstDenied(principal: Principal, requests: AuthRequest[]): Promise<Denial | undefined> {
  for (const request of requests) {
    evaluated.set(principal, (evaluated.get(principal) ?? 0) + 1);
    const key = JSON.stringify([principal, process.env[ENV.sesFromAddress] ?? '', request.action, request.resource, request.context]);
    let allowed = decisions.get(key);
    if (!allowed) {
      if (decisions.size > 20_000) decisions.clear();
      allowed = simulate(principal, request);
      decisions.set(key, allowed);
      allowed.catch(() => decisions.delete(key));
    }
    if (!(await allowed)) {
      const denial: Denial = { principal, action: request.action, resource: request.resource, detail: request.detail };
      denials.push(denial);
      reporter(denial);
      return denial;
    }
  }
  return undefined;
}

async function simulate(principal: Principal, request: AuthRequest): Promise<boolean> {
  const { runSimulation } = await ready();
  const role = roleFor(principal);
  const result = await runSimulation(
    {
      identityPolicies: role.policies as never,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resourcePolicyFor(request.resource) as never,
      request: {
        principal: role.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: role.roleArn.split(':')[4]! },
        contextVariables: { 'aws:SecureTransport': 'true', ...request.context },
      },
    },
    {},
  );
  if (result.resultType === 'error')
    throw new Error(`IAM simulation failed for ${principal} ${request.action} ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed';
}

/** The key, queue or bucket policy that governs a resource (a bucket's policy governs its objects). */
function resourcePolicyFor(resource: string): unknown {
  const policies = model!.resourcePolicies;
  return policies[resource] ?? (resource.startsWith('arn:aws:s3:::') ? policies[resource.split('/')[0]!] : undefined);
}

const withSender = new Map<string, RoleModel>();

/** The role with the deployment's sender placeholders replaced by the local sender address. */
function roleFor(principal: Principal): RoleModel {
  const configured = process.env[ENV.sesFromAddress] ?? FROM_ADDRESS_TOKEN;
  const from = (/<([^>]+)>/.exec(configured)?.[1] ?? configured).trim().toLowerCase();
  const cacheKey = `${principal}\0${from}`;
  let role = withSender.get(cacheKey);
  if (!role) {
    const text = JSON.stringify(model!.roles[principal])
      .split(FROM_ADDRESS_TOKEN)
      .join(from)
      .split(MAIL_DOMAIN_TOKEN)
      .join(from.split('@')[1] ?? MAIL_DOMAIN_TOKEN);
    role = JSON.parse(text) as RoleModel;
    withSender.set(cacheKey, role);
  }
  return role;
}

/** The error response each service sends for a denied call, for the SDK's own deserialiser to turn into an exception. */
function accessDeniedResponse(clientName: string, d: Denial): HttpResponse {
  const message = `User: arn:aws:sts::123456789012:assumed-role/hub-${d.principal}/hub-${d.principal} is not authorized to perform: ${d.action} on resource: ${d.resource} because no identity-based policy allows the ${d.action} action`;
  if (clientName === 'S3Client') return errorResponse(clientName, { status: 403, code: 'AccessDenied', message });
  if (clientName === 'SQSClient') return errorResponse(clientName, { status: 400, code: 'AccessDenied', message });
  return errorResponse(clientName, { status: clientName === 'SESv2Client' ? 403 : 400, code: 'AccessDeniedException', message });
}

/** An error in the service's own wire format (JSON with x-amzn-errortype, SQS's query-compatible code, S3's XML). */
function errorResponse(clientName: string, e: LimitViolation): HttpResponse {
  const body = (text: string) => Readable.from([Buffer.from(text)]);
  if (clientName === 'S3Client') {
    return new HttpResponse({
      statusCode: e.status,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'local-iam' },
      body: body(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${e.code}</Code><Message>${e.message}</Message><RequestId>local-iam</RequestId></Error>`),
    });
  }
  // SQS speaks JSON but names its errors by the query-protocol code in x-amzn-query-error.
  const type = clientName === 'SQSClient' ? (e.code === 'AccessDenied' ? 'AccessDeniedException' : e.code) : e.code;
  return new HttpResponse({
    statusCode: e.status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-errortype': type,
      'x-amzn-requestid': 'local-iam',
      ...(clientName === 'SQSClient' ? { 'x-amzn-query-error': `${e.code};Sender` } : {}),
    },
    body: body(JSON.stringify({ __type: `com.amazon.coral.service#${type}`, message: e.message, Message: e.message })),
  });
}
