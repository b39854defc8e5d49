/**
 * The core fails closed whatever a connector's verify does: only a verify that returns exactly
 * `{ ok: true }` in time lets a delivery in. Driven through a whole hub with a connector whose
 * verify misbehaves in each way (a connector is a plug-in: this one is plugged in the same way).
 */
import { describe, expect, it } from 'vitest';
import type { ConnectorDefinition, VerifyResult } from '../../core/connectors/definition.js';
import { hubHarness } from '../helpers/test-hub.js';
import { inbox, loyaltyEvents, members } from '../inbound/webhook-helpers.js';

let behaviour: () => unknown = () => ({ ok: true });

const misbehaving: ConnectorDefinition = {
  name: 'acme',
  title: 'Acme',
  directions: ['inbound'],
  config: [],
  createInbound: () => ({
    verify: () => behaviour() as VerifyResult,
    deliveryId: () => 'd-1',
    topic: () => 'customer.created',
    normalize: async () => ({
      status: 'events',
      events: [{ type: 'customer.created', id: 'acme:customer:1', source: 'acme', occurredAt: Date.now(), customer: { platformId: '1', email: 'forged@example.com' } }],
    }),
  }),
};

describe('a verify that does not say exactly { ok: true } is a 401', () => {
  const h = hubHarness({ connectors: [misbehaving] });
  const post = () => h.hub.app.request('/webhooks/acme', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });

  it('control: { ok: true } is accepted', async () => {
    behaviour = () => ({ ok: true });
    expect((await post()).status).toBe(200);
    expect(await members(h)).toHaveLength(1);
  });

  it.each<[string, () => unknown]>([
    ['throws a plain Error', () => { throw new Error('No signatures found with expected scheme v1'); }],
    ['rejects', () => Promise.reject(new TypeError('boom'))],
    ['returns { ok: "yes" }', () => ({ ok: 'yes' })],
    ['returns true', () => true],
    ['returns undefined', () => undefined],
    ['returns { ok: true, reason } (more than exactly ok)', () => ({ ok: true, reason: 'maybe' })],
    ['returns { ok: false } without a reason', () => ({ ok: false })],
    ['returns { ok: false, reason, unavailable: "yes" } (not exactly true)', () => ({ ok: false, reason: 'key server down', unavailable: 'yes' })],
    ['throws while fetching a key (only an explicit unavailable answer is a 503)', () => Promise.reject(new Error('fetch failed'))],
  ])('%s → 401 problem, nothing stored but the alert', async (_what, make) => {
    behaviour = make;
    const res = await post();
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await inbox(h)).toEqual([]);
    expect(await members(h)).toEqual([]);
    expect((await loyaltyEvents(h)).map((e) => [e.type, e.data.kind])).toEqual([['webhook.rejected', 'signature']]);
  });

  it('hangs → 401 after the 5 s bound', async () => {
    behaviour = () => new Promise(() => {});
    const started = Date.now();
    const res = await post();
    expect(res.status).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    expect(await inbox(h)).toEqual([]);
  }, 15_000);
});

describe('a verify that could not check now ({ ok: false, reason, unavailable: true }) is a 401 without the forgery alert', () => {
  const h = hubHarness({ connectors: [misbehaving] });

  it('answers 401, stores nothing and raises no signature alert; the retry is checked afresh', async () => {
    behaviour = () => ({ ok: false, reason: 'the signing certificate could not be fetched: HTTP 503', unavailable: true });
    const res = await h.hub.app.request('/webhooks/acme', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401, detail: 'the signing certificate could not be fetched: HTTP 503' });
    expect(await inbox(h)).toEqual([]);
    expect(await members(h)).toEqual([]);
    expect(await loyaltyEvents(h)).toEqual([]);

    behaviour = () => ({ ok: true });
    expect((await h.hub.app.request('/webhooks/acme', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect(await members(h)).toHaveLength(1);
  });
});
