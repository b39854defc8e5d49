/**
 * `/docs`: the OpenAPI document rendered by Swagger UI, whose script and stylesheet the hub
 * serves itself from the `swagger-ui-dist` package — not from a CDN, so the page works on a
 * server without internet access and always shows the version in package-lock.json.
 */
import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const distFolder = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export function docsPage(openapiUrl: string) {
  const app = new Hono();
  const cache = new Map<string, Promise<Buffer>>();
  // @hono/swagger-ui asks for `<baseUrl>/swagger-ui-dist/<file>` when no version is given.
  app.get('/', swaggerUI({ url: openapiUrl, baseUrl: '/docs/assets' }));
  app.get('/assets/swagger-ui-dist/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.notFound();
    let body = cache.get(file);
    if (!body) cache.set(file, (body = readFile(join(distFolder(), file))));
    return c.body(new Uint8Array(await body), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
