import { discoverConnectors } from '../connectors/discover.js';
import { connectorState } from '../connectors/connector-state.js';
import { withRecipes } from '../connectors/recipe.js';
import { connectorStatus } from '../connectors/definition.js';
import { listInbox } from '../inbound/inbox.js';
import { pointsWritten, replayDelivery } from '../inbound/replay-delivery.js';
import { createWriteBoundary } from '../commit/commit.js';
import { createLogger } from '../observability/logger.js';
import { DEFAULT_PROGRAM_PATH, loadProgramFile } from '../program/load-program.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { Command } from './main.js';

/** The inbox statuses a replay may pick (docs/operating.md, "Replaying deliveries"). */
const REPLAYABLE = ['rejected', 'failed', 'accepted', 'ignored'];

export const replayCommand: Command = {
  summary: 'Re-run stored inbound deliveries (after fixing a connector or the program); idempotent',
  usage: [
    'Usage: loyalty-hub replay [--source shopify] [--status rejected|failed|accepted|ignored] [--id ibx_…] [--limit 1000]',
    '',
    'Normalizes each stored raw body again with its connector and applies the trigger events.',
    'Signatures are not checked again (the delivery was verified when it arrived). Replaying is',
    'idempotent: an order, refund or activity already applied is reported as a duplicate and',
    'earns nothing twice. Default: --status rejected (what failed to apply), newest first.',
  ].join('\n'),
  options: { source: { type: 'string' }, status: { type: 'string' }, id: { type: 'string' }, limit: { type: 'string' } },
  async run(args) {
    const status = args.string('status') ?? 'rejected';
    if (!REPLAYABLE.includes(status)) {
      console.error(`replay: --status must be one of ${REPLAYABLE.join(', ')}, not "${status}"`);
      return 2;
    }
    const limitText = args.string('limit') ?? '1000';
    if (!/^[1-9]\d{0,6}$/.test(limitText)) {
      console.error(`replay: --limit must be a whole number from 1, not "${limitText}"`);
      return 2;
    }
    const env = process.env;
    const program = loadProgramFile(env.LOYALTY_CONFIG || DEFAULT_PROGRAM_PATH);
    const logger = createLogger({ level: 'warn' });
    // Recipes too (docs/recipes.md): a delivery to a recipe is replayed like any other.
    const definitions = withRecipes(await discoverConnectors(), env, { shipped: true });
    const store = await openStore(env.DATABASE_URL || DEFAULT_DATABASE_URL);
    const counts: Record<string, number> = {};
    try {
      const { commit } = createWriteBoundary(store, Date.now, { thresholds: program.thresholds, timeZone: program.timeZone });
      const id = args.string('id');
      const rows = (await listInbox(store.db, { source: args.string('source'), status: id ? undefined : status, limit: Number(limitText) })).filter(
        (r) => !id || r.id === id,
      );
      for (const row of rows.reverse()) {
        const def = definitions.find((d) => d.name === row.source);
        const handler =
          def?.createInbound && connectorStatus(def, env).enabled
            ? def.createInbound(env, { logger, publicUrl: env.PUBLIC_URL || undefined, state: connectorState(store, commit, def.name) })
            : undefined;
        const result = await replayDelivery({ commit, program, logger }, row, handler, env.PUBLIC_URL);
        if ('refused' in result) {
          console.error(`${row.id}: ${result.detail}; skipped`);
          counts.skipped = (counts.skipped ?? 0) + 1;
          continue;
        }
        counts[result.status] = (counts[result.status] ?? 0) + 1;
        const points = pointsWritten(result);
        console.log(`${row.id} ${row.source} ${row.topic ?? ''}: ${result.status}${points ? ` (${points} points)` : ''}${'detail' in result ? `: ${result.detail}` : ''}`);
      }
    } finally {
      await store.close();
    }
    console.log(Object.keys(counts).length ? Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') : 'nothing to replay');
    return counts.failed ? 1 : 0;
  },
};
