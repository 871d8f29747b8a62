import { describe, expect, it } from 'vitest';
import { CHANNEL_IDS, CHANNEL_REGISTRY, LATER_CHANNELS, channelRule } from '../../shared/channels/registry.ts';
import { loadPolicy, PRESET_NAMES } from '../../shared/policy/load.ts';
import { dailyLimitFor } from '../../shared/policy/outbound.ts';
import { renderText } from '../../shared/policy/texts.ts';

/**
 * What the compiler cannot check about a channel added after the councils'
 * policies (LATER_CHANNELS): the policy may leave it out, so its descriptor
 * must carry every default a policy would otherwise give.
 */
describe('the channel registry', () => {
  it.each(LATER_CHANNELS)('%s, added after the policies, has a default rule, not-official-contact text and daily limit', (channel) => {
    const descriptor = CHANNEL_REGISTRY[channel];
    expect(descriptor.defaultRule?.clause).toMatch(/^default: /);
    expect(descriptor.defaultNotOfficialText).toContain('{clerkEmail}');
    expect(descriptor.defaultDailyLimit).toMatchObject({ messages: expect.any(Number), clause: expect.stringMatching(/^default: /) });
  });

  it.each(PRESET_NAMES)('%s: every channel has a rule, and every channel residents are answered on a text and a daily limit', (name) => {
    const policy = loadPolicy(name);
    for (const channel of CHANNEL_IDS) {
      expect(channelRule(policy, channel).clause).toBeTruthy();
      if (channel === 'mailchimp') continue;
      expect(renderText(policy, 'notOfficialContact', {}, channel)).toBeTruthy();
      expect(dailyLimitFor(policy, channel).messages).toBeGreaterThan(0);
    }
  });
});
