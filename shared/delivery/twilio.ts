import type { OutboxMessage } from '../model/index.ts';
import { ENV } from '../topology.ts';
import { capText, isTransientStatus, permanent, retryable, transportFailure, type DeliveryError } from './errors.ts';
import type { SendContext, SendResult } from './types.ts';

/** Twilio Programmable Messaging, REST (form-encoded, basic auth). */

export const SMS_MAX_TEXT = 1600;

/** Twilio error codes that mean this message can never go to this number. */
const PERMANENT_TWILIO_CODES: Record<number, string> = {
  21610: 'recipient-opted-out',
  21211: 'invalid-recipient',
  21614: 'recipient-not-mobile',
  21408: 'region-not-enabled',
  21612: 'unreachable-recipient',
  30004: 'recipient-blocked',
};

export function buildTwilioRequest(msg: OutboxMessage, env: NodeJS.ProcessEnv): { url: string; form: URLSearchParams } {
  const sid = env[ENV.twilioAccountSid];
  if (!sid) throw retryable('twilio-account-sid-missing');
  if (!msg.from) throw permanent('no-origin-number');
  const base = (env[ENV.twilioApiBaseUrl] ?? 'https://api.twilio.com').replace(/\/+$/, '');
  const form = new URLSearchParams({ To: msg.to, From: msg.from, Body: capText(msg.text, SMS_MAX_TEXT) });
  return { url: `${base}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`, form };
}

export async function sendTwilio(msg: OutboxMessage, ctx: SendContext): Promise<SendResult> {
  const { url, form } = buildTwilioRequest(msg, ctx.env);
  const { TWILIO_AUTH_TOKEN } = await ctx.secrets();
  const sid = ctx.env[ENV.twilioAccountSid]!;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${sid}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`,
      },
      body: form.toString(),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (error) {
    throw transportFailure(error);
  }
  const answer = (await response.json().catch(() => ({}))) as { sid?: string; code?: number };
  if (response.ok) return { status: 'sent', provider: 'twilio', ...(answer.sid ? { providerMessageId: answer.sid } : {}) };
  throw classifyTwilioError(response.status, answer.code);
}

export function classifyTwilioError(status: number, code?: number): DeliveryError {
  const details = { httpStatus: status, ...(code === undefined ? {} : { providerCode: code }) };
  if (isTransientStatus(status)) return retryable('provider-unavailable', details);
  // Credentials rejected: an operator fixes them, so retry (and end in the DLQ if nobody does).
  if (status === 401 || status === 403 || code === 20003) return retryable('credentials-rejected', details);
  return permanent((code !== undefined && PERMANENT_TWILIO_CODES[code]) || 'rejected', details);
}
