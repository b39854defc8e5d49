import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { getMember } from '../../core/members/members.js';
import { createSfmcAdapter } from './adapter.js';
import { createSfmcInbound } from './inbound.js';
import { createSfmcRoutes } from './routes.js';
import { sfmcOptions } from './options.js';

/**
 * Salesforce Marketing Cloud (Journey Builder), both ways. In: a Journey Builder custom activity
 * whose execute calls (`POST /webhooks/sfmc`, signed JWT) award the points the marketer set on
 * the activity, once per contact and activity; its config.json and configuration page are served
 * by `./routes.ts`. Out: the `sfmc` mapping adapter fires a journey's API entry event on loyalty
 * events. Merchant setup: docs/connectors/sfmc.md.
 */
export default {
  name: 'sfmc',
  title: 'Salesforce Marketing Cloud',
  directions: ['inbound', 'outbound'],
  config: [
    {
      env: 'SFMC_SUBDOMAIN',
      secret: false,
      required: true,
      description: 'The tenant subdomain of your installed package\'s API URIs: "mc563885gzs27c5t9-63k636ttgm" from https://mc563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com/',
    },
    { env: 'SFMC_CLIENT_ID', secret: false, required: true, description: 'Client Id of the installed package\'s Server-to-Server API integration' },
    { env: 'SFMC_CLIENT_SECRET', secret: true, required: true, description: 'Client Secret of that API integration (needs Journeys: Execute to fire entry events)' },
    { env: 'SFMC_ACCOUNT_ID', secret: false, required: false, description: 'MID of the business unit whose journeys receive the events (default: the unit that created the package)' },
    {
      env: 'SFMC_JWT_SECRET',
      secret: true,
      required: true,
      description: 'JWT Signing Secret of the installed package (Installed Packages → your package → JWT Signing Secret): checks every call of the Journey Builder activity',
    },
    { env: 'SFMC_AUTH_URL', secret: false, required: false, description: 'Base URL override for the token endpoint (default https://<subdomain>.auth.marketingcloudapis.com)' },
    { env: 'SFMC_REST_URL', secret: false, required: false, description: 'Base URL override for the REST API (default https://<subdomain>.rest.marketingcloudapis.com)' },
  ],
  createInbound: (env, _services) => createSfmcInbound({ jwtSecret: env.SFMC_JWT_SECRET ?? '' }),
  // config.json, the configuration page and the save/publish/validate/stop calls (./routes.ts).
  createRoutes: (env, services) => createSfmcRoutes({ jwtSecret: env.SFMC_JWT_SECRET ?? '', publicUrl: services.publicUrl }),
  adapter: { name: 'sfmc', options: sfmcOptions },
  createAdapter: (env, services) =>
    createSfmcAdapter({
      subdomain: env.SFMC_SUBDOMAIN ?? '',
      clientId: env.SFMC_CLIENT_ID ?? '',
      clientSecret: env.SFMC_CLIENT_SECRET ?? '',
      accountId: env.SFMC_ACCOUNT_ID?.trim() || undefined,
      authUrl: env.SFMC_AUTH_URL || undefined,
      restUrl: env.SFMC_REST_URL || undefined,
      // Read at send time only (building the adapter touches no database).
      aliasesOf: async (memberId) => (await getMember(services.store.db, memberId))?.aliases ?? [],
    }),
} satisfies ConnectorDefinition;
