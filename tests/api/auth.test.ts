import { describe, expect, it } from 'vitest';
import { revokeApiKey, createApiKey } from '../../core/auth/api-keys.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

describe('API keys and scopes', () => {
  const h = hubHarness();

  it('answers 401 with a problem document when no key is sent', async () => {
    const res = await h.call('GET', '/v1/members', { scope: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await json(res)).toMatchObject({ type: '/problems/unauthorized', status: 401, title: 'Unauthorized' });
  });

  it('answers 401 for an unknown key and for a forged secret of a real key id', async () => {
    const unknown = await h.call('GET', '/v1/members', { scope: null, headers: { authorization: 'Bearer lh_nope_aaaaaaaaaaaaaaaaaaaaaaaa' } });
    expect(unknown.status).toBe(401);
    const forged = h.keys.read.slice(0, -4) + 'AAAA';
    const res = await h.call('GET', '/v1/members', { scope: null, headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });

  it('lets a read key read but answers 403 when it writes, writing nothing', async () => {
    expect((await h.call('GET', '/v1/members', { scope: 'read' })).status).toBe(200);
    const res = await h.call('POST', '/v1/members', { scope: 'read', body: { email: 'ann@example.com' } });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ type: '/problems/forbidden', status: 403 });
    const found = await json<{ data: unknown[] }>(await h.call('GET', '/v1/members?email=ann@example.com'));
    expect(found.data).toEqual([]);
  });

  it('keeps adjustments and erasure for admin keys', async () => {
    const m = await json<{ id: string }>(await h.call('POST', '/v1/members', { scope: 'write', body: { email: 'bo@example.com' } }));
    const adj = await h.call('POST', `/v1/members/${m.id}/adjustments`, { scope: 'write', body: { points: 10, reason: 'goodwill' } });
    expect(adj.status).toBe(403);
    expect((await h.call('DELETE', `/v1/members/${m.id}`, { scope: 'write' })).status).toBe(403);
  });

  it('stops accepting a revoked key', async () => {
    const { key, id } = await createApiKey(h.hub.commit, 'temp', ['read']);
    expect((await revokeApiKey(h.hub.commit, id)).status).toBe('revoked');
    // Never used before revocation, so no cached record stands in the way (records are cached ~5 s).
    const res = await h.call('GET', '/v1/members', { scope: null, headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(401);
  });

  it('stores only hashes of keys', async () => {
    const { apiKeys } = tablesOf(h.hub.store.db);
    const rows = await h.hub.store.db.select().from(apiKeys);
    for (const row of rows) {
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.values(h.keys).some((k) => JSON.stringify(row).includes(k))).toBe(false);
    }
  });
});
