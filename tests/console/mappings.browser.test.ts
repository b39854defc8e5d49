/**
 * The mappings section in a real browser (issue 19's flow: "fix a mapping's error in the editor
 * and see the preview change"), against `loyalty-hub serve` on its own mapping folder holding a
 * copy of one shipped mapping: the live check names the line, the preview follows the text, the
 * save is picked up by the hot reload and the previous version is kept. A read key looks and
 * previews without a save button; a hub whose folder is read-only says so.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectNoSidewaysScroll, launchBrowser, screenshot, signIn, startConsoleHub, watchPage, type ConsoleHub } from './browser.js';

const SHIPPED = join(import.meta.dirname, '../../mappings/points-earned-email.yaml');
const FILE = 'points-earned-email.yaml';
const ORIGINAL = readFileSync(SHIPPED, 'utf8');
const SUBJECT_LINE = ORIGINAL.split('\n').findIndex((l) => l.includes('subject:')) + 1;

function folderWithOneMapping(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lh-browser-mappings-'));
  copyFileSync(SHIPPED, join(dir, FILE));
  return dir;
}

describe('console mappings in a browser', () => {
  let hub: ConsoleHub;
  let readOnlyHub: ConsoleHub;
  let browser: Browser;
  let page: Page;
  let seen: { errors: string[] };
  const dir = folderWithOneMapping();
  const readOnlyDir = folderWithOneMapping();

  beforeAll(async () => {
    [hub, readOnlyHub, browser] = await Promise.all([
      startConsoleHub({ LOYALTY_MAPPINGS: dir }),
      startConsoleHub({ LOYALTY_MAPPINGS: readOnlyDir, LOYALTY_MAPPINGS_READONLY: 'true' }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([hub?.stop(), readOnlyHub?.stop()]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(readOnlyDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    seen = watchPage(page);
  });
  afterEach(async () => {
    await page.context().close();
  });

  const live = () => page.locator('#mapping-live');

  it("fixes a mapping's error in the editor, sees the preview change, saves, and the hot reload loads it", async () => {
    await signIn(page, hub, undefined, '/console/mappings');
    const row = page.getByRole('row', { name: new RegExp(FILE) });
    await expect.poll(() => row.textContent()).toContain('Loaded');
    await screenshot(page, 'mappings');
    for (const width of [360, 1920]) {
      await page.setViewportSize({ width, height: 800 });
      await expectNoSidewaysScroll(page);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('link', { name: FILE }).click();
    const editor = page.getByLabel(`Mapping file ${FILE}`);
    await expect.poll(() => editor.inputValue()).toBe(ORIGINAL);
    await expect.poll(() => live().textContent()).toContain('You earned 250 points');

    // An error: a field the event does not have. The live check names its line and why.
    await editor.fill(ORIGINAL.replace('You earned {{ points }} points', 'You earned {{ point }} points'));
    await expect.poll(() => live().textContent()).toContain(`${FILE}, line ${SUBJECT_LINE}`);
    expect(await live().textContent()).toContain('missing field "point"');

    // Fixed, with other wording: the check clears and the preview shows the new subject.
    await editor.fill(ORIGINAL.replace('You earned {{ points }} points', 'Bravo, {{ points }} points are yours'));
    await expect.poll(() => live().textContent()).toContain('Bravo, 250 points are yours');
    expect(await live().textContent()).toContain('No problems: this file would load.');
    // Another sample event, picked from the list: the mapping is not on it, so nothing would be sent.
    await page.getByLabel('Preview with').selectOption({ label: 'Sample points.spent' });
    await expect.poll(() => live().textContent()).toContain('not this event');
    await page.getByLabel('Preview with').selectOption({ label: "Each mapping's own sample event" });
    await expect.poll(() => live().textContent()).toContain('Bravo, 250 points are yours');
    await screenshot(page, 'mapping-editor');
    for (const width of [360, 1920]) {
      await page.setViewportSize({ width, height: 800 });
      await expectNoSidewaysScroll(page);
      await screenshot(page, `mapping-editor-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${hub.url}/console/mappings`);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(`the previous version is kept as ${FILE}.previous`);
    await expect.poll(() => page.getByRole('row', { name: new RegExp(FILE) }).textContent()).toContain('Loaded');
    expect(readFileSync(join(dir, FILE), 'utf8')).toContain('Bravo, {{ points }} points are yours');
    expect(readFileSync(join(dir, `${FILE}.previous`), 'utf8')).toBe(ORIGINAL);
    // The kept version is not loaded as a mapping: the list still has one file.
    expect(await page.getByRole('row').count()).toBe(2);
    expect(seen.errors).toEqual([]);
  });

  it('lets a read key look and preview, with no save button', async () => {
    const created = (await (await hub.api('POST', '/api-keys', { name: 'marketing viewer', scope: 'read' })).json()) as { key: string };
    await signIn(page, hub, created.key, `/console/mappings/${FILE}`);
    await expect.poll(() => live().textContent()).toContain('points');
    await page.getByLabel(`Mapping file ${FILE}`).fill(ORIGINAL.replace('You earned {{ points }} points', 'Read-only look: {{ points }}'));
    await expect.poll(() => live().textContent()).toContain('Read-only look: 250');
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Check and preview' }).count()).toBe(1);
    expect(seen.errors).toEqual([]);
  });

  it('says saving is off where the mappings folder is read-only', async () => {
    await signIn(page, readOnlyHub, undefined, '/console/mappings');
    await expect.poll(() => page.locator('main').textContent()).toContain('Saving is off.');
    await page.getByRole('link', { name: FILE }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('LOYALTY_MAPPINGS_READONLY=true');
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await screenshot(page, 'mapping-editor-read-only');
    expect(existsSync(join(readOnlyDir, `${FILE}.previous`))).toBe(false);
    expect(seen.errors).toEqual([]);
  });
});
