/**
 * QuickBooks Online end to end: notifications built from Intuit's samples (legacy and
 * CloudEvents), signed with the Verifier Token, through `POST /webhooks/quickbooks`; every entity
 * they name is read from a stub of the Accounting API (msw, at the network edge) answering
 * Intuit's reference examples (tests/fixtures/platform-samples/quickbooks). The sample invoice
 * 130 totals 362.07 USD with 26.82 tax: paid in full, it earns 335 points.
 */
import { and, eq } from 'drizzle-orm';
import { runReplay } from '../helpers/replay-cli.js';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import quickbooks from '../../connectors/quickbooks/index.js';
import { REFRESH_TOKEN_KEY } from '../../connectors/quickbooks/token-store.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, type HubHarness } from '../helpers/test-hub.js';
import { CLIENT_ID, CLIENT_SECRET, entitySample, QUICKBOOKS_API, quickbooksStub, REFRESH_TOKEN, type QuickBooksStub } from './quickbooks-api-stub.js';
import { cloudEventsNotification, legacyNotification, QUICKBOOKS_VERIFIER, quickbooksDelivery, REALM } from './quickbooks-sign.js';
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
  tally,
} from './webhook-helpers.js';

const ENV = {
  QUICKBOOKS_VERIFIER_TOKEN: QUICKBOOKS_VERIFIER,
  QUICKBOOKS_CLIENT_ID: CLIENT_ID,
  QUICKBOOKS_CLIENT_SECRET: CLIENT_SECRET,
  QUICKBOOKS_REFRESH_TOKEN: REFRESH_TOKEN,
  QUICKBOOKS_API_URL: QUICKBOOKS_API,
};
/** Customer 24 of invoice.json, in the test realm. */
const ALIAS = `quickbooks:${REALM}:24`;
const INVOICE_ORDER = `quickbooks:order:${REALM}:invoice:130`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** invoice.json paid in full (Balance 0). */
const paidInvoice = (changes = {}) => entitySample('invoice', 'Invoice', { Balance: 0, ...changes });
/** payment.json applied to invoice 130 (the sample applies it to invoice 70). */
const paymentOfInvoice130 = () =>
  entitySample('payment', 'Payment', { CustomerRef: { name: 'Sonnenschein Family Store', value: '24' }, Line: [{ Amount: 362.07, LinkedTxn: [{ TxnId: '130', TxnType: 'Invoice' }] }] });
/** refund_receipt.json for `amount`, linked to invoice 130. */
const refundOfInvoice130 = (id: string, amount: number) =>
  entitySample('refund_receipt', 'RefundReceipt', { Id: id, TotalAmt: amount, CustomerRef: { value: '24' }, LinkedTxn: [{ TxnId: '130', TxnType: 'Invoice' }] });

describe('POST /webhooks/quickbooks', () => {
  const h = hubHarness({ connectors: [quickbooks], env: ENV });
  let api: QuickBooksStub;
  beforeEach(() => {
    api = quickbooksStub(server);
  });

  it('credits an invoice paid in full: 362.07 USD less 26.82 tax → 335 points for the QuickBooks customer, e-mail from BillEmail', async () => {
    api.put('Invoice', paidInvoice());
    const answer = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130' })));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: INVOICE_ORDER });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 335 });
    const member = await memberByAlias(h, ALIAS);
    expect(member).toMatchObject({ email: 'familiystore@intuit.com' });
    expect(await balance(h, member!.id)).toMatchObject({ available: 335 });
    const [row] = await inbox(h);
    expect(row).toMatchObject({ topic: 'Invoice.Update', status: 'accepted' });
    expect(row!.events).toMatchObject([{ order: { id: `${REALM}:invoice:130`, channel: 'invoice', currency: 'USD', amount: 33525, total: 36207 } }]);
    // One token refresh, Basic client credentials, the variable's refresh token; reads carry the access token.
    expect(api.tokenRequests).toEqual([{ refreshToken: REFRESH_TOKEN, authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` }]);
    expect(api.reads.map((r) => [r.path, r.authorization])).toEqual([
      [`/v3/company/${REALM}/invoice/130`, 'Bearer access-token-1'],
      [`/v3/company/${REALM}/preferences`, 'Bearer access-token-1'],
    ]);
  });

  it('earns nothing on an invoice with a balance open, and earns when it is paid', async () => {
    api.put('Invoice', entitySample('invoice', 'Invoice'));
    const open = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130', operation: 'Create' })));
    expect(open).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect((await inbox(h))[0]!.outcome).toMatchObject({ reason: expect.stringContaining('Invoice 130 has 362.07 USD open') });
    api.put('Invoice', paidInvoice());
    const paid = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130' })));
    expect(onlyOutcome(paid)).toMatchObject({ status: 'applied', points: 335 });
  });

  it('earns once for one notification delivered 8 times at once', async () => {
    api.put('Invoice', paidInvoice());
    const answers = await deliverConcurrently(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130', lastUpdated: '2026-12-01T10:00:00.000Z' })), 8);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 7 });
    expect(await pointsOf(h, ALIAS)).toBe(335);
  });

  it('earns once across the events announcing one purchase: the invoice update (legacy) and its payment (CloudEvents), and both in one notification', async () => {
    api.put('Invoice', paidInvoice());
    api.put('Payment', paymentOfInvoice130());
    const byInvoice = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130' })));
    expect(onlyOutcome(byInvoice)).toMatchObject({ status: 'applied', points: 335 });
    const byPayment = await deliver(h, 'quickbooks', quickbooksDelivery(cloudEventsNotification({ name: 'Payment', id: '163', operation: 'Create' })));
    expect(byPayment).toMatchObject({ httpStatus: 200, status: 'duplicate', eventId: INVOICE_ORDER });
    expect(onlyOutcome(byPayment)).toMatchObject({ status: 'duplicate' });
    const both = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Payment', id: '163', operation: 'Create' }, { name: 'Invoice', id: '130', lastUpdated: '2026-12-02T00:00:00Z' })));
    expect(both.outcomes).toEqual([expect.objectContaining({ eventId: INVOICE_ORDER, status: 'duplicate' })]);
    expect(await pointsOf(h, ALIAS)).toBe(335);
  });

  it('ignores a payment applied to no invoice: it earns when QuickBooks applies it to one', async () => {
    api.put('Payment', entitySample('payment', 'Payment', { Line: [], UnappliedAmt: 65 }));
    const answer = await deliver(h, 'quickbooks', quickbooksDelivery(cloudEventsNotification({ name: 'Payment', id: '163', operation: 'Create' })));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect((await inbox(h))[0]!.outcome).toMatchObject({ reason: expect.stringContaining('Payment 163 is applied to no invoice') });
  });

  it('earns on a sales receipt at once, the e-mail from the customer record when the receipt names none, and takes it all back when the receipt is voided', async () => {
    api.put('SalesReceipt', entitySample('sales_receipt', 'SalesReceipt', { CustomerRef: { name: "Bill's Windsurf Shop", value: '2' } }));
    api.put('Customer', entitySample('customer', 'Customer'));
    const sale = await deliver(h, 'quickbooks', quickbooksDelivery(cloudEventsNotification({ name: 'SalesReceipt', id: '11', operation: 'Create' })));
    expect(onlyOutcome(sale)).toMatchObject({ status: 'applied', points: 337 });
    const member = await memberByAlias(h, `quickbooks:${REALM}:2`);
    expect(member).toMatchObject({ email: 'surf@intuit.com' });
    const voided = await deliver(h, 'quickbooks', quickbooksDelivery(cloudEventsNotification({ name: 'SalesReceipt', id: '11', operation: 'Void' })));
    expect(onlyOutcome(voided)).toMatchObject({ status: 'applied', points: -337 });
    expect(await earnedAndReversed(h, member!.id)).toEqual({ earned: 337, reversed: 337 });
  });

  it('takes back a partial refund receipt in proportion, and the rest when the refunds add up to the invoice', async () => {
    api.put('Invoice', paidInvoice());
    await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130' })));
    api.put('RefundReceipt', refundOfInvoice130('66', 100));
    const partial = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'RefundReceipt', id: '66', operation: 'Create' })));
    // 100.00 of the 362.07 charged: floor(335 × 10000 / 36207) = 92 points.
    expect(onlyOutcome(partial)).toMatchObject({ eventId: `quickbooks:refund:${REALM}:refundreceipt:66`, status: 'applied', points: -92 });
    expect(await pointsOf(h, ALIAS)).toBe(243);
    api.put('RefundReceipt', refundOfInvoice130('67', 262.07));
    const rest = await deliver(h, 'quickbooks', quickbooksDelivery(cloudEventsNotification({ name: 'RefundReceipt', id: '67', operation: 'Create' })));
    expect(onlyOutcome(rest)).toMatchObject({ status: 'applied', points: -243 });
    expect(await pointsOf(h, ALIAS)).toBe(0);
  });

  it('takes back a credit memo linked to the invoice; ignores a refund that names no sale, saying why', async () => {
    api.put('Invoice', paidInvoice());
    await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130' })));
    api.put('CreditMemo', entitySample('credit_memo', 'CreditMemo', { LinkedTxn: [{ TxnId: '130', TxnType: 'Invoice' }] }));
    const memo = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'CreditMemo', id: '73', operation: 'Create' })));
    expect(onlyOutcome(memo)).toMatchObject({ eventId: `quickbooks:refund:${REALM}:creditmemo:73`, status: 'applied', points: -92 });
    api.put('RefundReceipt', entitySample('refund_receipt', 'RefundReceipt'));
    const unlinked = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'RefundReceipt', id: '66', operation: 'Create' })));
    expect(unlinked).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect((await inbox(h, 'status=ignored'))[0]!.outcome).toMatchObject({ reason: expect.stringContaining('RefundReceipt 66 names no invoice or sales receipt it refunds') });
    expect(await pointsOf(h, ALIAS)).toBe(243);
  });

  it('answers 503 when the API is down (nothing applied), and earns once when Intuit retries', async () => {
    api.put('Invoice', paidInvoice());
    api.failures.push(503);
    const notification = quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130', lastUpdated: '2026-12-01T10:00:00.000Z' }));
    const failed = await deliver(h, 'quickbooks', notification);
    expect(failed.httpStatus).toBe(503);
    expect(await memberByAlias(h, ALIAS)).toBeUndefined();
    const retried = await deliver(h, 'quickbooks', notification);
    expect(onlyOutcome(retried)).toMatchObject({ status: 'applied', points: 335 });
    const again = await deliver(h, 'quickbooks', notification);
    expect(again).toMatchObject({ httpStatus: 200, status: 'duplicate' });
    expect(await pointsOf(h, ALIAS)).toBe(335);
  });

  it('refreshes the access token once when the API answers 401, and stores the rotated refresh token encrypted', async () => {
    api.put('Invoice', paidInvoice());
    api.put('SalesReceipt', entitySample('sales_receipt', 'SalesReceipt'));
    await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130' })));
    api.validTokens.clear(); // Intuit revoked the access token before its expiry
    const answer = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'SalesReceipt', id: '11', operation: 'Create' })));
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 337 });
    // The second refresh sends the refresh token the first one returned, not the variable's.
    expect(api.tokenRequests.map((r) => r.refreshToken)).toEqual([REFRESH_TOKEN, 'AB11-rotated-refresh-token-1']);
    const stored = await storedRefreshToken(h);
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('rotated-refresh-token');
  });

  it('accepts Intuit\'s CloudEvents format, one delivery naming changes of several kinds, and ignores the entities loyalty does not use', async () => {
    api.put('Invoice', paidInvoice());
    const answer = await deliver(
      h,
      'quickbooks',
      quickbooksDelivery(cloudEventsNotification({ name: 'Vendor', id: '1', operation: 'Create' }, { name: 'Invoice', id: '130' }, { name: 'Customer', id: '24', operation: 'Update' })),
    );
    expect(onlyOutcome(answer)).toMatchObject({ eventId: INVOICE_ORDER, status: 'applied', points: 335 });
    expect((await inbox(h))[0]).toMatchObject({ topic: 'vendor.Create Invoice.Update Customer.Update' });
  });

  it('rejects (400, kept in the inbox) a record whose amount it cannot read, naming the field', async () => {
    api.put('Invoice', paidInvoice({ TotalAmt: '362,07' }));
    const answer = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130' })));
    await expectRejected(h, 'quickbooks', answer, '/Invoice/TotalAmt');
  });

  describe('refuses what Intuit did not sign, and writes nothing', () => {
    const body = JSON.stringify(legacyNotification({ name: 'Invoice', id: '130' }));
    it.each([
      ['signed with another Verifier Token', () => quickbooksDelivery(body, { secret: 'someone-elses-verifier-token' }), /intuit-signature does not match the body signed with QUICKBOOKS_VERIFIER_TOKEN/],
      ['without intuit-signature', () => quickbooksDelivery(body, { omitSignature: true }), /missing intuit-signature/],
      ['with the body changed after signing', () => quickbooksDelivery(body, { tamperedBody: body.replace('"130"', '"131"') }), /intuit-signature does not match/],
    ])('%s → 401', async (_what, request, reason) => {
      expectUnauthorized(await deliver(h, 'quickbooks', request()), reason);
      await expectOnlySignatureAlert(h, 'quickbooks');
      expect(api.reads).toEqual([]);
    });
  });
});

describe('loyalty-hub replay of a QuickBooks delivery', () => {
  const h = hubHarness({ connectors: [quickbooks], env: ENV });

  it('applies a delivery that failed while the API was down, and never earns twice', async () => {
    const api = quickbooksStub(server);
    api.put('Invoice', paidInvoice());
    api.failures.push(500);
    const failed = await deliver(h, 'quickbooks', quickbooksDelivery(legacyNotification({ name: 'Invoice', id: '130' })));
    expect(failed.httpStatus).toBe(503);
    expect((await inbox(h)).map((r) => r.status)).toEqual(['failed']);

    const first = await replay(h, '--source', 'quickbooks', '--status', 'failed');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/quickbooks Invoice\.Update: accepted \(335 points\)/);
    expect(await pointsOf(h, ALIAS)).toBe(335);
    const again = await replay(h, '--source', 'quickbooks', '--status', 'accepted');
    expect(again.out).not.toMatch(/points\)/);
    expect(await pointsOf(h, ALIAS)).toBe(335);
  });
});

/** The refresh token as it sits in the database (connector state), encrypted. */
async function storedRefreshToken(h: HubHarness): Promise<string | undefined> {
  const { connectorState } = tablesOf(h.hub.store.db);
  const [row] = await h.hub.store.db
    .select({ value: connectorState.value })
    .from(connectorState)
    .where(and(eq(connectorState.connector, 'quickbooks'), eq(connectorState.key, REFRESH_TOKEN_KEY)));
  return row?.value;
}

/** `loyalty-hub replay ARGS` as the command runs it, configured by the environment. */
function replay(h: HubHarness, ...args: string[]): Promise<{ code: number; out: string }> {
  return runReplay(h, ENV, ...args);
}
