import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SNSEvent } from 'aws-lambda';
import type { AuditStore } from '../../shared/store/audit-store.ts';
import { londonDay } from '../../shared/runtime/london-time.ts';
import type { OpsStore } from '../../shared/store/ops-store.ts';
import { FUNCTIONS, type FunctionId, MANDRILL_INTAKE, QUEUES, ROUTES, SCHEDULES } from '../../shared/topology.ts';
import type { HubConfig } from './config.ts';
import { type Emulators, LOCAL_REGION } from './emulators.ts';
import { renderHomePage } from './home.ts';
import { type LocalRoute, send } from './hub-http.ts';
import type { LocalMandrillIntake } from './hub-mandrill.ts';
import { describe } from './hub-util.ts';
import { evaluatedCalls, recordedDenials } from './iam/enforce.ts';
import { HandlerMissingError, invoke, invokeAsync, LambdaPayloadTooLargeError, LambdaThrottledError } from './lambda.ts';
import type { OutboxLog } from './outbox.ts';
import type { ProviderFakes } from './provider-fakes.ts';
import { listItems } from './records.ts';
import { buildHttpEvent, matchRoute, toHttpResponse } from './router.ts';
import { isScheduleId, type LocalSchedules, parseTriggerBody } from './schedules.ts';

export interface RouteContext {
  readonly config: HubConfig;
  readonly httpUrl: string;
  readonly smtpPort: number;
  readonly audit: AuditStore;
  readonly ops: OpsStore;
  readonly outbox: OutboxLog;
  readonly fakes: ProviderFakes;
  readonly schedules: LocalSchedules;
  readonly iamEnforcement: boolean;
  readonly sqs: SQSClient;
  readonly emulators: Emulators;
  readonly pendingDir: string;
  readonly inboundReceives: Readonly<Record<string, number>>;
  /** Mandrill's REST API -> S3 -> mandrillIntake, outside the HTTP API's routes (as in AWS). */
  readonly mandrill: LocalMandrillIntake;
  readonly logger: { warn(message: string): void };
}

/** The local views (home page, /local/…) and, for every topology route, its function behind API Gateway's HTTP API rules. */
export function localRoutes(ctx: RouteContext): LocalRoute {
  const { audit, ops, outbox } = ctx;
  return async (req, res, body) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const method = (req.method ?? 'GET').toUpperCase();
    const readOnly = method === 'GET' || method === 'HEAD';

    if (path === '/' && readOnly) {
      const items = await listItems({ audit, ops, outbox: outbox.all() });
      const query = new URL(url, 'http://localhost').searchParams;
      const html = renderHomePage({
        councilName: ctx.config.policy.council.name,
        items,
        outbox: outbox.all(),
        httpUrl: ctx.httpUrl,
        smtpPort: ctx.smtpPort,
        query,
      });
      return send(res, 200, html, 'text/html; charset=utf-8');
    }
    if (path === '/local/outbox' && readOnly) return send(res, 200, outbox.all());
    // The Facebook Page as the Graph fake holds it: hidden and deleted comment ids, blocked user ids.
    if (path === '/local/page' && readOnly) return send(res, 200, ctx.fakes.page());
    if (path === '/local/items' && readOnly) return send(res, 200, await listItems({ audit, ops, outbox: outbox.all() }));
    if (path === '/local/records' && readOnly) return send(res, 200, await accountingRecords(ctx, url.endsWith('?queues')));
    if (path === '/local/sms' && method === 'POST') return injectSms(ctx, res, body);
    if (path.startsWith('/local/schedules/') && method === 'POST') return triggerSchedule(ctx, res, path.slice('/local/schedules/'.length), body);
    if (path === '/local/iam' && readOnly) return send(res, 200, { enforcement: ctx.iamEnforcement, evaluated: evaluatedCalls(), denials: recordedDenials() });
    if (path === '/favicon.ico') return send(res, 204, '');
    if (path === MANDRILL_INTAKE.path) return ctx.mandrill.handle(req, res, body);

    const match = matchRoute(ROUTES, method, path);
    // API Gateway HTTP APIs answer 404 for a path or a method without a route.
    if (!match || !('route' in match)) return send(res, 404, { message: 'Not Found' });
    const event = buildHttpEvent(
      { method, url, headers: req.headers, body, sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1' },
      match,
    );
    let result: unknown;
    try {
      result = await invoke(match.route.fn, event);
    } catch (error) {
      return handlerFailed(ctx, res, match.route.fn, error);
    }
    const response = toHttpResponse(result);
    res.writeHead(response.statusCode, response.headers);
    res.end(response.body);
  };
}

/** `npm run load` accounting (bench/load.ts): ids, types and counts only, no personal data. `?queues`: depths only (cheap, for polling). */
async function accountingRecords(ctx: RouteContext, queuesOnly: boolean) {
  const { emulators, inboundReceives } = ctx;
  const depth = async (url: string) => {
    const { Attributes: a = {} } = await ctx.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
  };
  const queues: Record<string, number> = {};
  for (const q of Object.values(QUEUES)) {
    queues[q.id] = await depth(emulators.queueUrls[q.id]);
    queues[q.dlqId] = await depth(emulators.dlqUrls[q.id]);
  }
  const mailPending = readdirSync(ctx.pendingDir).length + ctx.mandrill.pending();
  if (queuesOnly) return { queues, mailPending, inboundReceives };
  const summaries: { itemId: string; ref: string; classification: string }[] = [];
  for await (const s of ctx.audit.listSummaries()) summaries.push({ itemId: s.itemId, ref: s.ref, classification: s.classification });
  const events: { itemId: string; type: string; outboxId?: string }[] = [];
  for await (const e of ctx.audit.chainEvents())
    events.push({ itemId: e.itemId, type: e.type, ...(typeof e.data.outboxId === 'string' ? { outboxId: e.data.outboxId } : {}) });
  const logs: { itemId: string; classification: string; withheld?: string[] }[] = [];
  for (const back of [0, 1]) {
    for (const l of await ctx.ops.listMinimalLogs(londonDay(new Date(Date.now() - back * 86_400_000).toISOString()))) {
      logs.push({ itemId: l.itemId, classification: l.classification, ...withheldOf(l.actions) });
    }
  }
  return { summaries, events, logs, queues, mailPending, inboundReceives };
}

/** Replies the daily outbound limit withheld (`withheld:<kind>:daily-limit` in the minimal log), for the load run's accounting. */
function withheldOf(actions: readonly string[]): { withheld?: string[] } {
  const kinds = actions.filter((a) => a.startsWith('withheld:')).map((a) => a.split(':')[1] ?? '');
  return kinds.length ? { withheld: kinds } : {};
}

/** POST /local/sms: an End User Messaging inbound SMS, delivered to smsInbound as SNS would. */
async function injectSms(ctx: RouteContext, res: ServerResponse, body: Buffer): Promise<void> {
  let message: unknown;
  try {
    message = JSON.parse(body.toString('utf8'));
  } catch {
    return send(res, 400, { message: 'Expected the End User Messaging inbound SMS JSON' });
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return send(res, 400, { message: 'Expected the End User Messaging inbound SMS JSON object' });
  }
  const event = snsEvent(body.toString('utf8'));
  try {
    await invokeAsync('smsInbound', event);
  } catch (error) {
    return handlerFailed(ctx, res, 'smsInbound', error);
  }
  return send(res, 202, { messageId: event.Records[0]!.Sns.MessageId });
}

/** One more firing of a schedule rule, at the time in the body (docs/local.md "Schedules"). */
async function triggerSchedule(ctx: RouteContext, res: ServerResponse, id: string, body: Buffer): Promise<void> {
  if (!isScheduleId(id)) return send(res, 404, { message: `No schedule ${id}; there are ${SCHEDULES.map((s) => s.id).join(', ')}` });
  const parsed = parseTriggerBody(body);
  if ('error' in parsed) return send(res, 400, { message: parsed.error });
  const fn = SCHEDULES.find((s) => s.id === id)!.fn;
  let result: unknown;
  try {
    result = await ctx.schedules.trigger(id, parsed.time);
  } catch (error) {
    return handlerFailed(ctx, res, fn, error);
  }
  return send(res, 200, { schedule: id, function: fn, time: parsed.time.toISOString(), result: result ?? null });
}

function handlerFailed(ctx: RouteContext, res: ServerResponse, fn: FunctionId, error: unknown) {
  if (error instanceof HandlerMissingError) return send(res, 503, { message: `${FUNCTIONS[fn].entry} is not available` });
  if (error instanceof LambdaThrottledError) {
    ctx.logger.warn(error.message);
    return send(res, 500, { message: 'Internal Server Error' });
  }
  // API Gateway's answers when Lambda refuses an event or a result over 6 MB.
  if (error instanceof LambdaPayloadTooLargeError) {
    ctx.logger.warn(error.message);
    return error.direction === 'request' ? send(res, 413, { message: 'Request Entity Too Large' }) : send(res, 502, { message: 'Internal Server Error' });
  }
  ctx.logger.warn(`${fn}: ${describe(error)}`);
  return send(res, 500, { message: 'Internal Server Error' });
}

function snsEvent(message: string): SNSEvent {
  const topicArn = `arn:aws:sns:${LOCAL_REGION}:123456789012:hub-inbound-sms`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: topicArn,
          Subject: '',
          Message: message,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://sns.eu-west-2.amazonaws.com/local.pem',
          UnsubscribeUrl: 'https://sns.eu-west-2.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}
