/**
 * A guest order's points, credited when its e-mail enrolls (docs/program.md, "Guest orders"),
 * count in GET /v1/analytics/summary under the platform and channel of the order that earned
 * them (docs/api.md, "Analytics": `bySource`, `byChannel`), not under the enrolment's `api`.
 */
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { sample } from '../inbound/webhook-helpers.js';

interface Split {
  issued: number;
  source?: string;
  channel?: string;
}

describe('analytics of a guest order credited on enrolment', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

  it('counts its points under the order\'s platform and channel', async () => {
    const at = new Date(h.clock() - 86_400_000).toISOString();
    // order_paid_no_customer_eur.json: 224.97 EUR of goods, online, checked out as a guest.
    const order = { ...sample('shopify', 'order_paid_no_customer_eur'), email: 'gail@example.com', contact_email: 'gail@example.com', processed_at: at, created_at: at };
    const delivered = await h.hub.app.request('/webhooks/shopify', shopifyDelivery('orders/paid', order));
    expect(await json(delivered)).toMatchObject({ outcomes: [{ status: 'guest', points: 0 }] });

    const enrolled = await h.call('POST', '/v1/members', { scope: 'write', body: { email: 'gail@example.com' } });
    expect(enrolled.status).toBe(201);
    const { id } = await json<{ id: string }>(enrolled);
    expect(await json(await h.call('GET', `/v1/members/${id}/balance`))).toMatchObject({ available: 224 });

    const res = await h.call('GET', '/v1/analytics/summary', { scope: 'read' });
    expect(res.status).toBe(200);
    const s = await json<{ points: { issued: number }; bySource: Split[]; byChannel: Split[] }>(res);
    expect(s.points.issued).toBe(224);
    expect(s.bySource.map((r) => [r.source, r.issued])).toEqual([['shopify', 224]]);
    expect(s.byChannel.map((r) => [r.channel, r.issued])).toEqual([['online', 224]]);
  });
});
