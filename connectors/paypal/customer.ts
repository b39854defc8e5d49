import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PayPalOrder } from './schemas.js';

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
