import type { S3Event } from 'aws-lambda';
import type { InboundItem } from '../model/inbound-item.ts';
import { HttpError } from '../http/errors.ts';
import type { Secrets } from '../runtime/secrets.ts';
import { requireEnv } from '../runtime/env.ts';
import { MAIL_BUCKET, MANDRILL_INTAKE } from '../topology.ts';
import { asArray, asObject, asString } from './common.ts';
import { type IntakeMailStore, mandrillRawMailKey } from './mail-stores.ts';
import { type KeepRawMail, mandrillWebhook } from './mandrill.ts';

/**
 * Mandrill's intake (docs/channels.md): API Gateway's REST API writes each
 * POST body to the raw-mail bucket under `mandrill-intake/` with
 * X-Mandrill-Signature as object metadata, and answers Mandrill 200 at once;
 * S3's ObjectCreated notification then invokes mandrillIntake. Here the POST
 * is checked exactly as a webhook would check it (the URL Mandrill called plus
 * the form fields), each inbound mail's raw MIME is kept as SES mail is, the
 * items are queued, and the intake object is deleted. A POST whose signature
 * fails records nothing: Mandrill has already been told 200, so the operator
 * learns of it from the alarm (a wrong key or URL would otherwise lose every
 * mail silently).
 */

/**
 * The warn line of a POST that was not Mandrill's (or whose key or URL is
 * configured wrong): the stack's metric filter counts it into the
 * RequestsNotHandled alarm (infra/aws/constructs/alarms.ts).
 */
export const INTAKE_REJECTED_MESSAGE = 'mandrill intake rejected';

/**
 * The warn line of an event that names no S3 object at all: most likely a
 * replay invoked with the async-failure queue's whole message instead of its
 * `requestPayload` (docs/deploy.md), which would otherwise do nothing silently.
 */
export const NO_RECORDS_MESSAGE = 'mandrill intake: the event has no S3 records (a replay must pass the requestPayload)';

export interface MandrillIntakeDeps {
  readonly store: IntakeMailStore;
  readonly enqueue: (items: readonly InboundItem[]) => Promise<void>;
  readonly secrets: Secrets;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: Date;
}

/** What became of one intake object. `rejected`: the POST was not Mandrill's (signature) or not readable (form). */
export interface IntakeOutcome {
  readonly enqueued: number;
  readonly skipped: Readonly<Record<string, number>>;
  readonly rejected?: 'signature' | 'malformed';
  /** The object was already taken (S3 notifications are at-least-once). */
  readonly gone?: true;
}

/** The object keys an S3 event names under the intake prefix (keys arrive URL-encoded, spaces as '+'). */
export function intakeKeys(event: S3Event): { keys: string[]; foreign: number } {
  const keys: string[] = [];
  let foreign = 0;
  for (const record of asArray(asObject(event)?.Records)) {
    const encoded = asString(asObject(asObject(asObject(record)?.s3)?.object)?.key);
    const key = encoded === undefined ? undefined : decodeURIComponent(encoded.replace(/\+/g, ' '));
    if (key?.startsWith(MAIL_BUCKET.mandrillIntakePrefix) && !key.includes('..')) keys.push(key);
    else foreign++;
  }
  return { keys, foreign };
}

/**
 * Takes one intake object: verify, keep raw mail, enqueue, delete. A store or
 * queue failure throws (Lambda retries the event; the object stays); a
 * rejected POST is deleted, as nothing in it may be trusted or kept.
 */
export async function takeMandrillIntake(key: string, deps: MandrillIntakeDeps): Promise<IntakeOutcome> {
  const env = deps.env ?? process.env;
  const object = await deps.store.getObject(key);
  if (!object) return { enqueued: 0, skipped: {}, gone: true };
  const signature = object.metadata[MANDRILL_INTAKE.signatureMetadata];
  const request = {
    method: 'POST',
    path: MANDRILL_INTAKE.path,
    rawQueryString: '',
    query: new URLSearchParams(),
    headers: signature === undefined ? {} : { 'x-mandrill-signature': signature },
    pathParameters: {},
    body: Buffer.from(object.bytes),
    publicUrl: webhookUrl(env),
  };
  let outcome: Awaited<ReturnType<typeof mandrillWebhook>>;
  try {
    outcome = await mandrillWebhook(request, { secrets: deps.secrets, env, now: deps.now ?? new Date() }, keepRawMail(deps.store));
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    await deps.store.delete(key);
    return { enqueued: 0, skipped: {}, rejected: error.status === 401 ? 'signature' : 'malformed' };
  }
  await deps.enqueue(outcome.items);
  await deps.store.delete(key);
  return { enqueued: outcome.items.length, skipped: outcome.skipped ?? {} };
}

/** MANDRILL_WEBHOOK_URL: the exact URL Mandrill is configured with and signs; never taken from the request. */
function webhookUrl(env: NodeJS.ProcessEnv): string {
  return requireEnv(['mandrillWebhookUrl'], env).mandrillWebhookUrl;
}

/**
 * Each inbound mail's raw MIME under the raw-mail prefix, as SES mail is kept:
 * the clerk's answer can forward attachments from it, a body the hub did not
 * read (over the parsing limits) is still there, and erasure finds it through
 * the item's `raw`. The key is derived from the item id, so a retry rewrites
 * the same object.
 */
function keepRawMail(store: IntakeMailStore): KeepRawMail {
  return async (itemId, rawMsg) => {
    const key = mandrillRawMailKey(itemId);
    await store.put(key, Buffer.from(rawMsg, 'utf8'));
    return store.bucket ? { bucket: store.bucket, key } : undefined;
  };
}
