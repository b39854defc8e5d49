/**
 * The console's settings (docs/console.md, "Settings"), in process: API keys and webhook
 * endpoints through the API; a secret is shown once, on the answer to the form that made it
 * (200, no-store), never on a later page, and sending the same form again shows it no more and
 * makes nothing twice; a read key sees no form and a forged post is refused by the API.
 */
import { describe, expect, it } from 'vitest';
import { hubHarness, json } from '../helpers/test-hub.js';
import { ORIGIN, signInConsole, type ConsoleClient } from './console-harness.js';

type ApiKey = { id: string; name: string; scopes: string[]; revokedAt: string | null };
type Endpoint = { id: string; url: string; events: string[]; previousSecretExpiresAt: string | null };

const secretOn = (html: string) => /<input id="new-secret" type="text" readonly="" value="([^"]+)"/.exec(html)?.[1];

describe('console settings', () => {
  const h = hubHarness();

  const keys = async () => (await json<{ data: ApiKey[] }>(await h.call('GET', '/v1/api-keys?limit=200'))).data;
  const endpoints = async () => (await json<{ data: Endpoint[] }>(await h.call('GET', '/v1/webhook-endpoints'))).data;
  const page = async (client: ConsoleClient, path = '/console/settings') => {
    const res = await client.get(path);
    expect(res.status).toBe(200);
    return res.text();
  };
  /** A console session signed in with `key` (signInConsole signs in with the harness's keys only). */
  async function consoleAs(key: string): Promise<ConsoleClient> {
    const signIn = await h.hub.app.request('/console/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      body: new URLSearchParams({ key }).toString(),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const get = async (path: string, headers: Record<string, string> = {}) => h.hub.app.request(path, { headers: { cookie, ...headers } });
    const csrfToken = async () => /<meta name="csrf-token" content="([^"]+)"/.exec(await (await get('/console/settings')).text())![1]!;
    return {
      cookie,
      get,
      csrfToken,
      post: async (path, fields) =>
        h.hub.app.request(path, {
          method: 'POST',
          headers: { cookie, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...fields, _csrf: await csrfToken() }).toString(),
        }),
    };
  }
  async function follow(client: ConsoleClient, res: Response): Promise<string> {
    expect(res.status, await res.clone().text()).toBe(303);
    const notice = res.headers.get('set-cookie')!.split(';')[0]!;
    return (await client.get(res.headers.get('location')!, { cookie: `${client.cookie}; ${notice}` })).text();
  }

  it('creates a key and shows it once, on the answer to the form; sending the form again makes no second key and shows none', async () => {
    const client = await signInConsole(h);
    const before = await page(client);
    expect(before).toContain('<label for="key-name">Name</label>');
    expect(before).toContain('storefront');

    const form = { _idempotency: 'make-pos-key', name: 'POS backend', scope: 'write' };
    const res = await client.post('/console/settings/api-keys', form);
    expect(res.status).toBe(200); // rendered here, not after a redirect
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const key = secretOn(html);
    expect(key).toMatch(/^lh_/);
    expect(html).toContain('Copy the new key now: it is shown only this once');
    expect(html).toContain('data-replace-url="/console/settings"');

    // The key works, with its scope.
    const principal = await h.hub.app.request('/v1/members', { method: 'POST', headers: { authorization: `Bearer ${key!}`, 'content-type': 'application/json' }, body: '{}' });
    expect(principal.status).toBe(201);
    expect((await h.hub.app.request('/v1/api-keys', { headers: { authorization: `Bearer ${key!}` } })).status).toBe(403);

    // Never again: not on the settings page, not for the same form sent again (a reload).
    expect(await page(client)).not.toContain(key!);
    const again = await client.post('/console/settings/api-keys', form);
    expect(again.status).toBe(200);
    const replayed = await again.text();
    expect(replayed).not.toContain(key!);
    expect(secretOn(replayed)).toBeUndefined();
    expect(replayed).toContain('This form was sent before');
    expect((await keys()).filter((k) => k.name === 'POS backend')).toHaveLength(1);
  });

  it("shows the API's refusal of a key beside its field and keeps what was typed", async () => {
    const client = await signInConsole(h);
    const res = await client.post('/console/settings/api-keys', { name: '   ', scope: 'root' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/id="key-name-error">Too small/);
    expect(html).toMatch(/id="key-scope-error">Invalid option/);
    expect(secretOn(html)).toBeUndefined();
    expect(await keys()).toHaveLength(3);
  });

  it('revokes a key after a confirmation; the key one is signed in with warns first and signs out', async () => {
    const other = await json<ApiKey & { key: string }>(await h.call('POST', '/v1/api-keys', { body: { name: 'Old kiosk', scope: 'read' } }));
    const mine = await json<ApiKey & { key: string }>(await h.call('POST', '/v1/api-keys', { body: { name: 'Ops laptop', scope: 'admin' } }));
    const client = await consoleAs(mine.key);

    const html = await page(client);
    const row = (id: string) => {
      const at = html.indexOf(`<code>${id}</code></div>`);
      return html.slice(at, html.indexOf('</tr>', at));
    };
    expect(row(mine.id)).toContain('This is the key you are signed in with: revoking it signs you out of the console at once.');
    expect(row(other.id)).toContain('<summary>Revoke…</summary>');
    expect(row(other.id)).not.toContain('signed in with');

    expect(await follow(client, await client.post(`/console/settings/api-keys/${other.id}/revoke`, {}))).toContain('Revoked the key “Old kiosk”: it no longer works.');
    expect((await h.hub.app.request('/v1/members/x', { headers: { authorization: `Bearer ${other.key}` } })).status).toBe(401);

    const out = await client.post(`/console/settings/api-keys/${mine.id}/revoke`, {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/sign-in');
    expect(out.headers.get('set-cookie')).toMatch(/^lh_console=; Max-Age=0; Path=\/console/);
    expect((await client.get('/console/settings')).status).toBe(303); // the session died with its key
    expect((await keys()).find((k) => k.id === mine.id)?.revokedAt).not.toBeNull();
  });

  it("shows the API's refusal to revoke the environment's key, and offers no revoke form for it", async () => {
    const client = await signInConsole(h);
    const envKey = (await keys()).find((k) => k.name === 'ADMIN_API_KEY')!;
    const html = await page(client);
    expect(html).toContain('ADMIN_API_KEY: change the variable and restart to replace it');
    expect(html).not.toContain(`/console/settings/api-keys/${envKey.id}/revoke`);
    const res = await client.post(`/console/settings/api-keys/${envKey.id}/revoke`, {});
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('Key comes from the environment');
  });

  it('creates a webhook endpoint with its secret shown once, rotates it (shown once), and deletes it', async () => {
    const client = await signInConsole(h);
    const bad = await client.post('/console/settings/webhook-endpoints', { url: 'http://10.0.0.7/hook', description: 'typed', 'event:points.earned': 'on' });
    expect(bad.status).toBe(400);
    const refused = await bad.text();
    expect(refused).toMatch(/id="endpoint-url" name="url" aria-invalid="true"[^>]*value="http:\/\/10.0.0.7\/hook"/);
    expect(refused).toContain('id="endpoint-url-error"');
    expect(refused).toMatch(/name="event:points.earned" checked=""/);
    expect(await endpoints()).toEqual([]);

    const res = await client.post('/console/settings/webhook-endpoints', {
      _idempotency: 'hook-1',
      url: 'https://crm.example/hooks',
      description: 'CRM',
      'event:points.earned': 'on',
      'event:tier.upgraded': 'on',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const secret = secretOn(await res.text());
    expect(secret).toMatch(/^whsec_/);
    const [endpoint] = await endpoints();
    expect(endpoint).toMatchObject({ url: 'https://crm.example/hooks', events: ['points.earned', 'tier.upgraded'] });
    const listed = await page(client);
    expect(listed).toContain('https://crm.example/hooks');
    expect(listed).not.toContain(secret!);

    const rotate = { _idempotency: 'rotate-1', overlapHours: '2' };
    const rotated = await client.post(`/console/settings/webhook-endpoints/${endpoint!.id}/rotate`, rotate);
    expect(rotated.status).toBe(200);
    const fresh = secretOn(await rotated.text());
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    expect((await endpoints())[0]!.previousSecretExpiresAt).toBe(new Date(h.clock() + 2 * 3_600_000).toISOString());
    const replay = await (await client.post(`/console/settings/webhook-endpoints/${endpoint!.id}/rotate`, rotate)).text();
    expect(secretOn(replay)).toBeUndefined();
    expect(replay).toContain('If it was lost, rotate the secret.');

    const badRotation = await client.post(`/console/settings/webhook-endpoints/${endpoint!.id}/rotate`, { overlapHours: '-1' });
    expect(badRotation.status).toBe(400);
    expect(await badRotation.text()).toMatch(/<details class="confirm" open="">[\s\S]*id="overlap-[^"]+-error"/);

    expect(await follow(client, await client.post(`/console/settings/webhook-endpoints/${endpoint!.id}/delete`, {}))).toContain(
      'Deleted the webhook endpoint https://crm.example/hooks',
    );
    expect(await endpoints()).toEqual([]);
  });

  it('shows a read key no keys, no endpoints and no form; forged posts are refused by the API and change nothing', async () => {
    await h.call('POST', '/v1/webhook-endpoints', { body: { url: 'https://crm.example/hooks' } });
    const [endpoint] = await endpoints();
    const client = await signInConsole(h, 'read');
    const html = await page(client);
    expect([...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1])).toEqual(['/console/sign-out']);
    expect(html).toContain('API keys and webhook endpoints are read and managed with an admin key');
    expect(html).not.toContain('crm.example');
    expect(html).not.toContain('storefront');

    const storefront = (await keys()).find((k) => k.name === 'storefront')!;
    for (const path of [
      '/console/settings/api-keys',
      `/console/settings/api-keys/${storefront.id}/revoke`,
      '/console/settings/webhook-endpoints',
      `/console/settings/webhook-endpoints/${endpoint!.id}/rotate`,
      `/console/settings/webhook-endpoints/${endpoint!.id}/delete`,
    ]) {
      const res = await client.post(path, { name: 'Forged', scope: 'admin', url: 'https://evil.example/x' });
      expect(res.status, path).toBe(403);
      const answer = await res.text();
      expect(answer).toContain('This needs a key with the &quot;admin&quot; scope');
      expect(secretOn(answer)).toBeUndefined();
    }
    expect(await keys()).toHaveLength(3);
    expect((await keys()).every((k) => k.revokedAt === null)).toBe(true);
    expect(await endpoints()).toEqual([{ ...endpoint }]);
  });

  it('pages the keys with the API cursor', async () => {
    for (let i = 0; i < 3; i += 1) await h.call('POST', '/v1/api-keys', { body: { name: `Till ${i}` } });
    const client = await signInConsole(h);
    const first = await page(client);
    expect(first).not.toContain('rel="next"'); // 6 keys, one page of 50
    const all = await keys();
    expect(all).toHaveLength(6);
    const next = await client.get(`/console/settings?keys=${encodeURIComponent((await json<{ nextCursor: string }>(await h.call('GET', '/v1/api-keys?limit=4&revoked=false'))).nextCursor)}`);
    const second = await next.text();
    expect(second).toContain('Till 2');
    expect(second).not.toContain('>storefront<');
  });
});
