import type { NormalizeResult } from '../../core/connectors/definition.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import { orderMoney, orderPaidEvent } from './order-paid.js';
import { orderSchema, type MagentoOrder } from './schemas.js';

/**
 * `sales_order_save_after` (and its `_commit_after` twin): Commerce saves an order at checkout, at
 * every invoice, shipment, credit memo and status change. It earns once the order is fully paid —
 * `total_paid`, raised by each paid invoice, has reached `grand_total` — and every later save is
 * the same fact (order-paid.ts), answered `duplicate`.
 */
export function orderSaved(data: Record<string, unknown>): NormalizeResult {
  const order = parseWithSchema(orderSchema, data.order, '/data/order', 'Magento order');
  return paidOrderOrIgnored(order, '/data/order');
}

/**
 * `order.paid` for an order whose payments cover its grand total; `ignored` otherwise.
 * `payment` is a payment the order does not show yet (the invoice being paid, invoice-paid.ts):
 * its amount counts as paid and its time is when the order was paid.
 */
export function paidOrderOrIgnored(order: MagentoOrder, pointer: string, payment: { amount: number; at?: number } = { amount: 0 }): NormalizeResult {
  const money = orderMoney(order, pointer);
  const paid = money.totalPaid + payment.amount;
  if (money.grandTotal <= 0) return { status: 'ignored', reason: `order ${money.orderId} charged nothing` };
  if (paid < money.grandTotal) {
    return { status: 'ignored', reason: `order ${money.orderId} is paid ${paid} of ${money.grandTotal} (minor units): points are earned once it is fully paid` };
  }
  return { status: 'events', events: [orderPaidEvent(order, money, pointer, payment.at)] };
}
