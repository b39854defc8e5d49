/**
 * Two hub processes on one PostgreSQL database, every request raced against both at once: each
 * event is applied once, an Idempotency-Key posts once, concurrent debits never overdraw, and the
 * ledger invariants hold afterwards. (PostgreSQL only: a SQLite file belongs to one process.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkLedgerInvariants } from '../../core/ledger/index.js';
import { openStore } from '../../core/storage/open-store.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { tempDatabase, type TempDatabase } from '../helpers/temp-database.js';

const KEY = 'multi-process-admin-key-0123456789';

const startHub = (databaseUrl: string) => startHubProcess({ DATABASE_URL: databaseUrl, ADMIN_API_KEY: KEY, LOG_LEVEL: 'warn' });

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
  beforeEach(async () => {
    database = await tempDatabase();
    hubs = await Promise.all([startHub(database.url), startHub(database.url)]);
  });
  afterEach(async () => {
    await Promise.all(hubs.map((h) => h.stop()));
    await database.dispose();
  });

  for (const round of [1, 2, 3]) {
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

      const store = await openStore(database.url, { migrate: false });
      try {
        expect(await checkLedgerInvariants(store.db)).toEqual([]);
      } finally {
        await store.close();
      }
    });
  }
});
