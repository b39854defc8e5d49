/**
 * `points.threshold_reached` (issue 18, point 11; SPEC §4; docs/program.md "Thresholds"): a write
 * that takes a member's spendable points from below a threshold the program names to at or
 * above it announces it, once per crossing, whatever the path — and the shipped 1,000-points
 * e-mail is sent on it.
 */
import { describe, expect, it } from 'vitest';
import { earn, earnMany, spend } from '../../core/ledger/index.js';
import { parseProgram, ProgramConfigError } from '../../core/program/load-program.js';
import { json } from '../helpers/test-hub.js';
import { messageHarness } from './message-harness.js';
import { DAY, programYaml } from './program-harness.js';

const THRESHOLD_EMAIL = 'mappings/points-threshold-1000-email.yaml';

describe('points.threshold_reached', () => {
  const m = messageHarness([THRESHOLD_EMAIL], {
    thresholds: [1000, 5000],
    rules: [
      { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1, rounding: 'down' } },
      { id: 'held', on: 'order.paid', if: { channel: ['pos'] }, award: { fixed: 700 }, pendingDays: 14 },
    ],
  });
  const crossings = async (memberId: string) =>
    (await m.events(['points.threshold_reached'], memberId)).map((e) => [e.data.threshold, (e.data.balance as { available: number }).available, e.data.kind]);
  const spendPoints = (memberId: string, points: number, key: string) =>
    m.h.hub.commit('test', (w) => w.post(spend, { memberId, points, idempotencyKey: key, why: { source: 'redemption', reason: 'test redemption' } }));

  it('once per crossing: none below, one on the crossing, none above, again after falling below and crossing again', async () => {
    const ann = await m.enroll('ann@example.com');
    await m.activity(ann, 600);
    expect(await crossings(ann)).toEqual([]);
    expect(await m.dispatch()).toEqual([]);

    await m.activity(ann, 500); // 600 → 1,100
    const [reached] = await m.events(['points.threshold_reached'], ann);
    expect(reached!.data).toMatchObject({ threshold: 1000, points: 500, kind: 'earn', reason: 'purchase.bonus', balance: { available: 1100 } });
    expect(await m.dispatch()).toEqual([
      { to: 'ann@example.com', subject: "You've reached 1,000 points!", text: expect.stringContaining('your balance is 1100 points') },
    ]);

    await m.activity(ann, 100); // 1,200: already above
    await spendPoints(ann, 300, 'spend-1'); // 900: below again, nothing announced for going down
    expect(await crossings(ann)).toEqual([[1000, 1100, 'earn']]);
    await m.activity(ann, 300); // 1,200: crossed again
    expect(await crossings(ann)).toEqual([
      [1000, 1100, 'earn'],
      [1000, 1200, 'earn'],
    ]);
    expect((await m.dispatch()).map((mail) => mail.subject)).toEqual(["You've reached 1,000 points!", "You've reached 1,000 points!"]);
  });

  it('one write across two thresholds announces both, lowest first; an order counts its lines together', async () => {
    const bo = await m.enroll('bo@example.com');
    await m.order(bo, 600_000); // 6,000 points in one order
    expect(await crossings(bo)).toEqual([
      [1000, 6000, 'earn'],
      [5000, 6000, 'earn'],
    ]);
    const [first] = await m.events(['points.threshold_reached'], bo);
    expect(first!.data).toMatchObject({ points: 6000, eventId: expect.stringMatching(/:order:/), reason: 'order.paid', lines: [expect.objectContaining({ ruleId: 'base' })] });
    expect(await m.dispatch()).toHaveLength(1); // the 1,000 e-mail only
  });

  it('points held for a returns window cross when the scheduler activates them, not before', async () => {
    const cy = await m.enroll('cy@example.com');
    await m.activity(cy, 500);
    await m.post({ type: 'order.paid', customer: { memberId: cy }, order: { id: 'pos-1', currency: 'USD', amount: 100, channel: 'pos' } }); // 1 now, 700 held
    expect(await crossings(cy)).toEqual([]);
    m.h.clock.advance(15 * DAY);
    await m.tick();
    expect(await crossings(cy)).toEqual([[1000, 1201, 'activate']]);
    const [reached] = await m.events(['points.threshold_reached'], cy);
    expect(reached!.data).toMatchObject({ points: 700, reason: 'returns window passed' });
  });

  it('a manual credit and a returned redemption raise the balance across a threshold too', async () => {
    const di = await m.enroll('di@example.com');
    await m.adjust(di, 990);
    await m.adjust(di, 20); // 1,010
    expect(await crossings(di)).toEqual([[1000, 1010, 'adjust']]);

    const reward = await json<{ id: string }>(await m.h.call('POST', '/v1/rewards', { body: { name: 'Tote bag', kind: 'voucher', cost: 100 } }));
    const redemption = await json<{ id: string }>(await m.h.call('POST', `/v1/members/${di}/redemptions`, { scope: 'write', body: { rewardId: reward.id } }));
    expect(await crossings(di)).toHaveLength(1); // 910: down, nothing
    expect((await m.h.call('POST', `/v1/redemptions/${redemption.id}/reverse`, { scope: 'write', body: {} })).status).toBe(200);
    expect(await crossings(di)).toEqual([
      [1000, 1010, 'adjust'],
      [1000, 1010, 'reverse'],
    ]);
  });

  it('a checkout hold released does not announce the same milestone again, and a quiet write (an import) announces nothing', async () => {
    const ed = await m.enroll('ed@example.com');
    await m.activity(ed, 1200);
    const held = await json<{ id: string }>(await m.h.call('POST', `/v1/members/${ed}/locks`, { scope: 'write', body: { points: 500 } }));
    expect((await m.h.call('POST', `/v1/locks/${held.id}/release`, { scope: 'write' })).status).toBe(200);
    expect(await m.events(['points.released'], ed)).toHaveLength(1);
    expect(await crossings(ed)).toEqual([[1000, 1200, 'earn']]);

    const fy = await m.enroll('fy@example.com');
    await m.h.hub.commit('cli', async (w) => {
      w.quiet();
      await w.post(earn, { memberId: fy, points: 3000, idempotencyKey: 'import:fy', why: { source: 'system', reason: 'imported balance' } });
    });
    expect(await crossings(fy)).toEqual([]);
  });

  it('the batched earn path announces crossings too, right after the line that crossed', async () => {
    const ho = await m.enroll('ho@example.com');
    const input = (points: number, key: string) => ({ memberId: ho, points, idempotencyKey: key, why: { source: 'api' as const, reason: 'batch' } });
    await m.h.hub.commit('test', (w) => w.postMany(earnMany, [input(600, 'b-1'), input(500, 'b-2'), input(100, 'b-3')]));
    const events = await m.events(['points.earned', 'points.threshold_reached'], ho);
    expect(events.map((e) => [e.type, e.data.points, (e.data.balance as { available: number }).available])).toEqual([
      ['points.earned', 600, 600],
      ['points.earned', 500, 1100],
      ['points.threshold_reached', 500, 1100],
      ['points.earned', 100, 1200],
    ]);
  });

  it('points that only pass through on their way to repaying a refund debt cross nothing', async () => {
    const gu = await m.enroll('gu@example.com');
    await m.order(gu, 90_000, 'big'); // 900
    await spendPoints(gu, 900, 'spend-all');
    await m.post({ type: 'order.refunded', customer: { memberId: gu }, refund: { orderId: 'big', refundId: 'r-1', currency: 'USD', full: true } }); // 900 owed
    await m.order(gu, 150_000, 'next'); // 1,500 earned, 900 repay the debt: 600 left
    expect((await json<{ available: number; debt: number }>(await m.h.call('GET', `/v1/members/${gu}/balance`, { scope: 'read' }))).available).toBe(600);
    expect(await crossings(gu)).toEqual([]);
  });
});

describe('thresholds in the program file', () => {
  it('must go up, each once; a mistake names the file, the line and the reason', () => {
    const text = programYaml({ thresholds: [1000, 500, 500], rules: [] });
    let error: unknown;
    try {
      parseProgram(text, 'program.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProgramConfigError);
    const line = text.split('\n').findIndex((l) => l.includes('500')) + 1;
    expect((error as ProgramConfigError).problems).toEqual([
      expect.objectContaining({ path: 'thresholds[1]', message: 'thresholds go up: 500 comes after 1000', line }),
      expect.objectContaining({ path: 'thresholds[2]', message: 'duplicate threshold 500', line: line + 1 }),
    ]);
    expect(() => parseProgram(programYaml({ thresholds: [0] }), 'program.yaml')).toThrow(/thresholds\[0\]/);
    expect(parseProgram(programYaml({ thresholds: [1000, 5000] }), 'program.yaml').thresholds).toEqual([1000, 5000]);
  });
});
