/**
 * Operations alerts digested (docs/operating.md, "Alerts"; docs/mappings.md,
 * `delivery.failed.digest`): dead deliveries open one Zendesk ticket and one Slack message per
 * failing adapter per hour, with the count and the first five — through the real dispatcher, the
 * shipped mapping, the real Zendesk, Slack and SendGrid adapters, and msw at the network edge.
 */
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sendgrid from '../../connectors/sendgrid/index.js';
import slack from '../../connectors/slack/index.js';
import zendesk from '../../connectors/zendesk/index.js';
import { checkLedgerInvariants } from '../../core/ledger/index.js';
import { adapterDescriptors, loadMappingFile, type Mapping } from '../../core/mappings/index.js';
import { silentLogger } from '../../core/observability/logger.js';
import { Dispatcher } from '../../core/outbox/dispatcher.js';
import { emitFailureDigests } from '../../core/outbox/failure-digest.js';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Store } from '../../core/storage/store.js';
import { testLedger, type TestLedger } from '../helpers/ledger-writes.js';
import { mappingRouter } from '../helpers/shipped-mappings.js';
import { openStore } from '../../core/storage/open-store.js';
import { tempDatabase, type TempDatabase } from '../helpers/temp-database.js';
import { testClock, type TestClock } from '../helpers/test-store.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SENDGRID = 'http://sendgrid.test';
const SLACK = 'http://slack.test';
const TICKETS = 'https://acme.zendesk.com/api/v2/tickets.json';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const { adapters: descriptors } = adapterDescriptors([sendgrid, slack, zendesk], {});
const load = (file: string): Mapping[] => {
  const { mappings, problems } = loadMappingFile(file, descriptors);
  expect(problems).toEqual([]);
  return mappings;
};
const alerts = load(join(import.meta.dirname, '../../mappings/delivery-failed-zendesk-slack.yaml'));
// The shipped "you earned" e-mail, whose provider is about to refuse every one.
const earnedEmail = load(join(import.meta.dirname, '../../mappings/points-earned-email.yaml'));

interface Provider { tickets: Record<string, unknown>[]; slack: URLSearchParams[]; mails: number }

/** SendGrid refusing every mail (a permanent 400), Zendesk and Slack answering as they document. */
function providers(zendeskAnswer = () => HttpResponse.json({ ticket: { id: 35436 } }, { status: 201 })): Provider {
  const seen: Provider = { tickets: [], slack: [], mails: 0 };
  server.use(
    http.post(`${SENDGRID}/v3/mail/send`, () => {
      seen.mails++;
      return HttpResponse.json({ errors: [{ message: 'The from address does not match a verified Sender Identity', field: 'from' }] }, { status: 400 });
    }),
    http.post(TICKETS, async ({ request }) => {
      seen.tickets.push((await request.json()) as Record<string, unknown>);
      return zendeskAnswer();
    }),
    http.post(`${SLACK}/api/chat.postMessage`, async ({ request }) => {
      seen.slack.push(new URLSearchParams(await request.text()));
      return HttpResponse.json({ ok: true, channel: 'C0123456789', ts: '1736942400.000100' });
    }),
  );
  return seen;
}

describe('delivery.failed digest', () => {
  let store: Store;
  let clock: TestClock;
  let ledger: TestLedger;
  let database: TempDatabase;
  let members: string[];
  let earns = 0;
  beforeEach(async () => {
    database = await tempDatabase();
    store = await openStore(database.url);
    clock = testClock(Date.parse('2026-01-15T10:00:00Z'));
    ledger = testLedger(store, clock);
    members = [];
    for (let i = 0; i < 4; i++) members.push((await ledger.enroll({ email: `m${i}@example.com`, consentEmail: true })).id);
  });
  afterEach(async () => {
    try {
      expect(await checkLedgerInvariants(store.db)).toEqual([]);
    } finally {
      await store.close();
      await database.dispose();
    }
  });
  /** The hub stops and starts again: a new connection to the same database, nothing kept in memory. */
  const restart = async () => {
    await store.close();
    store = await openStore(database.url);
    ledger = testLedger(store, clock);
  };

  /** A dispatcher as `serve` builds one (a restart is a new one on the same database). */
  const dispatcher = () =>
    new Dispatcher({
      store,
      commit: ledger.commit,
      router: () => mappingRouter([...earnedEmail, ...alerts]),
      adapters: new Map([
        ['sendgrid', sendgrid.createAdapter({ SENDGRID_API_KEY: 'SG.key', SENDGRID_FROM: 'loyalty@shop.example', SENDGRID_API_URL: SENDGRID })],
        ['slack', slack.createAdapter({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: SLACK })],
        ['zendesk', zendesk.createAdapter({ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'agent@acme.test', ZENDESK_API_TOKEN: 'zd-token' })],
      ]),
      logger: silentLogger,
      clock,
      schedule: [5_000],
    });
  /** Runs the dispatcher until nothing is due now. */
  const drain = async (d = dispatcher()) => {
    for (let i = 0; i < 50; i++) {
      const { routed, attempted } = await d.runOnce();
      if (routed === 0 && attempted === 0) return;
    }
  };
  /** `n` earns, each e-mailed (and refused) — `n` dead deliveries. */
  const failMails = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await ledger.earn({ memberId: members[i % members.length]!, points: 10, idempotencyKey: `earn-${++earns}`, why: { source: 'api', reason: 'test' } });
    }
    await drain();
  };
  /** The scheduler's tick, as far as digests go. */
  const tick = () => emitFailureDigests({ store, commit: ledger.commit }, clock());
  const dead = async (adapter: string) => {
    const { deliveries: d } = tablesOf(store.db);
    return (await store.db.select().from(d).where(eq(d.adapter, adapter))).filter((r) => r.status === 'dead');
  };
  const eventsOf = async (type: string) => {
    const { loyaltyEvents: e } = tablesOf(store.db);
    return (await store.db.select().from(e).where(eq(e.type, type))).map((r) => JSON.parse(r.data) as Record<string, unknown>);
  };

  it('20 dead deliveries before the scheduler ticks: one Zendesk ticket and one Slack message with the count and the first five', async () => {
    const seen = providers();
    await failMails(20);
    const failed = await dead('sendgrid');
    expect(seen.mails).toBe(20);
    expect(failed).toHaveLength(20);
    // Still one delivery.failed per dead delivery, for signed webhooks and logs; no ticket yet.
    expect(await eventsOf('delivery.failed')).toHaveLength(20);
    expect(seen.tickets).toEqual([]);

    expect(await tick()).toBe(1);
    expect(await tick()).toBe(0);
    await drain();

    const [digest] = await eventsOf('delivery.failed.digest');
    expect(digest).toMatchObject({ adapter: 'sendgrid', count: 20, more: 15, since: '2026-01-15T10:00:00.000Z', until: '2026-01-15T10:00:00.000Z' });
    // Five of the twenty, each once (which five is the order the concurrent sends were recorded in).
    const listed = digest!.failures as Record<string, unknown>[];
    expect(listed).toHaveLength(5);
    expect(new Set(listed.map((f) => f.deliveryId)).size).toBe(5);
    for (const f of listed) expect(failed.map((d) => d.id)).toContain(f.deliveryId);
    expect(listed[0]).toMatchObject({ eventType: 'points.earned', attempts: 1, statusCode: 400, reason: expect.stringContaining('verified Sender Identity') });

    expect(seen.tickets).toHaveLength(1);
    const ticket = seen.tickets[0]!.ticket as { subject: string; comment: { body: string; public: boolean }; requester: { email: string } };
    expect(ticket.subject).toBe('Loyalty messages not delivered: 20 via sendgrid');
    expect(ticket.comment.public).toBe(false);
    expect(ticket.requester.email).toBe('loyalty-team@example.com');
    for (const f of listed) expect(ticket.comment.body).toContain(`Delivery ${String(f.deliveryId)}: points.earned for member ${String(f.memberId)}, 1 attempt(s)`);
    expect(ticket.comment.body).toContain('...and 15 more.');
    expect(seen.slack.map((m) => m.get('text'))).toEqual([expect.stringMatching(/^:warning: 20 sendgrid message\(s\) could not be delivered since 2026-01-15T10:00:00.000Z/)]);
  });

  it('reports the first failure after a quiet hour at the next tick; later ones in the hour wait for the next digest, which survives a restart', async () => {
    const seen = providers();
    await failMails(1);
    await tick();
    await drain();
    expect(seen.tickets.map((t) => (t.ticket as { subject: string }).subject)).toEqual(['Loyalty messages not delivered: 1 via sendgrid']);

    // Three more fail within the hour: counted, not sent.
    clock.advance(10 * MINUTE);
    await failMails(3);
    await tick();
    await restart();
    clock.advance(40 * MINUTE);
    await tick();
    await drain();
    expect(seen.tickets).toHaveLength(1);

    // An hour after the first digest, the second one carries exactly those three.
    clock.advance(10 * MINUTE);
    expect(await tick()).toBe(1);
    await drain();
    expect(seen.tickets.map((t) => (t.ticket as { subject: string }).subject)).toEqual([
      'Loyalty messages not delivered: 1 via sendgrid',
      'Loyalty messages not delivered: 3 via sendgrid',
    ]);
    const digests = await eventsOf('delivery.failed.digest');
    expect(digests.map((d) => [d.count, (d.failures as unknown[]).length, d.more])).toEqual([
      [1, 1, 0],
      [3, 3, 0],
    ]);
    expect(digests[1]!.since).toBe('2026-01-15T10:10:00.000Z');
    const later = (await dead('sendgrid')).filter((d) => d.createdAt === Date.parse('2026-01-15T10:10:00Z')).map((d) => d.id);
    expect(new Set((digests[1]!.failures as { deliveryId: string }[]).map((f) => f.deliveryId))).toEqual(new Set(later));
    // A quiet hour after that: nothing to send.
    clock.advance(2 * HOUR);
    expect(await tick()).toBe(0);
  });

  it('a digest the alerting adapter cannot deliver is logged, not digested again (no loop)', async () => {
    const seen = providers(() => HttpResponse.json({ error: 'RecordInvalid', description: 'Record validation errors' }, { status: 422 }));
    await failMails(2);
    await tick();
    await drain();
    clock.advance(HOUR);
    await drain();
    expect(seen.tickets).toHaveLength(1);
    expect(await dead('zendesk')).toHaveLength(1);
    clock.advance(2 * HOUR);
    expect(await tick()).toBe(0);
    expect((await eventsOf('delivery.failed')).map((e) => e.adapter)).toEqual(['sendgrid', 'sendgrid']);
    expect(await eventsOf('delivery.failed.digest')).toHaveLength(1);
  });
});
