/**
 * The console's overview (docs/console.md, "Overview"), in process: the page shows what
 * `GET /v1/analytics/summary` answers for the same range — cards, the charts' data, the tables —
 * defaults to the API's last 30 days in the program's time zone, follows the date-range form, and
 * shows the API's refusal of an invalid range in words with its 400.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnalyticsSummary, ChartConfig } from '../../core/console/pages/overview-charts.js';
import { DEFAULT_PROGRAM_PATH, parseProgram } from '../../core/program/load-program.js';
import { hubHarness, json, type HubHarness } from '../helpers/test-hub.js';
import { signInConsole } from './console-harness.js';

const DAY_A = Date.parse('2026-01-20T15:00:00Z');
const DAY_B = Date.parse('2026-03-05T15:00:00Z');
const DAY_C = Date.parse('2026-03-09T15:00:00Z');
const NOW = Date.parse('2026-03-10T12:00:00Z');

/** A history through the public API: enrolments, orders online and at the till, an adjustment, a redemption. */
async function arrange(h: HubHarness, rewardName = 'Tote bag'): Promise<void> {
  const ok = async (res: Promise<Response>) => {
    const r = await res;
    expect(r.status, await r.clone().text()).toBeLessThan(300);
    return json<{ id: string }>(r);
  };
  const order = (memberId: string, id: string, channel: string, amount: number) =>
    ok(h.call('POST', '/v1/events', { scope: 'write', body: { type: 'order.paid', customer: { memberId }, order: { id, channel, currency: 'USD', amount } } }));
  h.clock.set(DAY_A);
  const alice = (await ok(h.call('POST', '/v1/members', { body: { email: 'alice@example.com' } }))).id;
  await order(alice, 'o-1', 'online', 800_00);
  h.clock.set(DAY_B);
  const bob = (await ok(h.call('POST', '/v1/members', { body: { email: 'bob@example.com' } }))).id;
  await order(alice, 'o-2', 'pos', 1200_00);
  await order(bob, 'o-3', 'online', 300_00);
  await ok(h.call('POST', `/v1/members/${bob}/adjustments`, { body: { points: 50, reason: 'overview test' } }));
  h.clock.set(DAY_C);
  const reward = await ok(h.call('POST', '/v1/rewards', { body: { name: rewardName, kind: 'free_product', productSku: 'TOTE', cost: 300 } }));
  await ok(h.call('POST', `/v1/members/${alice}/redemptions`, { scope: 'write', body: { rewardId: reward.id } }));
  h.clock.set(NOW);
}

async function apiSummary(h: HubHarness, query = ''): Promise<AnalyticsSummary> {
  const res = await h.call('GET', `/v1/analytics/summary${query}`, { scope: 'read' });
  expect(res.status).toBe(200);
  return json<AnalyticsSummary>(res);
}

const card = (html: string, label: string) => new RegExp(`<div class="label">${label}</div><div class="value">([^<]*)</div>`).exec(html)?.[1];
const chart = (html: string, id: string): ChartConfig => JSON.parse(new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`).exec(html)![1]!) as ChartConfig;
const inputValue = (html: string, id: string) => new RegExp(`<input id="${id}" name="${id}" type="date" value="([^"]*)"`).exec(html)?.[1];
const selectedGrouping = (html: string) => /<option value="(\w+)" selected="">/.exec(html)?.[1];
const rowsOf = (html: string, caption: string) => {
  const table = new RegExp(`<caption>${caption}</caption>(.*?)</table>`).exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr><th scope="row">([^<]*)<\/th>((?:<td class="num">[^<]*<\/td>)*)<\/tr>/g)].map(([, head, cells]) => [head, ...[...cells!.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1])]);
};

describe('console overview', () => {
  const h = hubHarness();

  it('shows what the analytics summary answers for the last 30 days: cards, charts and tables', async () => {
    await arrange(h);
    const api = await apiSummary(h);
    const client = await signInConsole(h, 'read');
    const res = await client.get('/console/overview');
    expect(res.status).toBe(200);
    const html = await res.text();

    // The range the API understood is the form's, and said in words with the time zone.
    expect([inputValue(html, 'from'), inputValue(html, 'to'), selectedGrouping(html)]).toEqual(['2026-02-09', '2026-03-10', 'day']);
    expect(html).toContain("2026-02-09 to 2026-03-10, whole days in the program&#39;s time zone (UTC), by day.");

    // Cards: liability in points and money, rates, members, totals — the API's figures, formatted.
    expect(api.liability.points).toBeGreaterThan(0);
    expect(card(html, 'Points owed')).toBe(api.liability.points.toLocaleString('en-US'));
    const [usd] = api.liability.value;
    expect(card(html, 'Owed in USD')).toBe(`USD ${Math.floor(usd!.amount / 100).toLocaleString('en-US')}.${String(usd!.amount % 100).padStart(2, '0')}`);
    expect(card(html, 'Redemption rate')).toBe(`${(api.rates.redemption! * 100).toFixed(2)} %`);
    expect(card(html, 'Breakage rate')).toBe('—'); // nothing came due for expiry in the range
    expect(card(html, 'Active members')).toBe('2');
    expect(card(html, 'New members')).toBe('1'); // Bob; Alice enrolled before the range
    expect(card(html, 'Issued')).toBe(api.points.issued.toLocaleString('en-US'));
    expect(card(html, 'Redeemed')).toBe('300');

    // The series chart is drawn from the API's series: one label per day, the figures per bucket.
    const points = chart(html, 'chart-points');
    expect(points.type).toBe('line');
    expect(points.data.labels).toEqual(api.series.map((b) => b.period));
    expect(points.data.datasets.map((d) => d.label)).toEqual(['Issued', 'Redeemed', 'Expired']);
    expect(points.data.datasets[0]!.data).toEqual(api.series.map((b) => b.points.issued));
    expect(points.data.datasets[1]!.data).toEqual(api.series.map((b) => b.points.redeemed));
    const members = chart(html, 'chart-members');
    expect(members.data.datasets[0]!.data).toEqual(api.series.map((b) => b.members.active));
    expect(members.data.datasets[1]!.data).toEqual(api.series.map((b) => b.members.new));
    // …and its text equivalent lists the same days.
    const series = rowsOf(html, 'Each day');
    expect(series).toHaveLength(30);
    expect(series.find((r) => r[0] === '2026-03-09')).toEqual(['2026-03-09', '0', '300', '0', '-300', '1', '0']);

    // Splits: a chart and a table each, in the API's order.
    expect(chart(html, 'chart-source').data.labels).toEqual(api.bySource.map((r) => r.source));
    expect(chart(html, 'chart-channel').data.labels).toEqual(api.byChannel.map((r) => r.channel));
    expect(chart(html, 'chart-tier').data.labels).toEqual(api.byTier.map((r) => r.tier ?? 'no tier'));
    expect(rowsOf(html, 'Points by channel').map((r) => r[0]).sort()).toEqual(['online', 'pos', 'unknown']);
    expect(rowsOf(html, 'Points by channel').find((r) => r[0] === 'pos')![1]).toBe('1,200');

    // Reward popularity.
    expect(chart(html, 'chart-rewards').data).toMatchObject({ labels: ['Tote bag'], datasets: [{ data: [1] }] });
    expect(rowsOf(html, 'Rewards redeemed in this range, most redeemed first')).toEqual([['Tote bag', '1', '300']]);

    // Chart.js is served by the hub; the read key is offered no form that changes anything.
    expect(html).toMatch(/\/console\/assets\/chart\.js\?v=[0-9a-f]{12}/);
    expect([...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1])).toEqual(['/console/sign-out']);
  });

  it('follows the date-range form: another range, grouped by month or week', async () => {
    await arrange(h);
    const client = await signInConsole(h);
    const html = await (await client.get('/console/overview?from=2026-01-01&to=2026-03-31&groupBy=month')).text();
    expect([inputValue(html, 'from'), inputValue(html, 'to'), selectedGrouping(html)]).toEqual(['2026-01-01', '2026-03-31', 'month']);
    const api = await apiSummary(h, '?from=2026-01-01&to=2026-03-31&groupBy=month');
    const points = chart(html, 'chart-points');
    expect(points.type).toBe('bar'); // three buckets read better as bars
    expect(points.data.labels).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(points.data.datasets[0]!.data).toEqual(api.series.map((b) => b.points.issued));
    expect(points.data.datasets[0]!.data).toEqual([800, 0, expect.any(Number)]);
    expect(card(html, 'New members')).toBe('2');
    expect(rowsOf(html, 'Each month').map((r) => r[0])).toEqual(['2026-01', '2026-02', '2026-03']);

    // A week cut short by the range says which of its days count.
    const weeks = await (await client.get('/console/overview?from=2026-03-04&to=2026-03-15&groupBy=week')).text();
    expect(rowsOf(weeks, 'Each week').map((r) => r[0])).toEqual(['2026-03-02 (2026-03-04 to 2026-03-08)', '2026-03-09']);
    const months = await (await client.get('/console/overview?from=2026-02-01&to=2026-03-20&groupBy=month')).text();
    expect(rowsOf(months, 'Each month').map((r) => r[0])).toEqual(['2026-02', '2026-03 (2026-03-01 to 2026-03-20)']);
  });

  it('shows the API refusal of an invalid range in words, with its 400, keeping what was typed', async () => {
    const client = await signInConsole(h, 'read');
    const backwards = await client.get('/console/overview?from=2026-03-10&to=2026-03-01&groupBy=week');
    expect(backwards.status).toBe(400);
    const html = await backwards.text();
    expect(html).toContain('role="alert"');
    expect(html).toMatch(/<code>\/from<\/code> must not be after to \(2026-03-01\)/);
    expect([inputValue(html, 'from'), inputValue(html, 'to'), selectedGrouping(html)]).toEqual(['2026-03-10', '2026-03-01', 'week']);
    expect(html).not.toContain('data-chart');

    const tooLong = await (await client.get('/console/overview?from=2020-01-01&to=2026-03-01')).text();
    expect(tooLong).toMatch(/groupBy=day answers at most 732 days/);
    const notADate = await client.get('/console/overview?from=2026-02-30');
    expect(notADate.status).toBe(400);
    expect(await notADate.text()).toContain('is not a date from 1970 on');
  });

  it('keeps a reward name as data inside the chart script', async () => {
    await arrange(h, '</script><script>alert(1)</script>');
    const client = await signInConsole(h);
    const html = await (await client.get('/console/overview')).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(chart(html, 'chart-rewards').data.labels).toEqual(['</script><script>alert(1)</script>']);
    expect(rowsOf(html, 'Rewards redeemed in this range, most redeemed first')[0]![0]).toBe('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('console overview in a program far from UTC', () => {
  // Kiritimati is UTC+14: at 12:00 UTC on 10 March it is already 11 March there.
  const text = readFileSync(DEFAULT_PROGRAM_PATH, 'utf8').replace('timeZone: UTC', 'timeZone: Pacific/Kiritimati');
  const h = hubHarness({ program: parseProgram(text, 'kiritimati.yaml') });

  it("defaults to the last 30 days of the program's calendar, not the server's", async () => {
    h.clock.set(NOW);
    const client = await signInConsole(h);
    const html = await (await client.get('/console/overview')).text();
    expect([inputValue(html, 'from'), inputValue(html, 'to')]).toEqual(['2026-02-10', '2026-03-11']);
    expect(html).toContain('(Pacific/Kiritimati)');
    // An empty program: zeros and words, not broken charts.
    expect(card(html, 'Points owed')).toBe('0');
    expect(html).toContain('No reward was redeemed in this range.');
    expect(html).toContain('No points moved in this range.');
  });
});
