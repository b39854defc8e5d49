/**
 * One autocannon run against a server: `connections` keep-alive connections posting events for
 * `seconds`, each request with a body made fresh by `body(n)` (so each carries its own event id).
 */
import autocannon from 'autocannon';

export interface LoadResult {
  label: string;
  seconds: number;
  /** Completed responses, any status. */
  responses: number;
  /** Completed responses per second. */
  perSecond: number;
  /** Latency of 2xx responses, ms (autocannon's histogram, 1 ms resolution). */
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  label: string;
  url: string;
  path: string;
  apiKey: string;
  connections: number;
  seconds: number;
  body: (n: number) => string;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let n = 0;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: options.body(n++) }),
      },
    ],
  });
  const r = await instance;
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count]));
  const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    label: options.label,
    seconds: r.duration,
    responses,
    perSecond: responses / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
  };
}
