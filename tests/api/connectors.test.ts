/**
 * `GET /v1/connectors` (docs/api.md, "Connectors"): what an operator checks when points stop
 * arriving — is the platform enabled or which variable does it lack, when did its last webhook
 * come, and how many were refused for their signature over the last day.
 */
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import slack from '../../connectors/slack/index.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { HOUR_MS, deliver, sample } from '../inbound/webhook-helpers.js';
import { messageHarness } from '../program/message-harness.js';

interface Connector {
  name: string;
  enabled: boolean;
  missing: string[];
  directions: string[];
  lastReceived: { at: string; status: string; topic: string | null } | null;
  signatureFailures: { lastDay: number; lastAt: string | null; lastReason: string | null };
}

describe('GET /v1/connectors', () => {
  const h = hubHarness({ connectors: [slack, shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

  const connectors = async () => {
    const res = await h.call('GET', '/v1/connectors', { scope: 'read' });
    expect(res.status).toBe(200);
    return (await json<{ data: Connector[] }>(res)).data;
  };
  const shop = async () => (await connectors()).find((c) => c.name === 'shopify')!;
  const forged = () => deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer'), undefined, { secret: 'rotated-on-shopify' }));

  it('lists every connector by name, enabled or naming the variable it lacks (never a value)', async () => {
    expect(await connectors()).toEqual([
      {
        name: 'shopify',
        title: 'Shopify',
        directions: ['inbound', 'outbound'],
        enabled: true,
        missing: [],
        inboundMissing: [],
        lastReceived: null,
        lastSent: null,
        lastFailed: null,
        signatureFailures: { lastDay: 0, lastAt: null, lastReason: null },
      },
      expect.objectContaining({ name: 'slack', title: 'Slack', directions: ['outbound'], enabled: false, missing: ['SLACK_BOT_TOKEN'], lastReceived: null }),
    ]);
    expect(JSON.stringify(await connectors())).not.toContain(SHOPIFY_SECRET);
    expect((await h.call('GET', '/v1/connectors', { scope: null })).status).toBe(401);
  });

  it("shows the platform's latest webhook, whatever came of it", async () => {
    expect((await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer')))).httpStatus).toBe(200);
    h.clock.advance(60_000);
    const ignored = await deliver(h, 'shopify', shopifyDelivery('orders/paid', { ...sample('shopify', 'order_paid_with_customer'), financial_status: 'pending' }));
    expect(ignored.status).toBe('ignored');
    expect((await shop()).lastReceived).toEqual({ at: new Date(h.clock()).toISOString(), status: 'ignored', topic: 'orders/paid' });
  });

  it('counts signature failures over the last day, though the alert resets its own count', async () => {
    for (let i = 0; i < 3; i++) expect((await forged()).httpStatus).toBe(401);
    const failedAt = new Date(h.clock()).toISOString();
    // The first failure raised the alert (and reset webhook_rejections' count): the day still counts all three.
    expect((await shop()).signatureFailures).toEqual({ lastDay: 3, lastAt: failedAt, lastReason: expect.stringMatching(/signature|HMAC/i) });
    expect((await shop()).lastReceived).toBeNull();

    h.clock.advance(23 * HOUR_MS);
    await forged();
    expect((await shop()).signatureFailures.lastDay).toBe(4);
    h.clock.advance(2 * HOUR_MS);
    // The first three are more than a day old now; the latest failure is still named.
    expect((await shop()).signatureFailures).toMatchObject({ lastDay: 1, lastAt: new Date(h.clock() - 2 * HOUR_MS).toISOString() });
  });

  it('keeps two days of hourly counters, whatever the flood', async () => {
    for (let hour = 0; hour < 60; hour++) {
      await forged();
      h.clock.advance(HOUR_MS);
    }
    const { webhookRejectionHours } = tablesOf(h.hub.store.db);
    const rows = await h.hub.store.db.select().from(webhookRejectionHours);
    expect(rows.length).toBeLessThanOrEqual(49);
    expect((await shop()).signatureFailures.lastDay).toBe(23);
  });
});

describe('GET /v1/connectors: the latest message sent and the latest failed attempt', () => {
  const m = messageHarness(['mappings/points-earned-email.yaml']);
  const sendgridHealth = async () => {
    const res = await m.h.call('GET', '/v1/connectors', { scope: 'read' });
    return (await json<{ data: (Connector & { lastSent: unknown; lastFailed: unknown })[] }>(res)).data.find((c) => c.name === 'sendgrid')!;
  };

  it('shows when SendGrid last delivered, and when and how an attempt last failed, linking the deliveries', async () => {
    expect(await sendgridHealth()).toMatchObject({ directions: ['outbound'], enabled: true, lastReceived: null, lastSent: null, lastFailed: null });
    const ann = await m.enroll('ann@example.com');
    await m.order(ann, 12_000);
    expect(await m.dispatch()).toHaveLength(1);
    const sentAt = new Date(m.h.clock()).toISOString();
    const delivered = await json<{ data: { id: string; adapter: string }[] }>(await m.h.call('GET', '/v1/deliveries?status=delivered', { scope: 'read' }));
    expect((await sendgridHealth()).lastSent).toEqual({ at: sentAt, deliveryId: delivered.data[0]!.id });

    // SendGrid down: the next e-mail's attempt fails with 503 and waits for its retry.
    m.h.clock.advance(60_000);
    m.server.use(http.post('http://sendgrid.test/v3/mail/send', () => HttpResponse.json({ errors: [{ message: 'unavailable' }] }, { status: 503 })));
    await m.order(ann, 5_000);
    await m.dispatch();
    const pending = await json<{ data: { id: string }[] }>(await m.h.call('GET', '/v1/deliveries?status=pending', { scope: 'read' }));
    expect(await sendgridHealth()).toMatchObject({
      lastSent: { at: sentAt },
      lastFailed: { at: new Date(m.h.clock()).toISOString(), deliveryId: pending.data[0]!.id, statusCode: 503 },
    });
  });
});
