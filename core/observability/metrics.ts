import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Histogram<'method' | 'route' | 'status'>;
  ledgerWrites: Counter<'kind' | 'outcome'>;
  deliveryAttempts: Histogram<'adapter' | 'outcome'>;
  inboundDeliveries: Counter<'platform' | 'outcome'>;
}

/** A registry per hub (tests build many); process metrics only for a served hub. */
export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'loyalty_hub_' });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'loyalty_hub_http_request_duration_seconds',
      help: 'HTTP requests by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    ledgerWrites: new Counter({
      name: 'loyalty_hub_ledger_transfers_total',
      help: 'Ledger transfers by kind and outcome (applied, duplicate)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    deliveryAttempts: new Histogram({
      name: 'loyalty_hub_delivery_attempt_duration_seconds',
      help: 'Outbound delivery attempts by adapter and outcome (delivered, retry, permanent, skipped, deferred)',
      labelNames: ['adapter', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    inboundDeliveries: new Counter({
      name: 'loyalty_hub_inbound_deliveries_total',
      help: 'Inbound webhook deliveries by platform and outcome (accepted, duplicate, ignored, rejected, failed, unauthorized, unverifiable)',
      labelNames: ['platform', 'outcome'],
      registers: [registry],
    }),
  };
}
