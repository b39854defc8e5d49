/**
 * Signing in to the console (docs/console.md, "Signing in"): the session cookie's flags, CSRF,
 * and a session that ends with its key, its expiry or signing out.
 */
import { describe, expect, it } from 'vitest';
import { createHub } from '../../core/hub.js';
import { silentLogger } from '../../core/observability/logger.js';
import { ADMIN_KEY, hubHarness } from '../helpers/test-hub.js';
import { ORIGIN, signInConsole } from './console-harness.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN };

describe('console sign-in', () => {
  const h = hubHarness();

  it('sends a visitor without a session to the sign-in page, keeping where they were going', async () => {
    const res = await h.hub.app.request('/console/members?q=x');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/sign-in?next=%2Fconsole%2Fmembers');
    const page = await (await h.hub.app.request(res.headers.get('location')!)).text();
    expect(page).toContain('<label for="key">API key</label>');
    expect(page).toContain('value="/console/members"');
  });

  it('refuses an unknown key with a message and no cookie', async () => {
    const res = await h.hub.app.request('/console/sign-in', { method: 'POST', headers: FORM, body: form({ key: 'lh_nope_aaaaaaaaaaaaaaaaaaaa' }) });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('That key is unknown or revoked');
  });

  it('sets a signed, HttpOnly, SameSite=Strict cookie that expires with the session, and goes only to console pages', async () => {
    const res = await h.hub.app.request('/console/sign-in', {
      method: 'POST',
      headers: FORM,
      body: form({ key: h.keys.read, next: '//evil.example/console/' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/overview');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^lh_console=[A-Za-z0-9_-]{43}\.[^;]+; Max-Age=28800; Path=\/console; HttpOnly; SameSite=Strict$/);
    // The token alone, unsigned, is not a session.
    const unsigned = cookie.split(';')[0]!.replace(/\..*$/, '');
    const res2 = await h.hub.app.request('/console/overview', { headers: { cookie: unsigned } });
    expect(res2.status).toBe(303);
  });

  it('marks the cookie Secure when the hub is reached over https', async () => {
    const res = await h.hub.app.request('https://loyalty.example/console/sign-in', {
      method: 'POST',
      headers: { ...FORM, origin: 'https://loyalty.example' },
      body: form({ key: h.keys.admin }),
    });
    expect(res.headers.get('set-cookie')).toContain('; Secure');
  });

  it('names the signed-in key and its scope on every page', async () => {
    const client = await signInConsole(h, 'read');
    const page = await (await client.get('/console/no-such-page')).text();
    expect(page).toContain('dashboard <span class="scope">read</span>');
  });

  it('refuses a change without the CSRF token, or from another origin', async () => {
    const client = await signInConsole(h);
    const noToken = await client.post('/console/sign-out', {}, { csrf: false });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('reload the page');
    const otherOrigin = await client.post('/console/sign-out', {}, { origin: 'https://evil.example' });
    expect(otherOrigin.status).toBe(403);
    // Neither ended the session.
    expect((await client.get('/console/no-such-page')).status).toBe(404);
  });

  it('ends the session on sign-out, on the key being revoked, and after eight hours', async () => {
    const a = await signInConsole(h);
    const out = await a.post('/console/sign-out', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/sign-in');
    expect((await a.get('/console/no-such-page')).status).toBe(303);

    const b = await signInConsole(h, 'write');
    const keyId = h.keys.write.split('_')[1];
    expect((await h.call('DELETE', `/v1/api-keys/${keyId}`)).status).toBe(200);
    expect((await b.get('/console/no-such-page')).status).toBe(303);

    const c = await signInConsole(h, 'read');
    h.clock.advance(8 * 60 * 60 * 1000 + 1);
    const expired = await c.get('/console/no-such-page', { 'hx-request': 'true' });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('hx-redirect')).toMatch(/^\/console\/sign-in\?next=/);
  });

  it('serves its scripts and styles itself, under a policy that allows only them', async () => {
    const client = await signInConsole(h);
    const page = await client.get('/console/no-such-page');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    for (const [, src] of html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)) {
      const asset = await h.hub.app.request(src!);
      expect(asset.status, src).toBe(200);
      expect(asset.headers.get('cache-control')).toContain('immutable');
    }
    expect(html).toMatch(/\/console\/assets\/htmx\.js\?v=[0-9a-f]{12}/);
  });

  it('is accepted by every hub process on the same database', async () => {
    const client = await signInConsole(h);
    const other = await createHub({ logger: silentLogger, connectors: [], env: { DATABASE_URL: h.database.url, ADMIN_API_KEY: ADMIN_KEY } });
    try {
      const page = await other.app.request('/console/no-such-page', { headers: { cookie: client.cookie } });
      expect(page.status).toBe(404);
      expect(await page.text()).toContain('ADMIN_API_KEY <span class="scope">admin</span>');
    } finally {
      await other.close();
    }
  });

  it('refuses to start with a CONSOLE_SESSION_SECRET too short to sign with', async () => {
    await expect(
      createHub({ logger: silentLogger, connectors: [], env: { DATABASE_URL: h.database.url, CONSOLE_SESSION_SECRET: 'short' } }),
    ).rejects.toThrow('CONSOLE_SESSION_SECRET must be at least 32 characters');
  });
});
