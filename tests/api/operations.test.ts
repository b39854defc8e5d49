import { describe, expect, it } from 'vitest';
import { backend } from '../helpers/temp-database.js';
import { hubHarness, json } from '../helpers/test-hub.js';

describe('operational endpoints', () => {
  const h = hubHarness({
    connectors: [
      { name: 'shopify', title: 'Shopify', directions: ['inbound'], config: [{ env: 'SHOPIFY_API_SECRET', secret: true, required: true, description: 'app secret' }] },
    ],
  });

  it('runs on the backend of its test project', () => {
    expect(h.hub.store.dialect).toBe(backend);
  });

  it('reports health and readiness without a key', async () => {
    expect(await json(await h.hub.app.request('/health'))).toMatchObject({ status: 'ok' });
    const ready = await h.hub.app.request('/ready');
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({ status: 'ready', database: expect.stringContaining('migrations applied') });
  });

  it('serves an OpenAPI document generated from the validating schemas, and docs', async () => {
    const doc = await json<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { required?: string[] }> } }>(
      await h.hub.app.request('/openapi.json'),
    );
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/members', '/v1/members/{id}', '/v1/members/{id}/balance', '/v1/members/{id}/transactions', '/v1/members/{id}/adjustments', '/v1/events']),
    );
    const adjust = doc.paths['/v1/members/{id}/adjustments']!.post as { requestBody: unknown; responses: Record<string, unknown> };
    expect(JSON.stringify(adjust.requestBody)).toContain('#/components/schemas/Adjustment');
    expect(doc.components.schemas.Adjustment!.required).toEqual(expect.arrayContaining(['points', 'reason']));
    expect(Object.keys(adjust.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '422']));
    // Every write accepts an Idempotency-Key (SPEC §3), and the document says so on each.
    const undeclared = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops as Record<string, { parameters?: { in: string; name: string }[] }>)
        .filter(([method, op]) => path.startsWith('/v1/') && ['post', 'put', 'patch', 'delete'].includes(method) && !(op.parameters ?? []).some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'))
        .map(([method]) => `${method} ${path}`),
    );
    expect(undeclared).toEqual([]);
    // The routes outside /v1 are described too, with no API key: a developer reading /docs finds every endpoint.
    for (const path of ['/health', '/ready', '/metrics']) expect(doc.paths[path]?.get, path).toMatchObject({ security: [] });
    const webhook = doc.paths['/webhooks/{platform}']?.post as { security: unknown[]; responses: Record<string, unknown> };
    expect(webhook.security).toEqual([]);
    expect(Object.keys(webhook.responses).sort()).toEqual(['200', '400', '401', '404', '413']);
    const docs = await h.hub.app.request('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/openapi.json');
  });

  it('exposes Prometheus metrics that count requests and ledger writes', async () => {
    const m = await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com' } }));
    await h.call('POST', `/v1/members/${m.id}/adjustments`, { body: { points: 5, reason: 'test' } });
    const text = await (await h.hub.app.request('/metrics')).text();
    expect(text).toMatch(/loyalty_hub_ledger_transfers_total\{kind="adjust",outcome="applied"\} 1/);
    expect(text).toMatch(/loyalty_hub_http_request_duration_seconds_count\{method="POST",route="\/v1\/members\/:id\/adjustments",status="201"\} 1/);
  });

  it('answers a webhook for a connector lacking its secret with 404 naming the variable', async () => {
    const res = await h.hub.app.request('/webhooks/shopify', { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ type: '/problems/connector-not-configured', missing: ['SHOPIFY_API_SECRET'] });
    const unknown = await h.hub.app.request('/webhooks/nope', { method: 'POST', body: '{}' });
    expect(await json(unknown)).toMatchObject({ type: '/problems/unknown-platform', installed: ['shopify'] });
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await h.hub.app.request('/v2/anything');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
