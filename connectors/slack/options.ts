import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: slack, … }` action may give. String options are Liquid
 * templates, rendered before the adapter sees them, so nothing here checks a string's format —
 * Slack itself answers `channel_not_found` or `invalid_blocks`, and the delivery log says so.
 * Unknown keys are refused so that a typo (`chanel:`) fails `mappings check` instead of being
 * silently ignored.
 */
export const slackOptions = z
  .strictObject({
    channel: z
      .string()
      .trim()
      .min(1)
      .describe(
        'Where to post: a channel name such as "#loyalty-alerts" or a channel ID such as "C0123456789". ' +
          'The Slack app must be a member of a private channel (invite it with /invite @YourApp).',
      ),
    text: z
      .string()
      .min(1)
      .describe(
        'The message, in Slack formatting (*bold*, _italic_, <https://example.com|links>). ' +
          'When blocks are given it is still required: Slack shows it in notifications and where blocks cannot be displayed.',
      ),
    blocks: z
      .array(z.looseObject({ type: z.string().min(1) }).describe('One Block Kit block, e.g. { type: section, text: { type: mrkdwn, text: "…" } }'))
      .min(1)
      .max(50)
      .optional()
      .describe(
        'Optional Block Kit layout (at most 50 blocks), passed to Slack as written; build it in the Block Kit Builder. ' +
          'Slack rejects a malformed layout with invalid_blocks, and that delivery is not retried.',
      ),
  })
  .describe('Post a message to a Slack channel (chat.postMessage).');

export type SlackOptions = z.infer<typeof slackOptions>;
