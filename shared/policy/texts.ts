import type { Channel, TextKey } from '../model/index.ts';
import type { Policy } from './schema.ts';

/** Channels that have their own not-official-contact text (Mailchimp events are never answered). */
export type ReplyChannel = Exclude<Channel, 'mailchimp'>;

/**
 * One of the policy's standard texts with `{placeholders}` filled in.
 * Placeholders in use: {reference} {clerkEmail} {councilName} {consentUrl}
 * {nextMonitored}. Values are inserted as plain text (never re-scanned for
 * placeholders); a placeholder with no value is left visible so a missing
 * value is noticed rather than silently dropped.
 *
 * `notOfficialContact` has one text per channel: pass `channel`, or
 * `vars.channel`; email is the fallback.
 */
export function renderText(policy: Policy, key: TextKey, vars: Record<string, string>, channel?: Channel): string {
  return fillPlaceholders(templateFor(policy, key, channel ?? (vars['channel'] as Channel | undefined)), {
    clerkEmail: policy.contacts.clerk.address,
    councilName: policy.council.name,
    ...vars,
  });
}

export function templateFor(policy: Policy, key: TextKey, channel?: Channel): string {
  if (key !== 'notOfficialContact') return policy.texts[key];
  const texts = policy.texts.notOfficialContact;
  return channel && channel !== 'mailchimp' ? texts[channel] : texts.email;
}

/** Single pass, so a value that itself contains `{x}` is never expanded. */
export function fillPlaceholders(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? (vars[name] as string) : whole,
  );
}
