/**
 * The custom activity's `config.json`, which Journey Builder reads from the activity's endpoint
 * (`<PUBLIC_URL>/connectors/sfmc/`) when the canvas loads (docs/connectors/sfmc.md, "The
 * activity"). Every call is signed (`useJwt: true`); execute goes to the hub's standard inbound
 * path `/webhooks/sfmc`, the configuration calls to this connector's routes.
 */
import { DEFAULT_JOURNEY_ACTIVITY } from './execute.js';

export const DEFAULT_ACTIVITY_POINTS = 100;

export function activityConfig(publicUrl: string): Record<string, unknown> {
  const base = publicUrl.replace(/\/+$/, '');
  const here = `${base}/connectors/sfmc`;
  const signed = (path: string) => ({ url: `${here}/${path}`, useJwt: true });
  return {
    workflowApiVersion: '1.1',
    metaData: { icon: 'icon.svg', category: 'customer', isConfigured: false, configOnDrop: true },
    type: 'REST',
    lang: {
      'en-US': { name: 'Award loyalty points', description: 'Awards the contact the points of a loyalty activity in Loyalty Hub, once per contact.' },
    },
    arguments: {
      execute: {
        // The configuration page fills in activity and points (updateActivity).
        inArguments: [{ contactKey: '{{Contact.Key}}', email: '{{Contact.Default.Email}}', activity: DEFAULT_JOURNEY_ACTIVITY, points: DEFAULT_ACTIVITY_POINTS }],
        outArguments: [],
        url: `${base}/webhooks/sfmc`,
        useJwt: true,
        timeout: 10_000,
        // Journey Builder retries a 5xx or a timeout; the hub earns once per contact and activity.
        retryCount: 3,
        retryDelay: 1000,
        concurrentRequests: 5,
      },
    },
    configurationArguments: {
      save: signed('save'),
      publish: signed('publish'),
      validate: signed('validate'),
      stop: signed('stop'),
    },
    userInterfaces: {
      configModal: { height: 320, width: 480, fullscreen: false },
    },
    schema: {
      arguments: {
        execute: {
          inArguments: [
            { contactKey: { dataType: 'Text', isNullable: false, direction: 'in' } },
            { email: { dataType: 'EmailAddress', isNullable: true, direction: 'in' } },
            { activity: { dataType: 'Text', isNullable: false, direction: 'in' } },
            { points: { dataType: 'Number', isNullable: false, direction: 'in' } },
          ],
          outArguments: [],
        },
      },
    },
  };
}
