import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { getMember } from '../../core/members/members.js';
import { createHubSpotAdapter } from './adapter.js';
import { ACTIVITY_NAME, parseActivityProperties } from './events.js';
import { createHubSpotInbound } from './inbound.js';
import { hubspotOptions } from './options.js';

/**
 * HubSpot, both ways. In: `POST /webhooks/hubspot` verifies HubSpot's v3 signature (v2 for custom
 * workflow actions) and turns new contacts into `customer.created`, watched contact properties
 * into activities, and the "award points" workflow action into an activity. Out: the `hubspot`
 * mapping adapter writes the loyalty properties (points, tier, points expiring) on contacts.
 * Merchant setup: docs/connectors/hubspot.md.
 *
 * The connector is enabled by its client secret; the access token is optional for receiving
 * (it adds the contacts' e-mail) and needed for writing contacts — without it the adapter records
 * every send as skipped, saying why.
 */
export default {
  name: 'hubspot',
  title: 'HubSpot',
  directions: ['inbound', 'outbound'],
  config: [
    {
      env: 'HUBSPOT_CLIENT_SECRET',
      secret: true,
      required: true,
      description:
        "Client secret of the HubSpot app that sends the webhooks and the workflow action (its Auth tab): the key of their signatures. " +
        'Several secrets may be given separated by commas (two apps, or a secret being rotated)',
    },
    {
      env: 'HUBSPOT_ACCESS_TOKEN',
      secret: true,
      required: false,
      description:
        'Access token of the private app (pat-…) with crm.objects.contacts.read/write and crm.schemas.contacts.read/write: writes the loyalty properties, ' +
        "and reads a new contact's e-mail so it joins the same person's member",
    },
    {
      env: 'HUBSPOT_ACTIVITY_PROPERTIES',
      secret: false,
      required: false,
      description: 'Contact properties whose change to a true value is an activity, as property=activity pairs: newsletter_opt_in=newsletter.subscribed,review_left=review.posted',
    },
    {
      env: 'HUBSPOT_ACTION_ACTIVITY',
      secret: false,
      required: false,
      description: 'The activity the "award points" workflow action records when the action has no activity input (e.g. hubspot.workflow)',
    },
    {
      env: 'HUBSPOT_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override for a proxy or a local stub (default https://api.hubapi.com)',
    },
  ],
  createInbound: (env, services) => {
    const defaultActivity = env.HUBSPOT_ACTION_ACTIVITY?.trim().toLowerCase() || undefined;
    if (defaultActivity && !ACTIVITY_NAME.test(defaultActivity)) {
      throw new Error(`hubspot: HUBSPOT_ACTION_ACTIVITY "${defaultActivity}" is not a lower-case activity name like review.posted`);
    }
    const accessToken = env.HUBSPOT_ACCESS_TOKEN?.trim() || undefined;
    // Said once at start: the connector is enabled, but half of it cannot work.
    if (!accessToken) {
      services.logger.warn('hubspot: HUBSPOT_ACCESS_TOKEN is not set: contacts are not written (hubspot mapping actions are recorded as skipped) and members from HubSpot have no e-mail');
    }
    return createHubSpotInbound({
      secrets: clientSecrets(env.HUBSPOT_CLIENT_SECRET),
      activityProperties: parseActivityProperties(env.HUBSPOT_ACTIVITY_PROPERTIES),
      defaultActivity,
      accessToken,
      apiUrl: env.HUBSPOT_API_URL || undefined,
      logger: services.logger,
    });
  },
  adapter: { name: 'hubspot', options: hubspotOptions },
  createAdapter: (env, services) =>
    createHubSpotAdapter({
      accessToken: env.HUBSPOT_ACCESS_TOKEN,
      apiUrl: env.HUBSPOT_API_URL || undefined,
      // Read at send time only (building the adapter touches no database).
      aliasesOf: async (memberId) => (await getMember(services.store.db, memberId))?.aliases ?? [],
    }),
} satisfies ConnectorDefinition;

/** `HUBSPOT_CLIENT_SECRET`: one secret, or several separated by commas. */
export function clientSecrets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
