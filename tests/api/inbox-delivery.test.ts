/**
 * One received webhook through the API (docs/api.md, "Inbox"): the delivery, why it earned what
 * it earned in plain words (rules applied and not, caps, guest orders waiting for enrollment),
 * signature failures with their reason — for any key, the raw payload for an admin only — and
 * replay — admin only, idempotent, problem+json when refused. Deliveries are real signed Shopify webhooks built from Shopify's own samples.
 */
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { parseProgram } from '../../core/program/load-program.js';
import { json, hubHarness, type HubHarness } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { deliver, pointsOf, sample } from '../inbound/webhook-helpers.js';

const CUSTOMER = 'shopify:1073339468';
const SHOPIFY = { connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } };

interface Explanation {
  status: string;
  summary: string;
  events: {
    eventId: string;
    status: string | null;
    memberId: string | null;
    points: number;
    summary: string[];
    traceFrom: string | null;
    trace: { total: number; lines: { ruleId: string; points: number; uncapped: number; cappedBy: string[] }[]; skipped: { ruleId: string; reason: string }[]; limited: { limit: string }[] } | null;
    guest: { email: string | null; creditUntil: string | null; creditedTo: string | null } | null;
    ledger: { kind: string; amount: number; ruleId: string | null }[];
  }[];
}

const explain = async (h: HubHarness, id: string) => json<Explanation>(await h.call('GET', `/v1/inbox/${id}/explanation`));

/** A paid Shopify order of a guest: no customer account, only an e-mail (224.97 EUR), paid at `paidAt`. */
const guestOrder = (paidAt = new Date()) => ({ ...sample('shopify', 'order_paid_no_customer_eur'), email: 'Guest.Buyer@example.com', processed_at: paidAt.toISOString() });

describe('GET /v1/inbox/{id} and its explanation', () => {
  const h = hubHarness(SHOPIFY);

  it('shows one delivery as the list does, and explains an order that earned with the rule, its points and the ledger line', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer')));
    const entry = await json(await h.call('GET', `/v1/inbox/${answer.inboxId}`));
    const [listed] = (await json<{ data: unknown[] }>(await h.call('GET', '/v1/inbox'))).data;
    expect(entry).toEqual(listed);
    expect(entry).toMatchObject({ id: answer.inboxId, source: 'shopify', topic: 'orders/paid', status: 'accepted' });

    const e = await explain(h, answer.inboxId!);
    expect(e.summary).toBe('Accepted: 1 event, 199 points written.');
    const [event] = e.events;
    expect(event!.summary[0]).toMatch(/^Earned 199 points for member mem_/);
    expect(event!.traceFrom).toBe('delivery');
    expect(event!.trace!.lines).toMatchObject([{ ruleId: 'order-points', points: 199, uncapped: 199, cappedBy: [] }]);
    expect(event!.ledger).toMatchObject([{ kind: 'earn', amount: 199, ruleId: 'order-points' }]);
    // The platform's answer carries no trace: it stays in the inbox.
    expect(JSON.stringify(answer)).not.toContain('"trace"');
  });

  it('says a guest order waits for its e-mail to enroll, what it would earn, and then that it was credited', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', guestOrder()));
    const waiting = (await explain(h, answer.inboxId!)).events[0]!;
    expect(waiting).toMatchObject({ status: 'guest', points: 0, traceFrom: 'now', ledger: [] });
    expect(waiting.summary.join(' ')).toContain('no member has the e-mail Guest.Buyer@example.com');
    expect(waiting.summary.join(' ')).toMatch(/credited if that e-mail enrolls by \d{4}-\d\d-\d\d \d\d:\d\d UTC \(guests.creditWithinDays: 30\)/);
    expect(waiting.trace!.total).toBe(224);
    expect(waiting.summary.join(' ')).toContain('Enrolling now, it would earn 224 points');

    const enrolled = await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'guest.buyer@example.com' } }));
    const credited = (await explain(h, answer.inboxId!)).events[0]!;
    expect(credited.guest!.creditedTo).toBe(enrolled.id);
    expect(credited.summary[0]).toBe(`A guest order, credited to member ${enrolled.id} when that e-mail enrolled (224 points).`);
    expect(credited.ledger).toMatchObject([{ kind: 'earn', amount: 224 }]);
  });

  it('says when a guest order can no longer be credited', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', guestOrder(new Date(h.clock() - 31 * 24 * 3600 * 1000))));
    const [event] = (await explain(h, answer.inboxId!)).events;
    expect(event!.summary.join(' ')).toMatch(/It could be credited if that e-mail enrolled by .* UTC; that time has passed\.$/);
    expect(event!.trace).toBeNull();
  });

  it('says why an ignored delivery wrote nothing', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', { ...sample('shopify', 'order_paid_with_customer'), financial_status: 'pending' }));
    const e = await explain(h, answer.inboxId!);
    expect(e.status).toBe('ignored');
    expect(e.summary).toMatch(/^Not about loyalty: .*financial_status is pending, not paid.*Nothing was written\.$/);
    expect(e.events).toEqual([]);
  });

  it('answers 404 for an unknown delivery, with a problem document', async () => {
    const unknown = await h.call('GET', '/v1/inbox/ibx_nope/explanation', { scope: 'read' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect((await h.call('GET', '/v1/inbox/ibx_nope', { scope: 'read' })).status).toBe(404);
  });

  it("lets a support agent's read key find the delivery and read why it earned, without the raw payload", async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer')));
    const full = await json<{ rawBody: string | null }>(await h.call('GET', `/v1/inbox/${answer.inboxId}`));
    expect(full.rawBody).toContain('1073339468');
    for (const scope of ['read', 'write'] as const) {
      const list = await json<{ data: { id: string; status: string; rawBody: string | null; events: { occurredAt: unknown }[] }[] }>(await h.call('GET', '/v1/inbox?source=shopify', { scope }));
      expect(list.data).toHaveLength(1);
      expect(list.data[0]).toMatchObject({ id: answer.inboxId, status: 'accepted', rawBody: null });
      expect(list.data[0]!.events).toHaveLength(1);
      // Times are ISO 8601 UTC everywhere in the API (SPEC §3), the stored event's too.
      expect(list.data[0]!.events[0]).toMatchObject({ occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
      const one = await h.call('GET', `/v1/inbox/${answer.inboxId}`, { scope });
      expect(one.status).toBe(200);
      expect((await json<{ events: unknown[] }>(one.clone())).events[0]).toMatchObject({ occurredAt: list.data[0]!.events[0]!.occurredAt });
      expect((await json<{ rawBody: string | null }>(one)).rawBody).toBeNull();
      const why = await json<Explanation>(await h.call('GET', `/v1/inbox/${answer.inboxId}/explanation`, { scope }));
      expect(why.events[0]).toMatchObject({ status: 'applied', points: 199 });
      expect((await h.call('GET', '/v1/inbox/signature-failures', { scope })).status).toBe(200);
    }
  });
});

describe('GET /v1/inbox/{id}/explanation: rules that did not apply, and caps', () => {
  const program = parseProgram(
    [
      'name: inbox explanations',
      'limits: { perEvent: 150 }',
      'rules:',
      '  - { id: in-store, on: order.paid, if: { channel: [pos] }, award: { fixed: 500 } }',
      '  - { id: base, on: order.paid, award: { perCurrencyUnit: 1 } }',
    ].join('\n'),
    'test.yaml',
  );
  const h = hubHarness({ ...SHOPIFY, program });

  it('names the rule that did not apply and why, and the cap that cut the one that did', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer')));
    const [event] = (await explain(h, answer.inboxId!)).events;
    expect(event!.summary[0]).toMatch(/^Earned 150 points for member /);
    expect(event!.trace!.skipped).toEqual([{ ruleId: 'in-store', reason: expect.stringMatching(/^channel is .*, not pos$/) as string }]);
    expect(event!.trace!.lines).toMatchObject([{ ruleId: 'base', points: 150, uncapped: 199, cappedBy: ['limits.perEvent (150)'] }]);
    expect(event!.trace!.limited).toMatchObject([{ limit: 'limits.perEvent (150)' }]);
    expect(await pointsOf(h, CUSTOMER)).toBe(150);
  });
});

describe('GET /v1/inbox/signature-failures', () => {
  const h = hubHarness(SHOPIFY);

  it('lists each platform with the reason of its last refused webhook; nothing else of it is kept', async () => {
    expect(await json(await h.call('GET', '/v1/inbox/signature-failures'))).toEqual({ data: [] });
    const refused = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer'), 'evt-bad', { secret: 'not-the-secret' }));
    expect(refused.httpStatus).toBe(401);
    const { data } = await json<{ data: Record<string, unknown>[] }>(await h.call('GET', '/v1/inbox/signature-failures'));
    expect(data).toEqual([
      { platform: 'shopify', lastReason: refused.detail, lastFailureAt: expect.any(String) as string, unalertedCount: 0, unalertedSince: null, lastAlertAt: expect.any(String) as string },
    ]);
    expect(refused.detail).toBeTruthy();
    expect((await json<{ data: unknown[] }>(await h.call('GET', '/v1/inbox'))).data).toEqual([]);
  });
});

describe('POST /v1/inbox/{id}/replay', () => {
  const h = hubHarness(SHOPIFY);

  it('runs a delivery again without earning twice, keeping what it did the first time and its trace', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer')));
    const first = await h.call('POST', `/v1/inbox/${answer.inboxId}/replay`, { headers: { 'idempotency-key': 'replay-1' } });
    expect(first.status).toBe(200);
    expect(await json(first)).toMatchObject({ inboxId: answer.inboxId, status: 'duplicate', pointsWritten: 0, outcomes: [{ status: 'duplicate' }] });
    expect(await pointsOf(h, CUSTOMER)).toBe(199);
    const [event] = (await explain(h, answer.inboxId!)).events;
    expect(event).toMatchObject({ status: 'applied', points: 199, traceFrom: 'delivery' });
  });

  it('is refused to a read or write key with the reason, and writes nothing', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer')));
    for (const scope of ['read', 'write'] as const) {
      const res = await h.call('POST', `/v1/inbox/${answer.inboxId}/replay`, { scope });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await pointsOf(h, CUSTOMER)).toBe(199);
  });

  it('refuses an unknown delivery (404) and an erased one (409), saying why', async () => {
    expect((await h.call('POST', '/v1/inbox/ibx_nope/replay')).status).toBe(404);
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer')));
    const who = (await explain(h, answer.inboxId!)).events[0]!.memberId!;
    expect((await h.call('DELETE', `/v1/members/${who}`)).status).toBe(200);
    const refused = await h.call('POST', `/v1/inbox/${answer.inboxId}/replay`);
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ type: '/problems/delivery-erased', detail: expect.stringContaining('the person this delivery was about was erased') as string });
  });
});
