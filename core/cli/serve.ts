import { serve } from '@hono/node-server';
import { RecipeLoadError } from '../connectors/recipe.js';
import { createHub, version } from '../hub.js';
import { startScheduler } from '../scheduler.js';
import type { Command } from './main.js';

export const serveCommand: Command = {
  summary: 'Start the hub (HTTP API, webhooks, scheduler)',
  usage: [
    'Usage: loyalty-hub serve [--port <n>]',
    '',
    '  --port   port to listen on (default: $PORT or 3000)',
    '',
    'Opens DATABASE_URL (default ./data/loyalty.db), applies migrations, and prints where it',
    'listens, which connectors are enabled, and the admin key if it had to generate one.',
  ].join('\n'),
  options: { port: { type: 'string' } },
  async run(args) {
    const given = args.string('port');
    const port = Number(given ?? process.env.PORT ?? 3000);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`serve: port must be a number between 0 and 65535, not "${given ?? process.env.PORT}"`);
      return 2;
    }
    let hub: Awaited<ReturnType<typeof createHub>>;
    try {
      hub = await createHub({ processMetrics: true });
    } catch (error) {
      // A broken recipe is the merchant's to fix: its problems, not a stack trace (docs/recipes.md).
      if (!(error instanceof RecipeLoadError)) throw error;
      console.error(`serve: ${error.message}`);
      return 1;
    }
    hub.notifications.dispatcher.start();
    const stopScheduler = startScheduler(hub, Number(process.env.SCHEDULER_INTERVAL_MS ?? 60_000));
    const database = (await hub.store.ready()).detail;
    const server = serve({ fetch: hub.app.fetch, port }, (info) => {
      const url = `http://localhost:${info.port}`;
      const lines = [`Loyalty Hub ${version} listening on ${url}  (API docs: ${url}/docs)`, `console: ${url}/console`, `database: ${database}`];
      if (hub.connectors.length === 0) lines.push('connectors: none installed yet (see connectors/README.md)');
      for (const c of hub.connectors) {
        lines.push(`connector ${c.name.padEnd(12)} ${c.enabled ? 'enabled' : `disabled: set ${c.missing.join(', ')}`}`);
      }
      const mappings = hub.notifications.mappings.current();
      lines.push(`mappings: ${mappings.length} loaded from ${hub.notifications.mappingsDir} (check them with: npx loyalty-hub mappings check)`);
      if (hub.generatedAdminKey) {
        lines.push(`admin API key (generated now, shown only once; store it, or set ADMIN_API_KEY): ${hub.generatedAdminKey}`);
      }
      console.log(lines.join('\n'));
    });
    // A port that cannot be listened on (taken, privileged) is said in a line, not an unhandled
    // 'error' event's stack trace; the hub then stops as on a signal.
    const failed = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const stop = () => {
        console.log('shutting down');
        server.close(() => resolve(undefined));
      };
      server.once('error', (error: NodeJS.ErrnoException) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(error);
      });
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await stopScheduler();
    await hub.close();
    if (failed) {
      console.error(`serve: ${listenProblem(failed, port)}`);
      return 1;
    }
    return 0;
  },
};

function listenProblem(error: NodeJS.ErrnoException, port: number): string {
  if (error.code === 'EADDRINUSE') return `port ${port} is already in use (another hub or program listens there): stop it, or choose another port with --port or PORT`;
  if (error.code === 'EACCES') return `port ${port} needs privileges this process lacks: choose a port above 1023 with --port or PORT`;
  return `cannot listen on port ${port}: ${error.message}`;
}
