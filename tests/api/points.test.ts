import { describe, expect, it } from 'vitest';
import { hubHarness, json } from '../helpers/test-hub.js';

type Balance = { available: number; pending: number; locked: number; spent: number; expired: number; lifetimeEarned: number; expiring: { points: number; expiresAt: string }[] };
type Tx = { id: string; kind: string; amount: number; effect: Record<string, number>; source: string; eventId: string | null; actor: string | null; reason: string | null };

describe('points API', () => {
  const h = hubHarness();

  async function member(email = 'ann@example.com'): Promise<string> {
    return (await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email } }))).id;
  }
  const activity = (memberId: string, id: string, points: number, name = 'review.posted') =>
    h.call('POST', '/v1/events', { scope: 'write', body: { type: 'activity', name, id, customer: { memberId }, points } });

  it('awards an activity once per event id and says why in the history', async () => {
    const id = await member();
    const first = await activity(id, 'rev-1', 25);
    expect(first.status).toBe(201);
    expect(await json(first)).toMatchObject({ status: 'accepted', eventId: 'api:rev-1', memberId: id });
    const again = await activity(id, 'rev-1', 25);
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ status: 'duplicate', eventId: 'api:rev-1' });
    expect(await json(await h.call('GET', `/v1/members/${id}/balance`, { scope: 'read' }))).toMatchObject({ available: 25, lifetimeEarned: 25 });
    const { data } = await json<{ data: Tx[] }>(await h.call('GET', `/v1/members/${id}/transactions`, { scope: 'read' }));
    expect(data).toEqual([
      expect.objectContaining({ kind: 'earn', amount: 25, effect: { available: 25, lifetimeEarned: 25 }, source: 'event', eventId: 'api:rev-1', actor: 'storefront', reason: 'review.posted' }),
    ]);
  });

  it('resolves the customer by e-mail, enrolling once, and links new aliases', async () => {
    const post = (id: string, customer: Record<string, unknown>) =>
      h.call('POST', '/v1/events', { scope: 'write', body: { type: 'activity', name: 'newsletter.subscribed', id, customer, points: 20 } });
    const a = await json<{ memberId: string; enrolled: boolean }>(await post('n1', { email: 'new@example.com' }));
    expect(a.enrolled).toBe(true);
    const b = await json<{ memberId: string; enrolled: boolean }>(await post('n2', { email: 'NEW@example.com', aliases: ['shopify:77'] }));
    expect(b).toMatchObject({ memberId: a.memberId, enrolled: false });
    const c = await json<{ memberId: string }>(await post('n3', { aliases: ['shopify:77'] }));
    expect(c.memberId).toBe(a.memberId);
    expect(await json(await h.call('GET', `/v1/members/${a.memberId}/balance`))).toMatchObject({ available: 60 });
  });

  it('refuses a debit above available with a problem document and changes nothing', async () => {
    const id = await member();
    await activity(id, 'e1', 100);
    const before = await json(await h.call('GET', `/v1/members/${id}/transactions`));
    const res = await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: -101, reason: 'correction' } });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await json(res)).toMatchObject({ type: '/problems/insufficient-points', status: 422, available: 100, requested: 101 });
    expect(await json(await h.call('GET', `/v1/members/${id}/balance`))).toMatchObject({ available: 100, spent: 0 });
    expect(await json(await h.call('GET', `/v1/members/${id}/transactions`))).toEqual(before);
  });

  it('adjusts by hand with the reason and the key that did it on the line', async () => {
    const id = await member();
    const res = await h.call('POST', `/v1/members/${id}/adjustments`, {
      body: { points: 300, reason: 'Goodwill: late delivery', expiresAt: '2099-01-01T00:00:00.000Z' },
    });
    expect(res.status).toBe(201);
    const body = await json<{ transaction: Tx; balance: Balance }>(res);
    expect(body.transaction).toMatchObject({ kind: 'adjust', amount: 300, source: 'admin', actor: 'ADMIN_API_KEY', reason: 'Goodwill: late delivery' });
    expect(body.balance.available).toBe(300);
    const balance = await json<Balance>(await h.call('GET', `/v1/members/${id}/balance`));
    expect(balance.expiring).toEqual([{ points: 300, expiresAt: '2099-01-01T00:00:00.000Z' }]);
  });

  it('lists expiring points per day at the earliest expiry, and moves that on when the first lot is spent', async () => {
    const id = await member();
    const grant = (points: number, expiresAt: string) =>
      h.call('POST', `/v1/members/${id}/adjustments`, { body: { points, reason: 'Goodwill', expiresAt } });
    expect((await grant(100, '2099-01-01T09:00:00.000Z')).status).toBe(201);
    expect((await grant(50, '2099-01-01T18:00:00.000Z')).status).toBe(201);
    expect((await grant(70, '2099-01-02T08:00:00.000Z')).status).toBe(201);
    const expiring = async () => (await json<Balance>(await h.call('GET', `/v1/members/${id}/balance`, { scope: 'read' }))).expiring;
    expect(await expiring()).toEqual([
      { points: 150, expiresAt: '2099-01-01T09:00:00.000Z' },
      { points: 70, expiresAt: '2099-01-02T08:00:00.000Z' },
    ]);
    // A debit takes the soonest-expiring points first: all of the 09:00 lot, 20 of the 18:00 one.
    expect((await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: -120, reason: 'correction' } })).status).toBe(201);
    expect(await expiring()).toEqual([
      { points: 30, expiresAt: '2099-01-01T18:00:00.000Z' },
      { points: 70, expiresAt: '2099-01-02T08:00:00.000Z' },
    ]);
  });

  it('pages history newest first with a cursor, without gaps or repeats', async () => {
    const id = await member();
    for (let i = 0; i < 7; i++) await activity(id, `e${i}`, i + 1);
    const amounts: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { data: Tx[]; nextCursor: string | null } = await json(
        await h.call('GET', `/v1/members/${id}/transactions?limit=3${cursor ? `&cursor=${cursor}` : ''}`),
      );
      amounts.push(...page.data.map((t) => t.amount));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(amounts).toEqual([7, 6, 5, 4, 3, 2, 1]);
    const bad = await h.call('GET', `/v1/members/${id}/transactions?cursor=garbage`);
    expect(bad.status).toBe(400);
  });

  it('validates limits with field-level errors', async () => {
    const id = await member();
    const res = await h.call('GET', `/v1/members/${id}/transactions?limit=0`);
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ errors: [expect.objectContaining({ pointer: '/limit', in: 'query' })] });
  });
});
