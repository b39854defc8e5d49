/**
 * Cursor pagination on every list of the API (SPEC §3; docs/api.md, "Pagination"): following
 * `nextCursor` reads each row once, in the list's order, and a cursor the list did not hand out —
 * garbage, another list's, an id of another kind — is a 400 `invalid-cursor` naming the `cursor`
 * query parameter, never a page. Lists walked elsewhere (members, webhook endpoints, a member's
 * transactions, vouchers and redemptions; fraud holds in tests/program/fraud-holds.test.ts) are
 * only checked for refusals here.
 */
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import webhook from '../../connectors/webhook/index.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { deliver, sample } from '../inbound/webhook-helpers.js';

type Row = Record<string, unknown> | string;
type Page = { data: Row[]; nextCursor: string | null };

describe('pagination', () => {
  const h = hubHarness({ connectors: [shopify, webhook], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

  const get = async (path: string, query: string): Promise<Response> => h.call('GET', `${path}${path.includes('?') ? '&' : '?'}${query}`);
  const page = async (path: string, query: string): Promise<Page> => {
    const res = await get(path, query);
    expect(res.status, `${path} ${query}`).toBe(200);
    return json<Page>(res);
  };

  /** Every page of a list, `limit` rows at a time, following `nextCursor`. */
  async function walk(path: string, limit: number): Promise<{ rows: Row[]; pages: number }> {
    const rows: Row[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: Page = await page(path, `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      rows.push(...p.data);
      cursor = p.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    return { rows, pages };
  }

  /**
   * At least three rows in every list: webhook endpoints (subscribed before anything happens, so
   * every enrollment is a delivery), members, a member's credit, redemption and history, rewards,
   * segments and a segment's members, API keys, received webhooks.
   */
  async function seed() {
    for (let i = 0; i < 3; i++) {
      expect((await h.call('POST', '/v1/webhook-endpoints', { body: { url: `https://e${i}.example/`, events: ['member.enrolled'] } })).status).toBe(201);
    }
    const members: string[] = [];
    for (let i = 0; i < 3; i++) members.push((await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: `p${i}@example.com` } }))).id);
    const member = members[0]!;
    expect((await h.call('POST', `/v1/members/${member}/adjustments`, { body: { points: 1000, reason: 'opening credit' } })).status).toBe(201);
    for (const firstName of ['Ann', 'Anna', 'Anne']) expect((await h.call('PATCH', `/v1/members/${member}`, { body: { firstName } })).status).toBe(200);
    const rewards: string[] = [];
    for (let i = 0; i < 3; i++) rewards.push((await json<{ id: string }>(await h.call('POST', '/v1/rewards', { body: { name: `Tote ${i}`, kind: 'voucher', cost: 100 } }))).id);
    for (const rewardId of rewards) expect((await h.call('POST', `/v1/members/${member}/redemptions`, { body: { rewardId } })).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await h.call('POST', '/v1/segments', { body: { id: `seg-${i}`, name: `Segment ${i}` } })).status).toBe(201);
    expect((await h.call('POST', '/v1/segments/seg-0/members', { body: { add: members } })).status).toBe(200);
    expect((await h.call('POST', '/v1/api-keys', { body: { name: 'crm', scope: 'read' } })).status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', { ...sample('shopify', 'order_paid_with_customer'), id: 9000 + i, name: `#900${i}` }));
      expect(answer.httpStatus).toBe(200);
    }
    await h.hub.notifications.dispatcher.route();
    return { member, rewards };
  }

  /** Every cursor-paged list, as docs/api.md "Pagination" names them. */
  const lists = (member: string) => [
    '/v1/members',
    `/v1/members/${member}/transactions`,
    `/v1/members/${member}/vouchers`,
    `/v1/members/${member}/redemptions`,
    `/v1/members/${member}/history`,
    '/v1/rewards',
    '/v1/segments',
    '/v1/segments/seg-0/members',
    '/v1/inbox',
    '/v1/deliveries',
    '/v1/webhook-endpoints',
    '/v1/api-keys',
    '/v1/fraud-holds',
  ];

  const INVALID_CURSOR = {
    status: 400,
    contentType: 'application/problem+json',
    body: {
      type: '/problems/invalid-cursor',
      title: 'Invalid cursor',
      status: 400,
      detail: 'The cursor is not one this API returned.',
      errors: [{ pointer: '/cursor', in: 'query', message: expect.any(String) }],
    },
  };

  /** Each request's answer by name, to compare every list at once (a failure shows them all). */
  async function answers(requests: [name: string, path: string, query: string][]) {
    const out: Record<string, unknown> = {};
    for (const [name, path, query] of requests) {
      const res = await get(path, query);
      const contentType = res.headers.get('content-type');
      // A page is shown by its size: enough to see which list answered one.
      const body = (await res.json()) as { data?: unknown[] };
      out[name] = { status: res.status, contentType, body: contentType === 'application/problem+json' ? body : { rows: body.data?.length } };
    }
    return out;
  }
  const allRefused = (names: string[]) => Object.fromEntries(names.map((n) => [n, INVALID_CURSOR]));

  it('refuses a cursor no list returned on every list, naming the parameter', async () => {
    const { member } = await seed();
    const requests: [string, string, string][] = lists(member).flatMap((path) => [
      [`${path} garbage`, path, 'cursor=garbage'] as [string, string, string],
      // base64url that decodes to no id, position or time ('no cursor')
      [`${path} encoded`, path, 'cursor=bm8gY3Vyc29y'] as [string, string, string],
    ]);
    // A filter does not get a bad cursor through: the lookup by e-mail checks it too.
    requests.push(['members by e-mail', '/v1/members', 'email=p0@example.com&cursor=garbage']);
    expect(await answers(requests)).toEqual(allRefused(requests.map(([name]) => name)));
  });

  it("refuses another list's cursor, and an id of another kind where a list once took bare ids", async () => {
    const { member } = await seed();
    const rewardsCursor = (await page('/v1/rewards', 'limit=1')).nextCursor!;
    const membersCursor = (await page('/v1/members', 'limit=1')).nextCursor!;
    expect(rewardsCursor).not.toBe(membersCursor);
    // Segment ids are any lower-case text, so another list's id cursor names a place among them too.
    const requests: [string, string, string][] = lists(member)
      .filter((path) => path !== '/v1/segments')
      .map((path) => [`${path} another list's`, path, `cursor=${path === '/v1/rewards' ? membersCursor : rewardsCursor}`]);
    // The audit's case: a member id is no cursor of deliveries, webhook endpoints, API keys or fraud holds.
    for (const path of ['/v1/deliveries', '/v1/webhook-endpoints', '/v1/api-keys', '/v1/fraud-holds']) {
      requests.push([`${path} member id`, path, 'cursor=mem_zzzzzzzzzzzzzzzzzzzzzzzzzz']);
    }
    expect(await answers(requests)).toEqual(allRefused(requests.map(([name]) => name)));
  });

  it('still reads the bare id that members, deliveries, webhook endpoints and API keys handed out as their cursor before', async () => {
    await seed();
    for (const path of ['/v1/members', '/v1/deliveries', '/v1/webhook-endpoints', '/v1/api-keys']) {
      const all = (await page(path, 'limit=200')).data as { id: string }[];
      expect(all.length, path).toBeGreaterThanOrEqual(3);
      const after = await page(path, `limit=2&cursor=${all[0]!.id}`);
      expect(after.data, path).toEqual(all.slice(1, 3));
    }
    // A well-formed member id past the last one is the end of the list, as a cursor past the end is.
    expect(await page('/v1/members', 'cursor=mem_zzzzzzzzzzzzzzzzzzzzzzzzzz')).toEqual({ data: [], nextCursor: null });
  });

  it("pages rewards, segments, a segment's members, API keys, deliveries, received webhooks and a member's history, each row once in order", async () => {
    const { member } = await seed();
    for (const path of ['/v1/rewards', '/v1/segments', '/v1/segments/seg-0/members', '/v1/api-keys', '/v1/deliveries', '/v1/inbox', `/v1/members/${member}/history`]) {
      const all = await page(path, 'limit=200');
      expect(all.nextCursor, path).toBeNull();
      expect(all.data.length, path).toBeGreaterThanOrEqual(3);
      const byTwo = await walk(path, 2);
      expect(byTwo.pages, path).toBe(Math.ceil(all.data.length / 2));
      expect(byTwo.rows, path).toEqual(all.data);
      // The cursor is opaque, not the row's id.
      const first = await page(path, 'limit=1');
      expect(first.nextCursor, path).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(first.nextCursor, path).not.toBe(typeof first.data[0] === 'string' ? first.data[0] : first.data[0]!.id);
    }
  });

  it('pages segments with the shared limit, refusing a bad one field by field', async () => {
    await seed();
    const res = await get('/v1/segments', 'limit=abc');
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ type: '/problems/validation', errors: [expect.objectContaining({ pointer: '/limit', in: 'query' })] });
    const first = await page('/v1/segments', 'limit=2');
    expect(first.data).toEqual([expect.objectContaining({ id: 'seg-0' }), expect.objectContaining({ id: 'seg-1' })]);
    expect(await page('/v1/segments', `cursor=${first.nextCursor}`)).toEqual({ data: [expect.objectContaining({ id: 'seg-2', name: 'Segment 2' })], nextCursor: null });
  });
});
