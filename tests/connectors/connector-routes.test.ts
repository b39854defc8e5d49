/**
 * A connector's other routes (docs/adding-a-connector.md, "Other routes"): what a platform calls
 * besides the webhook — Journey Builder's config.json and lifecycle calls — served at
 * /connectors/<name> while the connector is enabled, with the hub's body limit and problem
 * answers around them, and nothing when it is not.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { hubHarness } from '../helpers/test-hub.js';

const acme: ConnectorDefinition = {
  name: 'acme',
  title: 'Acme Journeys',
  directions: ['inbound'],
  config: [{ env: 'ACME_SECRET', secret: true, required: true, description: 'signs the lifecycle calls' }],
  createRoutes: (env, services) =>
    new Hono()
      .get('/config.json', (c) => c.json({ execute: `${services.publicUrl}/webhooks/acme` }))
      .post('/validate', async (c) => {
        if (c.req.header('authorization') !== `Bearer ${env.ACME_SECRET}`) return c.json({ error: 'not signed' }, 401);
        return c.json({ ok: true, bytes: (await c.req.text()).length });
      }),
};

describe('connector routes, enabled', () => {
  const h = hubHarness({ connectors: [acme], env: { ACME_SECRET: 's3cret', PUBLIC_URL: 'https://loyalty.example.com', MAX_BODY_BYTES: '1024' } });

  it('serves the connector\'s pages at /connectors/<name>, with the services it was given', async () => {
    const res = await h.hub.app.request('/connectors/acme/config.json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ execute: 'https://loyalty.example.com/webhooks/acme' });
    const validate = await h.hub.app.request('/connectors/acme/validate', { method: 'POST', body: '{}', headers: { authorization: 'Bearer s3cret' } });
    expect(await validate.json()).toEqual({ ok: true, bytes: 2 });
  });

  it('leaves authentication to the route, and holds its bodies to MAX_BODY_BYTES', async () => {
    expect((await h.hub.app.request('/connectors/acme/validate', { method: 'POST', body: '{}' })).status).toBe(401);
    const big = await h.hub.app.request('/connectors/acme/validate', { method: 'POST', body: 'x'.repeat(4096), headers: { authorization: 'Bearer s3cret', 'content-length': '4096' } });
    expect(big.status).toBe(413);
  });

  it('answers a route the connector does not have with the hub\'s 404 problem', async () => {
    const res = await h.hub.app.request('/connectors/acme/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('connector routes, disabled', () => {
  const h = hubHarness({ connectors: [acme] });

  it('serves nothing while the connector lacks its variables', async () => {
    expect((await h.hub.app.request('/connectors/acme/config.json')).status).toBe(404);
  });
});
