/**
 * `/docs` in a real browser (core/api/docs-page.ts): Swagger UI renders the hub's own OpenAPI
 * document with its script and stylesheet served by the hub, so the page works on a machine
 * without internet access — this one has none, which is how the test would catch a CDN.
 */
import { describe, expect, it } from 'vitest';
import { consoleInBrowser } from '../console/browser.js';

describe('API docs page in a browser', () => {
  const s = consoleInBrowser();

  it('lists the operations, and one opens to show its schema, with nothing fetched from elsewhere', async () => {
    const elsewhere: string[] = [];
    s.page.on('request', (r) => {
      if (new URL(r.url()).origin !== s.hub.url) elsewhere.push(r.url());
    });
    await s.page.goto(`${s.hub.url}/docs`);
    await expect.poll(() => s.page.locator('.opblock').count(), { timeout: 15_000 }).toBeGreaterThan(50);
    await s.page.locator('.opblock-summary', { hasText: '/v1/tiers' }).first().click();
    await expect.poll(() => s.page.locator('.opblock.is-open').textContent()).toContain("The program's tiers");
    expect(elsewhere).toEqual([]);
    expect(s.seen.errors).toEqual([]);
  });
});
