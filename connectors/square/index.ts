import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createSquareInbound, squareNotificationUrl } from './inbound.js';
import { createSquareLoyaltyAdapter } from './loyalty-adapter.js';
import { squareLoyaltyOptions } from './loyalty-options.js';
import { parseRewardTiers } from './reward-tiers.js';
import { createSquareStoreCodeAdapter } from './store-code-adapter.js';

/**
 * Square in: `POST /webhooks/square` verifies `x-square-hmacsha256-signature` (HMAC over the
 * notification URL and the body) and turns completed payments into `order.paid`, completed
 * refunds into `order.refunded` and customer profiles into `customer.created` / `.updated`.
 * Square out (adapter `square`): mirrors points into the member's Square Loyalty account
 * (AdjustLoyaltyPoints / AccumulateLoyaltyPoints), for mappings such as
 * mappings/square-loyalty-mirror.yaml; it needs SQUARE_ACCESS_TOKEN.
 * Square rewards at the till (adapter `square-store-codes`): a hub reward whose `storeCodes`
 * lists `square` becomes a Square Loyalty reward for the member (CreateLoyaltyReward), deleted
 * again when the hub reverses the redemption; `loyalty.event.created` of that reward
 * (REDEEM_REWARD / DELETE_REWARD) comes back as the hub voucher used / cancelled.
 * Merchant setup: docs/connectors/square.md.
 */
export default {
  name: 'square',
  title: 'Square',
  directions: ['inbound', 'outbound'],
  config: [
    {
      env: 'SQUARE_WEBHOOK_SIGNATURE_KEY',
      secret: true,
      required: true,
      description: 'Signature key of the webhook subscription (Developer Console → your app → Webhooks → Subscriptions → the subscription)',
    },
    {
      env: 'PUBLIC_URL',
      secret: false,
      required: true,
      description: 'The hub\'s public base URL: Square signs the notification URL, which must be exactly PUBLIC_URL/webhooks/square',
    },
    {
      env: 'SQUARE_ACCESS_TOKEN',
      secret: true,
      required: false,
      description:
        'Access token: ORDERS_READ to fetch the order of a completed payment for its line items; ' +
        'LOYALTY_READ and LOYALTY_WRITE for the Square Loyalty mirror (adapter square) and for rewards at the till (square-store-codes)',
    },
    {
      env: 'SQUARE_REWARD_TIERS',
      secret: false,
      required: false,
      description:
        'Which Square reward tier each hub reward becomes at the till: <hub reward id>=<Square reward tier id>, comma-separated. ' +
        'A reward not listed takes the tier of the same name',
    },
    {
      env: 'SQUARE_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override: https://connect.squareupsandbox.com for a sandbox account, or a proxy or local stub (default https://connect.squareup.com)',
    },
  ],
  createInbound: (env, services) => {
    const publicUrl = services.publicUrl || env.PUBLIC_URL;
    if (!publicUrl) throw new Error('square: PUBLIC_URL is required (Square signs the notification URL)');
    return createSquareInbound({
      signatureKey: env.SQUARE_WEBHOOK_SIGNATURE_KEY ?? '',
      notificationUrl: squareNotificationUrl(publicUrl),
      accessToken: env.SQUARE_ACCESS_TOKEN || undefined,
      apiUrl: env.SQUARE_API_URL || undefined,
      logger: services.logger,
      state: services.state,
    });
  },
  adapter: { name: 'square', options: squareLoyaltyOptions },
  createAdapter: (env) => createSquareLoyaltyAdapter({ accessToken: env.SQUARE_ACCESS_TOKEN || undefined, apiUrl: env.SQUARE_API_URL || undefined }),
  capabilities: {
    storeCodes: {
      env: ['SQUARE_ACCESS_TOKEN'],
      createAdapter: (env, services) =>
        createSquareStoreCodeAdapter(
          { accessToken: env.SQUARE_ACCESS_TOKEN || undefined, apiUrl: env.SQUARE_API_URL || undefined, tiers: parseRewardTiers(env.SQUARE_REWARD_TIERS) },
          services,
        ),
    },
  },
} satisfies ConnectorDefinition;
