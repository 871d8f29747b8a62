import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_THROTTLE } from '../../infra/aws/throttling.ts';
import { ROUTES } from '../../shared/topology.ts';
import { placeholderCode, resourcesOfType, synth, type Synth } from './synth.ts';

/** Issue 12 in the template: per-route throttling and the DMARC record. */

let s: Synth;
beforeAll(() => {
  s = synth({ codeFor: placeholderCode });
});

describe('HTTP API throttling per route', () => {
  it('every route has its own throttle, so a flood on one cannot use up the provider webhooks allowance', () => {
    const [[, stage]] = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Stage') as [[string, any]];
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    expect(Object.keys(settings).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const [key, value] of Object.entries(settings)) {
      expect(value.ThrottlingRateLimit, key).toBeGreaterThan(0);
      expect(value.ThrottlingBurstLimit, key).toBeGreaterThanOrEqual(value.ThrottlingRateLimit);
    }
    expect(settings['POST /webhooks/twilio']).toEqual({
      ThrottlingRateLimit: ROUTE_THROTTLE.twilioWebhook!.rateLimit,
      ThrottlingBurstLimit: ROUTE_THROTTLE.twilioWebhook!.burstLimit,
    });
    // The consent form (reachable by anyone with a link) is held tighter than the webhooks.
    expect(settings['POST /consent/{token}']!.ThrottlingRateLimit).toBeLessThan(settings['POST /webhooks/twilio']!.ThrottlingRateLimit);
  });
});

describe('DMARC for the mail domain', () => {
  it('is among the stack outputs, rejecting mail forged as the hub, with strict DKIM alignment and no report address at the domain', () => {
    const value = s.json.Outputs.DmarcRecord.Value as string;
    expect(value).toMatch(/^_dmarc\.mail\.parish\.example\.org\.uk TXT "v=DMARC1; p=reject;/);
    expect(value).toContain('adkim=s');
    expect(value).not.toContain('rua=');
  });
});
