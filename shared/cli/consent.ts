import { userInfo } from 'node:os';
import { CONSENT_HOW, type ClerkConsent, type ConsentHow } from '../pipeline/consent-record.ts';
import { oneOf, parseOptions, pickCommand, reference, UsageError } from './args.ts';

/**
 * `hub consent record REF --granted|--declined --how phone [--note TEXT] [--by NAME]`:
 * argument handling only (the shell is consent-main.ts, the work
 * shared/pipeline/consent-record.ts).
 */

export const CONSENT_USAGE = `Usage: hub consent record REF (--granted | --declined) --how HOW [options]

Records data consent a resident gave you on paper, by phone or in person, for
one matter (reference). It is audited with how, when and who recorded it; a
later recording replaces the status (a resident may withdraw consent).

  --granted | --declined   what the resident said
  --how HOW                ${CONSENT_HOW.join(' | ')}
  --note TEXT              what was said, kept with the record (not in the audit chain)
  --by NAME                who is recording it (default: your user name, "${safeUser()}")

Where the records are:
  --local              the running local hub (reads HUB_DATA_DIR/hub.json, default .hub/)
  --stack NAME         CloudFormation stack to read outputs from (default ParishCommsHub)
  --region REGION      AWS region
  -h, --help           this text
`;

const OPTIONS = {
  granted: { type: 'boolean' },
  declined: { type: 'boolean' },
  how: { type: 'string', hint: CONSENT_HOW.join(' | ') },
  note: { type: 'string', hint: 'text' },
  by: { type: 'string', hint: 'a name' },
  local: { type: 'boolean' },
  stack: { type: 'string', hint: 'a stack name' },
  region: { type: 'string', hint: 'an AWS region' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ConsentArgs {
  readonly help?: boolean;
  readonly record?: Omit<ClerkConsent, 'at'>;
  readonly local: boolean;
  readonly stack: string;
  readonly region?: string;
}

/** argv after `consent`. */
export function parseConsentArgs(argv: readonly string[], user: () => string = safeUser): ConsentArgs {
  const { values: v, positionals } = parseOptions(argv, OPTIONS);
  const base = { local: Boolean(v.local), stack: v.stack ?? 'ParishCommsHub', ...(v.region ? { region: v.region } : {}) };
  if (v.help) return { ...base, help: true };
  const [word, refWord, extra] = positionals;
  pickCommand(word, ['record'] as const, 'consent command');
  if (!refWord) throw new UsageError('record needs a reference, e.g. hub consent record STL-2026-000042 --granted --how phone');
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra.slice(0, 60)}"`);
  if (v.granted === v.declined) throw new UsageError('say what the resident said: --granted or --declined (one of them)');
  if (!v.how) throw new UsageError(`--how is required (${CONSENT_HOW.join(' | ')})`);
  const how: ConsentHow = oneOf(v.how, CONSENT_HOW, '--how');
  const recordedBy = (v.by ?? user()).trim();
  if (!recordedBy) throw new UsageError('--by needs a name');
  return {
    ...base,
    record: {
      ref: reference(refWord),
      answer: v.granted ? 'granted' : 'declined',
      how,
      recordedBy: recordedBy.slice(0, 100),
      ...(v.note?.trim() ? { note: v.note.trim().slice(0, 2_000) } : {}),
    },
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
