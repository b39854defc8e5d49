/**
 * Adobe Commerce / Magento 2 end to end, through `POST /webhooks/magento`: Commerce webhooks
 * (`{ eventName, data }`) and Open Source thin notifications, signed as Commerce signs
 * (tests/inbound/magento-deliveries.ts), built from the REST reference samples in
 * tests/fixtures/platform-samples/magento. The REST API stands behind msw at the network edge.
 */
import { http, HttpResponse } from 'msw';
import { runReplay } from '../helpers/replay-cli.js';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import magento from '../../connectors/magento/index.js';
import { hubHarness, type HubHarness } from '../helpers/test-hub.js';
import {
  MAGENTO_API,
  MAGENTO_PUBLIC_KEY,
  MAGENTO_TOKEN,
  OTHER_PRIVATE_KEY,
  commerceHook,
  creditmemo,
  invoice,
  magentoDelivery,
  notification,
  order,
  paidOrder,
  signatureOverRawBody,
} from './magento-deliveries.js';
import {
  balance,
  deliver,
  deliverConcurrently,
  earnedAndReversed,
  expectOnlySignatureAlert,
  expectRejected,
  expectUnauthorized,
  inbox,
  memberByAlias,
  onlyOutcome,
  pointsOf,
  type Json,
} from './webhook-helpers.js';

const ALIAS = 'magento:3';
const ENV = { MAGENTO_WEBHOOK_PUBLIC_KEY: MAGENTO_PUBLIC_KEY, MAGENTO_API_URL: MAGENTO_API, MAGENTO_ACCESS_TOKEN: MAGENTO_TOKEN };
const SUCCESS = { op: 'success' };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** `GET /V1/orders/:id` answering each call with the next of `answers` (the last one repeats); returns the requests. */
function ordersEndpoint(...answers: (() => Response)[]): Request[] {
  const seen: Request[] = [];
  server.use(
    http.get(`${MAGENTO_API}/V1/orders/:id`, ({ request }) => {
      seen.push(request.clone());
      return answers[Math.min(seen.length, answers.length) - 1]!();
    }),
  );
  return seen;
}

function creditmemoEndpoint(answer: () => Response): Request[] {
  const seen: Request[] = [];
  server.use(
    http.get(`${MAGENTO_API}/V1/creditmemo/:id`, ({ request }) => {
      seen.push(request.clone());
      return answer();
    }),
  );
  return seen;
}

/** An Adobe Commerce webhook answer: exactly what Commerce reads as "go on". */
async function expectCommerceSuccess(h: HubHarness, init: RequestInit): Promise<void> {
  const res = await h.hub.app.request('/webhooks/magento', init);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(SUCCESS);
}

const orderSaved = (o: Json) => magentoDelivery(commerceHook('sales_order_save_after', { order: o }));
const invoicePaid = (i: Json) => magentoDelivery(commerceHook('sales_order_invoice_pay', { invoice: i }));
const creditmemoSaved = (m: Json) => magentoDelivery(commerceHook('sales_order_creditmemo_save_after', { creditmemo: m }));

describe('POST /webhooks/magento', () => {
  const h = hubHarness({ connectors: [magento], env: ENV });

  it('credits a fully paid order on its save: 165.00 USD less 5.00 shipping → 160 points, answered {"op":"success"}', async () => {
    await expectCommerceSuccess(h, orderSaved(paidOrder()));
    const member = await memberByAlias(h, ALIAS);
    expect(member).toMatchObject({ email: 'jdoe@example.com' });
    expect(await balance(h, member!.id)).toMatchObject({ available: 160 });
    const [row] = await inbox(h);
    expect(row).toMatchObject({ topic: 'sales_order_save_after', status: 'accepted' });
    expect(row!.events).toMatchObject([
      { id: 'magento:order:3', order: { id: '3', currency: 'USD', amount: 16000, total: 16500, channel: 'online' }, attributes: { magentoIncrementId: '000000003' } },
    ]);
  });

  it('ignores the save of an order not yet paid, and still answers {"op":"success"} so checkout goes on', async () => {
    await expectCommerceSuccess(h, orderSaved(order()));
    expect((await inbox(h)).map((r) => r.status)).toEqual(['ignored']);
    expect(await memberByAlias(h, ALIAS)).toBeUndefined();
  });

  it('earns once across the events announcing one order: invoice paid, then the order saved, then a notification', async () => {
    // Commerce sends sales_order_invoice_pay before it saves the order: REST still shows it unpaid.
    const lookups = ordersEndpoint(() => HttpResponse.json(order()));
    await expectCommerceSuccess(h, invoicePaid(invoice()));
    expect(lookups.map((r) => [new URL(r.url).pathname, r.headers.get('authorization')])).toEqual([['/rest/V1/orders/3', `Bearer ${MAGENTO_TOKEN}`]]);
    expect(await pointsOf(h, ALIAS)).toBe(160);

    await expectCommerceSuccess(h, orderSaved(paidOrder()));
    ordersEndpoint(() => HttpResponse.json(paidOrder()));
    const notified = await deliver(h, 'magento', magentoDelivery(notification('order.paid', { order_id: 3 })));
    expect(notified).toMatchObject({ httpStatus: 200, status: 'duplicate', eventId: 'magento:order:3' });

    expect(await pointsOf(h, ALIAS)).toBe(160);
    const rows = await inbox(h);
    expect(rows.map((r) => r.topic)).toEqual(['order.paid', 'sales_order_save_after', 'sales_order_invoice_pay']);
    // Paid when the invoice was, not when the order was last saved before it.
    expect(rows[2]!.events).toMatchObject([{ id: 'magento:order:3', occurredAt: '2017-08-21T22:36:02.000Z' }]);
  });

  it('earns on the invoice that completes the payment, not on a partial one', async () => {
    ordersEndpoint(() => HttpResponse.json(order()));
    await expectCommerceSuccess(h, invoicePaid(invoice({ grand_total: 100, base_grand_total: 100 })));
    expect((await inbox(h)).map((r) => r.status)).toEqual(['ignored']);

    ordersEndpoint(() => HttpResponse.json(order({ total_paid: 100 })));
    await expectCommerceSuccess(h, invoicePaid(invoice({ entity_id: 4, grand_total: 65, base_grand_total: 65 })));
    expect(await pointsOf(h, ALIAS)).toBe(160);
  });

  it('applies the same webhook once when it arrives 10 times at once', async () => {
    const answers = await deliverConcurrently(h, 'magento', orderSaved(paidOrder()), 10);
    expect(answers.map((a) => [a.httpStatus, (a as unknown as Json).op])).toEqual(Array(10).fill([200, 'success']));
    expect(await pointsOf(h, ALIAS)).toBe(160);
    expect(await inbox(h)).toHaveLength(1);
  });

  describe('refuses what the store did not sign, and writes nothing', () => {
    const body = JSON.stringify(commerceHook('sales_order_save_after', { order: paidOrder() }));
    it.each([
      ['signed with another key', () => magentoDelivery(body, { privateKey: OTHER_PRIVATE_KEY }), /does not match the body for MAGENTO_WEBHOOK_PUBLIC_KEY/],
      ['without x-adobe-commerce-webhook-signature', () => magentoDelivery(body, { omitSignature: true }), /missing x-adobe-commerce-webhook-signature/],
      ['with a signature that is not base64', () => magentoDelivery(body, { signature: 'not*base64!' }), /is not base64/],
      ['with the body changed after signing', () => magentoDelivery(body, { tamperedBody: body.replace('"grand_total":165', '"grand_total":16500') }), /does not match/],
      ['signed over the raw body instead of its base64', () => magentoDelivery(body, { signature: signatureOverRawBody(body) }), /does not match/],
      ['a notification sent 10 minutes ago', () => magentoDelivery(notification('order.paid', { order_id: 3 }, new Date(Date.now() - 600_000).toISOString())), /sent_at is 60\d s old/],
      ['a notification dated 10 minutes ahead', () => magentoDelivery(notification('order.paid', { order_id: 3 }, Math.floor(Date.now() / 1000) + 600)), /in the future/],
    ])('%s → 401', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'magento', init()), reason);
      await expectOnlySignatureAlert(h, 'magento');
    });
  });

  it('a partial credit memo takes back its share (22.00 of 160.00 → 22 points); the one refunding the rest takes back the rest', async () => {
    await expectCommerceSuccess(h, orderSaved(paidOrder()));

    await expectCommerceSuccess(h, creditmemoSaved(creditmemo()));
    expect(await pointsOf(h, ALIAS)).toBe(138);

    // The rest: 138.00 of goods and the 5.00 shipping.
    await expectCommerceSuccess(h, creditmemoSaved(creditmemo({ entity_id: 2, increment_id: '000000002', grand_total: 143, subtotal: 138, shipping_amount: 5 })));
    const member = (await memberByAlias(h, ALIAS))!;
    expect(await balance(h, member.id)).toMatchObject({ available: 0, debt: 0 });
    expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 160, reversed: 160 });
    expect((await inbox(h)).map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('a credit memo returning only shipping takes nothing back; an open one waits until refunded', async () => {
    await expectCommerceSuccess(h, orderSaved(paidOrder()));
    await expectCommerceSuccess(h, creditmemoSaved(creditmemo({ grand_total: 5, subtotal: 0, shipping_amount: 5 })));
    await expectCommerceSuccess(h, creditmemoSaved(creditmemo({ entity_id: 2, state: 1 })));
    expect(await pointsOf(h, ALIAS)).toBe(160);
  });

  it('answers 400 to a signed order save without its grand total, keeps it as rejected and tells support', async () => {
    const { grand_total: _dropped, ...withoutTotal } = paidOrder();
    await expectRejected(h, 'magento', await deliver(h, 'magento', orderSaved(withoutTotal)), '/data/order/grand_total');
  });

  describe('Magento Open Source: thin notifications completed through the REST API', () => {
    it('answers 503 while the order cannot be read, then earns once when the sender retries', async () => {
      const lookups = ordersEndpoint(
        () => new HttpResponse('upstream timeout', { status: 503 }),
        () => HttpResponse.json(paidOrder()),
      );
      const first = await deliver(h, 'magento', magentoDelivery(notification('order.paid', { order_id: 3 })));
      expect(first.httpStatus).toBe(503);
      expect(await memberByAlias(h, ALIAS)).toBeUndefined();

      const retry = await deliver(h, 'magento', magentoDelivery(notification('order.paid', { order_id: 3 }, new Date(Date.now() + 1000).toISOString())));
      expect(retry).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'magento:order:3' });
      expect(onlyOutcome(retry)).toMatchObject({ status: 'applied', points: 160 });
      const again = await deliver(h, 'magento', magentoDelivery(notification('order.paid', { order_id: 3 }, new Date(Date.now() + 2000).toISOString())));
      expect(again.status).toBe('duplicate');
      expect(lookups).toHaveLength(3);
      expect(await pointsOf(h, ALIAS)).toBe(160);
    });

    it('takes back a refunded credit memo read through GET /V1/creditmemo/{id}', async () => {
      await expectCommerceSuccess(h, orderSaved(paidOrder()));
      const seen = creditmemoEndpoint(() => HttpResponse.json(creditmemo()));
      const answer = await deliver(h, 'magento', magentoDelivery(notification('creditmemo.refunded', { creditmemo_id: 1 })));
      expect(onlyOutcome(answer)).toMatchObject({ eventId: 'magento:refund:1', status: 'applied', points: -22 });
      expect(seen.map((r) => new URL(r.url).pathname)).toEqual(['/rest/V1/creditmemo/1']);
      expect(await pointsOf(h, ALIAS)).toBe(138);
    });

    it('rejects (400) a notification naming an order the store does not have', async () => {
      ordersEndpoint(() => HttpResponse.json({ message: 'The entity that was requested doesn\'t exist.' }, { status: 404 }));
      await expectRejected(h, 'magento', await deliver(h, 'magento', magentoDelivery(notification('order.paid', { order_id: 999 }))), '/order_id');
    });
  });

  it('a webhook that failed while the REST API was down is recovered by `loyalty-hub replay --status failed` (Commerce never retries)', async () => {
    ordersEndpoint(() => HttpResponse.error());
    const down = await h.hub.app.request('/webhooks/magento', invoicePaid(invoice()));
    expect(down.status).toBe(503);
    expect((await inbox(h)).map((r) => r.status)).toEqual(['failed']);

    ordersEndpoint(() => HttpResponse.json(order()));
    const run = await replay(h, '--status', 'failed');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^1 accepted$/m);
    expect(await pointsOf(h, ALIAS)).toBe(160);
    expect((await replay(h, '--status', 'accepted')).out).toMatch(/^1 duplicate$/m);
    expect(await pointsOf(h, ALIAS)).toBe(160);
  });
});

describe('POST /webhooks/magento with a public key that is not a PEM', () => {
  const h = hubHarness({ connectors: [magento], env: { ...ENV, MAGENTO_WEBHOOK_PUBLIC_KEY: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A (pasted without its BEGIN line)' } });

  it('starts, and refuses every delivery saying why', async () => {
    const answer = await deliver(h, 'magento', orderSaved(paidOrder()));
    expectUnauthorized(answer, /MAGENTO_WEBHOOK_PUBLIC_KEY is not a PEM public key.*every delivery is refused/);
    await expectOnlySignatureAlert(h, 'magento');
  });
});

/** Runs `loyalty-hub replay ARGS` against the harness's database, configured like the hub. */
function replay(h: HubHarness, ...args: string[]): Promise<{ code: number; out: string }> {
  return runReplay(h, ENV, ...args);
}
