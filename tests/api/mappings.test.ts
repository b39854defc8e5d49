/**
 * /v1/mappings (docs/api.md, "Mappings"): the folder with `mappings check`'s verdict, a check and
 * a preview of a text before it is saved (nothing sent, secrets masked), and saving (admin) with
 * the previous version kept and the hot reload applying it — refused, writing nothing, when the
 * text has a problem or the folder is read-only.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoverConnectors } from '../../core/connectors/discover.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

const SHIPPED = join(import.meta.dirname, '../../mappings/points-earned-email.yaml');
const FILE = 'points-earned-email.yaml';
const definitions = await discoverConnectors();

type Problem = { file: string; line: number; path: string; reason: string };
type FileState = { file: string; state: string; problems: Problem[]; inForce: string[] };
type Preview = { problems: Problem[]; sent: false; event: { source: string; id: string | null }; previews: { mapping: string; result: string; actions?: { adapter: string; enabled: boolean; options: Record<string, unknown> }[] }[] };

// Any request to a provider fails the test: a preview sends nothing.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

/** A hub on its own mapping folder holding a copy of one shipped mapping. */
function mappingHub(extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = { SENDGRID_API_KEY: 'SG.test-secret-key-value', SENDGRID_FROM: 'loyalty@shop.example', ...extraEnv };
  const folder = { dir: '' };
  beforeEach(() => {
    folder.dir = mkdtempSync(join(tmpdir(), 'lh-mappings-api-'));
    copyFileSync(SHIPPED, join(folder.dir, FILE));
    env.LOYALTY_MAPPINGS = folder.dir;
  });
  afterEach(() => rmSync(folder.dir, { recursive: true, force: true }));
  const h = hubHarness({ connectors: definitions, env });
  return { h, folder };
}

const broken = (text: string) => text.replace('subject: "You earned {{ points }} points"', 'subject: "You earned {{ point }} points"');

describe('mappings API', () => {
  const { h, folder } = mappingHub();
  const original = readFileSync(SHIPPED, 'utf8');
  const subjectLine = original.split('\n').findIndex((l) => l.includes('subject:')) + 1;

  it('lists each file with the check verdict: loaded, or its problems with line and reason (read scope)', async () => {
    writeFileSync(join(folder.dir, 'broken.yaml'), broken(original).replace('name: points-earned-email', 'name: other-email'));
    const list = await json<{ data: FileState[]; readOnly: string | null }>(await h.call('GET', '/v1/mappings', { scope: 'read' }));
    expect(list.readOnly).toBeNull();
    expect(list.data.map((f) => [f.file, f.state])).toEqual([
      ['broken.yaml', 'invalid'],
      [FILE, 'loaded'],
    ]);
    expect(list.data[0]!.problems).toEqual([
      expect.objectContaining({ file: 'broken.yaml', line: subjectLine, path: 'send.subject', reason: expect.stringContaining('missing field "point"') }),
    ]);
    expect(list.data[1]!.inForce).toEqual(['points-earned-email']);

    const one = await json<{ text: string; version: string; previous: string | null }>(await h.call('GET', `/v1/mappings/${FILE}`, { scope: 'read' }));
    expect(one).toMatchObject({ text: original, previous: null, state: 'loaded' });
    expect((await h.call('GET', '/v1/mappings/nope.yaml', { scope: 'read' })).status).toBe(404);
  });

  it('checks a text as mappings check does, naming the line', async () => {
    const check = (text: string) => h.call('POST', '/v1/mappings/check', { scope: 'read', body: { file: FILE, text } });
    expect(await json(await check(original))).toEqual({ problems: [] });
    const { problems } = await json<{ problems: Problem[] }>(await check(broken(original)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: subjectLine, reason: expect.stringContaining('"point"') });
    const { problems: yaml } = await json<{ problems: Problem[] }>(await check('name: x\non: [points.earned\n'));
    expect(yaml[0]).toMatchObject({ line: expect.any(Number), reason: expect.stringContaining('YAML') });
  });

  it('previews the messages for a sample or a recorded event, sending nothing and masking secrets', async () => {
    const preview = (body: Record<string, unknown>) => h.call('POST', '/v1/mappings/preview', { scope: 'read', body: { file: FILE, ...body } });
    const sample = await json<Preview>(await preview({ text: original.replace('You earned {{ points }} points', 'Bravo: {{ points }} points') }));
    expect(sample).toMatchObject({ problems: [], sent: false, event: { source: 'sample' } });
    expect(sample.previews[0]!.actions![0]).toMatchObject({ adapter: 'sendgrid', enabled: true, options: { subject: 'Bravo: 250 points' } });

    // A recorded event: the member as the dispatcher sees them.
    const member = await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com', firstName: 'Zoë' } }));
    const adjusted = await h.call('POST', `/v1/members/${member.id}/adjustments`, { body: { points: 40, reason: 'welcome' }, headers: { 'idempotency-key': 'p1' } });
    expect(adjusted.status).toBe(201);
    const recent = await json<{ data: { id: string; type: string }[] }>(await h.call('GET', '/v1/mappings/recent-events?type=points.earned', { scope: 'read' }));
    expect(recent.data.length).toBeGreaterThan(0);
    expect(recent.data.every((e) => e.type === 'points.earned')).toBe(true);
    const recorded = await json<Preview>(await preview({ text: original, eventId: recent.data[0]!.id }));
    expect(recorded.event).toMatchObject({ source: 'recorded', id: recent.data[0]!.id });
    expect(recorded.previews[0]!.actions![0]!.options).toMatchObject({ subject: 'You earned 40 points', text: expect.stringContaining('Hi Zoë') });

    // What the renderer produced passes through the log redaction: secret-named keys and tokens.
    const leaky = 'name: leak\non: points.earned\nsend:\n  adapter: webhook\n  endpointId: we_1\n  payload:\n    apiKey: "k-123"\n    note: "sk_live_abcdef123 to {{ member.email }}"\n';
    const masked = await json<Preview>(await h.call('POST', '/v1/mappings/preview', { scope: 'read', body: { file: 'leak.yaml', text: leaky } }));
    const shown = JSON.stringify(masked.previews);
    expect(shown).toContain('[redacted]');
    expect(shown).not.toContain('k-123');
    expect(shown).not.toContain('sk_live_abcdef123');
    expect(shown).not.toContain('ann.lee@example.com');
    expect(shown).not.toContain('SG.test-secret-key-value');

    const { deliveries } = tablesOf(h.hub.store.db);
    expect(await h.hub.store.db.select().from(deliveries)).toEqual([]);
    expect((await preview({ text: original, eventId: 'evt_nope' })).status).toBe(404);
  });

  it('saves (admin), keeping the previous version beside it, and the hot reload puts it in force', async () => {
    const opened = await json<{ version: string }>(await h.call('GET', `/v1/mappings/${FILE}`));
    const changed = original.replace('You earned {{ points }} points', 'Points! {{ points }}');
    const res = await h.call('PUT', `/v1/mappings/${FILE}`, { body: { text: changed, baseVersion: opened.version } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ file: FILE, created: false, previous: `${FILE}.previous`, reloaded: true, inForce: ['points-earned-email'] });
    expect(readFileSync(join(folder.dir, FILE), 'utf8')).toBe(changed);
    expect(readFileSync(join(folder.dir, `${FILE}.previous`), 'utf8')).toBe(original);
    // The kept version is not a mapping file: the folder still lists one file, loaded.
    const list = await json<{ data: FileState[] }>(await h.call('GET', '/v1/mappings'));
    expect(list.data).toEqual([{ file: FILE, state: 'loaded', problems: [], inForce: ['points-earned-email'] }]);
    // Saving again from the version opened before is refused: someone changed it meanwhile.
    const stale = await h.call('PUT', `/v1/mappings/${FILE}`, { body: { text: original, baseVersion: opened.version } });
    expect(stale.status).toBe(409);
    expect(readFileSync(join(folder.dir, FILE), 'utf8')).toBe(changed);
  });

  it('creates a new .yaml file; refuses bad names, invalid text and read keys, writing nothing', async () => {
    const text = readFileSync(SHIPPED, 'utf8').replace('name: points-earned-email', 'name: second-email');
    const created = await h.call('PUT', '/v1/mappings/second.yaml', { body: { text, baseVersion: '' } });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ created: true, previous: null, reloaded: true, inForce: ['second-email'] });

    for (const name of ['..%2Fescape.yaml', 'x.yml', '.hidden.yaml', 'a%2Fb.yaml', 'notes.txt']) {
      const res = await h.call('PUT', `/v1/mappings/${name}`, { body: { text } });
      expect(res.status, name).toBe(400);
    }
    const invalid = await h.call('PUT', '/v1/mappings/third.yaml', { body: { text: broken(text).replace('second-email', 'third-email') } });
    expect(invalid.status).toBe(422);
    expect(await json(invalid)).toMatchObject({ type: '/problems/invalid-mapping', problems: [expect.objectContaining({ file: 'third.yaml', reason: expect.stringContaining('"point"') })] });
    // A name another file already uses is a problem too (deliveries are keyed by mapping name).
    const twin = await h.call('PUT', '/v1/mappings/twin.yaml', { body: { text } });
    expect(twin.status).toBe(422);
    expect(await json(twin)).toMatchObject({ problems: [expect.objectContaining({ reason: expect.stringContaining('"second-email" is already used by second.yaml') })] });

    const byRead = await h.call('PUT', `/v1/mappings/${FILE}`, { scope: 'read', body: { text: 'x' } });
    expect(byRead.status).toBe(403);
    expect(readdirSync(folder.dir).sort()).toEqual([FILE, 'second.yaml']);
  });
});

describe('mappings API on a read-only folder', () => {
  const { h, folder } = mappingHub({ LOYALTY_MAPPINGS_READONLY: 'true' });

  it('lists and previews, and refuses to save, saying why', async () => {
    const list = await json<{ readOnly: string | null }>(await h.call('GET', '/v1/mappings'));
    expect(list.readOnly).toContain('read-only');
    const text = readFileSync(SHIPPED, 'utf8');
    const res = await h.call('PUT', `/v1/mappings/${FILE}`, { body: { text: text.replace('You earned', 'Got') } });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ type: '/problems/mappings-read-only', detail: expect.stringContaining('LOYALTY_MAPPINGS_READONLY') });
    expect(readFileSync(join(folder.dir, FILE), 'utf8')).toBe(text);
    expect(existsSync(join(folder.dir, `${FILE}.previous`))).toBe(false);
  });
});
