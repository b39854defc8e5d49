/**
 * Trigger events (docs/adding-a-connector.md): what connectors produce and the rules consume. One shape whatever
 * the platform, so the program's rules never know where an order came from except through
 * `source` and `order.channel`.
 *
 * Conventions every connector follows:
 * - money is an integer in minor units of `currency` (ISO 4217 exponent: JPY 0, USD 2, KWD 3),
 *   converted from the platform's decimal strings exactly, never through a float;
 * - `currency` is upper case (`USD`), whatever case the platform sends;
 * - platform ids are strings (Shopify ids exceed 2^53);
 * - `id` is the business fact, not the delivery: `shopify:order:820982911946154508` is the
 *   same for `orders/paid` and a redelivery of it, so the ledger earns once per order whatever
 *   announced it (core/triggers/order-identity.ts). Stripe keys a purchase by its PaymentIntent for the same reason.
 */

export interface TriggerCustomer {
  /** The platform's customer id (`"207119551"`, `"cus_…"`); absent for a guest. */
  platformId?: string;
  /** Own apps (`POST /v1/events`) may name the member directly, or by aliases (`shopify:123`). */
  memberId?: string;
  aliases?: string[];
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  /** Whether the customer accepts marketing e-mail / SMS, where the platform says so. */
  consentEmail?: boolean;
  consentSms?: boolean;
}

export interface LineItem {
  /** The platform's line id (refunds name lines by it). */
  id?: string;
  sku?: string;
  productId?: string;
  category?: string;
  quantity: number;
  /** Price of one unit, minor units. */
  unitPrice: number;
  /** What the customer paid for the line after its discounts, minor units. */
  total: number;
}

export interface OrderFacts {
  /** The platform's order id (for Stripe: the PaymentIntent or, without one, the session/invoice). */
  id: string;
  /** `online`, `pos`, … */
  channel: string;
  location?: string;
  currency: string;
  /**
   * The amount points are earned on: paid, after discounts, shipping and tax excluded where the
   * platform reports them (docs/program.md). Minor units.
   */
  amount: number;
  /** The whole charge including shipping and tax, minor units, for reference. */
  total?: number;
  discountCodes: string[];
  lineItems: LineItem[];
}

export interface RefundFacts {
  orderId: string;
  /** The platform's refund id; with `refundedTotal`, a derived id such as `total:1500`. */
  refundId: string;
  currency: string;
  /** This refund's amount in minor units (excluding refunded shipping where reported). */
  amount?: number;
  /**
   * The cumulative refunded amount of the order (Stripe's `amount_refunded`): the core takes
   * back the delta over what it already processed.
   */
  refundedTotal?: number;
  /**
   * Refunded lines, when the platform names them (Shopify's `refund_line_items`): the core takes
   * back what those lines earned (docs/program.md, "Refunds by line items"). `amount` is the
   * line's refunded money when reported.
   */
  lineItems?: { lineItemId?: string; sku?: string; quantity: number; amount?: number }[];
  /** The whole order was refunded (status `refunded`): take back everything still earned. */
  full?: boolean;
  /**
   * What the refunded amounts are a part of: `amount` (goods after discounts, like
   * `OrderFacts.amount`; Shopify reports refunds so) or `total` (the whole charge with shipping
   * and tax: WooCommerce, Stripe and Square refunds). Default `amount`.
   */
  measuredAgainst?: 'amount' | 'total';
}

interface TriggerBase {
  /** Stable id of the business fact: `<source>:<kind>:<platform id>`. */
  id: string;
  /** `shopify`, `woocommerce`, `stripe`, `square`, `hubspot`, `salesforce`, `api`. */
  source: string;
  /** Epoch milliseconds. */
  occurredAt: number;
  /** Absent for a guest. */
  customer?: TriggerCustomer;
  /** Any further attribute rules may test (`attributes.referrer`, …). */
  attributes?: Record<string, unknown>;
}

/**
 * A hub voucher at a store's till (docs/adding-a-connector.md, "Vouchers at a platform"): the
 * platform says the code was taken (`voucher.used`), or that the reward it stood for was
 * withdrawn there before use (`voucher.cancelled`: the redemption is reversed and the points go
 * back). `code` is the hub voucher's code, as the connector found it from the platform's id.
 */
export interface VoucherFacts {
  code: string;
  /** `voucher.used`: what the platform used it for (an order, a reward id), kept on the voucher. */
  reference?: string;
  /** `voucher.cancelled`: why, as the member's history shows it. */
  reason?: string;
}

/**
 * Points moved by a platform that runs a points program of its own while a merchant moves to the
 * hub (LoyaltyLion): posted as they are, no rule applied (docs/adding-a-connector.md, "Points a
 * platform moved"). Positive credits, negative debits — never below the member's available points.
 */
export interface MirroredPoints {
  points: number;
  reason: string;
}

export type TriggerEvent =
  | (TriggerBase & { type: 'order.paid'; order: OrderFacts })
  | (TriggerBase & { type: 'order.refunded'; refund: RefundFacts })
  | (TriggerBase & { type: 'order.cancelled'; order: { id: string } })
  | (TriggerBase & { type: 'customer.created' | 'customer.updated' })
  | (TriggerBase & { type: 'activity'; name: string })
  | (TriggerBase & { type: 'voucher.used' | 'voucher.cancelled'; voucher: VoucherFacts })
  | (TriggerBase & { type: 'points.mirrored'; mirrored: MirroredPoints });

export type TriggerType = TriggerEvent['type'];
