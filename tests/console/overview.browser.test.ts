/**
 * The overview in a real browser (docs/console.md, "Overview"): sign in and land on it, read the
 * charts (drawn by Chart.js: instances exist and the canvases have ink), change the date range
 * with the form, read a refused range in words, and no sideways scroll from 360 to 1,920 px.
 * The history is arranged through the public API, as a platform and an operator would write it.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { consoleInBrowser, expectNoSidewaysScroll, screenshot, signIn } from './browser.js';

interface Drawn {
  id: string;
  chart: boolean;
  inked: number;
  labels: string[];
}

/** Every chart on the page: has Chart.js made an instance on it, how many pixels are not transparent, its labels. */
function charts(page: Page): Promise<Drawn[]> {
  return page.evaluate(() => {
    const Chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: string[] } } | undefined } }).Chart;
    return [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')].map((canvas) => {
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) inked++;
      const chart = Chart?.getChart(canvas);
      return { id: canvas.dataset.chart!, chart: chart !== undefined, inked, labels: chart?.data.labels ?? [] };
    });
  });
}

describe('console overview in a browser', () => {
  const s = consoleInBrowser({}, { width: 1280, height: 900 });

  beforeAll(async () => {
    const ok = async (res: Promise<Response>) => {
      const r = await res;
      if (r.status >= 300) throw new Error(`arranging: ${r.status} ${await r.text()}`);
      return (await r.json()) as { id: string };
    };
    const alice = (await ok(s.hub.api('POST', '/members', { email: 'alice@example.com' }))).id;
    const bob = (await ok(s.hub.api('POST', '/members', { email: 'bob@example.com' }))).id;
    const order = (memberId: string, id: string, channel: string, amount: number) =>
      ok(s.hub.api('POST', '/events', { type: 'order.paid', customer: { memberId }, order: { id, channel, currency: 'USD', amount } }));
    await order(alice, 'b-1', 'online', 600_00);
    await order(bob, 'b-2', 'pos', 450_00);
    await order(alice, 'b-3', 'pos', 120_00);
    await ok(s.hub.api('POST', `/members/${bob}/adjustments`, { points: 75, reason: 'browser test goodwill' }));
    const reward = await ok(s.hub.api('POST', '/rewards', { name: 'Tote bag', kind: 'free_product', productSku: 'TOTE', cost: 500 }));
    await ok(s.hub.api('POST', `/members/${alice}/redemptions`, { rewardId: reward.id }));
  });

  it('lands on the overview after signing in and draws every chart from the data', async () => {
    await signIn(s.page, s.hub);
    expect(new URL(s.page.url()).pathname).toBe('/console/overview');
    await expect.poll(() => s.page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');

    // Points owed: 600 + 450 + 120 + 75 − 500 (both stay bronze: no multiplier), worth USD 7.45.
    const owed = s.page.locator('.card', { hasText: 'Points owed' }).locator('.value');
    await expect.poll(() => owed.textContent()).toBe('745');
    await expect.poll(() => s.page.locator('.card', { hasText: 'Owed in USD' }).locator('.value').textContent()).toBe('USD 7.45');

    await expect.poll(async () => (await charts(s.page)).length).toBe(6);
    const drawn = await charts(s.page);
    expect(drawn.map((c) => c.id)).toEqual(['chart-points', 'chart-members', 'chart-source', 'chart-channel', 'chart-tier', 'chart-rewards']);
    for (const c of drawn) {
      expect(c.chart, `${c.id} has a Chart.js instance`).toBe(true);
      expect(c.inked, `${c.id} is not blank`).toBeGreaterThan(1000);
    }
    expect(drawn.find((c) => c.id === 'chart-points')!.labels).toHaveLength(30);
    expect(drawn.find((c) => c.id === 'chart-channel')!.labels).toEqual(expect.arrayContaining(['online', 'pos']));
    expect(drawn.find((c) => c.id === 'chart-rewards')!.labels).toEqual(['Tote bag']);

    await screenshot(s.page, 'overview');

    // Each chart's text equivalent: the series table opens by keyboard.
    await s.page.getByText('Each day as a table').focus();
    await s.page.keyboard.press('Enter');
    await expect.poll(() => s.page.getByRole('table', { name: 'Each day' }).isVisible()).toBe(true);
    expect(s.seen.errors).toEqual([]);
  });

  it('changes the date range with the form, and says why a range is refused', async () => {
    await signIn(s.page, s.hub);
    const to = await s.page.getByLabel('To', { exact: true }).inputValue();
    const yearAgo = `${Number(to.slice(0, 4)) - 1}${to.slice(4, 8)}01`;
    await s.page.getByLabel('From', { exact: true }).fill(yearAgo);
    await s.page.getByLabel('Group by').selectOption('month');
    await s.page.getByRole('button', { name: 'Show' }).click();
    await s.page.waitForURL((url) => url.searchParams.get('groupBy') === 'month');
    await expect.poll(async () => (await charts(s.page)).find((c) => c.id === 'chart-points')?.labels.length).toBe(13);
    const points = (await charts(s.page)).find((c) => c.id === 'chart-points')!;
    expect(points.labels[0]).toBe(yearAgo.slice(0, 7));
    expect(points.inked).toBeGreaterThan(1000);
    await expect.poll(() => s.page.getByLabel('From', { exact: true }).inputValue()).toBe(yearAgo);
    await expect.poll(() => s.page.locator('.range-said').textContent()).toContain('by month');

    // From after To: the API's refusal in words, the typed range kept, no chart.
    await s.page.getByLabel('From', { exact: true }).fill(to);
    await s.page.getByLabel('To', { exact: true }).fill(yearAgo);
    await s.page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => s.page.getByRole('alert').textContent()).toContain(`must not be after to (${yearAgo})`);
    expect(await s.page.getByLabel('From', { exact: true }).inputValue()).toBe(to);
    expect(await s.page.locator('canvas').count()).toBe(0);

    // Back to the default range by its link.
    await s.page.getByRole('link', { name: 'Last 30 days' }).click();
    await expect.poll(async () => (await charts(s.page)).length).toBe(6);
    expect(s.seen.errors).toEqual([]);
  });

  it('fits from 360 to 1,920 px without sideways scroll', async () => {
    await signIn(s.page, s.hub);
    for (const width of [360, 1920]) {
      await s.page.setViewportSize({ width, height: 900 });
      await expect.poll(async () => (await charts(s.page)).every((c) => c.inked > 0)).toBe(true);
      await expectNoSidewaysScroll(s.page);
      await screenshot(s.page, `overview-${width}`);
    }
    expect(s.seen.errors).toEqual([]);
  });
});
