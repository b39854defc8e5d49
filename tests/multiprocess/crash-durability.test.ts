/**
 * docs/operating.md: an acknowledged (2xx) event is durable — killing the process right after the answer
 * loses nothing. The hub is killed with SIGKILL (no shutdown code runs) the moment the answers
 * arrive, restarted on the same database, and must show every acknowledged write — events from
 * the API and signed platform webhooks alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkLedgerInvariants } from '../../core/ledger/index.js';
import { openStore } from '../../core/storage/open-store.js';
import { startHubProcess } from '../helpers/hub-process.js';
import { tempDatabase, type TempDatabase } from '../helpers/temp-database.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { sample, type Json } from '../inbound/webhook-helpers.js';

const KEY = 'crash-test-admin-key-0123456789';

const startHub = (databaseUrl: string) => startHubProcess({ DATABASE_URL: databaseUrl, ADMIN_API_KEY: KEY, LOG_LEVEL: 'warn', SHOPIFY_API_SECRET: SHOPIFY_SECRET });

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('durability of acknowledged writes', () => {
  let database: TempDatabase;
  beforeEach(async () => {
    database = await tempDatabase();
  });
  afterEach(() => database.dispose());

  it('keeps every acknowledged event after SIGKILL, and applies none twice when all are redelivered', async () => {
    const first = await startHub(database.url);
    const member = (await (await post(first.url, '/v1/members', { email: 'ann@example.com' })).json()) as { id: string };
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(first.url, '/v1/events', { type: 'activity', name: 'login', id: `login-${i}`, customer: { memberId: member.id }, points: 3 }),
      ),
    );
    const acknowledged = answers.filter((r) => r.status === 201).length;
    await first.stop('SIGKILL');
    expect(acknowledged).toBe(100);

    const second = await startHub(database.url);
    try {
      const balance = async () =>
        ((await (await fetch(`${second.url}/v1/members/${member.id}/balance`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { available: number }).available;
      expect(await balance()).toBe(3 * acknowledged);
      // The platform redelivers everything after the crash: each event was applied once already.
      const again = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          post(second.url, '/v1/events', { type: 'activity', name: 'login', id: `login-${i}`, customer: { memberId: member.id }, points: 3 }),
        ),
      );
      const statuses = await Promise.all(again.map(async (r) => ((await r.json()) as { status: string }).status));
      expect(statuses.every((s) => s === 'duplicate')).toBe(true);
      expect(await balance()).toBe(3 * acknowledged);
    } finally {
      await second.stop();
    }
    const store = await openStore(database.url, { migrate: false });
    try {
      expect(await checkLedgerInvariants(store.db)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps every acknowledged webhook after SIGKILL, and the platform redelivering them all earns nothing twice', async () => {
    const order = sample('shopify', 'order_paid_with_customer');
    // 40 orders (199.00 → 199 points each) of one customer; each delivery's bytes and event id are kept for the redelivery.
    const deliveries = Array.from({ length: 40 }, (_, i) => shopifyDelivery('orders/paid', { ...order, id: 5000 + i, customer: { ...(order.customer as Json), id: 777 } }, `crash-evt-${i}`));
    const first = await startHub(database.url);
    const answers = await Promise.all(deliveries.map((d) => fetch(`${first.url}/webhooks/shopify`, d)));
    const accepted = (await Promise.all(answers.map(async (r) => (r.status === 200 ? ((await r.json()) as { status: string }).status : String(r.status))))).filter((s) => s === 'accepted').length;
    await first.stop('SIGKILL');
    expect(accepted).toBe(40);

    const second = await startHub(database.url);
    try {
      const balance = async () => {
        const found = (await (await fetch(`${second.url}/v1/members?alias=shopify:777`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { data: { id: string }[] };
        const b = (await (await fetch(`${second.url}/v1/members/${found.data[0]!.id}/balance`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { available: number };
        return b.available;
      };
      expect(await balance()).toBe(199 * accepted);
      const again = await Promise.all(deliveries.map((d) => fetch(`${second.url}/webhooks/shopify`, d)));
      const statuses = await Promise.all(again.map(async (r) => ((await r.json()) as { status: string }).status));
      expect(statuses.every((s) => s === 'duplicate')).toBe(true);
      expect(await balance()).toBe(199 * accepted);
    } finally {
      await second.stop();
    }
    const store = await openStore(database.url, { migrate: false });
    try {
      expect(await checkLedgerInvariants(store.db)).toEqual([]);
    } finally {
      await store.close();
    }
  });
  // On SQLite a thread of its own copies the WAL into the database file once a store has
  // committed 32 times (core/storage/wal-checkpointer.ts): what is acknowledged while it copies
  // must survive SIGKILL as well.
  it('keeps every acknowledged event after SIGKILL with the WAL checkpoint thread running', async () => {
    const first = await startHub(database.url);
    const member = (await (await post(first.url, '/v1/members', { email: 'bo@example.com' })).json()) as { id: string };
    const event = (i: number) => ({ type: 'activity', name: 'login', id: `wal-${i}`, customer: { memberId: member.id }, points: 2 });
    let acknowledged = 0;
    // One commit each, past the 32 that start the thread, with gaps for its 50 ms rounds.
    for (let i = 0; i < 60; i++) {
      if ((await post(first.url, '/v1/events', event(i))).status === 201) acknowledged++;
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => post(first.url, '/v1/events', event(60 + i))));
    acknowledged += burst.filter((r) => r.status === 201).length;
    await first.stop('SIGKILL');
    expect(acknowledged).toBe(160);

    const second = await startHub(database.url);
    try {
      const balance = (await (await fetch(`${second.url}/v1/members/${member.id}/balance`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { available: number };
      expect(balance.available).toBe(2 * acknowledged);
    } finally {
      await second.stop();
    }
    const store = await openStore(database.url, { migrate: false });
    try {
      expect(await checkLedgerInvariants(store.db)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
