/**
 * Refunds by line items (docs/program.md, "Refunds by line items"): a refund naming its lines
 * takes back what those lines earned — line rules, their share of multipliers and the tier bonus
 * — not a pro-rata share of the amount; partial quantities take back their share, rounded so
 * that all lines back is exactly everything and never more; the order's rules are judged again
 * on what remains. Through `POST /v1/events`; the ledger invariants are checked after each test.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tablesOf } from '../../core/storage/prepared.js';
import { json } from '../helpers/test-hub.js';
import { programHarness, type ProgramHarness } from './program-harness.js';

const tiers = {
  basis: { window: 'lifetime' },
  levels: [
    { id: 'bronze', name: 'Bronze', threshold: 0 },
    { id: 'silver', name: 'Silver', threshold: 1_000_000, multiplier: '1.25' },
  ],
};
const base = { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } };
const teaTwice = { id: 'tea-x2', on: 'order.paid', award: { lineItems: { sku: ['tea'], multiplier: 2 } } };

/** 40.00 of tea (1 point per unit + the tea ×2 rule: 80) and an 80.00 mug (80): 160 points on 120.00. */
const TEA_AND_MUG = {
  amount: 12_000,
  lineItems: [
    { id: 'l-tea', sku: 'tea', quantity: 2, unitPrice: 2000, total: 4000 },
    { id: 'l-mug', sku: 'mug', quantity: 1, unitPrice: 8000, total: 8000 },
  ],
};

type Line = { lineItemId?: string; sku?: string; quantity: number; amount?: number };

function refundLines(p: ProgramHarness, memberId: string, orderId: string, lineItems: Line[], refundId: string, extra: Record<string, unknown> = {}) {
  return p.post({ type: 'order.refunded', customer: { memberId }, refund: { orderId, refundId, currency: 'USD', lineItems, ...extra } });
}

/** Each refund's reversals as `rule of the earn it undoes → points`, in order. */
async function reversedByRule(p: ProgramHarness, memberId: string): Promise<Record<string, Record<string, number>>> {
  const history = await p.history(memberId);
  const out: Record<string, Record<string, number>> = {};
  for (const t of history.filter((x) => x.kind === 'reverse')) {
    const earn = history.find((x) => x.id === t.reversesId)!;
    const byRule = (out[t.eventId!] ??= {});
    byRule[earn.ruleId!] = (byRule[earn.ruleId!] ?? 0) + t.amount;
  }
  return out;
}

describe('refunds naming their lines', () => {
  const p = programHarness({ returnPolicy: 'within_balance', tiers, rules: [base, teaTwice] });

  it('the tea that earned 80 gives back 80, where a refund of its amount gives back a pro-rata 53', async () => {
    const id = await p.enroll();
    expect((await p.order(id, { id: 'by-line', ...TEA_AND_MUG })).points).toBe(160);
    const byLine = await refundLines(p, id, 'by-line', [{ sku: 'tea', quantity: 2, amount: 4000 }], 'r-tea');
    expect(byLine).toMatchObject({ status: 'accepted', points: -80 });
    expect(byLine.detail).toBe('refunded by line items (tea ×2): 80 of 160 points due back');
    // The tea's base points and its ×2 bonus, each from the earn that gave them.
    expect(await reversedByRule(p, id)).toEqual({ 'api:refund:r-tea': { base: 40, 'tea-x2': 40 } });
    expect((await p.loyaltyEvents('points.reversed', id)).reduce((n, e) => n + (e.data.points as number), 0)).toBe(80);

    // The same refund told by its amount only: the order's share, as before.
    expect((await p.order(id, { id: 'by-amount', ...TEA_AND_MUG })).points).toBe(160);
    expect((await p.refund(id, 'by-amount', { amount: 4000 })).points).toBe(-53);
    expect((await p.balance(id)).available).toBe(320 - 80 - 53);
  });

  it("a line's bonus comes back from the line-rule's earn, named by the platform's line id", async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-1', ...TEA_AND_MUG });
    const mug = await refundLines(p, id, 'o-1', [{ lineItemId: 'l-mug', quantity: 1 }], 'r-mug');
    expect(mug.points).toBe(-80);
    expect(await reversedByRule(p, id)).toEqual({ 'api:refund:r-mug': { base: 80 } });
    // Nothing of the tea's ×2 bonus went with the mug: the tea can still give back its 80.
    expect((await refundLines(p, id, 'o-1', [{ lineItemId: 'l-tea', quantity: 2 }], 'r-tea')).points).toBe(-80);
    expect(await p.balance(id)).toMatchObject({ available: 0, debt: 0 });
  });

  it('partial quantity: 2 of 3 units give back two thirds of the line, rounded down; the last unit the rest', async () => {
    const id = await p.enroll();
    // 125 base points: tea 50 (50.00 of 125.00) + its ×2 bonus 50 = 100; mug 75.
    const order = {
      id: 'o-3',
      amount: 12_500,
      lineItems: [
        { id: 'l-tea', sku: 'tea', quantity: 3, unitPrice: 1700, total: 5000 },
        { id: 'l-mug', sku: 'mug', quantity: 1, unitPrice: 7500, total: 7500 },
      ],
    };
    expect((await p.order(id, order)).points).toBe(175);
    expect((await refundLines(p, id, 'o-3', [{ sku: 'tea', quantity: 2 }], 'r-1')).points).toBe(-66); // ⌊50 × 2/3⌋ + ⌊50 × 2/3⌋
    expect((await refundLines(p, id, 'o-3', [{ sku: 'tea', quantity: 1 }], 'r-2')).points).toBe(-34); // the whole line is back: exactly 100
    expect((await refundLines(p, id, 'o-3', [{ sku: 'mug', quantity: 1 }], 'r-3')).points).toBe(-75);
    expect(await reversedByRule(p, id)).toEqual({
      'api:refund:r-1': { base: 33, 'tea-x2': 33 },
      'api:refund:r-2': { base: 17, 'tea-x2': 17 },
      'api:refund:r-3': { base: 75 },
    });
    expect(await p.balance(id)).toMatchObject({ available: 0, debt: 0 });
  });

  it("the tier multiplier: the tea gives back its 80 and its share of Silver's ×1.25 (20)", async () => {
    const id = await p.enroll();
    await p.setTier(id, 'silver');
    expect((await p.order(id, { id: 'o-s', ...TEA_AND_MUG })).points).toBe(200);
    expect((await refundLines(p, id, 'o-s', [{ sku: 'tea', quantity: 2 }], 'r-tea')).points).toBe(-100);
    expect((await p.balance(id)).available).toBe(100);
  });

  it('every line refunded takes back exactly everything, and the order counts as cancelled', async () => {
    const id = await p.enroll();
    await p.setTier(id, 'silver');
    await p.order(id, { id: 'o-all', ...TEA_AND_MUG });
    const all = await refundLines(p, id, 'o-all', [{ sku: 'tea', quantity: 2 }, { sku: 'mug', quantity: 1 }], 'r-all');
    expect(all.points).toBe(-200);
    expect(await p.balance(id)).toMatchObject({ available: 0, debt: 0 });
    const { orders } = tablesOf(p.h.hub.store.db);
    const [row] = await p.h.hub.store.db.select({ status: orders.status, reversed: orders.reversedPoints }).from(orders).where(eq(orders.key, 'api:order:o-all'));
    expect(row).toMatchObject({ status: 'cancelled' });
    expect(Number(row!.reversed)).toBe(200);
  });

  it('the same line refunded again (another refund, or more units than it had) gives back nothing more', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-2', ...TEA_AND_MUG });
    expect((await refundLines(p, id, 'o-2', [{ sku: 'tea', quantity: 2 }], 'r-a')).points).toBe(-80);
    const again = await refundLines(p, id, 'o-2', [{ sku: 'tea', quantity: 5 }], 'r-b');
    expect(again).toMatchObject({ status: 'accepted', points: 0, detail: 'refunded by line items (tea ×0): 0 of 160 points due back' });
    // The same refund delivered twice is a duplicate.
    expect((await refundLines(p, id, 'o-2', [{ sku: 'tea', quantity: 2 }], 'r-a')).status).toBe('duplicate');
    expect((await p.balance(id)).available).toBe(80);
  });

  it('a refund by amount after one by lines: the larger measure, never more than earned', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-m', ...TEA_AND_MUG });
    expect((await refundLines(p, id, 'o-m', [{ sku: 'tea', quantity: 2, amount: 4000 }], 'r-l')).points).toBe(-80);
    // 4000 + 8000 refunded of 12000: everything.
    expect((await p.refund(id, 'o-m', { amount: 8000 })).points).toBe(-80);
    expect((await p.refund(id, 'o-m', { amount: 1000 })).points).toBe(0);
    expect(await p.balance(id)).toMatchObject({ available: 0, debt: 0 });
  });

  it('an order recorded before line breakdowns existed keeps the pro-rata rule, measured by the lines\' amounts', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-old', ...TEA_AND_MUG });
    // As a database upgraded from before this change has it: no breakdown.
    await p.h.hub.commit('test', async (w) => {
      const { orders } = tablesOf(w.tx);
      await w.tx.update(orders).set({ breakdown: null }).where(eq(orders.key, 'api:order:o-old'));
    });
    const old = await refundLines(p, id, 'o-old', [{ sku: 'tea', quantity: 2, amount: 4000 }], 'r-old');
    expect(old).toMatchObject({ points: -53, detail: 'refunded 4000 of 12000 USD (minor units): 53 of 160 points due back' });
  });

  it('a line the order does not have: the refund is measured by its amount, and says why', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-x', ...TEA_AND_MUG });
    const unknown = await refundLines(p, id, 'o-x', [{ sku: 'teapot', quantity: 1, amount: 4000 }], 'r-x');
    expect(unknown.points).toBe(-53);
    expect(unknown.detail).toBe('refunded 4000 of 12000 USD (minor units): 53 of 160 points due back; measured by amount: SKU teapot not in the order');
  });

  it('a refund that arrives before its order waits, then takes back what its lines earned', async () => {
    const id = await p.enroll();
    expect((await refundLines(p, id, 'o-late', [{ sku: 'tea', quantity: 2 }], 'r-early')).status).toBe('parked');
    const order = await p.order(id, { id: 'o-late', ...TEA_AND_MUG });
    expect(order.points).toBe(160 - 80);
    expect((await p.balance(id)).available).toBe(80);
  });

  it('refuses a refunded line that names neither its id nor its SKU, writing nothing', async () => {
    const id = await p.enroll();
    const res = await p.h.call('POST', '/v1/events', {
      scope: 'write',
      body: { type: 'order.refunded', customer: { memberId: id }, refund: { orderId: 'o-1', refundId: 'r-bad', currency: 'USD', lineItems: [{ quantity: 1 }] } },
    });
    expect(res.status).toBe(400);
    const problem = await json<{ errors: { pointer: string }[] }>(res);
    expect(problem.errors.map((e) => e.pointer)).toContain('/refund/lineItems/0/lineItemId');
    expect(await p.loyaltyEvents('points.reversed')).toEqual([]);
  });

  it('lines posted as SPEC §4 names them (quantity and unit price, no total) earn and refund on quantity × unit price', async () => {
    const id = await p.enroll();
    const lineItems = TEA_AND_MUG.lineItems.map(({ total: _total, ...line }) => line);
    expect((await p.order(id, { id: 'no-totals', amount: 12_000, lineItems })).points).toBe(160);
    expect((await refundLines(p, id, 'no-totals', [{ lineItemId: 'l-tea', quantity: 1 }], 'r-one-tea')).points).toBe(-40);
  });

  it('refuses a line whose quantity × unit price is past an integer of minor units, unless it gives its total', async () => {
    const id = await p.enroll();
    const huge = { sku: 'tea', quantity: 1_000_000, unitPrice: Number.MAX_SAFE_INTEGER };
    const res = await p.h.call('POST', '/v1/events', {
      scope: 'write',
      body: { type: 'order.paid', customer: { memberId: id }, order: { id: 'huge', currency: 'USD', amount: 100, lineItems: [huge] } },
    });
    expect(res.status).toBe(400);
    expect((await json<{ errors: { pointer: string }[] }>(res)).errors.map((e) => e.pointer)).toContain('/order/lineItems/0/total');
    expect((await p.balance(id)).available).toBe(0);
  });
});

describe('order-level awards: judged again on what remains of the order', () => {
  // A threshold bonus: 50 points on orders of 100.00 or more.
  const bigBasket = { id: 'big-basket', on: 'order.paid', if: { minAmount: { amount: '100.00', currency: 'USD' } }, award: { fixed: 50 } };
  const p = programHarness({ returnPolicy: 'within_balance', tiers, rules: [base, teaTwice, bigBasket] });

  it('refunding the mug leaves 40.00: the bonus no longer applies and comes back whole, with its tier share', async () => {
    const id = await p.enroll();
    await p.setTier(id, 'silver');
    // (120 + 40 + 50) × 1.25 = 262
    expect((await p.order(id, { id: 'o-b', ...TEA_AND_MUG })).points).toBe(262);
    const mug = await refundLines(p, id, 'o-b', [{ sku: 'mug', quantity: 1 }], 'r-mug');
    // The mug's 80 and the bonus's 50, each with its share of the tier's 52 (split over the
    // shares 40 / 80 / 40 / 50 by largest remainder: 10 / 20 / 10 / 12): 100 + 62.
    expect(mug.points).toBe(-162);
    expect(await reversedByRule(p, id)).toEqual({ 'api:refund:r-mug': { base: 80, 'big-basket': 50, 'tier:silver': 32 } });
    expect(mug.detail).toContain('what remains no longer earns rule big-basket (order amount 4000 is below the minimum 10000 (minor units))');
    // The tea then gives back the rest: exactly everything.
    expect((await refundLines(p, id, 'o-b', [{ sku: 'tea', quantity: 2 }], 'r-tea')).points).toBe(-100);
    expect(await p.balance(id)).toMatchObject({ available: 0, debt: 0 });
  });

  it('while what remains still qualifies, the bonus stays; the last line takes it back', async () => {
    const id = await p.enroll();
    const order = { id: 'o-c', amount: 16_000, lineItems: [...TEA_AND_MUG.lineItems, { id: 'l-pot', sku: 'pot', quantity: 1, unitPrice: 4000, total: 4000 }] };
    // 160 base + 40 tea bonus + 50
    expect((await p.order(id, order)).points).toBe(250);
    expect((await refundLines(p, id, 'o-c', [{ sku: 'tea', quantity: 2 }], 'r-1')).points).toBe(-80); // 120.00 remain
    expect((await refundLines(p, id, 'o-c', [{ sku: 'pot', quantity: 1 }], 'r-2')).points).toBe(-40 - 50); // 80.00 remain: below
    expect((await refundLines(p, id, 'o-c', [{ sku: 'mug', quantity: 1 }], 'r-3')).points).toBe(-80);
    expect(await p.balance(id)).toMatchObject({ available: 0, debt: 0 });
  });
});
