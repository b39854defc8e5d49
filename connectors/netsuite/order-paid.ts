import { InboundPayloadError } from '../../core/connectors/definition.js';
import { minorUnitsAt, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { LineItem, OrderFacts } from '../../core/triggers/trigger-event.js';
import { occurredAtOf, transactionCustomer } from './customer.js';
import type { NetSuiteItemLine, NetSuiteTransaction } from './schemas.js';

/** `item` lines that are not goods sold: they are kept out of the order's lines. */
const NOT_GOODS = new Set(['Subtotal', 'Description', 'Discount', 'Markup', 'Payment', 'Group', 'EndGroup', 'ShipItem', 'TaxItem', 'TaxGroup']);

/**
 * A cash sale, or an invoice paid in full → `order.paid`, which the core keys
 * `netsuite:order:<internal id>`. NetSuite's transaction internal ids are one sequence across
 * transaction types, so a cash sale and an invoice never share one; every later save of a paid
 * invoice (an edit, another payment applied) is the same order and earns nothing more
 * (docs/connectors/netsuite.md, "Which transactions earn").
 */
export function orderPaidEvent(transaction: NetSuiteTransaction): PlatformTrigger {
  const { orderId, currency } = requireFields<{ orderId: string; currency: string }>('NetSuite sale', {
    orderId: [transaction.id, '/id', 'the transaction internal id is required'],
    currency: [transaction.fields.currencysymbol, '/fields/currencysymbol', 'an ISO 4217 currency code is required'],
  });
  const fields = transaction.fields;
  const total = minorUnitsAt(fields.total, currency, '/fields/total');
  const facts: OrderFacts = withoutUndefined({
    id: orderId,
    channel: 'online',
    location: fields.location,
    currency,
    amount: earningAmount(transaction, total, currency),
    total,
    discountCodes: [],
    lineItems: transaction.item.flatMap((line, index) => lineItemOf(line, index, currency)),
  });
  return withoutUndefined({
    type: 'order.paid' as const,
    source: 'netsuite',
    occurredAt: occurredAtOf(transaction),
    customer: transactionCustomer(transaction),
    order: facts,
  });
}

/**
 * What points are earned on (docs/program.md): `total` (already after discounts) less tax
 * (`taxtotal`, `tax2total`), `shippingcost` and `handlingcost`, never below zero.
 */
function earningAmount(transaction: NetSuiteTransaction, total: number, currency: string): number {
  const fields = transaction.fields;
  const part = (value: string | number | null | undefined, name: string) => (value == null ? 0 : minorUnitsAt(value, currency, `/fields/${name}`));
  const excluded = part(fields.taxtotal, 'taxtotal') + part(fields.tax2total, 'tax2total') + part(fields.shippingcost, 'shippingcost') + part(fields.handlingcost, 'handlingcost');
  return Math.max(0, total - excluded);
}

function lineItemOf(line: NetSuiteItemLine, index: number, currency: string): LineItem[] {
  if (line.itemtype !== undefined && NOT_GOODS.has(line.itemtype)) return [];
  const pointer = `/item/${index}`;
  const total = minorUnitsAt(line.amount, currency, `${pointer}/amount`);
  const quantity = quantityOf(line.quantity, `${pointer}/quantity`);
  return [
    withoutUndefined({
      id: line.line,
      productId: line.item,
      quantity,
      unitPrice: unitPriceOf(line, total, quantity, currency, pointer),
      total,
    }),
  ];
}

/** NetSuite quantities are decimals (1.5 kg); absent on some lines, which count as one. */
function quantityOf(value: string | number | null | undefined, pointer: string): number {
  if (value == null) return 1;
  const text = String(value).trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new InboundPayloadError(`${pointer} is not a quantity`, [{ pointer, detail: 'a decimal quantity is required' }]);
  return Number(text);
}

/**
 * `rate` may carry more decimals than the currency (a rate of 3.333333 for 10.00 over three):
 * then the unit price is the line amount ÷ quantity in whole minor units.
 */
function unitPriceOf(line: NetSuiteItemLine, total: number, quantity: number, currency: string, pointer: string): number {
  if (line.rate != null) {
    try {
      return minorUnitsAt(line.rate, currency, `${pointer}/rate`);
    } catch (error) {
      if (!(error instanceof InboundPayloadError)) throw error;
    }
  }
  return quantity > 0 ? Math.round(total / quantity) : total;
}
