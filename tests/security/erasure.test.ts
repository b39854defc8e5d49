/**
 * GDPR erasure reaches everything the hub keeps about a person (docs/api.md, "Erasure"): after
 * `DELETE /v1/members/{id}` neither the API nor any text column of any table holds the person's
 * e-mail, phone, names or street address, while the points history stays under the opaque id.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import slack from '../../connectors/slack/index.js';
import { main } from '../../core/cli/main.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { deliver, sample, type Json } from '../inbound/webhook-helpers.js';

const EMAIL = 'Zora.Quennell@Example.org';
const PHONE = '+33612345678';
const FIRST = 'Zoraida';
const LAST = 'Quennell';
const STREET = '17 Rue des Peupliers';
const CUSTOMER_ID = 7390123;
/** Every form the person's identifiers are stored in before erasure. */
const NEEDLES = ['zora.quennell@example.org', '612345678', '12 34 56 78', FIRST, LAST, 'Peupliers'];

const mappingsDir = mkdtempSync(join(tmpdir(), 'loyalty-hub-erasure-'));
writeFileSync(
  join(mappingsDir, 'earn-slack.yaml'),
  `name: earn-slack
on: points.earned
when: points >= 100
send:
  adapter: slack
  channel: "#vip"
  text: "{{ member.email }} earned {{ points }}"
`,
);
const server = setupServer(
  http.post('http://slack.test/api/chat.postMessage', () =>
    HttpResponse.json({ ok: false, error: 'invalid_arguments', response_metadata: { messages: [`[ERROR] cannot post about ${EMAIL.toLowerCase()} (${PHONE})`] } }),
  ),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => {
  server.close();
  rmSync(mappingsDir, { recursive: true, force: true });
});

/** order_paid_with_customer.json bought by this person (e-mail, phone, names, address everywhere Shopify puts them). */
function orderBy(customerId: number, email: string, orderId: number, person = true): Json {
  const base = sample('shopify', 'order_paid_with_customer');
  const address = (a: unknown) => ({ ...(a as Json), ...(person ? { first_name: FIRST, last_name: LAST, address1: STREET, phone: '06 12 34 56 78', name: `${FIRST} ${LAST}` } : {}) });
  return {
    ...base,
    id: orderId,
    email,
    contact_email: email,
    phone: person ? '+33612345678' : null,
    billing_address: address(base.billing_address),
    shipping_address: address(base.shipping_address),
    customer: {
      ...(base.customer as Json),
      id: customerId,
      email,
      ...(person ? { phone: '+33612345678', first_name: FIRST, last_name: LAST, default_address: address((base.customer as Json).default_address) } : {}),
    },
  };
}

describe('erasure (DELETE /v1/members/{id})', () => {
  const h = hubHarness({
    connectors: [shopify, slack],
    env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET, LOYALTY_MAPPINGS: mappingsDir, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: 'http://slack.test' },
  });

  /** Every text value of every table of the schema, as `table.column: value`. */
  async function allText(): Promise<string[]> {
    const db = h.hub.store.db;
    const out: string[] = [];
    for (const table of Object.values(tablesOf(db))) {
      const columns = Object.entries(getTableColumns(table as never)).filter(([, c]) => (c as { dataType: string }).dataType === 'string');
      if (!columns.length) continue;
      const rows = (await db.select(Object.fromEntries(columns.map(([k, c]) => [k, c])) as never).from(table as never)) as Record<string, string | null>[];
      for (const row of rows) for (const [k, v] of Object.entries(row)) if (v) out.push(`${getTableName(table as never)}.${k}: ${v}`);
    }
    return out;
  }
  const leaks = async () => (await allText()).filter((line) => NEEDLES.some((n) => line.toLowerCase().includes(n.toLowerCase())));

  it('leaves no trace of the person anywhere, and keeps the points under the opaque id', async () => {
    const enrolled = await h.call('POST', '/v1/members', {
      body: { email: EMAIL, phone: PHONE, firstName: FIRST, lastName: LAST, birthDate: '1988-04-02', aliases: [`shopify:${CUSTOMER_ID}`] },
      headers: { 'idempotency-key': 'enroll-zora' },
    });
    expect(enrolled.status).toBe(201);
    const { id } = await json<{ id: string }>(enrolled);

    const paid = await deliver(h, 'shopify', shopifyDelivery('orders/paid', orderBy(CUSTOMER_ID, EMAIL, 910001)));
    expect(paid).toMatchObject({ httpStatus: 200, status: 'accepted' });
    const other = orderBy(555, 'someone.else@example.net', 910002, false);
    const otherAnswer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', other));
    expect(otherAnswer).toMatchObject({ httpStatus: 200, status: 'accepted' });

    expect((await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 10, reason: `goodwill for ${EMAIL.toLowerCase()}, call ${PHONE}` } })).status).toBe(201);
    // The account history keeps a status change's reason as typed: here it names the person.
    expect((await h.call('PATCH', `/v1/members/${id}`, { body: { status: 'suspended', reason: `chargeback by ${EMAIL.toLowerCase()}` } })).status).toBe(200);
    expect((await h.call('PATCH', `/v1/members/${id}`, { body: { status: 'active', reason: 'settled' } })).status).toBe(200);
    await h.hub.notifications.dispatcher.runOnce();
    const dead = await json<{ data: { id: string; memberId: string; lastError: string }[] }>(await h.call('GET', '/v1/deliveries?status=dead'));
    expect(dead.data.some((d) => d.lastError?.toLowerCase().includes('zora.quennell'))).toBe(true);

    const before = await json<{ available: number }>(await h.call('GET', `/v1/members/${id}/balance`));
    const historyBefore = await json<{ data: { amount?: number; points?: number; id: string }[] }>(await h.call('GET', `/v1/members/${id}/transactions`));
    expect(before.available).toBe(209);
    expect(await leaks()).not.toEqual([]); // the scenario did store the person's data

    expect((await h.call('DELETE', `/v1/members/${id}`)).status).toBe(200);

    expect(await leaks()).toEqual([]);
    const inbox = await json<{ data: { id: string; rawBody: string | null; erasedAt: string | null; events: Json[]; outcome: unknown; deliveryId: string; status: string }[] }>(
      await h.call('GET', '/v1/inbox'),
    );
    const erased = inbox.data.find((r) => r.id === paid.inboxId)!;
    expect(erased).toMatchObject({ rawBody: null, erasedAt: expect.any(String), status: 'accepted' });
    expect(erased.events).toEqual([expect.objectContaining({ id: 'shopify:order:910001', type: 'order.paid', order: expect.objectContaining({ amount: 19900, currency: 'USD' }) })]);
    expect(erased.events[0]).not.toHaveProperty('customer');
    expect(JSON.stringify(erased.outcome)).toContain(id);
    const untouched = inbox.data.find((r) => r.id === otherAnswer.inboxId)!;
    expect(untouched).toMatchObject({ rawBody: JSON.stringify(other), erasedAt: null });
    expect(JSON.stringify(untouched.events)).toContain('someone.else@example.net');

    const api = JSON.stringify([inbox, await json(await h.call('GET', '/v1/deliveries')), await json(await h.call('GET', `/v1/members/${id}/transactions`))]);
    for (const n of NEEDLES) expect(api.toLowerCase()).not.toContain(n.toLowerCase());
    expect(await json(await h.call('GET', `/v1/members/${id}/balance`))).toMatchObject({ available: before.available });
    const historyAfter = await json<typeof historyBefore>(await h.call('GET', `/v1/members/${id}/transactions`));
    expect(historyAfter.data.map((t) => [t.id, t.amount ?? t.points])).toEqual(historyBefore.data.map((t) => [t.id, t.amount ?? t.points]));

    // The remembered enrollment answer no longer tells who it was.
    const replayed = await h.call('POST', '/v1/members', {
      body: { email: EMAIL, phone: PHONE, firstName: FIRST, lastName: LAST, birthDate: '1988-04-02', aliases: [`shopify:${CUSTOMER_ID}`] },
      headers: { 'idempotency-key': 'enroll-zora' },
    });
    expect((await replayed.text()).toLowerCase()).not.toContain('quennell');

    // `loyalty-hub replay` skips the erased delivery and says why; nothing is earned again.
    const saved = { ...process.env };
    Object.assign(process.env, { DATABASE_URL: h.database.url, SHOPIFY_API_SECRET: SHOPIFY_SECRET });
    delete process.env.LOYALTY_CONFIG;
    const out: string[] = [];
    const spies = [vi.spyOn(console, 'log'), vi.spyOn(console, 'error')].map((s) => s.mockImplementation((...p: unknown[]) => void out.push(p.join(' '))));
    try {
      expect(await main(['replay', '--status', 'accepted', '--id', paid.inboxId!])).toBe(0);
    } finally {
      for (const s of spies) s.mockRestore();
      process.env = saved;
    }
    expect(out.join('\n')).toMatch(new RegExp(`${paid.inboxId}: the person this delivery was about was erased on .*; skipped`));
    expect(await json(await h.call('GET', `/v1/members/${id}/balance`))).toMatchObject({ available: before.available });
  });

  it('finds a delivery by a short platform customer id as a customer field only, never as a number elsewhere', async () => {
    const mine = orderBy(12, 'x@example.com', 920001, false);
    delete (mine.customer as Json).email;
    mine.email = null;
    mine.contact_email = null;
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', mine));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted' });
    const memberId = answer.outcomes![0]!.memberId!;
    // Another customer's order whose id, line ids and numbers contain 12 everywhere.
    const theirs = { ...orderBy(4412, 'other@example.net', 12, false), order_number: 12, number: 12 };
    const their = await deliver(h, 'shopify', shopifyDelivery('orders/paid', theirs));
    expect(their).toMatchObject({ httpStatus: 200, status: 'accepted' });
    expect((await h.call('DELETE', `/v1/members/${memberId}`)).status).toBe(200);
    const rows = (await json<{ data: { id: string; rawBody: string | null; erasedAt: string | null }[] }>(await h.call('GET', '/v1/inbox'))).data;
    expect(rows.find((r) => r.id === answer.inboxId)).toMatchObject({ rawBody: null, erasedAt: expect.any(String) });
    expect(rows.find((r) => r.id === their.inboxId)).toMatchObject({ rawBody: JSON.stringify(theirs), erasedAt: null });
  });
});
