import { describe, expect, it } from 'vitest';
import { hubHarness, json } from '../helpers/test-hub.js';

describe('Idempotency-Key', () => {
  const h = hubHarness();

  async function member(): Promise<string> {
    return (await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com' } }))).id;
  }

  it('posts once for 20 concurrent requests with one key, and all get the first answer', async () => {
    const id = await member();
    const body = { points: 50, reason: 'welcome gift' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => h.call('POST', `/v1/members/${id}/adjustments`, { body, headers: { 'idempotency-key': 'gift-1' } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await json(await h.call('GET', `/v1/members/${id}/balance`))).toMatchObject({ available: 50 });
    const history = await json<{ data: unknown[] }>(await h.call('GET', `/v1/members/${id}/transactions`));
    expect(history.data).toHaveLength(1);
  });

  it('answers 409 when a key is reused with a different body', async () => {
    const id = await member();
    const first = await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 5, reason: 'one' }, headers: { 'idempotency-key': 'k' } });
    expect(first.status).toBe(201);
    const second = await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 6, reason: 'one' }, headers: { 'idempotency-key': 'k' } });
    expect(second.status).toBe(409);
    expect(await json(second)).toMatchObject({ type: '/problems/idempotency-key-reused', status: 409 });
    expect(await json(await h.call('GET', `/v1/members/${id}/balance`))).toMatchObject({ available: 5 });
  });

  it('accepts the key as an idempotencyKey body field too', async () => {
    const a = await h.call('POST', '/v1/members', { body: { email: 'bo@example.com', idempotencyKey: 'enroll-bo' } });
    const b = await h.call('POST', '/v1/members', { body: { email: 'bo@example.com', idempotencyKey: 'enroll-bo' } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(await b.json()).toEqual(await a.json());
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it('replays a refusal too, so a retry cannot turn a 422 into a success later', async () => {
    const id = await member();
    const debit = () => h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: -10, reason: 'fix' }, headers: { 'idempotency-key': 'd' } });
    expect((await debit()).status).toBe(422);
    await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 10, reason: 'credit' } });
    const replay = await debit();
    expect(replay.status).toBe(422);
    expect(replay.headers.get('content-type')).toBe('application/problem+json');
    expect(await json(await h.call('GET', `/v1/members/${id}/balance`))).toMatchObject({ available: 10 });
  });

  it('scopes keys per API key: two clients may use the same key string', async () => {
    const id = await member();
    const a = await h.call('POST', '/v1/events', { scope: 'write', body: { type: 'activity', name: 'login', customer: { memberId: id }, points: 1 }, headers: { 'idempotency-key': 'same' } });
    const b = await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 2, reason: 'other' }, headers: { 'idempotency-key': 'same' } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
  });
});
