import { minorUnitsAt } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { formatMinorUnits } from '../../core/triggers/money.js';
import type { LineItem } from '../../core/triggers/trigger-event.js';
import { saleOrderId, SOURCE, type ChangeContext, type ChangeResult } from './change.js';
import { saleCustomer } from './customer.js';
import { totalOf, transactionCurrency } from './money.js';
import type { EntityChange } from './notification.js';
import type { SalesTransaction } from './schemas.js';

/**
 * What earns (docs/connectors/quickbooks.md, section 7):
 *
 * - an Invoice once it is paid in full (`Balance` 0), keyed by the invoice;
 * - a Payment: each invoice it is applied to (`Line[].LinkedTxn` of type Invoice) that it leaves
 *   paid in full — the same invoice key, so the invoice's own notification and the payment's
 *   earn once between them. A payment applied to no invoice is credit the customer holds; it
 *   earns when QuickBooks applies it to an invoice, not before (else it would earn twice);
 * - a SalesReceipt at once (paid at the sale), keyed by the receipt.
 *
 * The amount is `TotalAmt` less its tax (`TxnTaxDetail.TotalTax`) and shipping lines
 * (`SHIPPING_ITEM_ID`), as docs/program.md earns on goods; the whole charge is `total`.
 */
export async function invoiceChanged(change: EntityChange, ctx: ChangeContext): Promise<ChangeResult> {
  return invoicePaid(change.realmId, change.entityId, change.occurredAt, ctx);
}

export async function paymentChanged(change: EntityChange, ctx: ChangeContext): Promise<ChangeResult> {
  const payment = await ctx.api.payment(change.realmId, change.entityId);
  if (!payment) return { ignored: `Payment ${change.entityId} could not be read (QuickBooks refused the look-up)` };
  const invoiceIds = [...new Set(payment.Line.flatMap((line) => line.LinkedTxn).filter((l) => l.TxnType === 'Invoice' && l.TxnId).map((l) => l.TxnId!))];
  if (invoiceIds.length === 0) {
    return { ignored: `Payment ${payment.Id} is applied to no invoice: it earns when QuickBooks applies it to one` };
  }
  const events: PlatformTrigger[] = [];
  const reasons: string[] = [];
  for (const invoiceId of invoiceIds) {
    const result = await invoicePaid(change.realmId, invoiceId, change.occurredAt, ctx);
    if ('events' in result) events.push(...result.events);
    else reasons.push(result.ignored);
  }
  return events.length ? { events } : { ignored: reasons.join('; ') };
}

export async function salesReceiptChanged(change: EntityChange, ctx: ChangeContext): Promise<ChangeResult> {
  const receipt = await ctx.api.salesTransaction(change.realmId, 'SalesReceipt', change.entityId);
  if (!receipt) return { ignored: `SalesReceipt ${change.entityId} could not be read (QuickBooks refused the look-up)` };
  const currency = await transactionCurrency(change.realmId, 'SalesReceipt', receipt, ctx);
  const total = totalOf('SalesReceipt', receipt, currency);
  if (total <= 0) return { ignored: `SalesReceipt ${receipt.Id} totals 0 (voided or empty)` };
  return { events: [await saleTrigger(change.realmId, 'salesreceipt', receipt, currency, total, change.occurredAt, ctx)] };
}

async function invoicePaid(realmId: string, invoiceId: string, occurredAt: number, ctx: ChangeContext): Promise<ChangeResult> {
  const invoice = await ctx.api.salesTransaction(realmId, 'Invoice', invoiceId);
  if (!invoice) return { ignored: `Invoice ${invoiceId} could not be read (QuickBooks refused the look-up)` };
  const currency = await transactionCurrency(realmId, 'Invoice', invoice, ctx);
  const total = totalOf('Invoice', invoice, currency);
  if (total <= 0) return { ignored: `Invoice ${invoice.Id} totals 0 (voided or empty)` };
  const open = invoice.Balance === undefined || invoice.Balance === null ? total : minorUnitsAt(invoice.Balance, currency, '/Invoice/Balance');
  if (open > 0) return { ignored: `Invoice ${invoice.Id} has ${formatMinorUnits(open, currency)} ${currency} open: it earns once paid in full` };
  return { events: [await saleTrigger(realmId, 'invoice', invoice, currency, total, occurredAt, ctx)] };
}

const SHIPPING_ITEM = 'SHIPPING_ITEM_ID';

async function saleTrigger(
  realmId: string,
  kind: 'invoice' | 'salesreceipt',
  txn: SalesTransaction,
  currency: string,
  total: number,
  occurredAt: number,
  ctx: ChangeContext,
): Promise<PlatformTrigger> {
  const entity = kind === 'invoice' ? 'Invoice' : 'SalesReceipt';
  const tax = txn.TxnTaxDetail?.TotalTax === undefined || txn.TxnTaxDetail.TotalTax === null ? 0 : minorUnitsAt(txn.TxnTaxDetail.TotalTax, currency, `/${entity}/TxnTaxDetail/TotalTax`);
  const lines: LineItem[] = [];
  let shipping = 0;
  txn.Line.forEach((line, i) => {
    const detail = line.SalesItemLineDetail;
    if (line.DetailType !== 'SalesItemLineDetail' || !detail) return;
    const amount = minorUnitsAt(line.Amount, currency, `/${entity}/Line/${i}/Amount`);
    if (detail.ItemRef?.value === SHIPPING_ITEM) {
      shipping += amount;
      return;
    }
    const quantity = typeof detail.Qty === 'number' && detail.Qty > 0 ? detail.Qty : 1;
    // Unit prices may carry more decimals than the currency (QuickBooks keeps up to 7): derived
    // from the line's exact amount instead of converted on their own.
    const item: LineItem = { quantity, unitPrice: Math.round(amount / quantity), total: amount };
    if (line.Id) item.id = line.Id;
    if (detail.ItemRef?.value) item.productId = detail.ItemRef.value;
    lines.push(item);
  });
  const trigger: PlatformTrigger = {
    type: 'order.paid',
    source: SOURCE,
    occurredAt,
    order: {
      id: saleOrderId(realmId, kind, txn.Id),
      channel: kind === 'invoice' ? 'invoice' : 'sales-receipt',
      currency,
      amount: Math.max(0, total - tax - shipping),
      total,
      discountCodes: [],
      lineItems: lines,
    },
    attributes: { quickbooksRealmId: realmId, ...(txn.DocNumber ? { quickbooksDocNumber: txn.DocNumber } : {}) },
  };
  const customer = await saleCustomer(realmId, txn, ctx);
  if (customer) trigger.customer = customer;
  return trigger;
}
