import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { hubHarness, json } from '../helpers/test-hub.js';

const SECRET = 'shpss_test_secret';
const sample = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/platform-samples/shopify/${name}`, import.meta.url)), 'utf8');

function signed(topic: string, body: string, eventId: string, secret = SECRET): RequestInit {
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
      'x-shopify-shop-domain': 'example.myshopify.com',
      'x-shopify-api-version': '2025-07',
      'x-shopify-webhook-id': `wh-${eventId}`,
      'x-shopify-event-id': eventId,
    },
  };
}

describe('POST /webhooks/shopify', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SECRET } });

  it('earns points for orders/paid once, however often and concurrently it is delivered', async () => {
    const body = sample('order_paid_with_customer.json');
    const results = await Promise.all(Array.from({ length: 10 }, () => h.hub.app.request('/webhooks/shopify', signed('orders/paid', body, 'evt-1'))));
    const bodies = await Promise.all(results.map((r) => json(r)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(bodies.filter((b) => b.status === 'accepted')).toHaveLength(1);
    expect(bodies.filter((b) => b.status === 'duplicate')).toHaveLength(9);
    const accepted = bodies.find((b) => b.status === 'accepted') as { outcomes: { memberId: string; points: number }[] };
    const { memberId, points } = accepted.outcomes[0]!;
    expect(points).toBeGreaterThan(0);
    const balance = await json(await h.call('GET', `/v1/members/${memberId}/balance`));
    expect(balance.available).toBe(points);
  });

  it('refuses a bad signature with 401 and writes nothing', async () => {
    const body = sample('order_paid_with_customer.json');
    const res = await h.hub.app.request('/webhooks/shopify', signed('orders/paid', body, 'evt-2', 'wrong-secret'));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const inbox = await json<{ data: unknown[] }>(await h.call('GET', '/v1/inbox'));
    expect(inbox.data).toHaveLength(0);
  });

  it('answers 413 to a body over the limit', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    const res = await h.hub.app.request('/webhooks/shopify', signed('orders/paid', body, 'evt-3'));
    expect(res.status).toBe(413);
  });
});
