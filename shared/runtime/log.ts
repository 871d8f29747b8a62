import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools). The rule for every caller: log ids,
 * counts, rule names, hashes and statuses only. Never message text, subjects,
 * email addresses, phone numbers or names: pass those through `redact` first
 * if a log line needs to tell two senders apart.
 */
export const log = new Logger({
  serviceName: 'parish-comms-hub',
  logLevel: (process.env.LOG_LEVEL ?? (process.env.VITEST ? 'SILENT' : 'INFO')) as 'INFO',
});
