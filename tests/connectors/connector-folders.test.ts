/**
 * What a merchant reads about a connector matches the connector (docs/adding-a-connector.md):
 * every variable a connector declares is in `.env.example`, and every connector that receives
 * webhooks has a setup page in docs/connectors/ naming its required variables. A connector added
 * without them fails here, not in a merchant's first afternoon.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverConnectors } from '../../core/connectors/discover.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const definitions = await discoverConnectors();
const envExample = readFileSync(`${root}.env.example`, 'utf8');
const listed = new Set([...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

describe('connector folders', () => {
  it.each(definitions.map((d) => [d.name, d] as const))('%s: every variable it declares is in .env.example', (_name, def) => {
    const missing = def.config.map((c) => c.env).filter((env) => !listed.has(env));
    expect(missing).toEqual([]);
  });

  it.each(definitions.filter((d) => d.createInbound).map((d) => [d.name, d] as const))(
    '%s: receives webhooks, so docs/connectors/%s.md sets it up and names its required variables',
    (name, def) => {
      const page = `${root}docs/connectors/${name}.md`;
      expect(existsSync(page), `docs/connectors/${name}.md`).toBe(true);
      const text = readFileSync(page, 'utf8');
      const unnamed = def.config.filter((c) => c.required && c.env !== 'PUBLIC_URL').map((c) => c.env).filter((env) => !text.includes(env));
      expect(unnamed).toEqual([]);
    },
  );
});
