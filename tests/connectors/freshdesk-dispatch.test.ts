/**
 * The shipped Freshdesk mappings (mappings/freshdesk-*.yaml, switched on) driving a real
 * dispatcher on a real database, with msw standing in for acme.freshdesk.com and answering as
 * Freshdesk documents (tests/fixtures/platform-samples/freshdesk/README.md): delivery.failed.digest,
 * fraud.flagged and a refund's points.reversed each open the ticket Freshdesk documents, field by
 * field, with the member's loyalty context read from the ledger; a 429 with Retry-After is
 * attempted again exactly after it; a 400 is dead-lettered at once with Freshdesk's reason, and
 * delivery.failed is emitted.
 */
import { dispatchHarness } from '../helpers/dispatch-harness.js';
import { switchedOn as switchedOnFile } from '../helpers/shipped-mappings.js';
import { connectorState } from '../../core/connectors/connector-state.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import freshdesk from '../../connectors/freshdesk/index.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, type Mapping } from '../../core/mappings/index.js';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Store } from '../../core/storage/store.js';
import { type TestLedger } from '../helpers/ledger-writes.js';
import { type TestClock } from '../helpers/test-store.js';

const API = 'http://freshdesk.test';
const KEY = 'fd-dispatch-key';
const BASIC = `Basic ${Buffer.from(`${KEY}:X`).toString('base64')}`;
const MAPPINGS = join(import.meta.dirname, '../../mappings');
const sample = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/freshdesk/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const { adapters } = adapterDescriptors([freshdesk], {});

/** A shipped file switched on, as its header tells the merchant. */
const switchedOn = (file: string): Mapping[] => switchedOnFile(join(MAPPINGS, file), [freshdesk]);

interface Seen { method: string; query: string | null; authorization: string | null; body: unknown }

/** Freshdesk where no ticket is tagged yet; creations answered from `script` in order (the last repeats). */
function freshdeskAnswers(...script: (() => Response)[]): Seen[] {
  const seen: Seen[] = [];
  let creations = 0;
  const record = async (request: Request) => {
    const text = await request.text();
    seen.push({ method: request.method, query: new URL(request.url).searchParams.get('query'), authorization: request.headers.get('authorization'), body: text ? (JSON.parse(text) as unknown) : undefined });
  };
  server.use(
    http.get(`${API}/api/v2/search/tickets`, async ({ request }) => {
      await record(request);
      return HttpResponse.json(sample('search_tickets_none.json'));
    }),
    http.post(`${API}/api/v2/tickets`, async ({ request }) => {
      await record(request);
      return script[Math.min(creations++, script.length - 1)]!();
    }),
  );
  return seen;
}
const created = () => HttpResponse.json(sample('ticket_created.json'), { status: 201 });
const tickets = (seen: Seen[]) => seen.filter((r) => r.method === 'POST').map((r) => r.body as Record<string, unknown>);

describe('freshdesk: the shipped mappings through the dispatcher', () => {
  const h = dispatchHarness('freshdesk', [], (services) => freshdesk.createAdapter({ FRESHDESK_DOMAIN: 'acme', FRESHDESK_API_KEY: KEY, FRESHDESK_API_URL: API }, services), {
    member: { email: 'ann.lee@example.com', firstName: 'Ann', lastName: 'Lee' },
    start: Date.parse('2026-01-01T00:00:00Z'),
    schedule: [60_000, 600_000],
  });
  let store: Store;
  let clock: TestClock;
  let ledger: TestLedger;
  let memberId: string;
  beforeEach(() => void ({ store, clock, ledger, memberId } = h));
  const { dispatcher, deliveries } = h;

  /** The loyalty context the adapter appends, for Ann with `available` points and these movements. */
  const contextHtml = (available: number, lifetime: number, tier: string, movements: string[]) =>
    `<hr><p><strong>Loyalty context</strong></p><p>Member: ${memberId}<br>Balance: ${available.toLocaleString('en-US')} points available, 0 pending, 0 held at checkout<br>` +
    `Lifetime earned: ${lifetime.toLocaleString('en-US')} points<br>Tier: ${tier}</p><p>Recent points (newest first):</p><ul>${movements.map((m) => `<li>2026-01-01 00:00 UTC · ${m}</li>`).join('')}</ul>`;

  beforeEach(async () => {
    await ledger.earn({ memberId, points: 1200, idempotencyKey: 'e1', why: { source: 'api', reason: 'order <b>#1001</b>' } });
    await ledger.commit('test', (w) => w.tx.insert(tablesOf(w.tx).memberStanding).values({ memberId, tier: 'gold', tierSince: clock(), updatedAt: clock() }));
  });

  it('delivery.failed.digest: one internal ticket from the team address with the count and the failures, no member context', async () => {
    const seen = freshdeskAnswers(created);
    const failures = [
      { deliveryId: 'dlv_failedone', eventId: 'evt_original', eventType: 'points.earned', memberId, route: 'mapping:points-earned-email#0', attempts: 8, statusCode: 503, reason: 'HTTP 503' },
      { deliveryId: 'dlv_failedtwo', eventId: 'evt_other', eventType: 'points.expiring', memberId, route: 'mapping:points-expiring-email#0', attempts: 1, statusCode: 400, reason: 'HTTP 400: bad <address>' },
    ];
    await ledger.commit('test', (w) =>
      w.emit({ type: 'delivery.failed.digest', memberId: null, data: { adapter: 'sendgrid', count: 9, since: '2026-01-01T00:00:00.000Z', until: '2026-01-01T00:01:00.000Z', failures, more: 7 } }),
    );
    await dispatcher(switchedOn('freshdesk-delivery-failed.yaml')).runOnce();

    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ adapter: 'freshdesk', status: 'delivered', attempts: 1 });
    expect(seen.map((r) => [r.method, r.query, r.authorization])).toEqual([
      ['GET', `"tag:'${delivery!.id}'"`, BASIC],
      ['POST', null, BASIC],
    ]);
    expect(tickets(seen)).toEqual([
      {
        email: 'loyalty-team@example.com',
        name: 'Loyalty team',
        subject: 'Loyalty messages not delivered: 9 via sendgrid',
        description:
          '<div>9 sendgrid message(s) from Loyalty Hub could not be delivered between 2026-01-01T00:00:00.000Z and 2026-01-01T00:01:00.000Z.<br><br>' +
          `- Delivery dlv_failedone: points.earned for member ${memberId}, 8 attempt(s), last error: HTTP 503<br>` +
          `- Delivery dlv_failedtwo: points.expiring for member ${memberId}, 1 attempt(s), last error: HTTP 400: bad &lt;address&gt;<br>` +
          '...and 7 more.<br><br>' +
          'Every failed delivery: GET /v1/deliveries?status=dead<br>' +
          'Each attempt&#39;s status code and error: GET /v1/deliveries/&lt;delivery id&gt;<br>Send one again once fixed: POST /v1/deliveries/&lt;delivery id&gt;/retry</div>',
        priority: 2,
        status: 2,
        type: 'Incident',
        tags: ['loyalty', 'delivery_failed', 'adapter_sendgrid', delivery!.id],
      },
    ]);
  });

  it('fraud.flagged: a high-priority internal ticket for review, never the member as requester', async () => {
    const seen = freshdeskAnswers(created);
    await ledger.commit('test', (w) =>
      w.emit({
        type: 'fraud.flagged',
        memberId,
        data: { ruleId: 'fraud.velocity', reason: '5 earning events within 10 minutes', heldUntil: '2026-01-03T00:00:00.000Z', points: 150, eventId: 'shopify:order:5551234', holdId: 'fh_1', link: '/v1/fraud-holds/fh_1' },
      }),
    );
    await dispatcher(switchedOn('freshdesk-fraud-flagged.yaml')).runOnce();

    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(tickets(seen)).toEqual([
      {
        email: 'loyalty-team@example.com',
        name: 'Loyalty team',
        subject: 'Review loyalty account ann.lee@example.com: possible fraud',
        description:
          '<div>The fraud check &quot;fraud.velocity&quot; flagged this loyalty member.<br><br>' +
          `Member: Ann Lee &lt;ann.lee@example.com&gt; (${memberId})<br>Why: 5 earning events within 10 minutes<br>` +
          'Held: 150 points, pending until someone approves or rejects them (review due by 2026-01-03T00:00:00.000Z)<br>Triggering event: shopify:order:5551234<br>' +
          'Fraud hold: /v1/fraud-holds/fh_1<br><br>' +
          'Please review the account&#39;s recent activity, then approve the points (they activate) or reject them (they are voided), with a reason: ' +
          'POST /v1/fraud-holds/fh_1/approve or /v1/fraud-holds/fh_1/reject with an admin key.</div>' +
          contextHtml(1200, 1200, 'gold', ['earn +1,200 · order &lt;b&gt;#1001&lt;/b&gt;']),
        priority: 3,
        status: 2,
        type: 'Incident',
        tags: ['loyalty', 'fraud_review', delivery!.id],
      },
    ]);
  });

  it('points.reversed by a refund: a ticket with the points taken back and the balance after; points given back open none', async () => {
    const seen = freshdeskAnswers(created);
    const [earn] = await ledger.history(memberId, { limit: 1 });
    await ledger.reverse({ transferId: earn!.id, points: 300, idempotencyKey: 'r1', why: { source: 'rule', eventId: 'shopify:refund:77', reason: 'order refunded' } });
    const spent = await ledger.spend({ memberId, points: 100, idempotencyKey: 's1', why: { source: 'redemption', redemptionId: 'rdm_1' } });
    await ledger.reverse({ transferId: spent.transfer.id, idempotencyKey: 'r2', why: { source: 'redemption', redemptionId: 'rdm_1', reason: 'redemption reversed' } });
    await dispatcher(switchedOn('freshdesk-points-reversed.yaml')).runOnce();

    expect((await deliveries()).map((d) => [d.route, d.status])).toEqual([['mapping:freshdesk-points-reversed#0', 'delivered']]);
    expect(tickets(seen)).toEqual([
      {
        email: 'loyalty-team@example.com',
        name: 'Loyalty team',
        subject: `300 loyalty points taken back from ann.lee@example.com`,
        description:
          '<div>A refund took back 300 points from this member.<br><br>' +
          `Member: Ann Lee &lt;ann.lee@example.com&gt; (${memberId})<br>Why: order refunded (reverse)<br>Refund event: shopify:refund:77<br>` +
          `Points line taken back: ${earn!.id}<br>Available balance now: 900 points<br><br>` +
          'If the member asks, the points followed the refund of their order.</div>' +
          // Read when sent: the state after every movement, the redemption and its reversal too.
          contextHtml(900, 900, 'gold', ['reverse +100 · redemption reversed', 'spend −100', 'reverse −300 · order refunded', 'earn +1,200 · order &lt;b&gt;#1001&lt;/b&gt;']),
        priority: 1,
        status: 2,
        type: 'Question',
        tags: ['loyalty', 'points_reversed', (await deliveries())[0]!.id],
      },
    ]);
  });

  it('loyaltyContext: false leaves the context out; a member the hub does not know gets none', async () => {
    const seen = freshdeskAnswers(created);
    const adapter = freshdesk.createAdapter({ FRESHDESK_DOMAIN: 'acme', FRESHDESK_API_KEY: KEY, FRESHDESK_API_URL: API }, { store, commit: ledger.commit, state: connectorState(store, ledger.commit, 'freshdesk') });
    const ann = { id: memberId, email: 'ann.lee@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };
    const send = (options: Record<string, unknown>, member: typeof ann, key: string) =>
      adapter.send({ subject: 'Points question', description: 'Where are my points?', ...options }, { idempotencyKey: key, attempt: 1, member, timeZone: 'UTC', now: clock(), signal: new AbortController().signal });
    await send({ loyaltyContext: false }, ann, 'dlv_a');
    await send({}, { ...ann, id: 'mem_unknown' }, 'dlv_b');
    await send({}, ann, 'dlv_c');
    const descriptions = tickets(seen).map((t) => t.description);
    expect(descriptions.slice(0, 2)).toEqual(['<div>Where are my points?</div>', '<div>Where are my points?</div>']);
    expect(descriptions[2]).toBe(`<div>Where are my points?</div>${contextHtml(1200, 1200, 'gold', ['earn +1,200 · order &lt;b&gt;#1001&lt;/b&gt;'])}`);
    // A member's own inquiry: the member is the requester.
    expect(tickets(seen)[2]).toMatchObject({ email: 'ann.lee@example.com', name: 'Ann Lee' });
  });

  it('a 429 with Retry-After is attempted again exactly after it, and one ticket is opened', async () => {
    const seen = freshdeskAnswers(() => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } }), created);
    await ledger.commit('test', (w) => w.emit({ type: 'fraud.flagged', memberId, data: { ruleId: 'fraud.velocity', reason: 'burst', heldUntil: '2026-01-03T00:00:00.000Z', points: 10, eventId: 'api:x' } }));
    const d = dispatcher(switchedOn('freshdesk-fraud-flagged.yaml'));
    await d.runOnce();
    clock.advance(6_999);
    expect((await d.runOnce()).attempted).toBe(0);
    clock.advance(1);
    expect((await d.runOnce()).attempted).toBe(1);
    const bodies = tickets(seen);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(seen.filter((r) => r.method === 'GET')).toHaveLength(2);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a 400 is dead-lettered at once with Freshdesk\'s reason, and delivery.failed is emitted', async () => {
    const seen = freshdeskAnswers(() => HttpResponse.json(sample('error_validation_failed.json'), { status: 400 }));
    await ledger.commit('test', (w) => w.emit({ type: 'fraud.flagged', memberId, data: { ruleId: 'fraud.velocity', reason: 'burst', heldUntil: '2026-01-03T00:00:00.000Z', points: 10, eventId: 'api:x' } }));
    const d = dispatcher(switchedOn('freshdesk-fraud-flagged.yaml'));
    await d.runOnce();
    clock.advance(24 * 3_600_000);
    await d.runOnce();

    expect(tickets(seen)).toHaveLength(1);
    await h.deadLettered('freshdesk', 400, 'freshdesk: ticket creation HTTP 400 Validation failed (name: Mandatory attribute missing [missing_field])');
  });

  it('is off as shipped: without their switches the three mappings route nothing', async () => {
    const member = { id: memberId, email: 'ann.lee@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };
    for (const file of ['freshdesk-delivery-failed.yaml', 'freshdesk-fraud-flagged.yaml', 'freshdesk-points-reversed.yaml']) {
      const { mappings, problems } = loadMappingFile(join(MAPPINGS, file), adapters);
      expect(problems).toEqual([]);
      const [mapping] = mappings;
      const event = { id: 'evt_x', type: mapping!.on, occurredAt: new Date(clock()).toISOString(), memberId, data: { source: 'rule', kind: 'reverse' } };
      expect(mappingActionsFor(mappings, event, { member })).toEqual([]);
    }
  });

  it('mappings check refuses a wrong option with file, line and reason', () => {
    const file = join(MAPPINGS, 'freshdesk-fraud-flagged.yaml');
    const text = readFileSync(file, 'utf8').replace('priority: high', 'priority: normal');
    const { problems } = loadMappingFile(file, adapters, text);
    const line = text.split('\n').findIndex((l) => l.includes('priority: normal')) + 1;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file, line });
    expect(JSON.stringify(problems[0])).toMatch(/priority/);
  });
});
