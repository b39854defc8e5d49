/**
 * Square rewards at the till, end to end through a whole hub (real database, real dispatcher)
 * with msw standing in for the seller's Square Loyalty API (tests/connectors/square-api-stub.ts,
 * shaped as Square's API reference) and the shipped points mirror switched on:
 * redeem in the hub → CreateLoyaltyReward → the till redeems it → `loyalty.event.created`
 * REDEEM_REWARD, signed as Square signs → the hub voucher is used. And the ways back: deleted in
 * Square (DELETE_REWARD → the redemption reversed), reversed in the hub (DeleteLoyaltyReward).
 * Throughout, Square's balance equals the hub's (docs/connectors/square.md, "Rewards at the till").
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import square from '../../connectors/square/index.js';
import { connectorState } from '../../core/connectors/connector-state.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import type { StoreCodeOptions } from '../../core/rewards/store-code-options.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { ACCOUNT, CUSTOMER, PHONE, TIER, loyaltyEventNotification, squareSeller } from '../connectors/square-api-stub.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { PUBLIC_URL, SQUARE_KEY, squareDelivery } from './sign.js';
import { runReplay } from '../helpers/replay-cli.js';
import { balance, deliver, deliverConcurrently, expectRejected, expectUnauthorized, inbox, loyaltyEvents, onlyOutcome, sample, tally, type Json } from './webhook-helpers.js';

const API = 'http://square.test';
const TOKEN = 'EAAAl-loyalty-hub-rewards-token';
const SQUARE_VERSION = '2026-09-16';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// The shipped mirror with its one switch turned on, alone in a mappings folder.
const mappingsDir = mkdtempSync(join(tmpdir(), 'square-mappings-'));
const shipped = readFileSync(join(import.meta.dirname, '../../mappings/square-loyalty-mirror.yaml'), 'utf8');
writeFileSync(join(mappingsDir, 'square-loyalty-mirror.yaml'), shipped.replace('when: &square-mirror "false"', 'when: &square-mirror "true"'));
afterAll(() => rmSync(mappingsDir, { recursive: true, force: true }));

let notifications = 0;
const eventId = () => `c0ffee00-0000-4000-8000-${String(++notifications).padStart(12, '0')}`;

const ENV = { SQUARE_WEBHOOK_SIGNATURE_KEY: SQUARE_KEY, PUBLIC_URL, SQUARE_ACCESS_TOKEN: TOKEN, SQUARE_API_URL: API, LOYALTY_MAPPINGS: mappingsDir };

describe('Square rewards at the till, through the hub', () => {
  const h = hubHarness({ connectors: [square], env: ENV });
  const dispatch = () => h.hub.notifications.dispatcher.runOnce();
  const deliveries = async () => (await h.hub.store.db.select().from(tablesOf(h.hub.store.db).deliveries)).sort((a, b) => a.createdAt - b.createdAt || a.route.localeCompare(b.route));
  const byRoute = async (route: string) => (await deliveries()).filter((d) => d.route === route);

  /** A member linked to the Square customer, 500 points mirrored into Square, and the till reward. */
  async function setUp(seller: ReturnType<typeof squareSeller>, reward: Record<string, unknown> = {}) {
    const m = await json(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com', phone: PHONE, aliases: [`square:${CUSTOMER}`] } }));
    const memberId = m.id as string;
    await h.call('POST', `/v1/members/${memberId}/adjustments`, { body: { points: 500, reason: 'welcome' } });
    await dispatch();
    expect(seller.account.balance).toBe(500);
    const created = await json(
      await h.call('POST', '/v1/rewards', { body: { name: TIER.name, kind: 'percentage_discount', percent: 10, cost: TIER.points, storeCodes: ['square'], ...reward } }),
    );
    return { memberId, rewardId: created.id as string };
  }

  async function redeem(memberId: string, rewardId: string) {
    const r = await json(await h.call('POST', `/v1/members/${memberId}/redemptions`, { scope: 'write', body: { rewardId } }));
    return { redemptionId: r.id as string, code: r.voucherCode as string };
  }

  const available = async (memberId: string) => (await balance(h, memberId)).available;

  it('redeem in the hub → a Square reward the till redeems → the hub voucher used; Square and the hub agree at every step', async () => {
    const seller = squareSeller(server, API);
    const { memberId, rewardId } = await setUp(seller);
    const { redemptionId, code } = await redeem(memberId, rewardId);
    await dispatch();

    const [create] = await byRoute('store-code:square');
    expect(create).toMatchObject({ adapter: 'square-store-codes', status: 'delivered', attempts: 1 });
    const [call] = seller.rewardCalls();
    expect(call).toMatchObject({ method: 'POST', path: '/v2/loyalty/rewards' });
    expect(call!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(call!.headers.get('square-version')).toBe(SQUARE_VERSION);
    expect(call!.headers.get('content-type')).toMatch(/^application\/json/);
    expect(call!.body).toEqual({ idempotency_key: create!.id, reward: { loyalty_account_id: ACCOUNT, reward_tier_id: TIER.id } });
    // The account was found by the member's Square customer id; the tier by the reward's name.
    expect(seller.seen.find((r) => r.path === '/v2/loyalty/accounts/search' && r.body?.query && 'customer_ids' in (r.body.query as object))?.body).toEqual({
      query: { customer_ids: [CUSTOMER] },
      limit: 1,
    });
    expect(seller.seen.some((r) => r.method === 'GET' && r.path === '/v2/loyalty/programs/main')).toBe(true);
    // The mirror left the spend alone: Square's reward took its points itself.
    expect((await byRoute('mapping:square-loyalty-mirror-spent#0'))[0]).toMatchObject({ status: 'skipped' });
    expect(seller.account.balance).toBe(490);
    expect(await available(memberId)).toBe(490);

    // The cashier applies it to a sale; Square reports the loyalty event.
    const [squareReward] = [...seller.rewards.values()];
    seller.redeemAtTill(squareReward!.id);
    const notification = loyaltyEventNotification('REDEEM_REWARD', squareReward!.id, { eventId: eventId(), orderId: 'PyATxhYLfsMqpVkcKJITPydgEYfZY' });
    const answers = await deliverConcurrently(h, 'square', squareDelivery(notification), 5);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 4 });
    const used = answers.find((a) => a.status === 'accepted')!;
    expect(used).toMatchObject({ httpStatus: 200, eventId: `square:reward:${squareReward!.id}:redeemed` });
    expect(onlyOutcome(used)).toMatchObject({ status: 'applied', memberId, points: 0 });
    expect(await json(await h.call('GET', `/v1/vouchers/${code}`, { scope: 'write' }))).toMatchObject({ status: 'used', valid: false });
    expect((await loyaltyEvents(h, 'voucher.used')).map((e) => e.data)).toEqual([
      expect.objectContaining({ code, redemptionId, reference: 'PyATxhYLfsMqpVkcKJITPydgEYfZY', source: 'square' }),
    ]);
    expect((await h.call('POST', `/v1/redemptions/${redemptionId}/reverse`, { scope: 'write', body: {} })).status).toBe(409);

    // Redelivered by Square (same event id), and the same fact under another event id: nothing more.
    expect((await deliver(h, 'square', squareDelivery(notification))).status).toBe('duplicate');
    expect((await deliver(h, 'square', squareDelivery({ ...notification, event_id: eventId() }))).status).toBe('duplicate');
    const replayed = await runReplay(h, ENV, '--status', 'accepted', '--source', 'square');
    expect(replayed.code).toBe(0);
    // Both notifications the inbox kept as accepted (the first, and the same fact under another event id).
    expect(replayed.out).toMatch(/square loyalty.event.created: duplicate\n.*square loyalty.event.created: duplicate\n2 duplicate$/);
    expect(await loyaltyEvents(h, 'voucher.used')).toHaveLength(1);
    await dispatch();
    expect(seller.rewardCalls()).toHaveLength(1);
    expect(seller.account.balance).toBe(490);
    expect(await available(memberId)).toBe(490);
  });

  it('a reward deleted in Square reverses the hub redemption: points back on both sides, the delete delivery finds it gone', async () => {
    const seller = squareSeller(server, API);
    const { memberId, rewardId } = await setUp(seller);
    const { redemptionId, code } = await redeem(memberId, rewardId);
    await dispatch();
    const [squareReward] = [...seller.rewards.values()];

    seller.deleteInSquare(squareReward!.id);
    const deleted = await deliver(h, 'square', squareDelivery(loyaltyEventNotification('DELETE_REWARD', squareReward!.id, { eventId: eventId() })));
    expect(deleted.eventId).toBe(`square:reward:${squareReward!.id}:deleted`);
    expect(onlyOutcome(deleted)).toMatchObject({ status: 'applied', memberId, points: TIER.points });
    expect(await json(await h.call('GET', `/v1/vouchers/${code}`, { scope: 'write' }))).toMatchObject({ status: 'void' });
    expect(await json(await h.call('POST', `/v1/redemptions/${redemptionId}/reverse`, { scope: 'write', body: {} }))).toMatchObject({ alreadyReversed: true });

    await dispatch();
    // The store-code delete asked Square, which no longer has the reward (404): done.
    const actions = (await byRoute('store-code:square')).map((d) => [(JSON.parse(d.payload) as { options: { action: string } }).options.action, d.status, d.lastStatusCode]);
    expect(actions.sort()).toEqual([
      ['create', 'delivered', 200],
      ['delete', 'delivered', 404],
    ]);
    expect(seller.rewardCalls().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v2/loyalty/rewards', `DELETE /v2/loyalty/rewards/${squareReward!.id}`]);
    expect((await byRoute('mapping:square-loyalty-mirror-reversed#0'))[0]).toMatchObject({ status: 'skipped' });
    expect(seller.account.balance).toBe(500);
    expect(await available(memberId)).toBe(500);
  });

  it('a redemption reversed in the hub deletes the Square reward (DeleteLoyaltyReward), and both balances return', async () => {
    const seller = squareSeller(server, API);
    const { memberId, rewardId } = await setUp(seller);
    const { redemptionId } = await redeem(memberId, rewardId);
    await dispatch();
    const [squareReward] = [...seller.rewards.values()];

    expect((await h.call('POST', `/v1/redemptions/${redemptionId}/reverse`, { scope: 'write', body: {} })).status).toBe(200);
    await dispatch();
    const remove = seller.rewardCalls()[1]!;
    expect(remove.method).toBe('DELETE');
    expect(remove.path).toBe(`/v2/loyalty/rewards/${squareReward!.id}`);
    expect(remove.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(remove.body).toBeUndefined();
    expect(squareReward!.status).toBe('DELETED');
    expect(seller.account.balance).toBe(500);
    expect(await available(memberId)).toBe(500);

    // Square then reports the deletion the hub asked for: the redemption is already reversed.
    const echo = await deliver(h, 'square', squareDelivery(loyaltyEventNotification('DELETE_REWARD', squareReward!.id, { eventId: eventId() })));
    expect(onlyOutcome(echo)).toMatchObject({ status: 'applied', points: 0 });
    expect(await available(memberId)).toBe(500);
  });

  it('a REDEEM_REWARD from the register that names no reward (source SQUARE) is matched through the account\'s redeemed rewards', async () => {
    const seller = squareSeller(server, API);
    const { memberId, rewardId } = await setUp(seller);
    const { code } = await redeem(memberId, rewardId);
    await dispatch();
    const [squareReward] = [...seller.rewards.values()];
    seller.redeemAtTill(squareReward!.id, 'PyATxhYLfsMqpVkcKJITPydgEYfZY');

    const notification = loyaltyEventNotification('REDEEM_REWARD', undefined, { eventId: eventId(), orderId: 'PyATxhYLfsMqpVkcKJITPydgEYfZY', source: 'SQUARE' });
    const used = await deliver(h, 'square', squareDelivery(notification));
    expect(used.eventId).toBe(`square:reward:${squareReward!.id}:redeemed`);
    expect(onlyOutcome(used)).toMatchObject({ status: 'applied', memberId });
    const search = seller.seen.find((r) => r.path === '/v2/loyalty/rewards/search')!;
    expect(search.method).toBe('POST');
    expect(search.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(search.body).toEqual({ query: { loyalty_account_id: ACCOUNT, status: 'REDEEMED' }, limit: 30 });
    expect(await json(await h.call('GET', `/v1/vouchers/${code}`, { scope: 'write' }))).toMatchObject({ status: 'used' });

    // Square cannot be asked just now: 503, and Square's retry applies it (here: nothing left to do).
    seller.failNext((r) => r.path === '/v2/loyalty/rewards/search', () => new HttpResponse(null, { status: 503 }));
    const later = loyaltyEventNotification('REDEEM_REWARD', undefined, { eventId: eventId(), source: 'SQUARE' });
    expect((await deliver(h, 'square', squareDelivery(later))).httpStatus).toBe(503);
    expect((await deliver(h, 'square', squareDelivery(later))).status).toBe('duplicate');
    expect(await loyaltyEvents(h, 'voucher.used')).toHaveLength(1);
  });

  it('refuses a forged loyalty event with 401 and changes nothing', async () => {
    const seller = squareSeller(server, API);
    const { memberId, rewardId } = await setUp(seller);
    const { code } = await redeem(memberId, rewardId);
    await dispatch();
    const [squareReward] = [...seller.rewards.values()];
    const forged = squareDelivery(loyaltyEventNotification('REDEEM_REWARD', squareReward!.id, { eventId: eventId() }), { secret: 'not-the-signature-key' });
    expectUnauthorized(await deliver(h, 'square', forged), /does not match/);
    expect(await inbox(h)).toEqual([]);
    expect(await json(await h.call('GET', `/v1/vouchers/${code}`, { scope: 'write' }))).toMatchObject({ status: 'active' });
    expect(await loyaltyEvents(h, 'voucher.used')).toEqual([]);
  });

  it('ignores a reward the hub did not create, a reward event without its reward id, and other loyalty events', async () => {
    const seller = squareSeller(server, API);
    await setUp(seller);
    const stranger = await deliver(h, 'square', squareDelivery(loyaltyEventNotification('REDEEM_REWARD', 'd03f79f4-815f-3500-b851-cc1e68a457f9', { eventId: eventId() })));
    expect(stranger).toMatchObject({ status: 'ignored' });
    expect((await inbox(h)).at(-1)).toMatchObject({ topic: 'loyalty.event.created', status: 'ignored' });
    const anonymous = await deliver(h, 'square', squareDelivery(loyaltyEventNotification('REDEEM_REWARD', undefined, { eventId: eventId() })));
    expect(anonymous).toMatchObject({ status: 'ignored' });
    // Square's own example: an ADJUST_POINTS event (our mirror's adjustments come back as these).
    expect(await deliver(h, 'square', squareDelivery(sample('square', 'loyalty_event_created')))).toMatchObject({ status: 'ignored' });
    expect(await loyaltyEvents(h, 'voucher.used')).toEqual([]);
  });

  it('answers 400 to a signed loyalty event it cannot read, keeps it as rejected and names the field', async () => {
    const broken = loyaltyEventNotification('REDEEM_REWARD', 'd03f79f4-815f-3500-b851-cc1e68a457f9', { eventId: eventId() });
    delete ((broken.data as Json).object as { loyalty_event: Json }).loyalty_event.created_at;
    await expectRejected(h, 'square', await deliver(h, 'square', squareDelivery(broken)), '/data/object/loyalty_event/created_at');
  });

  it('retries CreateLoyaltyReward after a 429 exactly when Retry-After says, with the same idempotency key', async () => {
    const seller = squareSeller(server, API);
    const { memberId, rewardId } = await setUp(seller);
    seller.failNext((r) => r.method === 'POST' && r.path === '/v2/loyalty/rewards', () =>
      HttpResponse.json({ errors: [{ category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED', detail: 'Rate limited' }] }, { status: 429, headers: { 'retry-after': '7' } }),
    );
    await redeem(memberId, rewardId);
    await dispatch();
    expect((await byRoute('store-code:square'))[0]).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 429 });
    h.clock.advance(6_999);
    await dispatch();
    expect(seller.rewardCalls()).toHaveLength(1);
    h.clock.advance(1);
    await dispatch();
    const [create] = await byRoute('store-code:square');
    expect(create).toMatchObject({ status: 'delivered', attempts: 2 });
    const keys = seller.rewardCalls().map((r) => r.body?.idempotency_key);
    expect(keys).toEqual([create!.id, create!.id]);
    expect(seller.account.balance).toBe(490);
    expect(await available(memberId)).toBe(490);
  });

  it('dead-letters a 400 from CreateLoyaltyReward with Square\'s detail, and raises delivery.failed', async () => {
    const seller = squareSeller(server, API);
    const { memberId, rewardId } = await setUp(seller);
    seller.failNext(
      (r) => r.method === 'POST' && r.path === '/v2/loyalty/rewards',
      () => HttpResponse.json({ errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'BAD_REQUEST', detail: 'Insufficient points balance to create reward' }] }, { status: 400 }),
      5,
    );
    await redeem(memberId, rewardId);
    await dispatch();
    h.clock.advance(24 * 3_600_000);
    await dispatch();
    expect(seller.rewardCalls()).toHaveLength(1);
    const [create] = await byRoute('store-code:square');
    expect(create).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: 400 });
    expect(create!.lastError).toBe('square: CreateLoyaltyReward HTTP 400 BAD_REQUEST: Insufficient points balance to create reward');
    expect((await loyaltyEvents(h, 'delivery.failed')).map((e) => e.data)).toEqual([
      expect.objectContaining({ route: 'store-code:square', adapter: 'square-store-codes', statusCode: 400, error: create!.lastError }),
    ]);
  });

  it('refuses for good a tier whose points differ from the hub reward\'s cost, creating nothing', async () => {
    const seller = squareSeller(server, API);
    const { memberId, rewardId } = await setUp(seller, { cost: 25 });
    await redeem(memberId, rewardId);
    await dispatch();
    const [create] = await byRoute('store-code:square');
    expect(create).toMatchObject({ status: 'dead', attempts: 1 });
    expect(create!.lastError).toBe(
      `square: reward tier "${TIER.name}" (${TIER.id}) costs ${TIER.points} points in Square but the hub reward ${rewardId} cost 25; make them equal so both balances agree`,
    );
    expect(seller.rewardCalls()).toEqual([]);
  });
});

describe('Square rewards at the till: the store-code adapter on its own', () => {
  const OTHER = { id: '4b2c1a2e-3d5f-4e6a-9b8c-7d6e5f4a3b2c', name: 'Free coffee', points: 10 };
  const env = { SQUARE_WEBHOOK_SIGNATURE_KEY: SQUARE_KEY, PUBLIC_URL, SQUARE_ACCESS_TOKEN: TOKEN, SQUARE_API_URL: API };
  const h = hubHarness({ connectors: [square], env });

  function adapter(more: Record<string, string> = {}): OutboundAdapter<StoreCodeOptions> {
    const services = { store: h.hub.store, commit: h.hub.commit, state: connectorState(h.hub.store, h.hub.commit, 'square') };
    return square.capabilities.storeCodes.createAdapter({ ...env, ...more }, services) as OutboundAdapter<StoreCodeOptions>;
  }
  const context = (memberPhone: string | null = null): SendContext => ({
    idempotencyKey: 'dlv_01JX4SQUAREREWARD',
    attempt: 1,
    member: { id: 'mem_x', email: 'ann@example.com', phone: memberPhone, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' },
    timeZone: 'UTC',
    now: h.clock(),
    signal: new AbortController().signal,
  });

  async function redemption(aliases: string[], phone?: string) {
    const m = await json(await h.call('POST', '/v1/members', { body: { email: `m${++notifications}@example.com`, aliases, ...(phone ? { phone } : {}) } }));
    await h.call('POST', `/v1/members/${m.id as string}/adjustments`, { body: { points: 100, reason: 'welcome' } });
    const reward = await json(await h.call('POST', '/v1/rewards', { body: { name: TIER.name, kind: 'percentage_discount', percent: 10, cost: 10 } }));
    const r = await json(await h.call('POST', `/v1/members/${m.id as string}/redemptions`, { scope: 'write', body: { rewardId: reward.id } }));
    const options: StoreCodeOptions = {
      action: 'create',
      code: r.voucherCode as string,
      title: 'Loyalty reward: 10% off entire sale',
      startsAt: new Date(h.clock()).toISOString(),
      expiresAt: null,
      redemptionId: r.id as string,
      memberId: m.id as string,
      reward: { id: reward.id as string, name: TIER.name, kind: 'percentage_discount', value: null, currency: null, percent: 10, productSku: null },
    };
    return options;
  }

  it('takes the tier SQUARE_REWARD_TIERS links over the one of the same name', async () => {
    const seller = squareSeller(server, API, { tiers: [TIER, OTHER] });
    const options = await redemption([`square:${CUSTOMER}`]);
    const linked = adapter({ SQUARE_REWARD_TIERS: `rwd_other=${TIER.id}, ${options.action === 'create' ? options.reward.id : ''}=${OTHER.id}` });
    expect(await linked.send(options, context())).toMatchObject({ status: 'delivered', statusCode: 200 });
    expect(seller.rewardCalls()[0]!.body).toEqual({ idempotency_key: 'dlv_01JX4SQUAREREWARD', reward: { loyalty_account_id: ACCOUNT, reward_tier_id: OTHER.id } });
    // Sent again (an attempt whose answer was lost, then delivered): the reward is known, no second one.
    expect(await linked.send(options, context())).toMatchObject({ status: 'delivered' });
    expect(seller.rewardCalls()).toHaveLength(1);
  });

  it('finds the account by the member\'s phone when they have no Square customer id, and skips a member Square does not know', async () => {
    const seller = squareSeller(server, API);
    const byPhone = await redemption([], PHONE);
    expect(await adapter().send(byPhone, context(PHONE))).toMatchObject({ status: 'delivered' });
    expect(seller.seen[0]!.body).toEqual({ query: { mappings: [{ phone_number: PHONE }] }, limit: 1 });

    const unknown = await redemption([], '+14155550000');
    expect(await adapter().send(unknown, context('+14155550000'))).toEqual({ status: 'skipped', reason: 'square: no Square Loyalty account for phone number ••••0000; the reward stays a hub voucher only' });
    expect(seller.rewardCalls()).toHaveLength(1);
  });

  it('refuses a tier it cannot find, naming the tiers there are; refuses a malformed SQUARE_REWARD_TIERS at start-up', async () => {
    squareSeller(server, API, { tiers: [OTHER] });
    const options = await redemption([`square:${CUSTOMER}`]);
    const outcome = await adapter().send(options, context());
    expect(outcome).toMatchObject({ status: 'permanent' });
    expect((outcome as { error: string }).error).toMatch(/no Square reward tier for reward rwd_\w+ \("10% off entire sale"\): name a tier exactly so, or link one in SQUARE_REWARD_TIERS \(tiers: "Free coffee"\)/);
    expect(() => adapter({ SQUARE_REWARD_TIERS: 'rwd_1' })).toThrow('square: SQUARE_REWARD_TIERS entry "rwd_1" is not <hub reward id>=<Square reward tier id>');
  });

  it('cannot delete a reward the till already redeemed: a permanent failure with Square\'s reason and what it means', async () => {
    const seller = squareSeller(server, API);
    const options = await redemption([`square:${CUSTOMER}`]);
    expect(await adapter().send(options, context())).toMatchObject({ status: 'delivered' });
    const [squareReward] = [...seller.rewards.values()];
    seller.redeemAtTill(squareReward!.id);
    const outcome = await adapter().send({ action: 'delete', code: options.code, redemptionId: options.redemptionId }, context());
    expect(outcome).toEqual({
      status: 'permanent',
      statusCode: 400,
      error:
        `square: DeleteLoyaltyReward HTTP 400 BAD_REQUEST: Cannot delete a redeemed reward — Square reward ${squareReward!.id} stays; ` +
        'if the till redeemed it, the member had the reward and the hub reversal gave the points back too',
    });
  });

  it('answers a delete of a code it never made as done, without calling Square', async () => {
    squareSeller(server, API);
    expect(await adapter().send({ action: 'delete', code: 'NEVER-MADE', redemptionId: 'rdm_x' }, context())).toMatchObject({ status: 'delivered' });
  });
});
