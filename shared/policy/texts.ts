import type { Channel, TextKey } from '../model/index.ts';
import type { Policy } from './schema.ts';
import { CHANNEL_REGISTRY } from '../channels/registry.ts';

/** Channels that have their own not-official-contact text (Mailchimp events are never answered). */
export type ReplyChannel = Exclude<Channel, 'mailchimp'>;

/**
 * One of the policy's standard texts with `{placeholders}` filled in.
 * Placeholders in use: {reference} {clerkEmail} {councilName} {consentUrl}
 * {consentExpires} (when the consent link stops working) {nextMonitored}. Values are inserted as plain text (never re-scanned for
 * placeholders); a placeholder with no value is left visible so a missing
 * value is noticed rather than silently dropped.
 *
 * `notOfficialContact` has one text per channel: pass `channel`, or
 * `vars.channel`; email is the fallback.
 */
export function renderText(policy: Policy, key: TextKey, vars: Record<string, string>, channel?: Channel): string {
  return fillPlaceholders(templateFor(policy, key, channel ?? (vars.channel as Channel | undefined)), {
    clerkEmail: policy.contacts.clerk.address,
    councilName: policy.council.name,
    ...vars,
  });
}

/** Used when a policy has no `formalAcknowledgement` text of its own. */
export const DEFAULT_FORMAL_ACKNOWLEDGEMENT =
  'Thank you for your message to {councilName}. It is recorded as official correspondence with the reference {reference} and has gone to the clerk. Please quote {reference} if you write again about it.';

export function templateFor(policy: Policy, key: TextKey, channel?: Channel): string {
  if (key === 'formalAcknowledgement') return policy.texts.formalAcknowledgement ?? DEFAULT_FORMAL_ACKNOWLEDGEMENT;
  if (key !== 'notOfficialContact') return policy.texts[key];
  const texts: Partial<Record<Channel, string>> = policy.texts.notOfficialContact;
  if (!channel || channel === 'mailchimp') return policy.texts.notOfficialContact.email;
  return texts[channel] ?? CHANNEL_REGISTRY[channel].defaultNotOfficialText ?? policy.texts.notOfficialContact.email;
}

/**
 * The placeholders each text may use (the values the hub has when it sends
 * it), and those it must use. A policy naming any other (`{consentURL}`) is
 * rejected at load, so a resident never receives a literal `{consentURL}`.
 * Whoever adds a value to a text adds its name here.
 */
const ALWAYS = ['clerkEmail', 'councilName'] as const;
const CONSENT_TEXT = { allowed: [...ALWAYS, 'reference', 'consentUrl', 'consentExpires'], required: ['consentUrl'] } as const;

export const TEXT_PLACEHOLDERS: Readonly<
  Record<TextKey | 'consentRequestSms' | 'consentReminderSms', { readonly allowed: readonly string[]; readonly required: readonly string[] }>
> = {
  notOfficialContact: { allowed: ALWAYS, required: [] },
  consentRequest: CONSENT_TEXT,
  consentReminder: CONSENT_TEXT,
  consentRequestSms: CONSENT_TEXT,
  consentReminderSms: CONSENT_TEXT,
  outOfOffice: { allowed: [...ALWAYS, 'reference', 'nextMonitored'], required: [] },
  formalComplaintInvitation: { allowed: [...ALWAYS, 'reference'], required: [] },
  policyBreachNotice: { allowed: [...ALWAYS, 'reference'], required: [] },
  formalAcknowledgement: { allowed: [...ALWAYS, 'reference'], required: ['reference'] },
};

/** Problems with the placeholders of one text, worded for a policy author (`{consentURL}` is not a placeholder …). */
export function placeholderProblems(key: keyof typeof TEXT_PLACEHOLDERS, template: string): string[] {
  const rule = TEXT_PLACEHOLDERS[key];
  const used = [...template.matchAll(/\{([^{}\s]{1,40})\}/g)].map((m) => m[1]!);
  const problems = [...new Set(used)]
    .filter((name) => !rule.allowed.includes(name))
    .map((name) => {
      const near = rule.allowed.find((a) => a.toLowerCase() === name.toLowerCase());
      return `{${name}} is not a placeholder this text can use${near ? ` (did you mean {${near}}?)` : ''}; expected ${rule.allowed.map((a) => `{${a}}`).join(', ')}`;
    });
  for (const name of rule.required) if (!used.includes(name)) problems.push(`expected the {${name}} placeholder: the resident needs the link`);
  return problems;
}

/** Single pass, so a value that itself contains `{x}` is never expanded. */
export function fillPlaceholders(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? (vars[name] as string) : whole));
}
