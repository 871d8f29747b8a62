import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SESEvent, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from './emulators.ts';
import { startProviderFakes, type ProviderFakes } from './provider-fakes.ts';
import { AuditStore, londonDay } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { ENV, FUNCTIONS, MAIL_BUCKET, QUEUES, queueName, ROUTES, SCHEDULES, type FunctionId } from '../../shared/topology.ts';
import type { HubConfig } from './config.ts';
import { CorruptDataError, StartupError } from './errors.ts';
import { renderHomePage } from './home.ts';
import { bindPrincipal, describeDenial, evaluatedCalls, installIamEnforcement, recordedDenials } from './iam/enforce.ts';
import { loadIamModel } from './iam/model.ts';
import { HandlerMissingError, invoke, LambdaPayloadTooLargeError } from './lambda.ts';
import { OutboxLog, startSesCapture } from './outbox.ts';
import { startPoller, type Poller } from './poller.ts';
import { listItems } from './records.ts';
import { buildHttpEvent, matchRoute, toHttpResponse } from './router.ts';
import { isScheduleId, parseTriggerBody, startSchedules } from './schedules.ts';
import { startSmtp, type LocalSmtp } from './smtp.ts';
import { attachSqsJournal, type SqsJournal } from './sqs-journal.ts';

/**
 * The whole hub on one machine: emulators with state under HUB_DATA_DIR, the
 * production handlers behind a local API Gateway, SQS event source mappings,
 * SES receiving over SMTP, scheduled functions, provider fakes, and the local
 * views (home page, outbox, items). start.ts wraps it for the command line;
 * the end-to-end test runs start.ts as a child process.
 */

export interface Hub {
  readonly httpUrl: string;
  readonly httpPort: number;
  readonly smtpPort: number;
  /** Messages restored into each queue from the journal at start. */
  readonly restoredMessages: Readonly<Record<string, number>>;
  /** Every AWS call a function makes is evaluated against its role in the synthesised stack (infra/local/iam). */
  readonly iamEnforcement: boolean;
  stop(): Promise<void>;
}

export interface HubLogger {
  warn(message: string): void;
}

/** API Gateway HTTP APIs accept request bodies up to 10 MB. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAIL_OBJECT_BUCKET = `local-${MAIL_BUCKET.id}`;

export async function startHub(config: HubConfig, logger: HubLogger = { warn: (m) => console.error(m) }): Promise<Hub> {
  const cleanup: (() => Promise<void> | void)[] = [];
  const dataDirExisted = existsSync(config.dataDir);
  const stopAll = async () => {
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch {
        // keep closing the rest
      }
    }
  };
  try {
    return await start(config, logger, cleanup, stopAll);
  } catch (error) {
    await stopAll();
    if (!dataDirExisted) removeEmptyDirs(config.dataDir);
    throw error;
  }
}

/** After a failed first start: leave no empty folders behind, but never delete a file. */
function removeEmptyDirs(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) removeEmptyDirs(path);
  }
  try {
    rmdirSync(dir);
  } catch {
    // not empty: something worth keeping is inside
  }
}

async function start(config: HubConfig, logger: HubLogger, cleanup: (() => Promise<void> | void)[], stopAll: () => Promise<void>): Promise<Hub> {
  const { dataDir } = config;
  const mailDir = join(dataDir, 'mail');
  const pendingDir = join(dataDir, 'mail-pending');
  try {
    mkdirSync(mailDir, { recursive: true });
    mkdirSync(pendingDir, { recursive: true });
  } catch (error) {
    throw new StartupError(`HUB_DATA_DIR ${dataDir} cannot be created (${(error as NodeJS.ErrnoException).code})`);
  }

  // Ports first, so "port in use" is reported before anything else starts.
  let ready = false;
  let route: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> = async () => undefined;
  const http = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        if (body === undefined) return send(res, 413, { message: 'Request Entity Too Large' });
        if (!ready) return send(res, 503, { message: 'The hub is starting' });
        await route(req, res, body);
      })
      .catch((error: unknown) => {
        logger.warn(`http: ${(error as Error).message}`);
        if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      });
  });
  const httpPort = await listen(http, config.httpPort, 'HUB_PORT');
  cleanup.push(() => closeServer(http));

  let stopping = false;
  // Replaced once the handlers can run; mail accepted before that stays pending and is replayed below.
  let deliverMail: (event: SESEvent) => Promise<void> = async () => undefined;
  let smtp: LocalSmtp;
  try {
    smtp = await startSmtp({
      port: config.smtpPort,
      objectKeyPrefix: MAIL_BUCKET.objectPrefix,
      storeRawMail: async (key, raw) => writeAtomically(join(mailDir, key), raw),
      // Until the SES handler has taken the mail, its event waits in mail-pending/ (replayed at start).
      accept: async (event) => writeAtomically(join(pendingDir, `${event.Records[0]!.ses.mail.messageId}.json`), Buffer.from(JSON.stringify(event))),
      deliver: (event) => deliverMail(event),
    });
  } catch (error) {
    throw portError(error, 'HUB_SMTP_PORT', config.smtpPort);
  }
  cleanup.push(() => smtp.close());

  // State: DynamoDB on disk (dynalite's LevelDB), queue contents in a journal, the outbox view in a log.
  const outbox = new OutboxLog(join(dataDir, 'outbox.jsonl'));
  let journal: SqsJournal | undefined;
  await checkDynamoDir(join(dataDir, 'dynamodb'));
  let emulators: Emulators;
  try {
    emulators = await startEmulators({
      dynamodbPath: join(dataDir, 'dynamodb'),
      onSqsReady: (service) => {
        journal = attachSqsJournal(service, join(dataDir, 'queues.jsonl'));
      },
    });
  } catch (error) {
    throw dataDirError(error, dataDir);
  }
  cleanup.push(() => emulators.stop());
  cleanup.push(() => journal?.compact());

  const fakes: ProviderFakes = await startProviderFakes();
  cleanup.push(() => fakes.stop());
  const ses = await startSesCapture(emulators.sesEndpoint, (email) => outbox.addEmail(email));
  cleanup.push(() => ses.close());

  const httpUrl = `http://localhost:${httpPort}`;
  Object.assign(process.env, {
    ...emulators.env,
    ...fakes.env,
    AWS_ENDPOINT_URL_SESV2: ses.url,
    ...config.secrets,
    [ENV.council]: config.policySource,
    [ENV.mailBucket]: MAIL_OBJECT_BUCKET,
    [ENV.mailPrefix]: MAIL_BUCKET.objectPrefix,
    [ENV.mailDir]: mailDir,
    [ENV.sesFromAddress]: process.env[ENV.sesFromAddress] ?? config.policy.contacts.hubAddresses[0],
    [ENV.smsOriginationIdentity]: process.env[ENV.smsOriginationIdentity] ?? config.policy.contacts.smsNumbers[0] ?? '+447700900000',
    [ENV.consentBaseUrl]: process.env[ENV.consentBaseUrl] ?? httpUrl,
  });
  // Locally the signed URL is the URL the request was made to (the contract): never a configured base.
  delete process.env[ENV.publicBaseUrl];

  // Provider calls become outbox entries as soon as deliver returns (and on a timer, for stragglers).
  let seenCalls = 0;
  const collectCalls = () => {
    const calls = fakes.calls();
    for (; seenCalls < calls.length; seenCalls++) outbox.addFakeCall(calls[seenCalls]!);
  };
  const collector = setInterval(collectCalls, 500);
  cleanup.push(() => clearInterval(collector));

  // IAM: one line per denied call, naming the function, the action and the key (DESIGN.md).
  const iamEnforcement = installIamEnforcement({ onDenial: (denial) => logger.warn(describeDenial(denial)) });
  if (iamEnforcement) await loadIamModel();

  const sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emulators.sqsEndpoint });
  cleanup.push(() => sqs.destroy());
  const pollers: Poller[] = [];
  // How many receives each inbound message took until classify handled it (`npm run load` reports mean and maximum).
  const inboundReceives: Record<string, number> = {};
  const countReceives = (event: SQSEvent, result: unknown) => {
    const failed = new Set(((result as SQSBatchResponse | undefined)?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    for (const r of event.Records) {
      if (failed.has(r.messageId)) continue;
      const n = r.attributes.ApproximateReceiveCount;
      inboundReceives[n] = (inboundReceives[n] ?? 0) + 1;
    }
  };
  for (const queue of Object.values(QUEUES)) {
    // The event source mapping polls with the consumer's execution role, as in AWS.
    const pollerSqs = bindPrincipal(new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emulators.sqsEndpoint }), queue.consumer);
    cleanup.push(() => pollerSqs.destroy());
    pollers.push(
      startPoller({
        sqs: pollerSqs,
        queue,
        queueUrl: emulators.queueUrls[queue.id],
        queueArn: `arn:aws:sqs:${LOCAL_REGION}:123456789012:${queueName('', queue.id, 'fifo' in queue && queue.fifo)}`,
        consume: async (event) => {
          if (queue.consumer === 'deliver') outbox.noteQueued(event);
          try {
            const result = await invoke(queue.consumer, event);
            if (queue.id === 'inbound') countReceives(event, result);
            return result;
          } finally {
            if (queue.consumer === 'deliver') collectCalls();
          }
        },
        onError: (error) => logger.warn(`${queue.consumer}: ${describe(error)}`),
      }),
    );
  }
  // Pollers stop before the emulators they read from.
  cleanup.push(() => Promise.all(pollers.map((p) => p.stop())).then(() => undefined));

  const mailInFlight = new Set<Promise<void>>();
  const deliverOnce = async (event: SESEvent) => {
    const pending = join(pendingDir, `${event.Records[0]!.ses.mail.messageId}.json`);
    // Lambda retries a failed asynchronous (Event) invocation twice; locally after 1 s and 2 s.
    for (const delay of [0, 1000, 2000]) {
      if (delay) await sleep(delay);
      if (stopping) return; // still pending: replayed at the next start
      try {
        await invoke('sesInbound', event);
        rmSync(pending, { force: true });
        return;
      } catch (error) {
        logger.warn(`sesInbound: ${describe(error)}`);
        if (error instanceof HandlerMissingError) return;
      }
    }
    // Lambda would hand a thrice-failed event to its on-failure destination; here it stays pending.
  };
  deliverMail = (event) => {
    const run = deliverOnce(event).finally(() => mailInFlight.delete(run));
    mailInFlight.add(run);
    return run;
  };
  // Before the pollers and emulators stop: let mail already being handled finish.
  cleanup.push(() => Promise.all(mailInFlight).then(() => undefined));
  cleanup.push(() => void (stopping = true));
  for (const file of readdirSync(pendingDir).filter((f) => f.endsWith('.json'))) {
    let event: SESEvent;
    try {
      event = JSON.parse(readFileSync(join(pendingDir, file), 'utf8')) as SESEvent;
    } catch {
      throw new CorruptDataError(`${join(pendingDir, file)} is not an SES event`);
    }
    void deliverMail(event);
  }

  const schedules = startSchedules(invoke, (fn, error) => {
    if (!(error instanceof HandlerMissingError)) logger.warn(`${fn}: ${describe(error)}`);
  });
  cleanup.push(() => schedules.stop());

  const documents = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emulators.dynamodbEndpoint });
  cleanup.push(() => documents.destroy());
  const audit = new AuditStore({ client: documents, tableName: emulators.tableNames.audit, council: config.policy.council.id });
  const ops = new OpsStore({ client: documents, tableName: emulators.tableNames.ops });

  route = async (req, res, body) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const method = (req.method ?? 'GET').toUpperCase();
    const readOnly = method === 'GET' || method === 'HEAD';

    if (path === '/' && readOnly) {
      const items = await listItems({ audit, ops, outbox: outbox.all() });
      const query = new URL(url, 'http://localhost').searchParams;
      const html = renderHomePage({ councilName: config.policy.council.name, items, outbox: outbox.all(), httpUrl, smtpPort: smtp.port, query });
      return send(res, 200, html, 'text/html; charset=utf-8');
    }
    if (path === '/local/outbox' && readOnly) return send(res, 200, outbox.all());
    // The Facebook Page as the Graph fake holds it: hidden and deleted comment ids, blocked user ids.
    if (path === '/local/page' && readOnly) return send(res, 200, fakes.page());
    if (path === '/local/items' && readOnly) return send(res, 200, await listItems({ audit, ops, outbox: outbox.all() }));
    if (path === '/local/records' && readOnly) return send(res, 200, await accountingRecords(url.endsWith('?queues')));
    if (path === '/local/sms' && method === 'POST') return injectSms(res, body);
    if (path.startsWith('/local/schedules/') && method === 'POST') return triggerSchedule(res, path.slice('/local/schedules/'.length), body);
    if (path === '/local/iam' && readOnly) return send(res, 200, { enforcement: iamEnforcement, evaluated: evaluatedCalls(), denials: recordedDenials() });
    if (path === '/favicon.ico') return send(res, 204, '');

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
      return handlerFailed(res, match.route.fn, error);
    }
    const response = toHttpResponse(result);
    res.writeHead(response.statusCode, response.headers);
    res.end(response.body);
  };

  // `npm run load` accounting (bench/load.ts): ids, types and counts only, no personal data. `?queues`: depths only (cheap, for polling).
  const accountingRecords = async (queuesOnly: boolean) => {
    const depth = async (url: string) => {
      const { Attributes: a = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
    };
    const queues: Record<string, number> = {};
    for (const q of Object.values(QUEUES)) {
      queues[q.id] = await depth(emulators.queueUrls[q.id]);
      queues[q.dlqId] = await depth(emulators.dlqUrls[q.id]);
    }
    const mailPending = readdirSync(pendingDir).length;
    if (queuesOnly) return { queues, mailPending, inboundReceives };
    const summaries: { itemId: string; ref: string; classification: string }[] = [];
    for await (const s of audit.listSummaries()) summaries.push({ itemId: s.itemId, ref: s.ref, classification: s.classification });
    const events: { itemId: string; type: string; outboxId?: string }[] = [];
    for await (const e of audit.chainEvents()) events.push({ itemId: e.itemId, type: e.type, ...(typeof e.data.outboxId === 'string' ? { outboxId: e.data.outboxId } : {}) });
    const logs: { itemId: string; classification: string; withheld?: string[] }[] = [];
    for (const back of [0, 1]) {
      for (const l of await ops.listMinimalLogs(londonDay(new Date(Date.now() - back * 86_400_000).toISOString()))) logs.push({ itemId: l.itemId, classification: l.classification, ...withheldOf(l.actions) });
    }
    return { summaries, events, logs, queues, mailPending, inboundReceives };
  };

  const injectSms = async (res: ServerResponse, body: Buffer) => {
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
      await invoke('smsInbound', event);
    } catch (error) {
      return handlerFailed(res, 'smsInbound', error);
    }
    return send(res, 202, { messageId: event.Records[0]!.Sns.MessageId });
  };

  // One more firing of a schedule rule, at the time in the body (docs/local.md "Schedules").
  const triggerSchedule = async (res: ServerResponse, id: string, body: Buffer) => {
    if (!isScheduleId(id)) return send(res, 404, { message: `No schedule ${id}; there are ${SCHEDULES.map((s) => s.id).join(', ')}` });
    const parsed = parseTriggerBody(body);
    if ('error' in parsed) return send(res, 400, { message: parsed.error });
    const fn = SCHEDULES.find((s) => s.id === id)!.fn;
    let result: unknown;
    try {
      result = await schedules.trigger(id, parsed.time);
    } catch (error) {
      return handlerFailed(res, fn, error);
    }
    return send(res, 200, { schedule: id, function: fn, time: parsed.time.toISOString(), result: result ?? null });
  };

  const handlerFailed = (res: ServerResponse, fn: FunctionId, error: unknown) => {
    if (error instanceof HandlerMissingError) return send(res, 503, { message: `${FUNCTIONS[fn].entry} is not available` });
    // API Gateway's answers when Lambda refuses an event or a result over 6 MB.
    if (error instanceof LambdaPayloadTooLargeError) {
      logger.warn(error.message);
      return error.direction === 'request' ? send(res, 413, { message: 'Request Entity Too Large' }) : send(res, 502, { message: 'Internal Server Error' });
    }
    logger.warn(`${fn}: ${describe(error)}`);
    return send(res, 500, { message: 'Internal Server Error' });
  };

  // What `hub audit --local` reads (shared/cli/audit.ts LocalHubInfo); removed again at stop.
  const infoFile = join(dataDir, 'hub.json');
  writeAtomically(
    infoFile,
    Buffer.from(
      JSON.stringify(
        {
          dynamodbEndpoint: emulators.dynamodbEndpoint,
          auditTable: emulators.tableNames.audit,
          opsTable: emulators.tableNames.ops,
          sqsEndpoint: emulators.sqsEndpoint,
          auditQueueUrl: emulators.queueUrls.audit,
          council: config.policy.council.id,
          senderKey: config.secrets.CONSENT_SIGNING_KEY,
          httpUrl,
          smtpPort: smtp.port,
          pid: process.pid,
        },
        null,
        2,
      ),
    ),
  );
  cleanup.push(() => rmSync(infoFile, { force: true }));

  ready = true;
  return {
    httpUrl,
    httpPort,
    smtpPort: smtp.port,
    restoredMessages: journal?.restored ?? {},
    iamEnforcement,
    stop: async () => {
      ready = false;
      await stopAll();
    },
  };
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

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(payload);
}

function listen(server: Server, port: number, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(portError(error, name, port)));
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function portError(error: unknown, name: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new StartupError(`${name} ${port} is already in use (another hub running?); set ${name} to a free port`);
  if (code === 'EACCES') return new StartupError(`${name} ${port} needs privileges; use a port above 1023`);
  return error as Error;
}

function dataDirError(error: unknown, dataDir: string): Error {
  if (error instanceof StartupError) return error;
  const message = String((error as Error)?.message ?? error);
  if (/lock/i.test(message)) return new StartupError(`HUB_DATA_DIR ${dataDir} is in use by another running hub`);
  if (/corrupt|invalid|checksum|not a directory|ENOTDIR|bad|truncated/i.test(message)) {
    return new CorruptDataError(`${join(dataDir, 'dynamodb')} cannot be opened (${message.split('\n')[0]})`);
  }
  return error as Error;
}

/**
 * dynalite opens its LevelDB lazily and reports a failure only as a closed
 * database on first use; open it once here to say what is wrong instead.
 */
async function checkDynamoDir(path: string): Promise<void> {
  // `level` is dynalite's own dependency: resolve it from there.
  const { Level } = createRequire(import.meta.resolve('dynalite'))('level') as {
    Level: new (path: string, options: object) => { open(): Promise<void>; close(): Promise<void> };
  };
  const db = new Level(path, { valueEncoding: 'json' });
  try {
    await db.open();
  } catch (error) {
    const cause = String((error as { cause?: Error }).cause?.message ?? (error as Error).message);
    if (/lock/i.test(cause)) throw new StartupError(`HUB_DATA_DIR ${dirname(path)} is in use by another running hub`);
    throw new CorruptDataError(`${path} cannot be opened (${cause.split('\n')[0]})`);
  }
  await db.close();
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

function writeAtomically(file: string, data: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Replies the daily outbound limit withheld (`withheld:<kind>:daily-limit` in the minimal log), for the load run's accounting. */
function withheldOf(actions: readonly string[]): { withheld?: string[] } {
  const kinds = actions.filter((a) => a.startsWith('withheld:')).map((a) => a.split(':')[1] ?? '');
  return kinds.length ? { withheld: kinds } : {};
}
