/**
 * Order identity: the core, not the connectors, names every order fact. A connector hands over
 * the platform's order id (and a refund's id); the trigger id, the `orders` row and the link from
 * a refund or a cancellation back to the earns are all derived here from `(source, order id)`, so
 * a new connector cannot earn under one key and refund under another (docs/adding-a-connector.md,
 * "Order identity"). The derivation is exactly the strings connectors wrote by hand before, so
 * the keys stored in existing databases keep matching.
 */
import type { TriggerEvent } from './trigger-event.js';

/** The order facts whose identity the core derives. */
export type OrderFactType = 'order.paid' | 'order.refunded' | 'order.cancelled';
type OrderFact = Extract<TriggerEvent, { type: OrderFactType }>;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> & { id?: never } : never;

/**
 * What a connector hands the core: an order fact without an id (the core derives it), or any
 * other trigger with the id of its business fact (`hubspot:contact:…`).
 */
export type PlatformTrigger = WithoutId<OrderFact> | Exclude<TriggerEvent, { type: OrderFactType }>;

/** `shopify` + `123` → `shopify:order:123`: the order's trigger id, its `orders.key`, and what refunds take back from. */
export function orderKey(source: string, orderId: string): string {
  return `${source}:order:${orderId}`;
}

/**
 * A refund's trigger id. `refundId` is unique within the source: the platform's refund id, or
 * one derived from the order where the platform reports refunds as a running total
 * (`pi_123:total:1500`) or a status (`1234:full`).
 */
export function refundKey(source: string, refundId: string): string {
  return `${source}:refund:${refundId}`;
}

/** An order's cancellation: one per order. */
export function cancellationKey(source: string, orderId: string): string {
  return `${source}:cancel:${orderId}`;
}

/** The trigger with its id: derived for an order fact (whatever id came with it), kept otherwise. */
export function identifyTrigger(trigger: PlatformTrigger): TriggerEvent {
  switch (trigger.type) {
    case 'order.paid':
      return { ...trigger, id: orderKey(trigger.source, trigger.order.id) };
    case 'order.refunded':
      return { ...trigger, id: refundKey(trigger.source, trigger.refund.refundId) };
    case 'order.cancelled':
      return { ...trigger, id: cancellationKey(trigger.source, trigger.order.id) };
    default:
      return trigger;
  }
}
