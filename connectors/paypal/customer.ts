import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PayPalOrder, PayPalPaymentV1 } from './schemas.js';

/**
 * The payer of a checkout order as the hub's customer: the PayPal account id becomes the alias
 * `paypal:<id>`, the e-mail merges the member with the same person on other platforms. PayPal
 * moved these from `payer` to `payment_source.paypal`; the newer place wins, the older fills in.
 * A card paid without a PayPal account has neither: a guest.
 */
export function orderPayer(order: PayPalOrder): TriggerCustomer | undefined {
  const wallet = order.payment_source?.paypal;
  const payer = order.payer;
  const customer: TriggerCustomer = {};
  const platformId = wallet?.account_id ?? payer?.payer_id;
  const email = wallet?.email_address ?? payer?.email_address;
  const firstName = wallet?.name?.given_name ?? payer?.name?.given_name;
  const lastName = wallet?.name?.surname ?? payer?.name?.surname;
  if (platformId) customer.platformId = platformId;
  if (email) customer.email = email;
  if (firstName) customer.firstName = firstName;
  if (lastName) customer.lastName = lastName;
  return customer.platformId || customer.email ? customer : undefined;
}

/** The payer of a v1 payment (`payer.payer_info`), the same way. */
export function paymentPayer(payment: PayPalPaymentV1): TriggerCustomer | undefined {
  const info = payment.payer?.payer_info;
  const customer: TriggerCustomer = {};
  if (info?.payer_id) customer.platformId = info.payer_id;
  if (info?.email) customer.email = info.email;
  if (info?.first_name) customer.firstName = info.first_name;
  if (info?.last_name) customer.lastName = info.last_name;
  return customer.platformId || customer.email ? customer : undefined;
}
