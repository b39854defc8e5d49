/**
 * The Magento handler alone (no hub): the signature scheme and the key it is given, what each
 * delivery kind is read as, and the answer Adobe Commerce waits for. The whole path through the
 * hub is tests/inbound/magento-webhook.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import magento from '../../connectors/magento/index.js';
import { readPublicKey } from '../../connectors/magento/signature.js';
import { connectorStatus, type InboundHandler, type InboundRequest, type NormalizeResult } from '../../core/connectors/definition.js';
import { silentLogger } from '../../core/observability/logger.js';
import { identifyTrigger, type PlatformTrigger } from '../../core/triggers/order-identity.js';
import { BIN } from '../helpers/hub-process.js';
import { MAGENTO_PUBLIC_KEY, commerceHook, commerceSignature, notification, order, paidOrder } from '../inbound/magento-deliveries.js';
import type { Json } from '../inbound/webhook-helpers.js';
import { inboundServices } from '../helpers/inbound-services.js';

/** The example key of Adobe's signature verification page (see the fixture README). */
const ADMIN_EXAMPLE_KEY = readFileSync(new URL('../fixtures/platform-samples/magento/admin_public_key_example.pem', import.meta.url), 'utf8');

function handler(env: Record<string, string> = {}): InboundHandler {
  return magento.createInbound!({ MAGENTO_WEBHOOK_PUBLIC_KEY: MAGENTO_PUBLIC_KEY, ...env }, inboundServices(silentLogger));
}

/** A delivery as the core hands it over, signed as Commerce signs unless told otherwise. */
function delivery(payload: Json | string, signature?: string | null): InboundRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const header = signature === undefined ? commerceSignature(body) : signature;
  return {
    method: 'POST',
    url: 'https://loyalty.example.com/webhooks/magento',
    headers: new Headers({ 'content-type': 'application/json', ...(header === null ? {} : { 'x-adobe-commerce-webhook-signature': header }) }),
    rawBody: Buffer.from(body, 'utf8'),
    body,
  };
}

function onlyEvent(result: NormalizeResult) {
  expect(result.status).toBe('events');
  const events = (result as { events: PlatformTrigger[] }).events;
  expect(events).toHaveLength(1);
  return identifyTrigger(events[0]!);
}

describe('the public key MAGENTO_WEBHOOK_PUBLIC_KEY', () => {
  it('reads the PEM as the Admin shows it (Adobe\'s example key: RSA 2048)', () => {
    const key = readPublicKey(ADMIN_EXAMPLE_KEY);
    expect('key' in key && key.key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('reads it written on one line with \\n escapes, as an .env value often is', async () => {
    const oneLine = MAGENTO_PUBLIC_KEY.trim().replace(/\n/g, '\\n');
    const body = JSON.stringify(commerceHook('sales_order_save_after', { order: paidOrder() }));
    expect(await handler({ MAGENTO_WEBHOOK_PUBLIC_KEY: oneLine }).verify(delivery(body))).toEqual({ ok: true });
  });

  it.each([
    ['a key pasted without its BEGIN line', 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtglXYVz5pVn3HDluGG5T', /is not a PEM public key/],
    ['a truncated PEM', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0B\n-----END PUBLIC KEY-----', /is not a readable PEM public key/],
    ['an EC key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(), /is an ec key; Adobe Commerce signs with RSA/],
  ])('refuses every delivery, saying why, with %s', async (_what, pem, reason) => {
    const verdict = await handler({ MAGENTO_WEBHOOK_PUBLIC_KEY: pem }).verify(delivery(commerceHook('sales_order_save_after', { order: paidOrder() })));
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });
});

describe('the signature x-adobe-commerce-webhook-signature', () => {
  it('is verified over the exact bytes Commerce sent, PHP\'s escaped slashes and unicode included', async () => {
    const phpJson = '{"eventName":"sales_order_save_after","data":{"order":{"entity_id":3,"store_name":"Main Website\\/Caf\\u00e9"}}}';
    expect(await handler().verify(delivery(phpJson))).toEqual({ ok: true });
    expect(await handler().verify(delivery(JSON.stringify(JSON.parse(phpJson)), commerceSignature(phpJson)))).toMatchObject({ ok: false });
  });

  it('refuses a signature of the wrong length before verifying it', async () => {
    const verdict = await handler().verify(delivery(commerceHook('sales_order_save_after', {}), Buffer.alloc(64).toString('base64')));
    expect(verdict).toEqual({ ok: false, reason: 'x-adobe-commerce-webhook-signature is 64 bytes; the configured key signs 256' });
  });
});

describe('reading deliveries', () => {
  it('names the topic by the observer event (prefix dropped) or the notification event; no delivery id', () => {
    const h = handler();
    expect(h.topic(delivery(commerceHook('observer.sales_order_invoice_pay', {})))).toBe('sales_order_invoice_pay');
    expect(h.topic(delivery(notification('creditmemo.refunded', { creditmemo_id: 1 })))).toBe('creditmemo.refunded');
    expect(h.topic(delivery('not json'))).toBeUndefined();
    expect(h.deliveryId(delivery(commerceHook('sales_order_save_after', {})))).toBeUndefined();
  });

  it('reads an order as a webhook serializes collections (items keyed by id, amounts as 4-place strings), without child lines', async () => {
    const paid = paidOrder({
      grand_total: '58.0400',
      total_paid: '58.0400',
      shipping_amount: '5.0000',
      tax_amount: '4.2900',
      coupon_code: 'WELCOME10',
      items: {
        '1': { item_id: 1, sku: 'MH01', product_id: 67, qty_ordered: '1.0000', price: '52.0000', row_total: '52.0000', discount_amount: '5.2000' },
        '2': { item_id: 2, parent_item_id: 1, sku: 'MH01-S-Gray', product_id: 56, qty_ordered: '1.0000', price: '0.0000', row_total: '0.0000' },
      },
    });
    const event = onlyEvent(await handler().normalize(delivery(commerceHook('sales_order_save_after', { order: paid }))));
    expect(event).toMatchObject({
      id: 'magento:order:3',
      customer: { platformId: '3', email: 'jdoe@example.com', firstName: 'Jane', lastName: 'Doe', phone: '512-555-1111' },
      order: { currency: 'USD', amount: 4875, total: 5804, discountCodes: ['WELCOME10'], lineItems: [{ id: '1', sku: 'MH01', productId: '67', quantity: 1, unitPrice: 5200, total: 4680 }] },
      occurredAt: Date.parse('2017-08-21T22:22:20Z'),
    });
  });

  it('hands a guest checkout over without a platform id, by e-mail', async () => {
    const guest = paidOrder({ customer_id: null, customer_is_guest: 1 });
    const event = onlyEvent(await handler().normalize(delivery(commerceHook('sales_order_save_after', { order: guest }))));
    expect(event.customer).toEqual({ email: 'jdoe@example.com', phone: '512-555-1111', firstName: 'Jane', lastName: 'Doe' });
  });

  it('converts with the currency\'s exponent: 10000 JPY earns on 9500 after 500 shipping', async () => {
    const yen = paidOrder({ order_currency_code: 'JPY', grand_total: 10000, total_paid: 10000, shipping_amount: 500 });
    expect(onlyEvent(await handler().normalize(delivery(commerceHook('sales_order_save_after', { order: yen }))))).toMatchObject({ order: { currency: 'JPY', amount: 9500 } });
  });

  it('ignores events it does not use, and an invoice when it cannot read the order (no REST access)', async () => {
    expect(await handler().normalize(delivery(commerceHook('catalog_product_save_after', {})))).toMatchObject({ status: 'ignored' });
    const invoice = { order_id: 3, state: 2, order_currency_code: 'USD', grand_total: 165 };
    expect(await handler().normalize(delivery(commerceHook('sales_order_invoice_pay', { invoice })))).toEqual({
      status: 'ignored',
      reason: expect.stringMatching(/set MAGENTO_API_URL and MAGENTO_ACCESS_TOKEN/),
    });
    expect((await handler().normalize(delivery(commerceHook('sales_order_save_after', { order: order() })))).status).toBe('ignored');
  });
});

describe('the answer Adobe Commerce waits for', () => {
  const hook = delivery(commerceHook('sales_order_save_after', { order: paidOrder() }));

  it.each(['accepted', 'duplicate', 'ignored'])('is exactly 200 {"op":"success"} for a webhook the hub took (%s)', async (status) => {
    const res = handler().acknowledge!(hook, { status })!;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ op: 'success' });
  });

  it('is the hub\'s own answer for refusals and for thin notifications', () => {
    expect(handler().acknowledge!(hook, { status: 'rejected' })).toBeUndefined();
    expect(handler().acknowledge!(hook, { status: 'failed' })).toBeUndefined();
    expect(handler().acknowledge!(delivery(notification('order.paid', { order_id: 3 })), { status: 'accepted' })).toBeUndefined();
  });
});

describe('the start-up listing', () => {
  it('is enabled with the public key alone, and names it while it is missing', () => {
    expect(connectorStatus(magento, {})).toMatchObject({ enabled: false, missing: ['MAGENTO_WEBHOOK_PUBLIC_KEY'] });
    expect(connectorStatus(magento, { MAGENTO_WEBHOOK_PUBLIC_KEY: MAGENTO_PUBLIC_KEY })).toMatchObject({ enabled: true, missing: [] });
  });

  it('`loyalty-hub connectors check` names the missing variable (one process: the listing is connectorStatus)', () => {
    const { MAGENTO_WEBHOOK_PUBLIC_KEY: _k, LOYALTY_RECIPES: _r, ...base } = process.env;
    const run = spawnSync(process.execPath, [BIN, 'connectors', 'check'], { env: { ...base, MAGENTO_ACCESS_TOKEN: 'do-not-print-me' }, encoding: 'utf8', cwd: tmpdir() });
    expect(run.stdout).toMatch(/^magento\s+coded\s+disabled: set MAGENTO_WEBHOOK_PUBLIC_KEY$/m);
    expect(run.stdout).not.toContain('do-not-print-me');
  });
});
