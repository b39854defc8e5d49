import { describe, expect, it } from 'vitest';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

type Endpoint = {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  status: string;
  disabledReason: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  secret?: string | null;
};
type Problem = { type: string; status: number; errors?: { pointer: string; in: string; message: string }[] };

const HOUR = 3_600_000;

describe('webhook endpoints', () => {
  const h = hubHarness();
  const create = (body: Record<string, unknown>) => h.call('POST', '/v1/webhook-endpoints', { body });

  it('subscribes an endpoint and shows its secret once, never again', async () => {
    const res = await create({ url: 'https://shop.example/hooks', description: 'CRM sync', events: ['points.earned', 'tier.upgraded', 'points.earned'] });
    expect(res.status).toBe(201);
    const created = await json<Endpoint>(res);
    expect(created).toMatchObject({
      url: 'https://shop.example/hooks',
      description: 'CRM sync',
      events: ['points.earned', 'tier.upgraded'],
      status: 'enabled',
      disabledReason: null,
      previousSecretExpiresAt: null,
      createdAt: new Date(h.clock()).toISOString(),
    });
    expect(created.id).toMatch(/^we_/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const read = await h.call('GET', `/v1/webhook-endpoints/${created.id}`);
    expect(read.status).toBe(200);
    const { secret, ...shown } = created;
    expect(await json(read)).toEqual(shown);
    const listed = await h.call('GET', '/v1/webhook-endpoints');
    const text = await listed.text();
    expect(JSON.parse(text)).toEqual({ data: [shown], nextCursor: null });
    expect(text).not.toContain(secret!);
    expect(text).not.toContain(secret!.slice('whsec_'.length));
  });

  it('accepts https to public hosts; every event type when none is named', async () => {
    for (const url of ['https://hooks.example.com:8443/a?b=c', 'https://93.184.215.14/hooks']) {
      const res = await create({ url });
      expect(res.status, url).toBe(201);
      expect(await json(res)).toMatchObject({ url, events: [] });
    }
  });

  it('refuses a bad URL or an unknown event type with 400 naming the field', async () => {
    for (const url of ['http://shop.example/hooks', 'ftp://shop.example/', 'not a url', 'https://user:pass@shop.example/', 'http://localhost.evil.example/']) {
      const res = await create({ url });
      expect(res.status, url).toBe(400);
      const problem = await json<Problem>(res);
      expect(problem.type).toBe('/problems/validation');
      expect(problem.errors?.map((e) => [e.pointer, e.in])).toEqual([['/url', 'body']]);
    }
    const res = await create({ url: 'https://shop.example/', events: ['points.earned', 'points.stolen'] });
    expect(res.status).toBe(400);
    expect((await json<Problem>(res)).errors?.map((e) => e.pointer)).toEqual(['/events/1']);
    expect((await json<{ data: unknown[] }>(await h.call('GET', '/v1/webhook-endpoints'))).data).toEqual([]);
  });

  it('is for admin keys only: 403 for a write or read key', async () => {
    const res = await h.call('POST', '/v1/webhook-endpoints', { scope: 'write', body: { url: 'https://shop.example/' } });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ type: '/problems/forbidden' });
    expect((await h.call('GET', '/v1/webhook-endpoints', { scope: 'read' })).status).toBe(403);
    expect((await h.call('GET', '/v1/webhook-endpoints', { scope: null })).status).toBe(401);
    expect((await json<{ data: unknown[] }>(await h.call('GET', '/v1/webhook-endpoints'))).data).toEqual([]);
  });

  it('rotates the secret: the new one shown once, the old one signing until the overlap ends', async () => {
    const created = await json<Endpoint>(await create({ url: 'https://shop.example/hooks' }));
    h.clock.advance(HOUR);
    const res = await h.call('POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`, { body: { overlapHours: 2 } });
    expect(res.status).toBe(200);
    const rotated = await json<Endpoint>(res);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previousSecretExpiresAt).toBe(new Date(h.clock() + 2 * HOUR).toISOString());
    const read = await json<Endpoint>(await h.call('GET', `/v1/webhook-endpoints/${created.id}`));
    expect(read).not.toHaveProperty('secret');
    expect(read.previousSecretExpiresAt).toBe(rotated.previousSecretExpiresAt);

    // Without a body: the default overlap of 24 hours for the secret just replaced.
    const rotatedAt = h.clock();
    const again = await json<Endpoint>(await h.call('POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`));
    expect(again.previousSecretExpiresAt).toBe(new Date(rotatedAt + 24 * HOUR).toISOString());
    h.clock.advance(3 * HOUR); // the first secret's 2 h are over; the second's 24 h are not
    expect((await json<Endpoint>(await h.call('GET', `/v1/webhook-endpoints/${created.id}`))).previousSecretExpiresAt).toBe(
      new Date(rotatedAt + 24 * HOUR).toISOString(),
    );

    // 0 revokes the previous secrets at once (a leaked secret).
    const revoked = await json<Endpoint>(await h.call('POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`, { body: { overlapHours: 0 } }));
    expect(revoked.previousSecretExpiresAt).toBeNull();

    expect((await h.call('POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`, { body: { overlapHours: -1 } })).status).toBe(400);
    expect((await h.call('POST', '/v1/webhook-endpoints/we_nope/rotate-secret', { body: {} })).status).toBe(404);
    expect((await h.call('POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`, { scope: 'write', body: {} })).status).toBe(403);
  });

  it('deletes an endpoint: gone from reads and lists, a second delete is 404', async () => {
    const keep = await json<Endpoint>(await create({ url: 'https://keep.example/' }));
    const drop = await json<Endpoint>(await create({ url: 'https://drop.example/' }));
    expect((await h.call('DELETE', `/v1/webhook-endpoints/${drop.id}`, { scope: 'write' })).status).toBe(403);
    const res = await h.call('DELETE', `/v1/webhook-endpoints/${drop.id}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: drop.id, url: 'https://drop.example/' });
    const missing = await h.call('GET', `/v1/webhook-endpoints/${drop.id}`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ type: '/problems/webhook-endpoint-not-found' });
    expect((await h.call('DELETE', `/v1/webhook-endpoints/${drop.id}`)).status).toBe(404);
    const list = await json<{ data: Endpoint[] }>(await h.call('GET', '/v1/webhook-endpoints'));
    expect(list.data.map((e) => e.id)).toEqual([keep.id]);
  });

  it('pages the list oldest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await json<Endpoint>(await create({ url: `https://e${i}.example/` }))).id);
      h.clock.advance(1);
    }
    const first = await json<{ data: Endpoint[]; nextCursor: string }>(await h.call('GET', '/v1/webhook-endpoints?limit=2'));
    expect(first.data.map((e) => e.id)).toEqual(ids.slice(0, 2));
    const second = await json<{ data: Endpoint[]; nextCursor: string | null }>(await h.call('GET', `/v1/webhook-endpoints?limit=2&cursor=${first.nextCursor}`));
    expect(second).toEqual({ data: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
  });

  it('replays a creation with the same Idempotency-Key instead of subscribing twice', async () => {
    const headers = { 'idempotency-key': 'create-crm-hook' };
    const first = await h.call('POST', '/v1/webhook-endpoints', { body: { url: 'https://shop.example/' }, headers });
    const second = await h.call('POST', '/v1/webhook-endpoints', { body: { url: 'https://shop.example/' }, headers });
    expect(second.status).toBe(201);
    // A secret is shown once, ever: the replay is the same answer without it, saying to rotate.
    const firstBody = await json<Endpoint>(first);
    expect(firstBody.secret).toMatch(/^whsec_/);
    expect(await json(second)).toEqual({ ...firstBody, secret: null, secretNotice: expect.stringMatching(/rotate-secret/) });
    const rows = await h.hub.store.db.select().from(tablesOf(h.hub.store.db).idempotencyRecords);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => (r.responseBody ?? '').includes('whsec_'))).toBe(false);

    const rotateHeaders = { 'idempotency-key': 'rotate-once' };
    const rotated = await h.call('POST', `/v1/webhook-endpoints/${firstBody.id}/rotate-secret`, { body: { overlapHours: 0 }, headers: rotateHeaders });
    expect(rotated.status).toBe(200);
    const rotatedBody = await json<Endpoint>(rotated);
    expect(rotatedBody.secret).toMatch(/^whsec_/);
    const replayed = await h.call('POST', `/v1/webhook-endpoints/${firstBody.id}/rotate-secret`, { body: { overlapHours: 0 }, headers: rotateHeaders });
    expect(replayed.status).toBe(200);
    expect(await json(replayed)).toEqual({ ...rotatedBody, secret: null, secretNotice: expect.stringMatching(/rotate/) });
    const after = await h.hub.store.db.select().from(tablesOf(h.hub.store.db).idempotencyRecords);
    expect(after.some((r) => (r.responseBody ?? '').includes('whsec_'))).toBe(false);
    expect((await json<{ data: unknown[] }>(await h.call('GET', '/v1/webhook-endpoints'))).data).toHaveLength(1);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await json<{ paths: Record<string, Record<string, unknown>> }>(await h.hub.app.request('/openapi.json'));
    expect(Object.keys(doc.paths['/v1/webhook-endpoints'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/webhook-endpoints/{id}'] ?? {}).sort()).toEqual(['delete', 'get']);
    expect(doc.paths['/v1/webhook-endpoints/{id}/rotate-secret']).toHaveProperty('post');
  });
});
