import type { SmsKeyword } from '../model/inbound-item.ts';

/**
 * Consent keywords (reference/channels.md §5). Only a message that is exactly
 * one keyword (ignoring case and surrounding whitespace) counts, as both
 * providers do; "stop the roadworks" is a message, not an opt-out.
 */

/** Twilio's default opt-out, opt-in and help keywords. */
export const TWILIO_KEYWORDS: Readonly<Record<string, SmsKeyword>> = {
  STOP: 'STOP',
  STOPALL: 'STOP',
  UNSUBSCRIBE: 'STOP',
  CANCEL: 'STOP',
  END: 'STOP',
  QUIT: 'STOP',
  REVOKE: 'STOP',
  OPTOUT: 'STOP',
  START: 'START',
  YES: 'START',
  UNSTOP: 'START',
  HELP: 'HELP',
  INFO: 'HELP',
};

/** AWS End User Messaging: the required opt-out keywords, HELP, and START to opt back in. */
export const AWS_SMS_KEYWORDS: Readonly<Record<string, SmsKeyword>> = {
  ARRET: 'STOP',
  CANCEL: 'STOP',
  END: 'STOP',
  'OPT-OUT': 'STOP',
  OPTOUT: 'STOP',
  QUIT: 'STOP',
  REMOVE: 'STOP',
  STOP: 'STOP',
  TD: 'STOP',
  UNSUBSCRIBE: 'STOP',
  START: 'START',
  UNSTOP: 'START',
  HELP: 'HELP',
};

export function smsKeyword(body: string, keywords: Readonly<Record<string, SmsKeyword>>): SmsKeyword | undefined {
  const word = body.trim().toUpperCase();
  return Object.hasOwn(keywords, word) ? keywords[word] : undefined;
}
