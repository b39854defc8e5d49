import { describe, expect, it } from 'vitest';
import { hubHarness, json } from '../helpers/test-hub.js';

type Member = { id: string; email: string | null; aliases: string[]; status: string; firstName: string | null; consent: { email: boolean; sms: boolean } };

describe('members', () => {
  const h = hubHarness();
  const enroll = async (body: Record<string, unknown>) => h.call('POST', '/v1/members', { scope: 'write', body });

  it('enrolls a member with aliases and reads it back', async () => {
    const res = await enroll({ email: 'Ann@Example.com', firstName: 'Ann', aliases: ['shopify:7390123'], consent: { email: true } });
    expect(res.status).toBe(201);
    const m = await json<Member>(res);
    expect(m).toMatchObject({ email: 'ann@example.com', firstName: 'Ann', status: 'active', consent: { email: true, sms: false } });
    expect(m.aliases).toEqual(['email:ann@example.com', 'shopify:7390123']);
    expect(await json(await h.call('GET', `/v1/members/${m.id}`, { scope: 'read' }))).toEqual(m);
  });

  it('looks members up by e-mail or alias', async () => {
    const m = await json<Member>(await enroll({ email: 'cy@example.com', aliases: ['stripe:cus_123'] }));
    const byEmail = await json<{ data: Member[] }>(await h.call('GET', '/v1/members?email=CY@example.com', { scope: 'read' }));
    expect(byEmail.data.map((x) => x.id)).toEqual([m.id]);
    const byAlias = await json<{ data: Member[] }>(await h.call('GET', '/v1/members?alias=stripe:cus_123', { scope: 'read' }));
    expect(byAlias.data.map((x) => x.id)).toEqual([m.id]);
  });

  it('refuses a second member with the same e-mail or alias (409) and names the holder', async () => {
    const m = await json<Member>(await enroll({ email: 'dee@example.com', aliases: ['shopify:1'] }));
    const again = await enroll({ email: 'DEE@example.com' });
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ type: '/problems/member-exists', memberId: m.id });
    const alias = await enroll({ email: 'other@example.com', aliases: ['shopify:1'] });
    expect(alias.status).toBe(409);
    expect(await json(alias)).toMatchObject({ type: '/problems/alias-taken', memberId: m.id });
    // Nothing half-written: the refused enrollment left no member behind.
    const found = await json<{ data: Member[] }>(await h.call('GET', '/v1/members?email=other@example.com'));
    expect(found.data).toEqual([]);
  });

  it('answers invalid input with 400 and one error per field', async () => {
    const res = await enroll({ email: 'not-an-email', phone: '555-1234', aliases: ['nocolon'] });
    expect(res.status).toBe(400);
    const problem = await json<{ errors: { pointer: string; in: string }[] }>(res);
    expect(problem.errors.map((e) => e.pointer).sort()).toEqual(['/aliases/0', '/email', '/phone']);
    expect(problem.errors.every((e) => e.in === 'body')).toBe(true);
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await h.call('POST', '/v1/members', { scope: 'write', body: '{"email":' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('updates profile, consent and e-mail (moving the e-mail alias)', async () => {
    const m = await json<Member>(await enroll({ email: 'eve@example.com' }));
    const res = await h.call('PATCH', `/v1/members/${m.id}`, {
      scope: 'write',
      body: { email: 'eve@new.example', consent: { sms: true }, addAliases: ['woocommerce:42'] },
    });
    expect(res.status).toBe(200);
    const updated = await json<Member>(res);
    expect(updated).toMatchObject({ email: 'eve@new.example', consent: { email: false, sms: true } });
    expect(updated.aliases).toEqual(['email:eve@new.example', 'woocommerce:42']);
  });

  it('erases personal data but keeps the ledger and balance', async () => {
    const m = await json<Member>(await enroll({ email: 'fay@example.com', firstName: 'Fay', phone: '+14155550100', aliases: ['shopify:9'] }));
    await h.call('POST', '/v1/events', {
      scope: 'write',
      body: { type: 'activity', name: 'review.posted', id: 'r1', customer: { memberId: m.id }, points: 25 },
    });
    const res = await h.call('DELETE', `/v1/members/${m.id}`);
    expect(res.status).toBe(200);
    const erased = await json<Member>(res);
    expect(erased).toMatchObject({ status: 'erased', email: null, firstName: null, aliases: [] });
    expect(JSON.stringify(erased)).not.toMatch(/fay|4155550100/i);
    expect(await json(await h.call('GET', `/v1/members/${m.id}/balance`))).toMatchObject({ available: 25 });
    const history = await json<{ data: unknown[] }>(await h.call('GET', `/v1/members/${m.id}/transactions`));
    expect(history.data).toHaveLength(1);
    const lookup = await json<{ data: unknown[] }>(await h.call('GET', '/v1/members?alias=shopify:9'));
    expect(lookup.data).toEqual([]);
  });

  it('answers 404 with a problem for an unknown member', async () => {
    const res = await h.call('GET', '/v1/members/mem_missing', { scope: 'read' });
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ type: '/problems/member-not-found', memberId: 'mem_missing' });
  });

  it('pages through members with a cursor', async () => {
    for (let i = 0; i < 5; i++) await enroll({ email: `p${i}@example.com` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Member[]; nextCursor: string | null } = await json(await h.call('GET', `/v1/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...page.data.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});
