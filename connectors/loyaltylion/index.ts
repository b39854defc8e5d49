import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { getMember } from '../../core/members/members.js';
import { createLoyaltyLionAdapter } from './adapter.js';
import { createLoyaltyLionImporter, DEFAULT_PENDING_DAYS } from './importer.js';
import { createLoyaltyLionInbound } from './inbound.js';
import { loyaltyLionOptions } from './options.js';

function pendingDays(value: string | undefined): number {
  const days = Number(value);
  return value && Number.isSafeInteger(days) && days >= 1 && days <= 365 ? days : DEFAULT_PENDING_DAYS;
}

/**
 * LoyaltyLion, for merchants moving their points program to the hub (docs/connectors/loyaltylion.md):
 * `loyalty-hub import --from loyaltylion` opens every customer with the same balances, its
 * webhooks mirror the points LoyaltyLion moves meanwhile, and the `loyaltylion` adapter adds or
 * removes LoyaltyLion points so both can run side by side.
 */
export default {
  name: 'loyaltylion',
  title: 'LoyaltyLion',
  directions: ['inbound', 'outbound'],
  config: [
    { env: 'LOYALTYLION_TOKEN', secret: true, required: true, description: 'LoyaltyLion API key (Bearer) with read_customers and write_customers' },
    { env: 'LOYALTYLION_SECRET', secret: true, required: true, description: 'LoyaltyLion site secret: the HMAC key of its webhooks' },
    { env: 'LOYALTYLION_API_URL', secret: false, required: false, description: 'Base URL override for a proxy or a local stub (default https://api.loyaltylion.com)' },
    {
      env: 'LOYALTYLION_STORE_PLATFORM',
      secret: false,
      required: false,
      description: 'The connector whose customer ids LoyaltyLion keeps as merchant_id (e.g. shopify): members get that alias',
    },
    {
      env: 'LOYALTYLION_PENDING_DAYS',
      secret: false,
      required: false,
      description: `Days imported pending points stay pending, counted from the first import (default ${DEFAULT_PENDING_DAYS})`,
    },
  ],
  adapter: { name: 'loyaltylion', options: loyaltyLionOptions },
  createAdapter: (env, services) =>
    createLoyaltyLionAdapter({
      token: env.LOYALTYLION_TOKEN ?? '',
      apiUrl: env.LOYALTYLION_API_URL,
      storePlatform: env.LOYALTYLION_STORE_PLATFORM?.trim() || undefined,
      aliasesOf: async (memberId) => (await getMember(services.store.db, memberId))?.aliases ?? [],
      state: services.state,
    }),
  createInbound: (env) => createLoyaltyLionInbound(env.LOYALTYLION_SECRET ?? ''),
  createImporter: (env, services) =>
    createLoyaltyLionImporter(
      {
        token: env.LOYALTYLION_TOKEN ?? '',
        apiUrl: env.LOYALTYLION_API_URL,
        storePlatform: env.LOYALTYLION_STORE_PLATFORM?.trim() || undefined,
        pendingDays: pendingDays(env.LOYALTYLION_PENDING_DAYS),
      },
      services,
    ),
} satisfies ConnectorDefinition;
