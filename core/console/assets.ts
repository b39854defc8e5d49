/**
 * The console's static files, served by the hub itself (it has no internet at run time and no
 * build step): htmx and Chart.js from their npm packages, our stylesheet and script from
 * `core/console/assets/`. Read once at start, addressed with a content hash so a browser may
 * keep them for a year and still never runs a stale copy after an upgrade.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);

const SOURCES: Record<string, { path: string; type: string }> = {
  'htmx.js': { path: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  // chart.js exports no path to its browser build: it sits beside the entry point in dist/.
  'chart.js': { path: join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
  'console.css': { path: new URL('./assets/console.css', import.meta.url).pathname, type: 'text/css; charset=utf-8' },
  'console.js': { path: new URL('./assets/console.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8' },
};

export type AssetName = keyof typeof SOURCES;

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

let loaded: Map<string, Asset> | undefined;

function assets(): Map<string, Asset> {
  loaded ??= new Map(
    Object.entries(SOURCES).map(([name, { path, type }]) => {
      const body = readFileSync(path);
      return [name, { body, type, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) }];
    }),
  );
  return loaded;
}

/** The address of an asset, with its content hash. */
export function assetUrl(name: AssetName): string {
  return `/console/assets/${name}?v=${assets().get(name)!.hash}`;
}

export function assetRoutes(): Hono {
  const app = new Hono();
  app.get('/:name', (c) => {
    const asset = assets().get(c.req.param('name'));
    if (!asset) return c.text('Not found', 404);
    return c.body(new Uint8Array(asset.body), 200, {
      'content-type': asset.type,
      'cache-control': c.req.query('v') === asset.hash ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  });
  return app;
}
