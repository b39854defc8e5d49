/**
 * One outbound POST under the address policy (docs/security.md, "Outbound requests"). The host
 * name is resolved by the connection itself through a guarded `lookup`, so the address checked is
 * the address dialled: a name that resolved to a public address when the endpoint was created and
 * to 127.0.0.1 now (DNS rebinding) is refused before a byte is sent.
 *
 * Node's own `http`/`https` request is used rather than global fetch: it takes a `lookup` option
 * per request, whereas fetch would need undici's `Agent` (`connect.lookup`), a dependency we do
 * not otherwise have. Redirects are never followed; the answer's body is discarded unread.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolvedProblem, urlProblem, type AddressPolicy } from './address-policy.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (the seam tests replace at the edge). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** What an outbound sender needs: the policy and how names are resolved. */
export interface OutboundTargets {
  policy: AddressPolicy;
  resolve: HostResolver;
}

export const DEFAULT_OUTBOUND: OutboundTargets = { policy: { allowPrivate: false }, resolve: systemResolver };

/** The policy refused the target: nothing was sent. `message` is safe to store and show. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
}

/** A `lookup` for `net.connect` that resolves through `targets` and refuses forbidden addresses. */
export function guardedLookup(targets: OutboundTargets): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    targets.resolve(hostname).then(
      (found) => {
        const problem = resolvedProblem(
          found.map((a) => a.address),
          targets.policy,
        );
        if (problem) return callback(new OutboundRefusedError(problem));
        const wanted = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
        if (wanted.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
        if (options.all) return callback(null, wanted);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: unknown) => callback(error),
    );
  }) as unknown as LookupFunction;
}

export interface GuardedAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
}

/**
 * POSTs `body` to `url` if the policy allows the URL and, at connect time, the address it
 * resolves to. Throws `OutboundRefusedError` when refused, the socket's error otherwise.
 */
export function guardedPost(
  url: string,
  request: { headers: Record<string, string>; body: string; signal: AbortSignal },
  targets: OutboundTargets,
): Promise<GuardedAnswer> {
  const problem = urlProblem(url, targets.policy);
  if (problem) return Promise.reject(new OutboundRefusedError(problem));
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: guardedLookup(targets),
        signal: request.signal,
      },
      (res) => {
        // The body is not ours to keep (an internal host's answer must not be readable back).
        res.resume();
        res.on('error', () => {});
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers });
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}
