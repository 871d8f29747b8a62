/**
 * A failed provider call, classified. `retryable` failures (5xx, throttling,
 * timeouts, network errors, and configuration problems an operator can fix,
 * such as an expired page token) are thrown back to the queue and retried with
 * backoff, ending in the DLQ if they never clear. Permanent failures (this
 * message can never be delivered: bad recipient, opted out, outside a window)
 * are recorded and not retried.
 */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  /** Short machine reason, safe to log and to store in the audit trail. */
  readonly reason: string;
  readonly httpStatus: number | undefined;
  readonly providerCode: string | undefined;

  constructor(reason: string, retryable: boolean, details: { httpStatus?: number; providerCode?: string | number } = {}) {
    super(`delivery ${retryable ? 'retryable' : 'permanent'} failure: ${reason}`);
    this.name = 'DeliveryError';
    this.reason = reason;
    this.retryable = retryable;
    this.httpStatus = details.httpStatus;
    this.providerCode = details.providerCode === undefined ? undefined : String(details.providerCode);
  }
}

export const retryable = (reason: string, details?: { httpStatus?: number; providerCode?: string | number }): DeliveryError =>
  new DeliveryError(reason, true, details);
export const permanent = (reason: string, details?: { httpStatus?: number; providerCode?: string | number }): DeliveryError =>
  new DeliveryError(reason, false, details);

/** HTTP status alone: 5xx and 429 may clear, other 4xx will not. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** A fetch or SDK call that never got an HTTP answer: always retryable. */
export function transportFailure(error: unknown): DeliveryError {
  const name = (error as { name?: string })?.name ?? '';
  const timedOut = name === 'TimeoutError' || name === 'AbortError' || /timed? ?out/i.test(String((error as Error)?.message));
  return retryable(timedOut ? 'timeout' : 'network-error');
}

/** Cut text to `max` characters (code points, so no broken surrogate pairs), marking the cut. */
export function capText(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Shared by the SES and End User Messaging senders: SDK v3 service exceptions carry `$metadata.httpStatusCode`. */
export function classifyAwsError(error: unknown): DeliveryError {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; Reason?: string };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return transportFailure(error);
  const details = { httpStatus: status, providerCode: e.Reason ? `${e.name}/${e.Reason}` : (e.name ?? 'unknown') };
  const name = e.name ?? '';
  if (isTransientStatus(status) || /Throttl|TooManyRequests|LimitExceeded|ServiceQuota|InternalServer|ServiceUnavailable/.test(name)) {
    return retryable('provider-unavailable', details);
  }
  // Account or identity configuration: an operator can fix it; retry into the DLQ rather than drop.
  if (/AccessDenied|AccountSuspended|SendingPaused|NotVerified|ResourceNotFound|NotFound|Unrecognized|InvalidClientToken|ExpiredToken/.test(name)) {
    return retryable('provider-configuration', details);
  }
  if (e.Reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT') return permanent('recipient-opted-out', details);
  return permanent('rejected', details);
}
