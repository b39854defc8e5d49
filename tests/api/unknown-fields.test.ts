/**
 * A body field the API does not know is refused, named, rather than dropped (docs/api.md,
 * "Errors"): a typo would otherwise quietly turn into the default it meant to override. Free-form
 * maps (`attributes`) still take any key.
 */
import { describe, expect, it } from 'vitest';
import { hubHarness, json } from '../helpers/test-hub.js';

type FieldError = { pointer: string; in: string; message: string };
type Problem = { type: string; status: number; detail: string; errors: FieldError[] };
type Member = { id: string; firstName: string | null; attributes: Record<string, unknown> };

describe('unknown body fields', () => {
  const h = hubHarness();

  async function refused(res: Response): Promise<Problem> {
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await json<Problem>(res);
    expect(problem.type).toBe('/problems/validation');
    return problem;
  }

  const enroll = async (body: Record<string, unknown> = { email: 'ann@example.com' }) =>
    json<Member>(await h.call('POST', '/v1/members', { scope: 'write', body }));

  it('refuses a reward with a misspelt field, suggests the right one, and creates nothing', async () => {
    const problem = await refused(await h.call('POST', '/v1/rewards', { body: { name: 'typo', kind: 'voucher', cost: 10, stok: 5 } }));
    expect(problem.errors).toEqual([{ pointer: '/stok', in: 'body', message: 'unknown field "stok" (did you mean "stock"?)' }]);
    expect(problem.detail).toContain('/stok unknown field "stok"');
    expect((await json<{ data: unknown[] }>(await h.call('GET', '/v1/rewards'))).data).toEqual([]);
  });

  it('refuses a lock with `ttl` for `ttlSeconds` and holds nothing', async () => {
    const member = await enroll();
    await h.call('POST', `/v1/members/${member.id}/adjustments`, { body: { points: 100, reason: 'a credit to hold' } });
    const problem = await refused(await h.call('POST', `/v1/members/${member.id}/locks`, { scope: 'write', body: { points: 5, ttl: 60 } }));
    expect(problem.errors).toEqual([{ pointer: '/ttl', in: 'body', message: 'unknown field "ttl" (did you mean "ttlSeconds"?)' }]);
    expect(await json(await h.call('GET', `/v1/members/${member.id}/balance`))).toMatchObject({ available: 100, locked: 0 });
  });

  it('refuses a member update with `firstname` and changes nothing', async () => {
    const member = await enroll({ email: 'ann@example.com', firstName: 'Ann' });
    const problem = await refused(await h.call('PATCH', `/v1/members/${member.id}`, { scope: 'write', body: { firstname: 'Typo' } }));
    expect(problem.errors).toEqual([{ pointer: '/firstname', in: 'body', message: 'unknown field "firstname" (did you mean "firstName"?)' }]);
    expect(await json(await h.call('GET', `/v1/members/${member.id}`))).toEqual(member);
  });

  it('a release takes no points: `{"points": 5}` is refused and the hold stays whole; no body, or only a key, releases it', async () => {
    const member = await enroll();
    await h.call('POST', `/v1/members/${member.id}/adjustments`, { body: { points: 100, reason: 'a credit to hold' } });
    const lock = await json<{ id: string }>(await h.call('POST', `/v1/members/${member.id}/locks`, { scope: 'write', body: { points: 40 } }));
    const problem = await refused(await h.call('POST', `/v1/locks/${lock.id}/release`, { scope: 'write', body: { points: 5 } }));
    expect(problem.errors).toEqual([{ pointer: '/points', in: 'body', message: 'unknown field "points"' }]);
    expect(await json(await h.call('GET', `/v1/members/${member.id}/balance`))).toMatchObject({ available: 60, locked: 40 });
    expect((await h.call('POST', `/v1/locks/${lock.id}/release`, { scope: 'write', body: { idempotencyKey: 'release-1' } })).status).toBe(200);
    expect((await h.call('POST', `/v1/locks/${lock.id}/release`, { scope: 'write' })).status).toBe(200);
    expect(await json(await h.call('GET', `/v1/members/${member.id}/balance`))).toMatchObject({ available: 100, locked: 0 });
    // The other writes without a body of their own refuse one the same way.
    const retry = await refused(await h.call('POST', '/v1/deliveries/dlv_01kbnotadelivery00000000000/retry', { body: { now: true } }));
    expect(retry.errors[0]!.pointer).toBe('/now');
    const replay = await refused(await h.call('POST', '/v1/inbox/ibx_01kbnotadelivery00000000000/replay', { body: { force: true } }));
    expect(replay.errors[0]!.pointer).toBe('/force');
  });

  it('refuses an enrollment with an unknown field, one entry per field, and enrolls nobody', async () => {
    const problem = await refused(
      await h.call('POST', '/v1/members', { scope: 'write', body: { email: 'bo@example.com', bogusField: 1, consent: { email: true, sns: true } } }),
    );
    expect(problem.errors).toEqual([
      { pointer: '/consent/sns', in: 'body', message: 'unknown field "sns" (did you mean "sms"?)' },
      { pointer: '/bogusField', in: 'body', message: 'unknown field "bogusField"' },
    ]);
    expect((await json<{ data: unknown[] }>(await h.call('GET', '/v1/members'))).data).toEqual([]);
  });

  it('refuses an order line with a misspelt field on POST /v1/events, pointing into the line, and earns nothing', async () => {
    const member = await enroll();
    const problem = await refused(
      await h.call('POST', '/v1/events', {
        scope: 'write',
        body: {
          type: 'order.paid',
          customer: { memberId: member.id },
          order: { id: '1001', currency: 'USD', amount: 5000, lineItems: [{ sku: 'tea', quantity: 1, unitPrice: 5000, totl: 4000 }] },
        },
      }),
    );
    expect(problem.errors).toEqual([{ pointer: '/order/lineItems/0/totl', in: 'body', message: 'unknown field "totl" (did you mean "total"?)' }]);
    expect((await json<{ data: unknown[] }>(await h.call('GET', `/v1/members/${member.id}/transactions`))).data).toEqual([]);
  });

  it('takes any key in a free-form map: an event\'s and a member\'s `attributes`', async () => {
    const member = await enroll({ email: 'cy@example.com', attributes: { favouriteTea: 'oolong', 'any key': { nested: [1, 2] } } });
    expect(member.attributes).toEqual({ favouriteTea: 'oolong', 'any key': { nested: [1, 2] } });
    const res = await h.call('POST', '/v1/events', {
      scope: 'write',
      body: { type: 'activity', name: 'review.posted', id: 'review-1', customer: { memberId: member.id }, attributes: { stars: 5, whatever: { deep: true } } },
    });
    expect(res.status).toBe(201);
  });

  it('accepts `idempotencyKey` in the body as it accepts the header', async () => {
    const first = await h.call('POST', '/v1/segments', { body: { id: 'vip', name: 'VIP', idempotencyKey: 'seg-1' } });
    expect(first.status).toBe(201);
    const again = await h.call('POST', '/v1/segments', { body: { id: 'vip', name: 'VIP', idempotencyKey: 'seg-1' } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('documents the closed bodies with additionalProperties: false, and free-form maps as open', async () => {
    type Schema = { additionalProperties?: unknown; properties?: Record<string, Schema>; oneOf?: Schema[]; items?: Schema };
    const doc = await json<{ components: { schemas: Record<string, Schema> } }>(await h.hub.app.request('/openapi.json'));
    const { schemas } = doc.components;
    for (const name of ['RewardInput', 'RewardPatch', 'EnrollMember', 'UpdateMember', 'Adjustment', 'OrderFacts', 'RefundLine', 'CreateApiKey', 'CreateWebhookEndpoint']) {
      expect(schemas[name]?.additionalProperties, name).toBe(false);
    }
    expect(schemas.EnrollMember!.properties!.consent!.additionalProperties).toBe(false);
    expect(schemas.EnrollMember!.properties!.attributes!.additionalProperties).toEqual({});
    expect(schemas.OrderFacts!.properties!.lineItems!.items!.additionalProperties).toBe(false);
    for (const variant of schemas.TriggerEvent!.oneOf!) {
      expect(variant.additionalProperties).toBe(false);
      expect(variant.properties!.attributes!.additionalProperties).toEqual({});
    }
  });
});
