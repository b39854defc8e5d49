import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { LineItem, TriggerCustomer } from '../../core/triggers/trigger-event.js';
import { lightspeedMinorUnits } from './money.js';
import type { LightspeedSale } from './schemas.js';

/**
 * A closed sale → `order.paid`. The sale id is the order id, so `sale.update` delivered again for
 * the same sale (open → closed → closed again, a layby paid off) earns once. Channel `pos`; the
 * location is the outlet id — stable where an outlet's name may be renamed, and what the
 * payload carries without a look-up. `amount` is what was sold, tax excluded, after discounts
 * (./sale.ts `saleAmounts`); `total` adds the sale's tax when it is all a sale.
 */
export function salePaid(sale: LightspeedSale, facts: { currency: string; amount: number; occurredAt: number; customer?: TriggerCustomer; withTax: boolean }): PlatformTrigger {
  const { currency, amount } = facts;
  const tax = facts.withTax && sale.totals?.total_tax !== undefined && sale.totals.total_tax !== null ? lightspeedMinorUnits(sale.totals.total_tax, currency, '/payload/totals/total_tax') : undefined;
  return {
    type: 'order.paid',
    source: 'lightspeed',
    occurredAt: facts.occurredAt,
    ...(facts.customer ? { customer: facts.customer } : {}),
    order: {
      id: sale.id,
      channel: 'pos',
      ...(sale.outlet_id ? { location: sale.outlet_id } : {}),
      currency,
      amount,
      ...(tax !== undefined ? { total: amount + tax } : {}),
      discountCodes: [],
      lineItems: soldLines(sale, currency),
    },
    ...(sale.invoice_number ? { attributes: { lightspeedInvoiceNumber: sale.invoice_number } } : {}),
  };
}

/** The lines sold (positive quantity): a returned line is not something bought. */
function soldLines(sale: LightspeedSale, currency: string): LineItem[] {
  const lines: LineItem[] = [];
  sale.register_sale_products.forEach((line, i) => {
    const quantity = Number(line.quantity ?? 0);
    if (!(quantity > 0)) return;
    const item: LineItem = {
      quantity,
      unitPrice: lightspeedMinorUnits(line.price ?? 0, currency, `/payload/register_sale_products/${i}/price`),
      total: lightspeedMinorUnits(line.price_total, currency, `/payload/register_sale_products/${i}/price_total`),
    };
    if (line.id) item.id = line.id;
    if (line.product_id) item.productId = line.product_id;
    lines.push(item);
  });
  return lines;
}
