/**
 * Request bodies as the real server reads them (`loyalty-hub serve` on @hono/node-server, not
 * `app.request()`): a body of declared length is judged by its Content-Length and read straight
 * from the socket, a chunked one is counted as it streams (core/api/body-limit.ts); both reach
 * the API, the text guard and the webhook verifier byte for byte, and both are refused past
 * MAX_BODY_BYTES (docs/security.md, "Input").
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';

const KEY = 'body-over-http-admin-key-0123456789';
const LIMIT = 32 * 1024; // above Shopify's sample order (about 9 KB)
let hub: HubProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'body-http-'));
  hub = await startHubProcess({
    DATABASE_URL: join(dir, 'hub.db'),
    ADMIN_API_KEY: KEY,
    LOYALTY_MAPPINGS: dir,
    MAX_BODY_BYTES: String(LIMIT),
    SHOPIFY_API_SECRET: SHOPIFY_SECRET,
  });
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The same bytes sent without a Content-Length: undici sends a stream body chunked. */
function chunked(text: string): { body: ReadableStream<Uint8Array>; duplex: 'half' } {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.subarray(i, i + 1000));
      controller.close();
    },
  });
  return { body, duplex: 'half' };
}

const api = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

describe.each([
  ['with a Content-Length', (text: string) => ({ body: text })],
  ['chunked', chunked],
])('a /v1 body sent %s', (_how, send) => {
  it('is read whole: the member is enrolled with what was sent', async () => {
    const email = `ann.${_how.length}@example.com`;
    const res = await fetch(`${hub.url}/v1/members`, { method: 'POST', headers: api, ...send(JSON.stringify({ email, firstName: 'Ann' })) });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ email, firstName: 'Ann' });
  });

  it('past MAX_BODY_BYTES is answered 413 and nobody is enrolled', async () => {
    const email = `big.${_how.length}@example.com`;
    const res = await fetch(`${hub.url}/v1/members`, { method: 'POST', headers: api, ...send(JSON.stringify({ email, firstName: 'x'.repeat(LIMIT) })) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: expect.stringContaining('payload-too-large'), limit: LIMIT });
    const found = await fetch(`${hub.url}/v1/members?email=${encodeURIComponent(email)}`, { headers: api });
    expect((await found.json()).data).toEqual([]);
  });

  it('still goes through the text guard: a control character is refused with where it was', async () => {
    const res = await fetch(`${hub.url}/v1/members`, { method: 'POST', headers: api, ...send(JSON.stringify({ email: 'nul@example.com', firstName: 'A\u0000B' })) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('/firstName');
  });
});

describe('one signed Shopify delivery, sent chunked and then again with a Content-Length', () => {
  it('is applied once (SPEC §7): the second read of the same bytes is the same delivery', async () => {
    const order = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/platform-samples/shopify/order_paid_with_customer.json'), 'utf8')) as Record<string, unknown>;
    const delivery = shopifyDelivery('orders/paid', { ...order, id: 8_700_000_001 });
    const headers = delivery.headers as Record<string, string>;
    const first = await fetch(`${hub.url}/webhooks/shopify`, { method: 'POST', headers, ...chunked(delivery.body as string) });
    const again = await fetch(`${hub.url}/webhooks/shopify`, { method: 'POST', headers, body: delivery.body as string });
    const answers = [(await first.json()) as { status: string; eventId: string }, (await again.json()) as { status: string; eventId: string }];
    expect(answers.map((a) => a.status)).toEqual(['accepted', 'duplicate']);
    expect(answers[1]!.eventId).toBe(answers[0]!.eventId);
  });
});

describe.each([
  ['with a Content-Length', (text: string) => ({ body: text })],
  ['chunked', chunked],
])('a signed Shopify webhook sent %s', (how, send) => {
  // Shopify's sample order (tests/fixtures/platform-samples/shopify/README.md says where it is from).
  const order = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/platform-samples/shopify/order_paid_with_customer.json'), 'utf8')) as Record<string, unknown>;

  it('is verified over the exact bytes received and accepted', async () => {
    const delivery = shopifyDelivery('orders/paid', { ...order, id: 8_800_000_000 + how.length });
    const res = await fetch(`${hub.url}/webhooks/shopify`, { method: 'POST', headers: delivery.headers as Record<string, string>, ...send(delivery.body as string) });
    expect(await res.json()).toMatchObject({ status: 'accepted' });
  });

  it('past MAX_BODY_BYTES is answered 413 before it is verified', async () => {
    const delivery = shopifyDelivery('orders/paid', { ...order, id: 8_900_000_000 + how.length, note: 'x'.repeat(LIMIT) });
    const res = await fetch(`${hub.url}/webhooks/shopify`, { method: 'POST', headers: delivery.headers as Record<string, string>, ...send(delivery.body as string) });
    expect(res.status).toBe(413);
  });
});
