/**
 * The console's mappings section in process (docs/console.md, "Mappings"): the list with each
 * file's state, the editor's live check and preview, saving with the previous version kept, and
 * the refusals — a read session's forged save, an invalid text, a read-only folder.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverConnectors } from '../../core/connectors/discover.js';
import { hubHarness } from '../helpers/test-hub.js';
import { signInConsole, type ConsoleClient } from './console-harness.js';

const SHIPPED = join(import.meta.dirname, '../../mappings/points-earned-email.yaml');
const FILE = 'points-earned-email.yaml';
const ORIGINAL = readFileSync(SHIPPED, 'utf8');
const SUBJECT_LINE = ORIGINAL.split('\n').findIndex((l) => l.includes('subject:')) + 1;
const BROKEN = ORIGINAL.replace('You earned {{ points }} points', 'You earned {{ point }} points');
const definitions = await discoverConnectors();

function mappingConsole(extraEnv: Record<string, string> = {}, files: string[] = [SHIPPED]) {
  const env: Record<string, string> = { ...extraEnv };
  const folder = { dir: '' };
  beforeEach(() => {
    folder.dir = mkdtempSync(join(tmpdir(), 'lh-console-mappings-'));
    for (const file of files) copyFileSync(file, join(folder.dir, basename(file)));
    env.LOYALTY_MAPPINGS = folder.dir;
  });
  afterEach(() => rmSync(folder.dir, { recursive: true, force: true }));
  return { h: hubHarness({ connectors: definitions, env }), folder };
}

/**
 * A console request's page and how long it took (issue 19: every page under 200 ms): the best of
 * three, so a busy test machine's one slow moment is not taken for the page's speed.
 */
async function timed(run: () => Promise<Response>): Promise<{ res: Response; html: string; ms: number }> {
  let best: { res: Response; html: string; ms: number } | undefined;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await run();
    const html = await res.text();
    const ms = performance.now() - started;
    if (!best || ms < best.ms) best = { res, html, ms };
  }
  return best!;
}

const editorFields = async (client: ConsoleClient, html: string, text: string, extra: Record<string, string> = {}) => ({
  _idempotency: /name="_idempotency" value="([^"]+)"/.exec(html)![1]!,
  baseVersion: /name="baseVersion" value="([^"]*)"/.exec(html)![1]!,
  text,
  event: '',
  ...extra,
});

describe('console mappings', () => {
  const { h, folder } = mappingConsole();

  it('lists every file with its state and problems (line and reason); only admin sees "New mapping file"', async () => {
    copyFileSync(SHIPPED, join(folder.dir, 'broken.yaml'));
    await import('node:fs').then((fs) => fs.writeFileSync(join(folder.dir, 'broken.yaml'), BROKEN.replace('name: points-earned-email', 'name: broken-email')));
    const admin = await signInConsole(h, 'admin');
    const { res, html, ms } = await timed(() => admin.get('/console/mappings'));
    expect(res.status).toBe(200);
    expect(ms).toBeLessThan(200);
    expect(html).toContain('<caption>Mapping files and their state</caption>');
    expect(html).toMatch(/broken\.yaml<\/a><\/td><td><span class="status bad">Invalid<\/span>/);
    expect(html).toContain(`broken.yaml, line ${SUBJECT_LINE}`);
    expect(html).toContain('missing field &quot;point&quot;');
    expect(html).toMatch(/points-earned-email\.yaml<\/a><\/td><td><span class="status ok">Loaded<\/span>/);
    expect(html).toContain('New mapping file');

    const read = await signInConsole(h, 'read');
    const asRead = await (await read.get('/console/mappings')).text();
    expect(asRead).toContain('broken.yaml, line');
    expect(asRead).not.toContain('New mapping file');
  });

  it('opens the editor with a labelled textarea, a live check wired by htmx and the preview of the sample event', async () => {
    const admin = await signInConsole(h, 'admin');
    const { res, html, ms } = await timed(() => admin.get(`/console/mappings/${FILE}`));
    expect(res.status).toBe(200);
    expect(ms).toBeLessThan(200);
    expect(html).toContain(`<label for="mapping-text">Mapping file ${FILE}</label>`);
    expect(html).toMatch(/<textarea id="mapping-text" name="text"[^>]*hx-post="\/console\/mappings\/points-earned-email\.yaml\/live" hx-trigger="input changed delay:400ms"/);
    expect(html).toContain('You earned 250 points');
    expect(html).toContain('No problems: this file would load.');
    expect(html).toContain('formaction="/console/mappings/points-earned-email.yaml/save"');

    const read = await signInConsole(h, 'read');
    const asRead = await (await read.get(`/console/mappings/${FILE}`)).text();
    expect(asRead).toContain('You earned 250 points');
    expect(asRead).not.toContain('/save"');
  });

  it('checks as the person types: the fragment names the line and reason, then shows the changed message', async () => {
    const read = await signInConsole(h, 'read');
    const token = await read.csrfToken();
    const live = async (text: string, event = '') =>
      h.hub.app.request(`/console/mappings/${FILE}/live`, {
        method: 'POST',
        headers: { cookie: read.cookie, origin: 'http://localhost', 'hx-request': 'true', 'x-csrf-token': token, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ text, event }).toString(),
      });
    const bad = await timed(() => live(BROKEN));
    expect(bad.res.status).toBe(200);
    expect(bad.html).not.toContain('<html');
    expect(bad.html).toContain(`${FILE}, line ${SUBJECT_LINE}`);
    expect(bad.html).toContain('Fix the problems above');
    const fixed = await (await live(ORIGINAL.replace('You earned {{ points }} points', 'Well done: {{ points }} points'), 'sample:points.earned')).text();
    expect(fixed).toContain('No problems');
    expect(fixed).toContain('Well done: 250 points');
    expect(fixed).toContain('With the sample points.earned event');
  });

  it('saves (admin): the list shows it loaded and the previous version is kept beside it', async () => {
    const admin = await signInConsole(h, 'admin');
    const page = await (await admin.get(`/console/mappings/${FILE}`)).text();
    const changed = ORIGINAL.replace('You earned {{ points }} points', 'Saved: {{ points }} points');
    const res = await admin.post(`/console/mappings/${FILE}/save`, await editorFields(admin, page, changed));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/mappings');
    const notice = decodeURIComponent(/lh_console_notice=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!);
    expect(notice).toContain(`the previous version is kept as ${FILE}.previous`);
    expect(notice).toContain('The hub reloaded it: points-earned-email in force.');
    expect(readFileSync(join(folder.dir, FILE), 'utf8')).toBe(changed);
    expect(readFileSync(join(folder.dir, `${FILE}.previous`), 'utf8')).toBe(ORIGINAL);
    const list = await (await admin.get('/console/mappings')).text();
    expect(list).toMatch(/points-earned-email\.yaml<\/a><\/td><td><span class="status ok">Loaded<\/span>/);
    expect(list).not.toContain('.previous</a>');
  });

  it('refuses an invalid text with its line, keeping what was typed and writing nothing', async () => {
    const admin = await signInConsole(h, 'admin');
    const page = await (await admin.get(`/console/mappings/${FILE}`)).text();
    const res = await admin.post(`/console/mappings/${FILE}/save`, await editorFields(admin, page, BROKEN));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('The mapping file has problems');
    expect(html).toContain(`${FILE}, line ${SUBJECT_LINE}`);
    expect(html).toContain('You earned {{ point }} points');
    expect(readFileSync(join(folder.dir, FILE), 'utf8')).toBe(ORIGINAL);
    expect(existsSync(join(folder.dir, `${FILE}.previous`))).toBe(false);
  });

  it("refuses a read session's forged save with the API's reason, writing nothing", async () => {
    const read = await signInConsole(h, 'read');
    const page = await (await read.get(`/console/mappings/${FILE}`)).text();
    const res = await read.post(`/console/mappings/${FILE}/save`, await editorFields(read, page, ORIGINAL.replace('You earned', 'Forged')));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('role="alert"');
    expect(readFileSync(join(folder.dir, FILE), 'utf8')).toBe(ORIGINAL);
  });

  it('creates a new file: the name is checked, the editor starts from a working mapping, saving writes it', async () => {
    const admin = await signInConsole(h, 'admin');
    for (const bad of ['../escape.yaml', 'x.yml', 'a/b.yaml', FILE]) {
      const res = await admin.get(`/console/mappings/new?file=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
    }
    const go = await admin.get('/console/mappings/new?file=welcome.yaml');
    expect(go.status).toBe(303);
    expect(go.headers.get('location')).toBe('/console/mappings/welcome.yaml?new=yes');
    const page = await (await admin.get('/console/mappings/welcome.yaml?new=yes')).text();
    expect(page).toContain('New mapping file welcome.yaml');
    expect(page).toContain('No problems: this file would load.');
    const text = /<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(page)![1]!.replaceAll('&quot;', '"').replaceAll('&#39;', "'");
    const res = await admin.post('/console/mappings/welcome.yaml/save', await editorFields(admin, page, text, { creating: 'yes' }));
    expect(res.status).toBe(303);
    expect(readFileSync(join(folder.dir, 'welcome.yaml'), 'utf8')).toBe(text);
    // A read key cannot open a file that does not exist as a new one.
    const read = await signInConsole(h, 'read');
    expect((await read.get('/console/mappings/other.yaml?new=yes')).status).toBe(404);
  });
});

describe('console mappings on a read-only folder', () => {
  const { h, folder } = mappingConsole({ LOYALTY_MAPPINGS_READONLY: 'true' });

  it('says saving is off, shows no save button, and refuses a forged save with the reason', async () => {
    const admin = await signInConsole(h, 'admin');
    const list = await (await admin.get('/console/mappings')).text();
    expect(list).toContain('Saving is off.');
    expect(list).not.toContain('New mapping file');
    const page = await (await admin.get(`/console/mappings/${FILE}`)).text();
    expect(page).toContain('LOYALTY_MAPPINGS_READONLY=true');
    expect(page).not.toContain('/save"');
    const res = await admin.post(`/console/mappings/${FILE}/save`, await editorFields(admin, page, ORIGINAL.replace('You earned', 'Nope')));
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('Mappings are read-only here');
    expect(readFileSync(join(folder.dir, FILE), 'utf8')).toBe(ORIGINAL);
  });
});

describe('console mappings with every shipped mapping', () => {
  const shipped = join(import.meta.dirname, '../../mappings');
  const files = readdirSync(shipped).filter((f) => f.endsWith('.yaml'));
  const { h } = mappingConsole({}, files.map((f) => join(shipped, f)));

  it('answers the list and an editor within 200 ms', async () => {
    const admin = await signInConsole(h, 'admin');
    const list = await timed(() => admin.get('/console/mappings'));
    expect(list.res.status).toBe(200);
    expect(list.html.match(/class="status ok">Loaded</g)).toHaveLength(files.length);
    const editor = await timed(() => admin.get('/console/mappings/delivery-failed-zendesk-slack.yaml'));
    expect(editor.res.status).toBe(200);
    expect(editor.html).toContain('No problems: this file would load.');
    console.info(`mappings pages (${files.length} files): list ${list.ms.toFixed(0)} ms, editor ${editor.ms.toFixed(0)} ms`);
    expect(list.ms).toBeLessThan(200);
    expect(editor.ms).toBeLessThan(200);
  });
});
