/**
 * Shopify refunds/create names its lines (`refund_line_items[].line_item_id`): the hub takes
 * back what those lines earned (docs/program.md, "Refunds by line items"). Built from Shopify's
 * own example resources: order_partially_refunded.json (three iPods of 199.00, each less its
 * share of a 10.00 discount) and refund_partial_line_item.json (the red one, line 518995019,
 * 41.94 paid back), signed and delivered to `POST /webhooks/shopify`.
 */
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { parseProgram } from '../../core/program/load-program.js';
import { hubHarness } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from './sign.js';
import { balance, deliver, earnedAndReversed, memberByAlias, onlyOutcome, pointsOf, sample, type Json } from './webhook-helpers.js';

/** 1 point per dollar, and the red iPod earns twice. */
const program = parseProgram(
  [
    'name: red doubles',
    'rules:',
    '  - { id: base, on: order.paid, award: { perCurrencyUnit: 1 } }',
    '  - { id: red-x2, on: order.paid, award: { lineItems: { sku: [IPOD2008RED], multiplier: 2 } } }',
  ].join('\n'),
  'test.yaml',
);
const CUSTOMER = 'shopify:207119551';

/** Shopify's sample order as it was paid, before its refund: 587.00 after discounts. */
function paidOrder(): Json {
  return { ...sample('shopify', 'order_partially_refunded'), financial_status: 'paid', current_subtotal_price: '587.00' };
}

function refund(changes: Json = {}): Json {
  return { ...sample('shopify', 'refund_partial_line_item'), ...changes };
}

describe('Shopify refunds/create with refund_line_items', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET }, program });

  it("the red iPod's refund takes back what that line earned (391), not 41.94's pro-rata share (55)", async () => {
    const paid = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paidOrder()));
    // 587 base points (195 / 196 / 196 by line) + the red line's ×2 bonus (195.67 → 195).
    expect(onlyOutcome(paid)).toMatchObject({ status: 'applied', points: 782 });

    const red = await deliver(h, 'shopify', shopifyDelivery('refunds/create', refund()));
    expect(onlyOutcome(red)).toMatchObject({ status: 'applied', points: -391, detail: 'refunded by line items (IPOD2008RED ×1): 391 of 782 points due back' });
    expect(await pointsOf(h, CUSTOMER)).toBe(391);

    // Shopify retries it: nothing more. A second refund of the same line (another id): nothing more either.
    expect((await deliver(h, 'shopify', shopifyDelivery('refunds/create', refund()))).status).toBe('duplicate');
    const again = await deliver(h, 'shopify', shopifyDelivery('refunds/create', refund({ id: 929361499 })));
    expect(onlyOutcome(again).points).toBe(0);

    // The two other lines: everything the order earned is back, exactly.
    const [line] = refund().refund_line_items as Json[];
    const rest = refund({
      id: 929361500,
      refund_line_items: [
        { ...line, id: 1, line_item_id: 466157049, line_item: { ...(line!.line_item as Json), id: 466157049, sku: 'IPOD2008GREEN' } },
        { ...line, id: 2, line_item_id: 703073504, line_item: { ...(line!.line_item as Json), id: 703073504, sku: 'IPOD2008BLACK' } },
      ],
    });
    expect(onlyOutcome(await deliver(h, 'shopify', shopifyDelivery('refunds/create', rest))).points).toBe(-391);
    const member = (await memberByAlias(h, CUSTOMER))!;
    expect(await balance(h, member.id)).toMatchObject({ available: 0, debt: 0 });
    expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 782, reversed: 782 });
  });

  it('a refund without refund_line_items is still measured by the money paid back', async () => {
    await deliver(h, 'shopify', shopifyDelivery('orders/paid', paidOrder()));
    const byMoney = await deliver(h, 'shopify', shopifyDelivery('refunds/create', refund({ refund_line_items: [] })));
    // ⌊782 × 41.94 / 587.00⌋
    expect(onlyOutcome(byMoney)).toMatchObject({ points: -55, detail: 'refunded 4194 of 58700 USD (minor units): 55 of 782 points due back' });
  });
});
