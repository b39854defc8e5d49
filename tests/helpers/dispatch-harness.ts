/**
 * Per test: a real database, a test ledger with one member enrolled, and a real dispatcher
 * routing mappings to one adapter — how an adapter's shipped mapping is driven to a delivery, a
 * retry after `Retry-After`, or a dead letter and `delivery.failed`. By default the member is Ann
 * (e-mail consent), the clock starts 2026-01-15 12:00 UTC, and retries are due 5 s and then 60 s
 * after a failure (no jitter) unless the answer says when.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect } from 'vitest';
import { connectorState } from '../../core/connectors/connector-state.js';
import type { AdapterServices } from '../../core/connectors/definition.js';
import type { Mapping } from '../../core/mappings/index.js';
import { silentLogger } from '../../core/observability/logger.js';
import type { OutboundAdapter } from '../../core/outbound/adapter.js';
import { Dispatcher } from '../../core/outbox/dispatcher.js';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Row } from '../../core/storage/rows.js';
import type { Store } from '../../core/storage/store.js';
import { testLedger, type TestLedger } from './ledger-writes.js';
import { mappingRouter } from './shipped-mappings.js';
import { openTempStore, testClock, type TestClock } from './test-store.js';

export interface DispatchHarness {
  store: Store;
  clock: TestClock;
  ledger: TestLedger;
  /** Ann's member id. */
  memberId: string;
  /** A dispatcher routing the harness's mappings, or `mappings` when given. */
  dispatcher(mappings?: Mapping[]): Dispatcher;
  deliveries(): Promise<Row<'deliveries'>[]>;
  eventsOf(type: string): Promise<Row<'loyaltyEvents'>[]>;
  /** Drives a fresh dispatcher through one `Retry-After` of `ms`: nothing is attempted a millisecond early, one attempt exactly at it. */
  retriedAfter(ms: number): Promise<void>;
  /** Asserts the one delivery is dead after one attempt with `statusCode` and `error`, and that `delivery.failed` says so. */
  deadLettered(adapter: string, statusCode: number, error: string): Promise<Row<'deliveries'>>;
}

const selectDeliveries = (store: Store) => store.db.select().from(tablesOf(store.db).deliveries);
const selectEvents = (store: Store, type: string) => store.db.select().from(tablesOf(store.db).loyaltyEvents).where(eq(tablesOf(store.db).loyaltyEvents.type, type));

export interface DispatchOptions {
  /** The member enrolled before each test. */
  member?: Parameters<TestLedger['enroll']>[0];
  /** When the test clock starts (epoch ms). */
  start?: number;
  /** The dispatcher's retry schedule (ms after each failure). */
  schedule?: number[];
}

export function dispatchHarness(
  connector: string,
  mappings: Mapping[],
  build: (services: AdapterServices) => OutboundAdapter,
  options: DispatchOptions = {},
): DispatchHarness {
  const h = {} as DispatchHarness;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store: h.store, dispose } = await openTempStore());
    h.clock = testClock(options.start ?? Date.UTC(2026, 0, 15, 12));
    h.ledger = testLedger(h.store, h.clock);
    h.memberId = (await h.ledger.enroll(options.member ?? { email: 'ann.lee@example.com', firstName: 'Ann', consentEmail: true })).id;
  });
  afterEach(() => dispose());
  h.dispatcher = (routed = mappings) => {
    const adapter = build({ store: h.store, commit: h.ledger.commit, state: connectorState(h.store, h.ledger.commit, connector) });
    const router = mappingRouter(routed);
    return new Dispatcher({
      store: h.store,
      commit: h.ledger.commit,
      router: () => router,
      adapters: new Map([[adapter.name, adapter]]),
      logger: silentLogger,
      clock: h.clock,
      schedule: options.schedule ?? [5_000, 60_000],
      random: () => 0.5,
    });
  };
  h.deliveries = () => selectDeliveries(h.store);
  h.eventsOf = (type) => selectEvents(h.store, type);
  h.retriedAfter = async (ms) => {
    const d = h.dispatcher();
    await d.runOnce();
    h.clock.advance(ms - 1);
    expect((await d.runOnce()).attempted).toBe(0);
    h.clock.advance(1);
    expect((await d.runOnce()).attempted).toBe(1);
  };
  h.deadLettered = async (adapter, statusCode, error) => {
    const [delivery] = await h.deliveries();
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: statusCode, lastError: error });
    const [failed] = await h.eventsOf('delivery.failed');
    expect(JSON.parse(failed!.data)).toMatchObject({ deliveryId: delivery!.id, adapter, attempts: 1, statusCode, error });
    return delivery!;
  };
  return h;
}
