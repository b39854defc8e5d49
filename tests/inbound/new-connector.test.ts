/**
 * A connector written by a newcomer — Tillpoint, a platform that exists only in
 * tests/fixtures/connectors — discovered from its own folder, earning and taking back through
 * the core with nothing in the core knowing its name. Its handler hands over the platform's sale
 * id; the core derives the order's identity (core/triggers/order-identity.ts), so its partial
 * refund finds the earn (docs/adding-a-connector.md, "Order identity").
 */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverConnectors } from '../../core/connectors/discover.js';
import { hubHarness } from '../helpers/test-hub.js';
import { balance, deliver, deliverConcurrently, earnedAndReversed, memberByAlias, onlyOutcome, type Json } from './webhook-helpers.js';

const SECRET = 'tillpoint-test-secret';
const folder = fileURLToPath(new URL('../fixtures/connectors/', import.meta.url));
const definitions = await discoverConnectors(folder);

let events = 0;
/** Signed as Tillpoint signs: hex HMAC-SHA256 of "<unix seconds>.<body>", `sha256=` before it. */
function tillpoint(type: string, data: Json, at = Math.floor(Date.now() / 1000), id = `evt_${++events}`): RequestInit {
  const body = JSON.stringify({ id, type, created: at, data });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex');
  return { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-tillpoint-timestamp': timestamp, 'x-tillpoint-signature': `sha256=${signature}` } };
}
const sale = (id: string, subtotal: string) => ({ id, currency: 'usd', subtotal, store_id: 'st_9', customer: { id: 'cu_7', email: 'ana@example.com' } });
const refund = (id: string, saleId: string, amount: string) => ({ id, sale_id: saleId, currency: 'USD', amount });

describe('a new connector, from its own folder', () => {
  const h = hubHarness({ connectors: definitions, env: { TILLPOINT_WEBHOOK_SECRET: SECRET } });

  it('is discovered from its folder, and the core source never names it', () => {
    expect(definitions.map((d) => d.name)).toEqual(['tillpoint']);
    const core = fileURLToPath(new URL('../../core/', import.meta.url));
    const files = readdirSync(core, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.filter((f) => readFileSync(join(f.parentPath, f.name), 'utf8').toLowerCase().includes('tillpoint'))).toEqual([]);
  });

  it('earns on a sale, and a partial refund takes back its proportion', async () => {
    const paid = await deliver(h, 'tillpoint', tillpoint('sale.completed', sale('sl_100', '40.00')));
    expect(paid).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'tillpoint:order:sl_100' });
    expect(onlyOutcome(paid)).toMatchObject({ status: 'applied', points: 40 });
    const member = await memberByAlias(h, 'tillpoint:cu_7');

    const refunded = await deliver(h, 'tillpoint', tillpoint('refund.completed', refund('rf_1', 'sl_100', '10.00')));
    expect(refunded).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'tillpoint:refund:rf_1' });
    expect(onlyOutcome(refunded)).toMatchObject({ status: 'applied', points: -10 });
    expect(await balance(h, member!.id)).toMatchObject({ available: 30 });
    expect(await earnedAndReversed(h, member!.id)).toEqual({ earned: 40, reversed: 10 });
  });

  it('earns once for a sale announced twice, and takes back a refund that arrived before its sale', async () => {
    const early = await deliver(h, 'tillpoint', tillpoint('refund.completed', refund('rf_2', 'sl_200', '5.00')));
    expect(onlyOutcome(early)).toMatchObject({ status: 'parked' });
    await deliver(h, 'tillpoint', tillpoint('sale.completed', sale('sl_200', '20.00')));
    const again = await deliver(h, 'tillpoint', tillpoint('sale.completed', sale('sl_200', '20.00')));
    expect(again).toMatchObject({ httpStatus: 200, status: 'duplicate' });
    const member = await memberByAlias(h, 'tillpoint:cu_7');
    expect(await earnedAndReversed(h, member!.id)).toEqual({ earned: 20, reversed: 5 });
    expect(await balance(h, member!.id)).toMatchObject({ available: 15 });
  });

  it('earns once when one sale is delivered many times at once, under one delivery id and under many', async () => {
    const once = tillpoint('sale.completed', sale('sl_400', '25.00'));
    const answers = (
      await Promise.all([
        deliverConcurrently(h, 'tillpoint', once, 8),
        Promise.all(Array.from({ length: 8 }, () => deliver(h, 'tillpoint', tillpoint('sale.completed', sale('sl_400', '25.00'))))),
      ])
    ).flat();
    expect(answers.map((a) => a.httpStatus)).toEqual(answers.map(() => 200));
    expect(answers.filter((a) => a.status === 'accepted')).toHaveLength(1);
    const member = await memberByAlias(h, 'tillpoint:cu_7');
    expect(await earnedAndReversed(h, member!.id)).toEqual({ earned: 25, reversed: 0 });
  });

  it('refuses a delivery signed with another secret, and one signed too long ago', async () => {
    const forged = tillpoint('sale.completed', sale('sl_300', '99.00'));
    (forged.headers as Record<string, string>)['x-tillpoint-signature'] = `sha256=${'0'.repeat(64)}`;
    expect(await deliver(h, 'tillpoint', forged)).toMatchObject({ httpStatus: 401 });
    const stale = tillpoint('sale.completed', sale('sl_301', '99.00'));
    const headers = stale.headers as Record<string, string>;
    headers['x-tillpoint-timestamp'] = String(Math.floor(Date.now() / 1000) - 3600);
    headers['x-tillpoint-signature'] = `sha256=${createHmac('sha256', SECRET).update(`${headers['x-tillpoint-timestamp']}.${String(stale.body)}`).digest('hex')}`;
    expect(await deliver(h, 'tillpoint', stale)).toMatchObject({ httpStatus: 401 });
    expect(await memberByAlias(h, 'tillpoint:cu_7')).toBeUndefined();
  });
});
