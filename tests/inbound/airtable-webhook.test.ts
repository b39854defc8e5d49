/**
 * Airtable end to end: pings signed as Airtable signs them, through `POST /webhooks/airtable`,
 * with msw standing in for Airtable's "list webhook payloads" (tests/inbound/airtable-helpers.ts).
 * A row created in the purchases table earns once as order.paid, however many pings announce
 * it and however concurrently; a forged ping is 401 with nothing read or stored; a failed read
 * is 503, loses nothing and earns once later; the cursor moves only forward, after the commit;
 * the webhook is refreshed by the scheduler. Replay: ./airtable-replay.test.ts.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpResponse } from 'msw';
import airtable from '../../connectors/airtable/index.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { AIRTABLE_ENV, fakeAirtable, payloadCreating, pingBody, pingRequest, purchaseRow, type FakeAirtable } from './airtable-helpers.js';
import {
  HOUR_MS,
  deliver,
  deliverConcurrently,
  expectOnlySignatureAlert,
  expectRejected,
  expectUnauthorized,
  inbox,
  loyaltyEvents,
  memberByAlias,
  pointsOf,
  tally,
} from './webhook-helpers.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const row = (orderId: string, amount: unknown = 40, customerId = 'C-1', email = 'sam@example.com') =>
  purchaseRow({ orderId, amount, currency: 'USD', email, customerId });

describe('POST /webhooks/airtable', () => {
  const h = hubHarness({ connectors: [airtable], env: AIRTABLE_ENV });
  let at: FakeAirtable;
  beforeEach(() => {
    at = fakeAirtable(server);
  });
  /** The cursor the hub keeps, as the next read shows it (a ping with nothing new). */
  const nextRead = async () => {
    await deliver(h, 'airtable', pingRequest());
    return at.reads.at(-1);
  };

  it('a new purchase row earns: 40.00 USD → 40 points for its customer, read from cursor 1', async () => {
    at.add(payloadCreating({ recPurchase000001: row('A-1001') }));
    const answer = await deliver(h, 'airtable', pingRequest());
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'airtable:order:A-1001' });
    expect(answer.outcomes).toMatchObject([{ type: 'order.paid', status: 'applied', points: 40 }]);
    expect(at.reads).toEqual([1]);
    expect(await memberByAlias(h, 'airtable:C-1')).toMatchObject({ email: 'sam@example.com' });
    expect(await pointsOf(h, 'airtable:C-1')).toBe(40);
    const [entry] = await inbox(h);
    expect(entry).toMatchObject({ source: 'airtable', topic: 'ping', status: 'accepted' });
    expect(entry!.events).toMatchObject([{ id: 'airtable:order:A-1001', order: { id: 'A-1001', currency: 'USD', amount: 4000, channel: 'airtable' }, attributes: { airtableRecordId: 'recPurchase000001' } }]);
    // The cursor moved past the payload, once it was committed.
    expect(await nextRead()).toBe(2);
  });

  it('several purchases in one batch are several order.paid events of one delivery; other tables and unfinished rows earn nothing', async () => {
    at.add(
      payloadCreating({ recPurchase000001: row('A-1', 40), recPurchase000002: row('A-2', '12.50', 'C-2', 'kim@example.com') }),
      payloadCreating({ recOther0000000001: row('A-3') }, 'tblSomethingElse1'),
      payloadCreating({ recPurchase000003: purchaseRow({ amount: 5, currency: 'USD' }), recPurchase000004: row('A-4', '1.999') }),
    );
    const answer = await deliver(h, 'airtable', pingRequest());
    expect(answer.status).toBe('accepted');
    expect(answer.outcomes!.map((o) => [o.eventId, o.status, o.points])).toEqual([
      ['airtable:order:A-1', 'applied', 40],
      ['airtable:order:A-2', 'applied', 12],
    ]);
    expect(await pointsOf(h, 'airtable:C-2')).toBe(12);
    expect(await nextRead()).toBe(4);
  });

  it('earns once however many pings announce the row: the same ping 10 times at once, and 5 different pings at once', async () => {
    at.add(payloadCreating({ recPurchase000001: row('A-1001') }));
    const same = pingRequest();
    expect(tally(await deliverConcurrently(h, 'airtable', same, 10))).toEqual({ accepted: 1, duplicate: 9 });
    const different = await Promise.all(Array.from({ length: 5 }, () => deliver(h, 'airtable', pingRequest())));
    expect(different.every((a) => a.httpStatus === 200)).toBe(true);
    expect(await pointsOf(h, 'airtable:C-1')).toBe(40);
    const earned = await loyaltyEvents(h, 'points.earned');
    expect(earned).toHaveLength(1);
  });

  it('a ping is only a call to read: a second ping reads from where the first stopped, and a new row after it earns then', async () => {
    at.add(payloadCreating({ recPurchase000001: row('A-1') }));
    expect((await deliver(h, 'airtable', pingRequest())).status).toBe('accepted');
    expect((await deliver(h, 'airtable', pingRequest())).status).toBe('ignored');
    at.add(payloadCreating({ recPurchase000002: row('A-2', 10) }));
    const third = await deliver(h, 'airtable', pingRequest());
    expect(third).toMatchObject({ status: 'accepted', eventId: 'airtable:order:A-2' });
    expect(at.reads).toEqual([1, 2, 2]);
    expect(await pointsOf(h, 'airtable:C-1')).toBe(50);
  });

  it('a ping delivered again is a duplicate that leaves new rows for the next ping: nothing read is lost', async () => {
    at.add(payloadCreating({ recPurchase000001: row('A-1') }));
    const ping = pingRequest();
    expect((await deliver(h, 'airtable', ping)).status).toBe('accepted');
    at.add(payloadCreating({ recPurchase000002: row('A-2', 10) }));
    // The same bytes again: the core answers duplicate without applying what this read found.
    expect((await deliver(h, 'airtable', ping)).status).toBe('duplicate');
    expect(await pointsOf(h, 'airtable:C-1')).toBe(40);
    const next = await deliver(h, 'airtable', pingRequest());
    expect(next).toMatchObject({ status: 'accepted', eventId: 'airtable:order:A-2' });
    expect(at.reads).toEqual([1, 2, 2]);
    expect(await pointsOf(h, 'airtable:C-1')).toBe(50);
  });

  it('reads every page while mightHaveMore (50 payloads a page)', async () => {
    for (let i = 0; i < 50; i++) at.add(payloadCreating({}, 'tblSomethingElse1'));
    at.add(payloadCreating({ recPurchase000051: row('A-51') }));
    const answer = await deliver(h, 'airtable', pingRequest());
    expect(answer).toMatchObject({ status: 'accepted', eventId: 'airtable:order:A-51' });
    expect(at.reads).toEqual([1, 51]);
    expect(await nextRead()).toBe(52);
  });

  describe('refuses what Airtable did not sign, reading and writing nothing', () => {
    const body = pingBody();
    it.each([
      ['signed with another secret', pingRequest(body, { secret: Buffer.from('another secret').toString('base64') }), /does not match/],
      ['without X-Airtable-Content-MAC', pingRequest(body, { header: null }), /missing X-Airtable-Content-MAC/],
      ['keyed with the secret\'s text instead of its bytes', pingRequest(body, { header: `hmac-sha256=${'0'.repeat(64)}` }), /does not match/],
      ['with the body changed after signing', pingRequest(body, { tamperedBody: body.replace('ach00000000000000', 'ach00000000000001') }), /does not match/],
    ])('%s → 401', async (_what, init, reason) => {
      at.add(payloadCreating({ recPurchase000001: row('A-1001') }));
      expectUnauthorized(await deliver(h, 'airtable', init), reason);
      expect(at.reads).toEqual([]);
      await expectOnlySignatureAlert(h, 'airtable');
    });
  });

  it('a failed read is 503 and loses nothing: Airtable\'s retry of the ping — or the next ping — earns it, once', async () => {
    at.add(payloadCreating({ recPurchase000001: row('A-1001') }));
    at.fail(() => HttpResponse.json({ error: { type: 'SERVER_ERROR', message: 'Try again (record of buyer.one@example.com locked)' } }, { status: 502 }));
    const ping = pingRequest();
    const failed = await deliver(h, 'airtable', ping);
    expect(failed.httpStatus).toBe(503);
    expect((await inbox(h)).map((r) => r.status)).toEqual(['failed']);
    // What the platform answered is kept for support as a log line is: the e-mail in it masked.
    const { data } = await json<{ data: { outcome: { error: string } }[] }>(await h.call('GET', '/v1/inbox', { scope: 'read' }));
    expect(data[0]!.outcome.error).toMatch(/HTTP 502 .*Try again \(record of b\*\*\*@e\*\*\*\.com locked\)/);
    expect(await loyaltyEvents(h, 'points.earned')).toEqual([]);

    at.fail(undefined);
    const retried = await deliver(h, 'airtable', ping);
    expect(retried).toMatchObject({ status: 'accepted', eventId: 'airtable:order:A-1001' });
    expect(at.reads).toEqual([1, 1]);
    expect(await pointsOf(h, 'airtable:C-1')).toBe(40);
  });

  it('a verified ping that is not a ping is 400 with a pointer, kept as rejected; nothing is read', async () => {
    const answer = await deliver(h, 'airtable', pingRequest(JSON.stringify({ base: { id: 'app00000000000000' }, webhook: {}, timestamp: '2026-01-01T00:00:00.000Z' })));
    await expectRejected(h, 'airtable', answer, '/webhook/id');
    expect(at.reads).toEqual([]);
  });

  it('ignores, without reading, a ping of another base or webhook', async () => {
    const other = pingBody().replace('ach00000000000000', 'achSomeOtherHook1');
    const answer = await deliver(h, 'airtable', pingRequest(other));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect(at.reads).toEqual([]);
  });

  it('the scheduler refreshes the webhook once a day, well inside its 7-day expiry', async () => {
    expect(h.hub.connectorJobs.names).toContain('airtable/refresh-webhook');
    // A minute on: Airtable's 5-a-second limit is per base and per process, and the tests before
    // this one may have used this second's turns reading payloads.
    const now = h.clock() + 60_000;
    expect(await h.hub.connectorJobs.runDue(now)).toBe(1);
    expect(at.refreshes).toBe(1);
    expect(await h.hub.connectorJobs.runDue(now + 23 * HOUR_MS)).toBe(0);
    expect(at.refreshes).toBe(1);
    expect(await h.hub.connectorJobs.runDue(now + 24 * HOUR_MS)).toBe(1);
    expect(at.refreshes).toBe(2);
  });
});

describe('POST /webhooks/airtable without AIRTABLE_WEBHOOK_MAC_SECRET', () => {
  const { AIRTABLE_WEBHOOK_MAC_SECRET: _secret, ...sendsOnly } = AIRTABLE_ENV;
  const h = hubHarness({ connectors: [airtable], env: sendsOnly });

  it('answers 404 naming the variable, as a connector not configured (SPEC §3), stores nothing and counts no forgery', async () => {
    const res = await h.hub.app.request('/webhooks/airtable', pingRequest());
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ type: '/problems/connector-not-configured', missing: ['AIRTABLE_WEBHOOK_MAC_SECRET'] });
    expect(await inbox(h)).toEqual([]);
    const health = await json<{ data: { name: string; enabled: boolean; signatureFailures: { lastDay: number } }[] }>(await h.call('GET', '/v1/connectors', { scope: 'read' }));
    // It still sends (its token and base are set): the connector stays enabled, and health names what its webhooks need.
    expect(health.data.find((c) => c.name === 'airtable')).toMatchObject({ enabled: true, missing: [], inboundMissing: ['AIRTABLE_WEBHOOK_MAC_SECRET'], signatureFailures: { lastDay: 0 } });
  });
});
