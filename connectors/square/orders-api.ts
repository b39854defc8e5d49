import { squareClient } from './client.js';
import { SquareError, type Square } from 'square';
import type { Logger } from '../../core/observability/logger.js';
import type { LineItem } from '../../core/triggers/trigger-event.js';

/**
 * Square's order events are thin (id, state, version) and a payment names its order only by
 * id, so the lines a rule may test (product, quantity, price) come from `GET /v2/orders/{id}`
 * through the SDK — only when SQUARE_ACCESS_TOKEN is set (scope ORDERS_READ).
 *
 * A look-up that fails for a passing reason (network, timeout, 429, 5xx) throws: the core answers
 * 5xx and Square retries the notification. One Square refuses (401 wrong token, 403 missing
 * scope, 404) will not get better by retrying: it is logged and the payment earns without lines.
 */
export interface SquareOrderDetails {
  lineItems: LineItem[];
  /** How many payments paid the order: lines belong to the whole order, not to one of them. */
  tenderCount: number;
  /** Tax and service charges (delivery, auto-gratuity) included in what was paid, minor units. */
  taxes: number;
  serviceCharges: number;
}

export interface SquareOrderLookup {
  order(orderId: string): Promise<SquareOrderDetails | undefined>;
}

export interface SquareApiOptions {
  accessToken: string;
  /** `SQUARE_API_URL`, e.g. https://connect.squareupsandbox.com; default production. */
  apiUrl?: string;
  logger: Logger;
}

export function createSquareOrderLookup(options: SquareApiOptions): SquareOrderLookup {
  // The notification is Square's retry loop, and Square gives up on an answer after 10 s.
  const client = squareClient({ accessToken: options.accessToken, apiUrl: options.apiUrl, timeoutInSeconds: 5 });

  return {
    async order(orderId) {
      let response: Square.GetOrderResponse;
      try {
        response = await client.orders.get({ orderId });
      } catch (err) {
        if (isPermanent(err)) {
          options.logger.warn('square order look-up refused; earning without line items', { orderId, status: (err as SquareError).statusCode, error: (err as Error).message });
          return undefined;
        }
        throw new Error(`Square order look-up ${orderId} failed (${failure(err)}); answering 5xx so Square retries the notification`, { cause: err });
      }
      const order = response.order;
      if (!order) return undefined;
      return {
        lineItems: (order.lineItems ?? []).map(toLineItem),
        tenderCount: order.tenders?.length ?? 0,
        taxes: money(order.totalTaxMoney),
        serviceCharges: money(order.totalServiceChargeMoney),
      };
    },
  };
}

/**
 * A line as the rules see it: the catalog variation as product, its unit price, and what the
 * customer paid for the line after discounts — tax taken out, like the order's amount.
 */
function toLineItem(line: Square.OrderLineItem): LineItem {
  const item: LineItem = {
    quantity: Number(line.quantity),
    unitPrice: money(line.basePriceMoney),
    total: money(line.totalMoney) - money(line.totalTaxMoney),
  };
  if (line.uid) item.id = line.uid;
  if (line.catalogObjectId) item.productId = line.catalogObjectId;
  return item;
}

function money(value: Square.Money | undefined): number {
  return value?.amount === undefined || value.amount === null ? 0 : Number(value.amount);
}

/** The status when Square answered, else the first line of the error (its messages repeat the body). */
function failure(err: unknown): string {
  if (err instanceof SquareError && err.statusCode !== undefined) return `HTTP ${err.statusCode}`;
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** 4xx other than 429: Square answered and will answer the same next time. */
function isPermanent(err: unknown): boolean {
  if (!(err instanceof SquareError)) return false;
  const status = err.statusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}
