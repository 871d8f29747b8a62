import { beforeEach, describe, expect, it } from 'vitest';
import { mailchimpWebhook } from '../../shared/channels/mailchimp.ts';
import { BODY_LIMITS } from '../../shared/topology.ts';
import { jsonFixture, TEST_SECRETS } from '../fixtures/channels/env.ts';
import { harness, useTestSecrets } from '../fixtures/channels/harness.ts';
import { formBody, httpEvent } from '../support/http-events.ts';

const events = jsonFixture<Record<string, Record<string, string>>>('mailchimp-events.json');

const request = (method: string, body?: Record<string, string> | string, secret: string = TEST_SECRETS.MAILCHIMP_WEBHOOK_SECRET) =>
  httpEvent({
    method,
    path: `/webhooks/mailchimp/${secret}`,
    pathParameters: { secret },
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'MailChimp.com' },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : formBody(body) } : {}),
  });

describe('Mailchimp audience webhook', () => {
  let h: ReturnType<typeof harness>;
  beforeEach(() => {
    useTestSecrets();
    h = harness('mailchimp', mailchimpWebhook, BODY_LIMITS.mailchimp);
  });

  it('answers the validator: GET, HEAD and an empty POST are 200 with nothing enqueued', async () => {
    for (const method of ['GET', 'HEAD']) expect((await h.call(request(method))).statusCode).toBe(200);
    expect((await h.call(request('POST', ''))).statusCode).toBe(200);
    expect(h.enqueued).toEqual([]);
  });

  it('answers 404 on every method when the path secret is wrong, so the endpoint is not advertised', async () => {
    for (const method of ['GET', 'HEAD', 'POST']) {
      const res = await h.call(request(method, method === 'POST' ? events.subscribe : undefined, 'wrong-secret'));
      expect(res.statusCode).toBe(404);
    }
    const missing = httpEvent({ method: 'GET', path: '/webhooks/mailchimp/' });
    expect((await h.call(missing)).statusCode).toBe(404);
    expect(h.enqueued).toEqual([]);
  });

  it('turns each of the six event types into one audience-event item', async () => {
    for (const fields of Object.values(events)) expect((await h.call(request('POST', fields))).statusCode).toBe(200);
    expect(h.enqueued.map((i) => i.audience?.type)).toEqual(['subscribe', 'unsubscribe', 'profile', 'upemail', 'cleaned', 'campaign']);
    for (const item of h.enqueued) {
      expect(item).toMatchObject({ channel: 'mailchimp', provider: 'mailchimp', kind: 'audience-event', recipients: ['a6b5da1054'] });
      expect(item.itemId).toBe(`mailchimp:${item.providerMessageId}`);
    }
    const [subscribe, unsubscribe, , upemail, cleaned, campaign] = h.enqueued;
    expect(subscribe).toMatchObject({ sender: { id: 'resident@example.co.uk', name: 'Jane Smith' }, receivedAt: '2026-01-05T10:00:00.000Z' });
    expect(unsubscribe?.audience).toEqual({
      type: 'unsubscribe',
      listId: 'a6b5da1054',
      firedAt: '2026-01-05 10:02:11',
      action: 'unsub',
      reason: 'manual',
      campaignId: 'cb398d21d2',
    });
    expect(upemail).toMatchObject({ sender: { id: 'resident@example.co.uk' }, audience: { newEmail: 'jane.new@example.org' } });
    expect(cleaned).toMatchObject({ sender: { id: 'gone@example.net' }, audience: { reason: 'hard', campaignId: '4fjk2ma9xd' } });
    expect(campaign?.audience).toMatchObject({ campaignId: '5aa2102003', campaignSubject: 'January parish newsletter', campaignStatus: 'sent' });
    expect(new Set(h.enqueued.map((i) => i.itemId)).size).toBe(6);
  });

  it('gives a retry the same id and a later event of the same type a different one', async () => {
    await h.call(request('POST', events.unsubscribe));
    await h.call(request('POST', events.unsubscribe));
    await h.call(request('POST', { ...events.unsubscribe, fired_at: '2026-01-06 09:00:00' }));
    const [a, b, c] = h.enqueued.map((i) => i.itemId);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('accepts the form base64-encoded, as API Gateway may send it', async () => {
    const event = request('POST', events.subscribe);
    event.body = Buffer.from(event.body!).toString('base64');
    event.isBase64Encoded = true;
    expect((await h.call(event)).statusCode).toBe(200);
    expect(h.enqueued).toHaveLength(1);
  });

  it('acknowledges an unknown type without enqueuing, and refuses a body with no type with 400', async () => {
    expect((await h.call(request('POST', { type: 'merge_field_added', fired_at: '2026-01-05 10:00:00' }))).statusCode).toBe(200);
    expect((await h.call(request('POST', 'just some text'))).statusCode).toBe(400);
    expect((await h.call(request('POST', { type: 'subscribe' }))).statusCode).toBe(400);
    expect(h.enqueued).toEqual([]);
  });

  it('answers 413 over the limit and 503 when the queue fails', async () => {
    expect((await h.call(request('POST', { ...events.profile, 'data[merges][NOTES]': 'x'.repeat(BODY_LIMITS.mailchimp) }))).statusCode).toBe(413);
    const failing = harness('mailchimp', mailchimpWebhook, BODY_LIMITS.mailchimp, { failEnqueue: true });
    expect((await failing.call(request('POST', events.subscribe))).statusCode).toBe(503);
  });
});
