/**
 * A LoyaltyLion customer as the hub knows a member: LoyaltyLion's own id becomes the alias
 * `loyaltylion:<id>` (the import and the webhooks name members alike), and `merchant_id` — the
 * store platform's customer id — becomes `<platform>:<merchant_id>` when LOYALTYLION_STORE_PLATFORM
 * names the store (`shopify`), so the store's orders find the member.
 */
import type { ImportedMember } from '../../core/members/import-member.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { LoyaltyLionCustomer } from './schemas.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function name(value: string | null | undefined): string | null {
  return value?.trim() || null;
}

export function storeAlias(customer: LoyaltyLionCustomer, storePlatform: string | undefined): string | undefined {
  const merchantId = customer.merchant_id?.trim();
  return storePlatform && merchantId ? `${storePlatform}:${merchantId}` : undefined;
}

/**
 * The member to open, with LoyaltyLion's three figures: approved points are spendable now,
 * pending points become spendable at `pendingActivatesAt` (LoyaltyLion publishes no date per
 * customer: docs/connectors/loyaltylion.md, "Pending points"), spent points are recorded as
 * earned and spent so lifetime figures match.
 */
export function importedMember(customer: LoyaltyLionCustomer, storePlatform: string | undefined, pendingActivatesAt: number): ImportedMember {
  const alias = storeAlias(customer, storePlatform);
  const birthday = customer.birthday?.trim();
  return {
    sourceId: customer.id,
    email: customer.email?.trim() || null,
    firstName: name(customer.properties?.first_name),
    lastName: name(customer.properties?.last_name),
    birthDate: birthday && DATE.test(birthday) ? birthday : null,
    ...(alias ? { aliases: [alias] } : {}),
    points: {
      available: customer.points_approved,
      pending: customer.points_pending > 0 ? [{ points: customer.points_pending, activatesAt: pendingActivatesAt }] : [],
      spent: customer.points_spent,
    },
  };
}

/** The customer of a webhook, as a trigger names them. */
export function triggerCustomer(customer: LoyaltyLionCustomer): TriggerCustomer {
  const email = customer.email?.trim();
  const firstName = name(customer.properties?.first_name);
  const lastName = name(customer.properties?.last_name);
  return {
    platformId: customer.id,
    ...(email ? { email } : {}),
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
  };
}
