/**
 * Order identity across an upgrade: a database written before the core derived order keys
 * (tests/fixtures/databases/README.md) holds earns under the keys connectors then built by hand.
 * Today's hub derives the same keys (core/triggers/order-identity.ts), so refunds delivered now
 * take back from those earns, and the orders announced again are the duplicates they are.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import stripe from '../../connectors/stripe/index.js';
import woocommerce from '../../connectors/woocommerce/index.js';
import { createHub, type Hub } from '../../core/hub.js';
import { checkLedgerInvariants } from '../../core/ledger/index.js';
import { silentLogger } from '../../core/observability/logger.js';
import { SHOPIFY_SECRET, STRIPE_SECRET, WOO_SECRET, shopifyDelivery, stripeDelivery, wooDelivery } from '../inbound/sign.js';
import { refundedCharge, stripeEvent, succeededIntent } from '../inbound/stripe-objects.js';
import { onlyOutcome, sample, type WebhookAnswer } from '../inbound/webhook-helpers.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/databases/made-by-c385e46.sqlite', import.meta.url));
let dir: string;
let hub: Hub;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loyalty-hub-upgrade-'));
  const file = join(dir, 'loyalty.db');
  copyFileSync(FIXTURE, file);
  hub = await createHub({
    logger: silentLogger,
    connectors: [shopify, woocommerce, stripe],
    env: { DATABASE_URL: file, ADMIN_API_KEY: 'test-admin-key-0123456789', SHOPIFY_API_SECRET: SHOPIFY_SECRET, WOOCOMMERCE_WEBHOOK_SECRET: WOO_SECRET, STRIPE_WEBHOOK_SECRET: STRIPE_SECRET },
  });
});
afterEach(async () => {
  try {
    expect(await checkLedgerInvariants(hub.store.db)).toEqual([]);
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function send(platform: string, init: RequestInit): Promise<WebhookAnswer> {
  const res = await hub.app.request(`/webhooks/${platform}`, init);
  return { ...((await res.json()) as Omit<WebhookAnswer, 'httpStatus' | 'contentType'>), httpStatus: res.status, contentType: res.headers.get('content-type') };
}

const woo723 = (refunds: unknown[]) => ({ ...sample('woocommerce', 'order_completed_with_refunds'), refunds });

it('takes back refunds delivered today from orders earned before the upgrade', async () => {
  // refund_partial_line_item.json: 41.94 of 199.00 → 41 points.
  expect(onlyOutcome(await send('shopify', shopifyDelivery('refunds/create', sample('shopify', 'refund_partial_line_item'))))).toMatchObject({
    eventId: 'shopify:refund:929361472',
    status: 'applied',
    points: -41,
  });
  // 10.00 of 39.00 → 7 of 29 points.
  const woo = await send('woocommerce', wooDelivery('order.updated', woo723([{ id: 726, refund: '', total: '-10.00' }])));
  expect(woo.outcomes?.map((o) => [o.eventId, o.status, o.points])).toEqual([
    ['woocommerce:order:723', 'duplicate', 29],
    ['woocommerce:refund:726', 'applied', -7],
  ]);
  // 12.60 of 42.00 → 12 of 42 points.
  const stripeRefund = await send('stripe', stripeDelivery(stripeEvent('charge.refunded', refundedCharge(1260), 'evt_after_upgrade_1')));
  expect(onlyOutcome(stripeRefund)).toMatchObject({
    eventId: 'stripe:refund:pi_3PurchaseB7WZ01zgkW0000001:total:1260',
    status: 'applied',
    points: -12,
  });
});

it('answers the orders announced again, under new delivery ids, as duplicates that earn nothing more', async () => {
  const shopifyAgain = await send('shopify', shopifyDelivery('orders/paid', { ...sample('shopify', 'order_paid_with_customer'), id: 450789469 }, 'evt-after-upgrade'));
  const stripeAgain = await send('stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent(), 'evt_after_upgrade_2')));
  for (const answer of [shopifyAgain, stripeAgain]) expect(answer).toMatchObject({ httpStatus: 200, status: 'duplicate' });
  // Delivered anew (the inbox has not seen these ids), found to be the same orders.
  expect(onlyOutcome(shopifyAgain)).toMatchObject({ eventId: 'shopify:order:450789469', status: 'duplicate', points: 199 });
  expect(onlyOutcome(stripeAgain)).toMatchObject({ eventId: 'stripe:order:pi_3PurchaseB7WZ01zgkW0000001', status: 'duplicate', points: 42 });
});
