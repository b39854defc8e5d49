import { describe, expect, it } from 'vitest';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness } from '../helpers/test-hub.js';

const OPERATOR_KEY = 'lh_admin_Qm9wZXJhdG9yLWNob3Nlbi1rZXk';

async function body<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('ADMIN_API_KEY of any shape', () => {
  const h = hubHarness({ env: { ADMIN_API_KEY: OPERATOR_KEY } });

  it('accepts an operator key shaped like lh_<id>_<secret> whose id is not a stored key', async () => {
    const res = await h.call('GET', '/v1/api-keys', { scope: null, headers: bearer(OPERATOR_KEY) });
    expect(res.status).toBe(200);
    // A look-alike with another secret is still refused.
    const forged = await h.call('GET', '/v1/api-keys', { scope: null, headers: bearer('lh_admin_Qm9wZXJhdG9yLWNob3Nlbi1rZXX') });
    expect(forged.status).toBe(401);
  });
});

describe('/v1/api-keys', () => {
  const h = hubHarness();

  it('creates a key shown once, lists keys without secrets, and revokes at once', async () => {
    const created = await h.call('POST', '/v1/api-keys', { body: { name: 'POS backend', scope: 'write' }, headers: { 'idempotency-key': 'k-1' } });
    expect(created.status).toBe(201);
    const made = await body<{ id: string; key: string; scopes: string[] }>(created);
    expect(made.key).toMatch(/^lh_[0-9a-z]+_[A-Za-z0-9_-]{16,}$/);
    expect(made.scopes).toEqual(['write']);

    // The new key works (and its record is now cached by the verifier).
    expect((await h.call('GET', '/v1/members', { scope: null, headers: bearer(made.key) })).status).toBe(200);

    // A replay answers the first result without the key, and no record keeps it.
    const replay = await h.call('POST', '/v1/api-keys', { body: { name: 'POS backend', scope: 'write' }, headers: { 'idempotency-key': 'k-1' } });
    expect(replay.status).toBe(201);
    const replayed = await body<{ id: string; key: string | null }>(replay);
    expect(replayed.id).toBe(made.id);
    expect(replayed.key).toBeNull();
    const { idempotencyRecords } = tablesOf(h.hub.store.db);
    const records = await h.hub.store.db.select().from(idempotencyRecords);
    expect(JSON.stringify(records)).not.toContain(made.key);

    const listed = await body<{ data: Record<string, unknown>[] }>(await h.call('GET', '/v1/api-keys'));
    expect(listed.data.map((k) => k.name)).toEqual(expect.arrayContaining(['ADMIN_API_KEY', 'storefront', 'dashboard', 'POS backend']));
    expect(JSON.stringify(listed)).not.toMatch(/lh_[0-9a-z]+_|"hash"/);
    expect(listed.data.find((k) => k.name === 'ADMIN_API_KEY')?.fromEnvironment).toBe(true);

    const revoked = await h.call('DELETE', `/v1/api-keys/${made.id}`);
    expect(revoked.status).toBe(200);
    expect((await body<{ revokedAt: string | null }>(revoked)).revokedAt).not.toBeNull();
    // Cached a moment ago, refused now: the revocation took effect in this process at once.
    expect((await h.call('GET', '/v1/members', { scope: null, headers: bearer(made.key) })).status).toBe(401);

    const active = await body<{ data: { id: string }[] }>(await h.call('GET', '/v1/api-keys?revoked=false'));
    expect(active.data.map((k) => k.id)).not.toContain(made.id);
  });

  it('refuses what would lock the operator out, and needs the admin scope', async () => {
    const env = await h.call('DELETE', '/v1/api-keys/env_admin');
    expect(env.status).toBe(409);
    expect((await body<{ type: string }>(env)).type).toBe('/problems/api-key-from-environment');
    expect((await h.call('DELETE', '/v1/api-keys/nope')).status).toBe(404);
    expect((await h.call('GET', '/v1/api-keys', { scope: 'write' })).status).toBe(403);
    expect((await h.call('POST', '/v1/api-keys', { scope: 'write', body: { name: 'x', scope: 'admin' } })).status).toBe(403);
    const bad = await h.call('POST', '/v1/api-keys', { body: { name: 'x', scope: 'root' } });
    expect(bad.status).toBe(400);
  });
});
