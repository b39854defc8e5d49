/**
 * The audit's input findings (docs/security.md, "Input"): what the management API refuses, and
 * that concurrent identical writes get the same answer on both backends.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { createHub } from '../../core/hub.js';
import { silentLogger } from '../../core/observability/logger.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { deliver, expectRejected, inbox, sample } from '../inbound/webhook-helpers.js';
import { hubHarness, json, type HubHarness } from '../helpers/test-hub.js';
import { tempDatabase } from '../helpers/temp-database.js';
import { rowCounts } from './row-counts.js';

type Body = Record<string, unknown>;
type Problem = { type: string; status: number; errors?: { pointer: string; in: string; message: string }[] };

const counts = (h: HubHarness) => rowCounts(h.hub.store.db);

/** A refusal a client can act on: 400 problem+json naming the field. */
async function expectFieldProblem(res: Response, pointer: string, part = 'body'): Promise<Problem> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const problem = await json<Problem>(res);
  expect(problem.errors?.map((e) => [e.in, e.pointer])).toContainEqual([part, pointer]);
  return problem;
}

describe('concurrent identical resolutions answer like the first one', () => {
  const h = hubHarness();

  async function member(points: number): Promise<string> {
    const m = await json(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com' } }));
    expect((await h.call('POST', `/v1/members/${m.id as string}/adjustments`, { body: { points, reason: 'test credit' } })).status).toBe(201);
    return m.id as string;
  }
  const lockOf = async (id: string, points: number) => json(await h.call('POST', `/v1/members/${id}/locks`, { scope: 'write', body: { points } }));
  const fifty = (call: () => Promise<Response>) => Promise.all(Array.from({ length: 50 }, call));
  async function sameSuccess(results: Response[]): Promise<Body[]> {
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const bodies = await Promise.all(results.map((r) => json(r)));
    expect(new Set(bodies.map((b) => (b.transaction as Body).id)).size).toBe(1);
    return bodies;
  }
  const balance = async (id: string) => json(await h.call('GET', `/v1/members/${id}/balance`));

  it('50 concurrent captures of one lock: all 200 with one transaction; a different amount afterwards is refused', async () => {
    const id = await member(500);
    const lock = await lockOf(id, 300);
    await sameSuccess(await fifty(() => h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write' })));
    expect(await balance(id)).toMatchObject({ available: 200, locked: 0, spent: 300 });
    const other = await h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write', body: { points: 100 } });
    expect(other.status).toBe(409);
    expect(await balance(id)).toMatchObject({ available: 200, locked: 0, spent: 300 });
  });

  it('50 concurrent partial captures with the same amount: all 200 with one transaction', async () => {
    const id = await member(500);
    const lock = await lockOf(id, 300);
    await sameSuccess(await fifty(() => h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write', body: { points: 120 } })));
    expect(await balance(id)).toMatchObject({ available: 380, locked: 0, spent: 120 });
  });

  it('50 concurrent releases of one lock: all 200 with one transaction', async () => {
    const id = await member(500);
    const lock = await lockOf(id, 300);
    await sameSuccess(await fifty(() => h.call('POST', `/v1/locks/${lock.id as string}/release`, { scope: 'write' })));
    expect(await balance(id)).toMatchObject({ available: 500, locked: 0, spent: 0 });
    expect((await h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write' })).status).toBe(409);
  });

  it('50 concurrent reversals of one redemption: all 200 with one transaction, points back once', async () => {
    const id = await member(500);
    const reward = await json(await h.call('POST', '/v1/rewards', { body: { name: 'Free coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100, stock: 5 } }));
    const redeemed = await json(await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: reward.id } }));
    await sameSuccess(await fifty(() => h.call('POST', `/v1/redemptions/${redeemed.id as string}/reverse`, { scope: 'write' })));
    expect(await balance(id)).toMatchObject({ available: 500, spent: 0 });
    expect((await json(await h.call('GET', `/v1/rewards/${reward.id as string}`))).stock).toBe(5);
  });
});

describe('text the hub refuses, the same on both backends', () => {
  const h = hubHarness();

  async function member(): Promise<string> {
    const res = await h.call('POST', '/v1/members', { body: { email: 'ann@example.com' } });
    expect(res.status).toBe(201);
    return (await json(res)).id as string;
  }

  it('a NUL in any text field is a 400 naming the field, and nothing is written', async () => {
    const id = await member();
    const cases: [method: string, path: string, body: Body, pointer: string][] = [
      ['POST', '/v1/members', { email: 'bob@example.com', firstName: 'Bo\u0000b' }, '/firstName'],
      ['PATCH', `/v1/members/${id}`, { lastName: 'Smith\u0000' }, '/lastName'],
      ['POST', `/v1/members/${id}/adjustments`, { points: 10, reason: 'good\u0000will' }, '/reason'],
      ['POST', '/v1/rewards', { name: 'Free\u0000coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100 }, '/name'],
      ['POST', '/v1/events', { type: 'activity', id: 'evt-\u0000', name: 'review.posted', customer: { memberId: id } }, '/id'],
      ['POST', '/v1/segments', { id: 'vip', name: 'VIP', description: 'big\u0000spenders' }, '/description'],
      ['POST', '/v1/webhook-endpoints', { url: 'https://example.com/hook', description: 'crm\u0000' }, '/description'],
      ['POST', '/v1/members', { email: 'cy@example.com', attributes: { note: ['x', 'y\u0000'] } }, '/attributes/note/1'],
      ['POST', '/v1/members', { email: 'di@example.com', idempotencyKey: 'k\u0000' }, '/idempotencyKey'],
    ];
    for (const [method, path, body, pointer] of cases) {
      const before = await counts(h);
      const problem = await expectFieldProblem(await h.call(method, path, { body }), pointer);
      expect(problem.errors!.find((e) => e.pointer === pointer)!.message).toContain('NUL');
      expect(await counts(h)).toEqual(before);
    }
  });

  it('a NUL in a path or query parameter is a 400 too (PostgreSQL would fail on it)', async () => {
    await expectFieldProblem(await h.call('GET', '/v1/members/mem%00x'), '/id', 'path');
    await expectFieldProblem(await h.call('POST', '/v1/locks/lk%00/capture', { scope: 'write' }), '/id', 'path');
    await expectFieldProblem(await h.call('GET', '/v1/members?email=a%00b@example.com'), '/email', 'query');
  });

  it('control and bidi characters are refused; tab and line breaks in free text are kept', async () => {
    const id = await member();
    const refused = ['\u0007', '\u001b[31m', '\u007f', '\u0085', '\u202e', '\u202a', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c'];
    for (const ch of refused) {
      const before = await counts(h);
      await expectFieldProblem(await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 10, reason: `goodwill ${ch}x` } }), '/reason');
      await expectFieldProblem(await h.call('POST', '/v1/members', { body: { email: 'eve@example.com', firstName: `E${ch}ve` } }), '/firstName');
      expect(await counts(h)).toEqual(before);
    }
    const kept = await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 10, reason: 'line one\n\tline two\r\n' } });
    expect(kept.status).toBe(201);
    expect(((await json(kept)).transaction as Body).reason).toBe('line one\n\tline two\r\n');
  });

  it('a lone surrogate is refused rather than stored as U+FFFD; a real pair is kept', async () => {
    const id = await member();
    const before = await counts(h);
    const raw = (reason: string) => h.call('POST', `/v1/members/${id}/adjustments`, { body: `{"points":10,"reason":"${reason}"}` });
    const problem = await expectFieldProblem(await raw('thanks \\ud800 again'), '/reason');
    expect(problem.errors![0]!.message).toContain('lone surrogate');
    await expectFieldProblem(await raw('thanks \\udfff'), '/reason');
    expect(await counts(h)).toEqual(before);
    const pair = await raw('thanks \\ud83d\\ude00');
    expect(pair.status).toBe(201);
    expect(((await json(pair)).transaction as Body).reason).toBe('thanks \u{1F600}');
  });

  it('a field name with refused characters, or nesting past 32 levels, is refused', async () => {
    const before = await counts(h);
    const res = await h.call('POST', '/v1/members', { body: { email: 'f@example.com', attributes: { 'a\u202eb': 1 } } });
    expect(res.status).toBe(400);
    expect((await json<Problem>(res)).errors![0]!.message).toContain('field name');
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const nested = await h.call('POST', '/v1/members', { body: { email: 'g@example.com', attributes: { deep } } });
    expect(nested.status).toBe(400);
    expect((await json<Problem>(nested)).errors![0]!.message).toContain('nested');
    expect(await counts(h)).toEqual(before);
  });
});

describe('values that only look right', () => {
  const h = hubHarness();

  async function member(): Promise<string> {
    const res = await h.call('POST', '/v1/members', { body: { email: 'ann@example.com' } });
    return (await json(res)).id as string;
  }

  it('a currency that is not ISO 4217 (ZZZ) earns nothing and is refused everywhere money is', async () => {
    const id = await member();
    const before = await counts(h);
    const order = { type: 'order.paid', customer: { memberId: id }, order: { id: 'o-1', currency: 'ZZZ', amount: 10_000 } };
    await expectFieldProblem(await h.call('POST', '/v1/events', { body: order }), '/order/currency');
    await expectFieldProblem(await h.call('POST', '/v1/evaluate', { body: { event: order } }), '/event/order/currency');
    await expectFieldProblem(await h.call('POST', `/v1/members/${id}/points-payment-quote`, { body: { amount: 100, currency: 'zzz' } }), '/currency');
    await expectFieldProblem(
      await h.call('POST', '/v1/rewards', { body: { name: 'Ten off', kind: 'fixed_discount', value: 1000, currency: 'ZZZ', cost: 100 } }),
      '/currency',
    );
    expect(await counts(h)).toEqual(before);
    const usd = await h.call('POST', '/v1/events', { body: { ...order, order: { ...order.order, currency: 'usd' } } });
    expect(usd.status).toBe(201);
  });

  it('a credit that would expire in the past (1970, or a second ago) is refused; one ahead is taken', async () => {
    const id = await member();
    const before = await counts(h);
    const adjust = (expiresAt: string) => h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 100, reason: 'goodwill', expiresAt } });
    await expectFieldProblem(await adjust('1970-01-01T00:00:00Z'), '/expiresAt');
    await expectFieldProblem(await adjust(new Date(h.clock() - 1000).toISOString()), '/expiresAt');
    expect(await counts(h)).toEqual(before);
    expect((await adjust(new Date(h.clock() + 86_400_000).toISOString())).status).toBe(201);
  });

  it('a reward that is over before it starts, or for a tier the program lacks, is refused', async () => {
    const base = { name: 'Free coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100 };
    const before = await counts(h);
    await expectFieldProblem(await h.call('POST', '/v1/rewards', { body: { ...base, validUntil: '2001-01-01T00:00:00Z' } }), '/validUntil');
    await expectFieldProblem(await h.call('POST', '/v1/rewards', { body: { ...base, tiers: ['gold', 'platinum'] } }), '/tiers/1');
    expect(await counts(h)).toEqual(before);
    const created = await h.call('POST', '/v1/rewards', { body: { ...base, tiers: ['gold'] } });
    expect(created.status).toBe(201);
    const rewardId = (await json(created)).id as string;
    await expectFieldProblem(await h.call('PATCH', `/v1/rewards/${rewardId}`, { body: { tiers: ['diamond'] } }), '/tiers/0');
  });

  it('a change that leaves a reward without what its kind needs is refused, and the reward is unchanged', async () => {
    const created = await h.call('POST', '/v1/rewards', { body: { name: '10 % off', kind: 'percentage_discount', percent: 10, cost: 300 } });
    expect(created.status).toBe(201);
    const reward = await json(created);
    const patch = (body: object) => h.call('PATCH', `/v1/rewards/${reward.id as string}`, { body });
    // A percent taken away, and a kind changed to one that needs a value and a currency.
    const dropped = await expectFieldProblem(await patch({ percent: null }), '/percent');
    expect(dropped.errors![0]!.message).toBe('a percentage_discount reward needs percent');
    const fixed = await expectFieldProblem(await patch({ kind: 'fixed_discount', cost: 500 }), '/value');
    expect(fixed.errors!.map((e) => e.pointer)).toEqual(['/value', '/currency']);
    expect(await json(await h.call('GET', `/v1/rewards/${reward.id as string}`))).toEqual(reward);
    // With what the new kind needs, the same change is taken.
    const taken = await patch({ kind: 'fixed_discount', value: 500, currency: 'EUR', cost: 500 });
    expect(taken.status).toBe(200);
    expect(await json(taken)).toMatchObject({ kind: 'fixed_discount', value: 500, currency: 'EUR', cost: 500 });
  });

  it('a tier the program does not have is refused by evaluate and by a manual tier', async () => {
    const id = await member();
    const event = { type: 'order.paid', customer: { email: 'new@example.com' }, order: { id: 'o-2', currency: 'USD', amount: 10_000 } };
    const problem = await expectFieldProblem(await h.call('POST', '/v1/evaluate', { body: { event, tier: 'platinum' } }), '/tier');
    expect(problem.errors![0]!.message).toContain('bronze, silver, gold');
    const gold = await h.call('POST', '/v1/evaluate', { body: { event, tier: 'gold' } });
    expect(gold.status).toBe(200);
    expect((await json(gold)).tier).toBe('gold');
    await expectFieldProblem(await h.call('PATCH', `/v1/members/${id}`, { body: { tier: 'platinum' } }), '/tier');
    expect((await h.call('PATCH', `/v1/members/${id}`, { body: { tier: 'silver' } })).status).toBe(200);
  });
});

describe('POST /v1/events needs an id for what has none of its own', () => {
  const h = hubHarness();

  it('an activity without id or Idempotency-Key is a 400 naming both; with one, a retry earns once', async () => {
    const m = await json(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com' } }));
    const activity = { type: 'activity', name: 'review.posted', customer: { memberId: m.id } };
    const before = await counts(h);
    for (const body of [activity, { type: 'customer.updated', customer: { memberId: m.id } }]) {
      const res = await h.call('POST', '/v1/events', { scope: 'write', body });
      const problem = await expectFieldProblem(res, '/id');
      expect(problem.errors!.map((e) => [e.in, e.pointer])).toContainEqual(['header', '/idempotency-key']);
    }
    expect(await counts(h)).toEqual(before);
    const first = await h.call('POST', '/v1/events', { scope: 'write', body: activity, headers: { 'idempotency-key': 'review-77' } });
    expect(first.status).toBe(201);
    const earned = ((await json(first)).points as number) ?? 0;
    const retry = await h.call('POST', '/v1/events', { scope: 'write', body: activity, headers: { 'idempotency-key': 'review-77' } });
    expect(retry.status).toBeLessThan(300);
    const withId = await h.call('POST', '/v1/events', { scope: 'write', body: { ...activity, id: 'review-77' } });
    expect(withId.status).toBe(200);
    expect((await json(withId)).status).toBe('duplicate');
    const balance = await json(await h.call('GET', `/v1/members/${m.id as string}/balance`));
    expect((balance.available as number) + (balance.pending as number)).toBe(earned);
    // An order needs no separate id: the order id is its identity.
    const order = { type: 'order.paid', customer: { memberId: m.id }, order: { id: 'o-9', currency: 'USD', amount: 5000 } };
    expect((await h.call('POST', '/v1/events', { scope: 'write', body: order })).status).toBe(201);
    expect((await h.call('POST', '/v1/events', { scope: 'write', body: order })).status).toBe(200);
  });
});

describe('webhooks with text the hub refuses', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });
  const paidOrder = (changes: Body = {}) => ({ ...sample('shopify', 'order_paid_with_customer'), ...changes });

  /** A Shopify delivery of exactly these bytes, signed over them. */
  function rawDelivery(bytes: Buffer): RequestInit {
    const init = shopifyDelivery('orders/paid', '{}');
    const headers = { ...(init.headers as Record<string, string>), 'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(bytes).digest('base64') };
    return { ...init, headers, body: new Uint8Array(bytes) };
  }

  it('a signed order with NUL in first_name is rejected (400, inbox row), not a 500 forever', async () => {
    const order = paidOrder();
    const customer = { ...(order.customer as Body), first_name: 'Ann\u0000' };
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', { ...order, customer }));
    await expectRejected(h, 'shopify', answer, '/events/0/customer/firstName');
  });

  it('a bidi override or a lone surrogate in a customer name is rejected the same way', async () => {
    const order = paidOrder();
    const text = JSON.stringify({ ...order, customer: { ...(order.customer as Body), last_name: 'PLACEHOLDER' } }).replace('PLACEHOLDER', 'Smith\\ud800');
    await expectRejected(h, 'shopify', await deliver(h, 'shopify', shopifyDelivery('orders/paid', text)), '/events/0/customer/lastName');
  });

  it('an order in ZZZ is rejected at /currency', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paidOrder({ currency: 'ZZZ', presentment_currency: 'ZZZ' })));
    await expectRejected(h, 'shopify', answer, '/currency');
  });

  it('a raw body with a literal 0x00 byte is kept as rejected, with U+FFFD in its place; invalid UTF-8 is stored too', async () => {
    const text = JSON.stringify(paidOrder({ note: 'PLACEHOLDER' })).replace('PLACEHOLDER', 'gift\u0000wrap');
    const answer = await deliver(h, 'shopify', rawDelivery(Buffer.from(text, 'utf8')));
    expect(answer.httpStatus).toBe(400);
    const [row] = await inbox(h);
    expect(row!.status).toBe('rejected');
    expect(row!.rawBody).toContain('gift\uFFFDwrap');
    // Invalid UTF-8 is U+FFFD once decoded: stored, and the order is processed.
    const [head, tail] = JSON.stringify(paidOrder({ id: 4242, note: 'PLACEHOLDER' })).split('PLACEHOLDER');
    const bytes = Buffer.concat([Buffer.from(head!), Buffer.from([0x67, 0xff, 0xfe, 0x68]), Buffer.from(tail!)]);
    expect((await deliver(h, 'shopify', rawDelivery(bytes))).httpStatus).toBe(200);
    const accepted = (await inbox(h)).find((r) => r.status === 'accepted');
    expect(accepted!.rawBody).toContain('g\uFFFD\uFFFDh');
  });
});

describe('request bodies over the limit', () => {
  const h = hubHarness();
  const big = (bytes: number) => JSON.stringify({ event: { type: 'activity', name: 'x', customer: { email: 'a@example.com' }, attributes: { pad: 'x'.repeat(bytes) } } });

  it('a body over 1 MiB is answered 413 from its Content-Length, before it is read', async () => {
    const body = big(2 * 1024 * 1024);
    const res = await h.call('POST', '/v1/evaluate', { body, headers: { 'content-length': String(Buffer.byteLength(body)) } });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await json<Problem>(res)).type).toBe('/problems/payload-too-large');
    expect((await h.call('POST', '/v1/evaluate', { scope: 'read', body: big(900 * 1024) })).status).toBe(200);
  });

  it('a chunked body (no Content-Length) is cut off once it passes 1 MiB', async () => {
    let sent = 0;
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 100 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await h.hub.app.request('/v1/evaluate', {
      method: 'POST',
      body: stream,
      headers: { authorization: `Bearer ${h.keys.read}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('MAX_BODY_BYTES', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET, MAX_BODY_BYTES: '4000' } });

  it('sets the limit for /v1 and for webhooks alike', async () => {
    const pad = (n: number) => ({ email: 'a@example.com', attributes: { pad: 'x'.repeat(n) } });
    expect((await h.call('POST', '/v1/members', { body: pad(5000) })).status).toBe(413);
    expect((await h.call('POST', '/v1/members', { body: pad(3000) })).status).toBe(201);
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', { id: 1, note: 'x'.repeat(5000) }));
    expect(answer.httpStatus).toBe(413);
  });
});

describe('MAX_BODY_BYTES at start-up', () => {
  async function start(env: Record<string, string>) {
    const database = await tempDatabase();
    try {
      const hub = await createHub({ logger: silentLogger, connectors: [], env: { DATABASE_URL: database.url, ADMIN_API_KEY: 'test-admin-key-0123456789', ...env } });
      return hub;
    } finally {
      await database.dispose().catch(() => undefined);
    }
  }

  it('a value that is not a positive number of bytes stops the hub, naming the variable', async () => {
    await expect(start({ MAX_BODY_BYTES: '1MB' })).rejects.toThrow(/MAX_BODY_BYTES/);
    await expect(start({ MAX_BODY_BYTES: '0' })).rejects.toThrow(/MAX_BODY_BYTES/);
    await expect(start({ WEBHOOK_BODY_LIMIT_BYTES: '-5' })).rejects.toThrow(/WEBHOOK_BODY_LIMIT_BYTES/);
  });
});

describe('WEBHOOK_BODY_LIMIT_BYTES, the former name', () => {
  const h = hubHarness({ env: { WEBHOOK_BODY_LIMIT_BYTES: '4000' } });

  it('still sets the limit when MAX_BODY_BYTES is unset', async () => {
    expect((await h.call('POST', '/v1/members', { body: { email: 'a@example.com', attributes: { pad: 'x'.repeat(5000) } } })).status).toBe(413);
  });
});
