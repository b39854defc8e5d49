/**
 * Two hub processes on one PostgreSQL database, every request raced against both at once: each
 * event is applied once, an Idempotency-Key posts once, concurrent debits never overdraw, each
 * signed Shopify delivery (orders and refunds) is applied once, 50 raced redemptions take exactly what
 * the points cover and a voucher is used once, both processes' dispatchers send
 * every notification exactly once, and the ledger invariants hold afterwards. (PostgreSQL only:
 * a SQLite file belongs to one process.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createWriteBoundary } from '../../core/commit/commit.js';
import { createWebhookEndpoint } from '../../core/outbound/webhook-endpoints.js';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkLedgerInvariants } from '../../core/ledger/index.js';
import { openStore } from '../../core/storage/open-store.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { tempDatabase, type TempDatabase } from '../helpers/temp-database.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { sample, type Json } from '../inbound/webhook-helpers.js';

const KEY = 'multi-process-admin-key-0123456789';

// An empty mappings folder: the only notifications are the signed webhooks subscribed below.
const startHub = (databaseUrl: string) =>
  startHubProcess({ DATABASE_URL: databaseUrl, ADMIN_API_KEY: KEY, LOG_LEVEL: 'warn', LOYALTY_MAPPINGS: tmpdir(), SHOPIFY_API_SECRET: SHOPIFY_SECRET, WEBHOOK_ALLOW_PRIVATE: 'true' });

/** A merchant's webhook receiver on loopback: verifies each signature, records each webhook-id. */
async function startReceiver(): Promise<{ server: Server; url: string; ids: string[]; bad: number; secret: string }> {
  const seen = { ids: [] as string[], bad: 0, secret: '' };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        new Webhook(seen.secret).verify(body, req.headers as Record<string, string>);
        seen.ids.push(String(req.headers['webhook-id']));
      } catch {
        seen.bad++;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/loyalty`;
  return Object.assign(seen, { server, url });
}

function call(hub: HubProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('two hub processes on one PostgreSQL database', () => {
  let database: TempDatabase;
  let hubs: HubProcess[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    database = await tempDatabase();
    // Subscribed before the processes start, so both route to it from their first event.
    receiver = await startReceiver();
    const store = await openStore(database.url);
    receiver.secret = (await createWebhookEndpoint({ store, commit: createWriteBoundary(store).commit }, { url: receiver.url, eventTypes: ['points.earned'] })).secret;
    await store.close();
    hubs = await Promise.all([startHub(database.url), startHub(database.url)]);
  });
  afterEach(async () => {
    await Promise.all(hubs.map((h) => h.stop()));
    receiver.server.close();
    await database.dispose();
  });

  it('applies each signed Shopify delivery once when both processes receive it at the same moment, refunds included', async () => {
    const [a, b] = hubs as [HubProcess, HubProcess];
    const order = sample('shopify', 'order_paid_with_customer');
    const refund = sample('shopify', 'refund_partial_line_item');
    // 6 new customers with 2 orders each (199.00 → 199 points), each order refunded 41.94 (→ 41
    // back), the refund sent together with its order: 24 deliveries, each to both processes.
    const deliveries: RequestInit[] = [];
    for (let c = 0; c < 6; c++) {
      const customer = { ...(order.customer as Json), id: 4000 + c, email: `shopper${c}@example.com` };
      for (let o = 0; o < 2; o++) {
        const id = 3000 + c * 10 + o;
        deliveries.push(shopifyDelivery('orders/paid', { ...order, id, customer }), shopifyDelivery('refunds/create', { ...refund, id: id + 500, order_id: id }));
      }
    }
    const send = (hub: HubProcess, init: RequestInit) => fetch(`${hub.url}/webhooks/shopify`, init);
    const answers = await Promise.all(deliveries.flatMap((d) => [send(a, d), send(b, d)]));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    const statuses = await Promise.all(answers.map(async (r) => ((await r.json()) as { status: string }).status));
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(24);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(24);

    for (let c = 0; c < 6; c++) {
      const found = (await (await call(a, 'GET', `/v1/members?alias=shopify:${4000 + c}`)).json()) as { data: { id: string }[] };
      expect(found.data).toHaveLength(1);
      const balance = (await (await call(b, 'GET', `/v1/members/${found.data[0]!.id}/balance`)).json()) as { available: number };
      expect(balance.available).toBe(2 * (199 - 41));
    }

    // One points.earned per order, sent by one process or the other.
    const deadline = Date.now() + 20_000;
    while (receiver.ids.length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up
    expect(receiver.bad).toBe(0);
    expect(receiver.ids).toHaveLength(12);
    expect(new Set(receiver.ids).size).toBe(12);

    const store = await openStore(database.url, { migrate: false });
    try {
      expect(await checkLedgerInvariants(store.db)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('redeems exactly what the points cover when 50 redemptions race across both processes, and a voucher is used once', async () => {
    const [a, b] = hubs as [HubProcess, HubProcess];
    const member = (await (await call(a, 'POST', '/v1/members', { email: 'redeemer@example.com' })).json()) as { id: string };
    expect((await call(a, 'POST', `/v1/members/${member.id}/adjustments`, { points: 1000, reason: 'test credit' })).status).toBe(201);
    const reward = (await (await call(b, 'POST', '/v1/rewards', { name: 'Tote bag', kind: 'voucher', cost: 100, stock: 30 })).json()) as { id: string };
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(i % 2 ? a : b, 'POST', `/v1/members/${member.id}/redemptions`, { rewardId: reward.id }, { 'idempotency-key': `race-${i}` })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s !== 201 && s !== 422)).toEqual([]);
    const balance = (await (await call(a, 'GET', `/v1/members/${member.id}/balance`)).json()) as { available: number; spent: number };
    expect(balance).toMatchObject({ available: 0, spent: 1000 });
    expect(((await (await call(b, 'GET', `/v1/rewards/${reward.id}`)).json()) as { stock: number }).stock).toBe(20);

    const redeemed = (await answers.find((r) => r.status === 201)!.json()) as { voucherCode: string };
    const uses = await Promise.all([a, b].map((h) => call(h, 'POST', `/v1/vouchers/${redeemed.voucherCode}/use`, {})));
    expect(uses.map((r) => r.status).sort()).toEqual([200, 409]);

    const store = await openStore(database.url, { migrate: false });
    try {
      expect(await checkLedgerInvariants(store.db)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  for (const round of [1, 2, 3, 4, 5]) {
    it(`applies every raced write once and never overdraws (round ${round})`, async () => {
      const [a, b] = hubs as [HubProcess, HubProcess];
      const member = (await (await call(a, 'POST', '/v1/members', { email: `ann${round}@example.com` })).json()) as { id: string };

      // 40 events, each delivered to both processes at the same moment.
      const events = Array.from({ length: 40 }, (_, i) => ({
        type: 'activity',
        name: 'review.posted',
        id: `round${round}-review-${i}`,
        customer: { memberId: member.id },
        points: 5,
      }));
      const eventAnswers = await Promise.all(events.flatMap((e) => [call(a, 'POST', '/v1/events', e), call(b, 'POST', '/v1/events', e)]));
      const statuses = await Promise.all(eventAnswers.map(async (r) => ((await r.json()) as { status: string }).status));
      expect(statuses.filter((s) => s === 'accepted')).toHaveLength(40);
      expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(40);

      // One Idempotency-Key raced on both processes: one credit of 300.
      const credit = { points: 300, reason: 'race' };
      const credits = await Promise.all([
        call(a, 'POST', `/v1/members/${member.id}/adjustments`, credit, { 'idempotency-key': `credit-${round}` }),
        call(b, 'POST', `/v1/members/${member.id}/adjustments`, credit, { 'idempotency-key': `credit-${round}` }),
      ]);
      expect(credits.map((r) => r.status)).toEqual([201, 201]);

      // Balance is 40×5 + 300 = 500: 100 concurrent debits of 50 split across both → exactly 10 succeed.
      const debits = await Promise.all(
        Array.from({ length: 100 }, (_, i) => call(i % 2 ? a : b, 'POST', `/v1/members/${member.id}/adjustments`, { points: -50, reason: `debit ${i}` })),
      );
      const codes = debits.map((r) => r.status);
      expect(codes.filter((c) => c === 201)).toHaveLength(10);
      expect(codes.filter((c) => c === 422)).toHaveLength(90);

      const balance = (await (await call(b, 'GET', `/v1/members/${member.id}/balance`)).json()) as { available: number };
      expect(balance.available).toBe(0);

      // Every points.earned (40 events + 1 credit) notified exactly once, by one process or the other.
      const deadline = Date.now() + 20_000;
      while (receiver.ids.length < 41 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up
      expect(receiver.bad).toBe(0);
      expect(receiver.ids).toHaveLength(41);
      expect(new Set(receiver.ids).size).toBe(41);

      const store = await openStore(database.url, { migrate: false });
      try {
        expect(await checkLedgerInvariants(store.db)).toEqual([]);
      } finally {
        await store.close();
      }
    });
  }
});
