import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNEL_REGISTRY } from '../../shared/channels/registry.ts';
import { buildWhatsappRequest, classifyWhatsappError, sendWhatsapp, WHATSAPP_WINDOW_MS } from '../../shared/delivery/whatsapp.ts';
import { senderFor } from '../../shared/delivery/senders.ts';
import { startProviderFakes, type ProviderFakes } from '../../infra/local/provider-fakes.ts';
import type { InboundItem, OutboxMessage } from '../../shared/model/index.ts';
import { replyTargetFor, composeAutoReply } from '../../shared/pipeline/compose.ts';
import { type BudgetOps, takeOutboundBudget } from '../../shared/pipeline/outbound-budget.ts';
import { decide } from '../../shared/policy/engine.ts';
import { loadPolicy } from '../../shared/policy/load.ts';
import { policySchemas, type Policy } from '../../shared/policy/schema.ts';

const sentEmails: OutboxMessage[] = [];
vi.mock('../../shared/delivery/email.ts', () => ({
  sendEmail: async (msg: OutboxMessage) => {
    sentEmails.push(msg);
    return { status: 'sent', provider: 'ses' };
  },
}));

const now = new Date('2026-03-02T12:00:00Z');
const PHONE_NUMBER_ID = '106540352242922';

function item(over: Partial<InboundItem> = {}): InboundItem {
  return {
    schemaVersion: 1,
    itemId: 'whatsapp:wamid.1',
    channel: 'whatsapp',
    provider: 'whatsapp',
    kind: 'message',
    providerMessageId: 'wamid.1',
    receivedAt: '2026-03-02T11:59:00Z',
    sender: { id: '447700900654', name: 'Sam' },
    recipients: [PHONE_NUMBER_ID],
    text: 'When is the next parish council meeting?',
    attachments: [],
    thread: {},
    transport: {},
    ...over,
  };
}

function outbox(over: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    schemaVersion: 1,
    id: 'whatsapp:wamid.1:auto-reply',
    kind: 'auto-reply',
    channel: 'whatsapp',
    to: '447700900654',
    provider: 'whatsapp',
    from: PHONE_NUMBER_ID,
    council: 'withyham',
    itemId: 'whatsapp:wamid.1',
    text: 'Thank you for your message.',
    lastUserMessageAt: '2026-03-02T11:00:00Z',
    createdAt: now.toISOString(),
    ...over,
  };
}

/** Withyham's preset with a WhatsApp rule naming an approved template (as a council would write it). */
function withTemplate(formal = false): Policy {
  const base = structuredClone(loadPolicy('withyham'));
  return policySchemas().PolicySchema.parse({
    ...base,
    channels: {
      ...base.channels,
      whatsapp: {
        formal,
        clause: 'withyham.txt §7.4',
        outsideWindowTemplate: { name: 'council_reply_waiting', language: 'en_GB', clause: 'withyham.txt §7.1' },
      },
    },
  });
}

describe('WhatsApp formality from the policy', () => {
  it('is informal by default (withyham.txt §7.4) and gets the not-official-contact reply on WhatsApp', () => {
    for (const council of ['withyham', 'wherstead', 'demo'] as const) {
      const decision = decide(item(), loadPolicy(council), { now, consentOnFile: false });
      expect(decision.classification).toBe('informal');
      expect(decision.reasons.find((r) => r.rule === 'channel-formality')?.clause).toContain('withyham.txt §7.4');
      const reply = decision.actions.find((a) => a.type === 'auto-reply');
      expect(reply && 'text' in reply ? reply.text : '').toMatch(/does not treat WhatsApp messages as official correspondence/);
    }
  });

  it('follows a policy that makes WhatsApp formal', () => {
    const decision = decide(item(), withTemplate(true), { now, consentOnFile: false });
    expect(decision.classification).toBe('formal');
  });

  it('never answers our own WhatsApp number (the loop guard)', () => {
    const policy = { ...loadPolicy('stilton') };
    const ours = policy.contacts.smsNumbers[0]!.replace('+', '');
    const decision = decide(item({ sender: { id: ours } }), policy, { now, consentOnFile: false });
    expect(decision.classification).toBe('ignored');
    expect(decision.reasons[0]?.rule).toBe('own-sender');
  });

  it('answers on WhatsApp from the number the resident wrote to, with the window counted from their message', () => {
    const target = replyTargetFor(item())!;
    expect(target).toMatchObject({ channel: 'whatsapp', to: '447700900654', from: PHONE_NUMBER_ID, lastUserMessageAt: '2026-03-02T11:59:00Z' });
    const msg = composeAutoReply({ target, policy: loadPolicy('withyham'), text: 'Thanks', createdAt: now.toISOString() });
    expect(senderFor(msg)).toBe('whatsapp');
    expect(CHANNEL_REGISTRY.whatsapp.threadKeys(item())).toEqual(['wamid.1']);
  });

  it('rejects a template name WhatsApp would not accept', () => {
    const base = structuredClone(loadPolicy('withyham'));
    const bad = {
      ...base,
      channels: {
        ...base.channels,
        whatsapp: { formal: false, clause: 'x', outsideWindowTemplate: { name: 'Council Reply', language: 'en_GB', clause: 'x' } },
      },
    };
    expect(policySchemas().PolicySchema.safeParse(bad).success).toBe(false);
  });
});

describe('WhatsApp replies and the 24-hour customer-service window', () => {
  const env = { GRAPH_API_BASE_URL: 'https://graph.example/v25.0' };

  it('inside the window: free text from our phone number id', () => {
    const request = buildWhatsappRequest(outbox(), now, env, loadPolicy('withyham'));
    expect(request).toEqual({
      url: `https://graph.example/v25.0/${PHONE_NUMBER_ID}/messages`,
      body: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '447700900654',
        biz_opaque_callback_data: 'hub:whatsapp:wamid.1:auto-reply',
        type: 'text',
        text: { preview_url: false, body: 'Thank you for your message.' },
      },
    });
  });

  it('at exactly 24 hours still free text; one millisecond later only the policy’s template, with the reference', () => {
    const last = new Date(now.getTime() - WHATSAPP_WINDOW_MS).toISOString();
    expect(buildWhatsappRequest(outbox({ lastUserMessageAt: last }), now, env, withTemplate())).toMatchObject({ body: { type: 'text' } });
    const late = new Date(now.getTime() - WHATSAPP_WINDOW_MS - 1).toISOString();
    const request = buildWhatsappRequest(outbox({ lastUserMessageAt: late, ref: 'WYH-2026-000004' }), now, env, withTemplate());
    expect(request).toMatchObject({
      body: {
        type: 'template',
        template: {
          name: 'council_reply_waiting',
          language: { code: 'en_GB' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'WYH-2026-000004' }] }],
        },
      },
    });
    expect(JSON.stringify(request)).not.toContain('Thank you for your message.');
  });

  it('outside the window with no template: nothing is sent', () => {
    const late = new Date(now.getTime() - WHATSAPP_WINDOW_MS - 60_000).toISOString();
    expect(buildWhatsappRequest(outbox({ lastUserMessageAt: late }), now, env, loadPolicy('withyham'))).toEqual({ skip: 'outside-24h-window-no-template' });
    expect(buildWhatsappRequest(outbox({ lastUserMessageAt: undefined }), now, env, loadPolicy('withyham'))).toEqual({
      skip: 'outside-24h-window-no-template',
    });
  });

  it('classifies Cloud API errors: re-engagement is permanent, throttling and token problems retry', () => {
    expect(classifyWhatsappError(400, 131047)).toMatchObject({ retryable: false, reason: 'outside-window' });
    expect(classifyWhatsappError(400, 132001)).toMatchObject({ retryable: false, reason: 'template-rejected' });
    expect(classifyWhatsappError(400, 130429)).toMatchObject({ retryable: true });
    expect(classifyWhatsappError(401, 190)).toMatchObject({ retryable: true, reason: 'access-token-rejected' });
    expect(classifyWhatsappError(503)).toMatchObject({ retryable: true });
    expect(classifyWhatsappError(400, 100)).toMatchObject({ retryable: false, reason: 'rejected' });
  });

  describe('through the provider fake', () => {
    let fakes: ProviderFakes;
    let dir: string;
    beforeAll(async () => {
      fakes = await startProviderFakes();
      dir = mkdtempSync(join(tmpdir(), 'hub-wa-'));
      writeFileSync(join(dir, 'withyham-wa.json'), JSON.stringify(withTemplate()));
    });
    afterAll(() => fakes.stop());
    beforeEach(() => {
      fakes.reset();
      sentEmails.length = 0;
    });
    const ctx = (council: string) => ({
      now,
      env: { ...fakes.env, HUB_COUNCIL: council },
      secrets: async () => ({ WHATSAPP_ACCESS_TOKEN: 'token' }) as never,
      timeoutMs: 5_000,
    });

    it('sends free text inside the window and records the wamid', async () => {
      const result = await sendWhatsapp(outbox(), ctx('withyham'));
      expect(result).toMatchObject({ status: 'sent', provider: 'whatsapp' });
      expect(result.status === 'sent' && result.providerMessageId).toMatch(/^wamid\./);
      expect(fakes.delivered('whatsapp').map((c) => [c.to, c.text, c.outboxId])).toEqual([
        ['447700900654', 'Thank you for your message.', 'whatsapp:wamid.1:auto-reply'],
      ]);
      expect(sentEmails).toHaveLength(0);
    });

    it('outside the window sends only the approved template', async () => {
      const result = await sendWhatsapp(
        outbox({ kind: 'consent-reminder', ref: 'WYH-2026-000004', lastUserMessageAt: '2026-02-20T10:00:00Z' }),
        ctx(join(dir, 'withyham-wa.json')),
      );
      expect(result.status).toBe('sent');
      expect(fakes.delivered('whatsapp').map((c) => c.text)).toEqual(['template:council_reply_waiting WYH-2026-000004']);
      expect(sentEmails).toHaveLength(0);
    });

    it('outside the window with no template sends nothing on WhatsApp and tells the clerk by email', async () => {
      const result = await sendWhatsapp(
        outbox({ kind: 'consent-reminder', ref: 'WYH-2026-000004', lastUserMessageAt: '2026-02-20T10:00:00Z' }),
        ctx('withyham'),
      );
      expect(result).toEqual({ status: 'skipped', provider: 'whatsapp', reason: 'outside-24h-window-no-template' });
      expect(fakes.calls('whatsapp')).toHaveLength(0);
      expect(sentEmails).toHaveLength(1);
      expect(sentEmails[0]).toMatchObject({ channel: 'email', to: loadPolicy('withyham').contacts.clerk.address, ref: 'WYH-2026-000004' });
      expect(sentEmails[0]?.subject).toBe('[WYH-2026-000004] WhatsApp reply not sent: outside the 24-hour window');
      expect(sentEmails[0]?.text).toContain('447700900654');
    });

    it('a provider failure is thrown as retryable, so the outbox redelivers it', async () => {
      fakes.failNext(1, 500);
      await expect(sendWhatsapp(outbox(), ctx('withyham'))).rejects.toMatchObject({ retryable: true });
    });
  });
});

describe('WhatsApp’s own daily outbound budget (Meta bills each reply from 1 October 2026)', () => {
  /** The budget's store, in memory: the conditional claim and the counter below a limit, as OpsStore does them. */
  function memoryOps(): BudgetOps {
    const items = new Map<string, Record<string, unknown>>();
    const counters = new Map<string, number>();
    return {
      claim: async (key, { value }) => {
        const existing = items.get(key);
        if (existing) return { claimed: false, existing };
        items.set(key, value ?? {});
        return { claimed: true };
      },
      put: async (key, value) => void items.set(key, value),
      incrementBelow: async (key, limit) => {
        const count = counters.get(key) ?? 0;
        if (count >= limit) return false;
        counters.set(key, count + 1);
        return true;
      },
    };
  }
  const reply = (n: number, channel: 'whatsapp' | 'messenger'): OutboxMessage =>
    outbox({
      id: `${channel}:m${n}:auto-reply`,
      itemId: `${channel}:m${n}`,
      channel,
      provider: channel === 'whatsapp' ? 'whatsapp' : 'meta',
      to: `4477009${n}`,
    });
  async function granted(policy: Policy, channel: 'whatsapp' | 'messenger', count: number, ops = memoryOps()): Promise<number> {
    let n = 0;
    for (let i = 0; i < count; i++) if ((await takeOutboundBudget(reply(i, channel), policy, ops, now.toISOString())).granted) n++;
    return n;
  }

  it('a policy that predates WhatsApp gets 50 WhatsApp replies a day, not Messenger’s 200', async () => {
    const policy = loadPolicy('withyham');
    expect(policy.outbound?.dailyLimits.messenger).toBe(200);
    expect(await granted(policy, 'whatsapp', 60)).toBe(50);
    expect(await granted(policy, 'messenger', 60)).toBe(60);
  });

  it('the 51st is withheld with the default’s clause, and the clerk’s one alert names WhatsApp', async () => {
    const ops = memoryOps();
    const policy = loadPolicy('withyham');
    await granted(policy, 'whatsapp', 50, ops);
    const refused = await takeOutboundBudget(reply(50, 'whatsapp'), policy, ops, now.toISOString());
    expect(refused).toMatchObject({
      granted: false,
      reason: expect.stringContaining('daily-limit: 50 whatsapp'),
      clause: expect.stringContaining('1 October 2026'),
    });
    expect(refused.alert?.subject).toBe('Daily limit reached: no more automatic WhatsApp replies today');
    expect(refused.alert?.text).toContain('outbound.dailyLimits.whatsapp');
  });

  it('follows the policy’s own WhatsApp limit, which the schema accepts', async () => {
    const base = structuredClone(loadPolicy('withyham'));
    const policy = policySchemas().PolicySchema.parse({ ...base, outbound: { ...base.outbound, dailyLimits: { ...base.outbound!.dailyLimits, whatsapp: 3 } } });
    expect(await granted(policy, 'whatsapp', 5)).toBe(3);
    expect(
      policySchemas().PolicySchema.safeParse({ ...base, outbound: { ...base.outbound, dailyLimits: { ...base.outbound!.dailyLimits, whatsapp: 0 } } }).success,
    ).toBe(false);
  });
});
