import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_DIGEST_DIR, LOCAL_SIGNING_KEY_FILE } from '../../shared/store/audit-digest.ts';
import { AuditStore } from '../../shared/store/audit-store.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OpsStore } from '../../shared/store/ops-store.ts';
import { ENV, MAIL_BUCKET } from '../../shared/topology.ts';
import type { HubConfig } from './config.ts';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from './emulators.ts';
import { CorruptDataError, StartupError } from './errors.ts';
import { startHttpFront } from './hub-http.ts';
import { startMailIntake } from './hub-mail.ts';
import { localMandrillUrl, startMandrillIntake } from './hub-mandrill.ts';
import { startQueuePollers } from './hub-queues.ts';
import { localRoutes } from './hub-routes.ts';
import { type Cleanup, describe, writeAtomically } from './hub-util.ts';
import { describeDenial, installIamEnforcement } from './iam/enforce.ts';
import { loadIamModel } from './iam/model.ts';
import { HandlerMissingError, invokeAsync, setAccountConcurrency } from './lambda.ts';
import { OutboxLog, startSesCapture } from './outbox.ts';
import { type ProviderFakes, startProviderFakes } from './provider-fakes.ts';
import { startRawMailLifecycle } from './mail-lifecycle.ts';
import { startSchedules } from './schedules.ts';
import { attachSqsJournal, type SqsJournal } from './sqs-journal.ts';

/**
 * The whole hub on one machine: emulators with state under HUB_DATA_DIR, the
 * production handlers behind a local API Gateway, SQS event source mappings,
 * SES receiving over SMTP, scheduled functions, provider fakes, and the local
 * views (home page, outbox, items). start.ts wraps it for the command line;
 * the end-to-end test runs start.ts as a child process. The parts are in
 * hub-http.ts (the listener), hub-mail.ts (SMTP intake and delivery),
 * hub-queues.ts (pollers), schedules.ts (the schedule rules) and hub-routes.ts
 * (what each path does).
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

const MAIL_OBJECT_BUCKET = `local-${MAIL_BUCKET.id}`;

export async function startHub(config: HubConfig, logger: HubLogger = { warn: (m) => console.error(m) }): Promise<Hub> {
  const cleanup: Cleanup = [];
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

async function start(config: HubConfig, logger: HubLogger, cleanup: Cleanup, stopAll: () => Promise<void>): Promise<Hub> {
  const { dataDir } = config;
  const { mailDir, pendingDir } = makeDataDirs(dataDir);

  // Ports first, so "port in use" is reported before anything else starts.
  const front = await startHttpFront(config.httpPort, logger);
  cleanup.push(() => front.close());
  const mail = await startMailIntake({ port: config.smtpPort, mailDir, pendingDir, logger });
  cleanup.push(() => mail.smtp.close());

  // State: DynamoDB on disk (dynalite's LevelDB), queue contents in a journal, the outbox view in a log.
  const outbox = new OutboxLog(join(dataDir, 'outbox.jsonl'));
  const { emulators, journal } = await startState(dataDir, cleanup);
  const fakes: ProviderFakes = await startProviderFakes();
  cleanup.push(() => fakes.stop());
  const ses = await startSesCapture(emulators.sesEndpoint, (email) => outbox.addEmail(email));
  cleanup.push(() => ses.close());

  const httpUrl = `http://localhost:${front.port}`;
  applyLocalEnv(config, { ...emulators.env, ...fakes.env, AWS_ENDPOINT_URL_SESV2: ses.url }, { mailDir, httpUrl });
  const collectCalls = collectProviderCalls(fakes, outbox, cleanup);

  // IAM: one line per denied call, naming the function, the action and the key (DESIGN.md).
  setAccountConcurrency(config.accountConcurrency);
  const iamEnforcement = installIamEnforcement({ onDenial: (denial) => logger.warn(describeDenial(denial)) });
  if (iamEnforcement) await loadIamModel();

  const sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emulators.sqsEndpoint });
  cleanup.push(() => sqs.destroy());
  const inboundReceives = startQueuePollers({ emulators, outbox, collectCalls, logger }, cleanup);
  mail.startDelivery(cleanup);
  const mandrill = startMandrillIntake({ mailDir, logger, cleanup });
  const schedules = startSchedules(invokeAsync, (fn, error) => {
    if (!(error instanceof HandlerMissingError)) logger.warn(`${fn}: ${describe(error)}`);
  });
  cleanup.push(() => schedules.stop());
  // The mail bucket's lifecycle rule on raw mail, as in AWS (retention.rawMail.days).
  const mailLifecycle = startRawMailLifecycle(mailDir, config.policy, (error) => logger.warn(`raw-mail lifecycle: ${describe(error)}`));
  cleanup.push(() => mailLifecycle.stop());

  const documents = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emulators.dynamodbEndpoint });
  cleanup.push(() => documents.destroy());
  const audit = new AuditStore({ client: documents, tableName: emulators.tableNames.audit, council: config.policy.council.id });
  const ops = new OpsStore({ client: documents, tableName: emulators.tableNames.ops });
  const views = { audit, ops, outbox, fakes, schedules, iamEnforcement, sqs, emulators, pendingDir, inboundReceives, mandrill };
  const route = localRoutes({ config, httpUrl, smtpPort: mail.smtp.port, logger, ...views });

  // What `hub audit --local` reads (shared/cli/audit.ts LocalHubInfo); removed again at stop.
  const infoFile = join(dataDir, 'hub.json');
  writeAtomically(infoFile, Buffer.from(JSON.stringify(hubInfo(config, emulators, httpUrl, mail.smtp.port), null, 2)));
  cleanup.push(() => rmSync(infoFile, { force: true }));

  front.serve(route);
  return {
    httpUrl,
    httpPort: front.port,
    smtpPort: mail.smtp.port,
    restoredMessages: journal?.restored ?? {},
    iamEnforcement,
    stop: async () => {
      front.pause();
      await stopAll();
    },
  };
}

function makeDataDirs(dataDir: string): { mailDir: string; pendingDir: string } {
  const mailDir = join(dataDir, 'mail');
  const pendingDir = join(dataDir, 'mail-pending');
  try {
    mkdirSync(mailDir, { recursive: true });
    mkdirSync(pendingDir, { recursive: true });
  } catch (error) {
    throw new StartupError(`HUB_DATA_DIR ${dataDir} cannot be created (${(error as NodeJS.ErrnoException).code})`);
  }
  return { mailDir, pendingDir };
}

/** The emulators with DynamoDB under HUB_DATA_DIR and the queues restored from (and journalled to) queues.jsonl. */
async function startState(dataDir: string, cleanup: Cleanup): Promise<{ emulators: Emulators; journal: SqsJournal | undefined }> {
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
  return { emulators, journal };
}

/** The handlers run in this process: point them at the emulators and fakes, with the council's settings. */
function applyLocalEnv(config: HubConfig, endpoints: Record<string, string>, local: { mailDir: string; httpUrl: string }): void {
  Object.assign(process.env, {
    ...endpoints,
    ...config.secrets,
    [ENV.council]: config.policySource,
    [ENV.mailBucket]: MAIL_OBJECT_BUCKET,
    [ENV.mailPrefix]: MAIL_BUCKET.objectPrefix,
    [ENV.mailDir]: local.mailDir,
    // Signed audit digests: create-only files and the signing key file (shared/store/audit-digest.ts).
    [ENV.digestDir]: join(config.dataDir, LOCAL_DIGEST_DIR),
    [ENV.signingKeyFile]: join(config.dataDir, LOCAL_SIGNING_KEY_FILE),
    [ENV.sesFromAddress]: process.env[ENV.sesFromAddress] ?? config.policy.contacts.hubAddresses[0],
    [ENV.smsOriginationIdentity]: process.env[ENV.smsOriginationIdentity] ?? config.policy.contacts.smsNumbers[0] ?? '+447700900000',
    [ENV.consentBaseUrl]: process.env[ENV.consentBaseUrl] ?? local.httpUrl,
    // As in AWS, the one URL Mandrill is given and signs (the intake never sees the request's Host).
    [ENV.mandrillWebhookUrl]: process.env[ENV.mandrillWebhookUrl] ?? localMandrillUrl(local.httpUrl),
  });
  // Locally the signed URL is the URL the request was made to (the contract): never a configured base.
  delete process.env[ENV.publicBaseUrl];
}

/** Provider calls become outbox entries as soon as deliver returns (the returned function) and on a timer, for stragglers. */
function collectProviderCalls(fakes: ProviderFakes, outbox: OutboxLog, cleanup: Cleanup): () => void {
  let seenCalls = 0;
  const collectCalls = () => {
    const calls = fakes.calls();
    for (; seenCalls < calls.length; seenCalls++) outbox.addFakeCall(calls[seenCalls]!);
  };
  const collector = setInterval(collectCalls, 500);
  cleanup.push(() => clearInterval(collector));
  return collectCalls;
}

function hubInfo(config: HubConfig, emulators: Emulators, httpUrl: string, smtpPort: number) {
  return {
    dynamodbEndpoint: emulators.dynamodbEndpoint,
    auditTable: emulators.tableNames.audit,
    opsTable: emulators.tableNames.ops,
    sqsEndpoint: emulators.sqsEndpoint,
    auditQueueUrl: emulators.queueUrls.audit,
    council: config.policy.council.id,
    senderKey: config.secrets.CONSENT_SIGNING_KEY,
    httpUrl,
    smtpPort,
    pid: process.pid,
  };
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
