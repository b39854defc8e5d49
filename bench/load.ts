/**
 * One autocannon run against a server: `connections` keep-alive connections posting events for
 * `seconds`, each request with a body made fresh by `body(n)` (so each carries its own event id).
 * autocannon makes a request's body right before writing it, so `sent` (bodies made) counts the
 * requests written, including those still in flight when the clock stops (answered by the server,
 * but not counted by autocannon).
 */
import autocannon from 'autocannon';

export interface LoadResult {
  label: string;
  seconds: number;
  /** Requests written: one body is made per request sent, so this is the number of bodies made. */
  sent: number;
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
  /** Called with each response's status and body (optional; (d) uses it to check which events were acknowledged). */
  onResponse?: (status: number, body: string) => void;
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
        ...(options.onResponse ? { onResponse: options.onResponse } : {}),
      },
    ],
  });
  const r = await instance;
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count]));
  const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    label: options.label,
    seconds: r.duration,
    sent: n,
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
