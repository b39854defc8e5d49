import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createSlackAdapter } from './adapter.js';
import { slackOptions } from './options.js';

/**
 * Slack team alerts: `chat.postMessage` through `@slack/web-api`. The bot token needs the
 * `chat:write` scope (and `chat:write.public` to post to public channels it has not joined).
 */
export default {
  name: 'slack',
  title: 'Slack',
  directions: ['outbound'],
  config: [
    {
      env: 'SLACK_BOT_TOKEN',
      secret: true,
      required: true,
      description: 'Bot User OAuth token (xoxb-…) of the Slack app, with the chat:write scope',
    },
    {
      env: 'SLACK_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override for a proxy or a local stub (default https://slack.com; /api/ is appended)',
    },
  ],
  adapter: { name: 'slack', options: slackOptions },
  createAdapter: (env) => createSlackAdapter({ token: env.SLACK_BOT_TOKEN ?? '', apiUrl: env.SLACK_API_URL }),
} satisfies ConnectorDefinition;
