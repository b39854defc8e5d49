/**
 * What Journey Builder needs from the activity besides execute (which is `POST /webhooks/sfmc`):
 * served under `/connectors/sfmc/` (docs/connectors/sfmc.md, "The activity").
 *
 * - `GET config.json` — the activity's configuration, its URLs built from PUBLIC_URL;
 * - `GET index.html`, `postmonger.js`, `icon.svg` — the configuration page and what it loads;
 * - `POST save | publish | validate | stop` — each a JWT signed with SFMC_JWT_SECRET, answered
 *   200 when it verifies (401 otherwise); validate also refuses (400) an activity whose points
 *   are not a whole number of at least 1, which blocks publishing the journey.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { activityConfig } from './activity-config.js';
import { activityArguments, ACTIVITY_NAME, pointsOf } from './execute.js';
import { verifyJourneyJwt } from './jwt.js';

export interface SfmcRoutesConfig {
  jwtSecret: string;
  /** PUBLIC_URL: the https address Journey Builder reaches the hub at. */
  publicUrl?: string;
  now?: () => number;
}

const ui = (name: string) => readFileSync(new URL(`./ui/${name}`, import.meta.url), 'utf8');

export function createSfmcRoutes(config: SfmcRoutesConfig): Hono {
  const now = config.now ?? Date.now;
  const page = ui('index.html');
  const postmonger = ui('postmonger.js');
  const icon = ui('icon.svg');
  const app = new Hono();

  app.get('/config.json', (c) => {
    if (!config.publicUrl) return c.json({ error: 'PUBLIC_URL is not set: Journey Builder needs the hub\'s https address to call the activity' }, 503);
    return c.json(activityConfig(config.publicUrl));
  });
  app.get('/', (c) => c.redirect('index.html'));
  app.get('/index.html', (c) => c.html(page));
  app.get('/postmonger.js', (c) => c.body(postmonger, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/icon.svg', (c) => c.body(icon, 200, { 'content-type': 'image/svg+xml' }));

  for (const step of ['save', 'publish', 'validate', 'stop'] as const) {
    app.post(`/${step}`, async (c) => {
      const check = verifyJourneyJwt(await c.req.text(), config.jwtSecret, now());
      if (!check.ok) return c.json({ error: check.reason }, 401);
      if (step === 'validate') {
        const problem = configurationProblem(check.payload);
        if (problem) return c.json({ error: problem }, 400);
      }
      return c.json({ success: true });
    });
  }
  return app;
}

/** What would make every execute call fail: checked when the journey is validated. */
function configurationProblem(payload: Record<string, unknown>): string | undefined {
  const execute = (payload.arguments as { execute?: { inArguments?: unknown } } | undefined)?.execute;
  const inArguments = Array.isArray(payload.inArguments) ? payload.inArguments : Array.isArray(execute?.inArguments) ? execute.inArguments : undefined;
  // Journey Builder sends the activity's configuration with validate only in some calls; nothing to check without it.
  if (!inArguments) return undefined;
  const args = activityArguments({ inArguments: inArguments.filter((a): a is Record<string, unknown> => !!a && typeof a === 'object') });
  if (pointsOf(args.points) === undefined) return 'the points of the activity must be a whole number of at least 1';
  if (args.activity !== undefined && !ACTIVITY_NAME.test(String(args.activity))) return `"${String(args.activity)}" is not a lower-case activity name like journey.welcome`;
  return undefined;
}
