import { describe, expect, it } from 'vitest';
import stilton from '../../shared/policy/presets/stilton.json' with { type: 'json' };
import { parsePolicy, PolicyError, PRESET_NAMES, loadPolicy } from '../../shared/policy/load.ts';

/** Issue 17 item 2: a misspelt placeholder must not reach a resident as literal text. */

const clone = (): Record<string, any> => structuredClone(stilton) as Record<string, any>;

describe('policy text placeholders', () => {
  it('rejects a misspelt placeholder, naming the text and the right spelling', () => {
    const policy = clone();
    policy.texts.consentRequest = 'Please complete our data consent form: {consentURL} (reference {reference})';
    expect(() => parsePolicy(policy, 'ours.json')).toThrow(PolicyError);
    expect(() => parsePolicy(policy, 'ours.json')).toThrow(
      /ours\.json: texts\.consentRequest: \{consentURL\} is not a placeholder this text can use \(did you mean \{consentUrl\}\?\)/,
    );
  });

  it('rejects a consent text without its link', () => {
    const policy = clone();
    policy.texts.consentReminder = 'Please complete our data consent form (reference {reference}).';
    expect(() => parsePolicy(policy, 'ours.json')).toThrow(/texts\.consentReminder: expected the \{consentUrl\} placeholder/);
  });

  it('rejects a placeholder the text never has a value for, per channel text too', () => {
    const policy = clone();
    policy.texts.notOfficialContact.sms = 'Not official. Your reference is {reference}.';
    expect(() => parsePolicy(policy, 'ours.json')).toThrow(/texts\.notOfficialContact\.sms: \{reference\} is not a placeholder this text can use/);
  });

  it('accepts every preset as shipped', () => {
    for (const name of PRESET_NAMES) expect(() => loadPolicy(name)).not.toThrow();
  });
});
