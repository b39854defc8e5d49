/**
 * The connector's signature check, failing closed whatever the connector does: a delivery is
 * verified only when `verify` returns — within the time bound — exactly `{ ok: true }`. A verify
 * that throws, rejects, hangs or answers anything else (`{ ok: 'yes' }`, `true`, undefined, an
 * object with more to say) is a refusal. A bug in one connector's check must never let an
 * unsigned request through (docs/security.md). A refusal marked `unavailable: true` (exactly
 * `true`) is kept as such: the key to check with could not be fetched now — still a 401, but no
 * forgery to alert on.
 */
import type { InboundHandler, InboundRequest } from '../connectors/definition.js';

/** Platforms wait a few seconds for an answer; a check is pure computation and takes microseconds. */
export const VERIFY_TIMEOUT_MS = 5000;

export type ClosedVerdict = { ok: true } | { ok: false; reason: string; unavailable?: true };

export async function verifyClosed(handler: InboundHandler, request: InboundRequest, timeoutMs = VERIFY_TIMEOUT_MS): Promise<ClosedVerdict> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  let verdict: unknown;
  try {
    verdict = await Promise.race([Promise.resolve().then(() => handler.verify(request)), timeout]);
  } catch {
    // The error's text may quote what it was checking (a header, the body): not repeated here.
    return { ok: false, reason: 'the signature check failed with an error' };
  } finally {
    clearTimeout(timer);
  }
  if (verdict === 'timeout') return { ok: false, reason: `the signature check did not finish within ${timeoutMs / 1000} s` };
  if (isExactlyOk(verdict)) return { ok: true };
  if (isRefusal(verdict)) return verdict.unavailable === true ? { ok: false, reason: verdict.reason, unavailable: true } : { ok: false, reason: verdict.reason };
  return { ok: false, reason: 'the signature check gave no verdict' };
}

function isExactlyOk(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'ok' && (value as { ok: unknown }).ok === true;
}

function isRefusal(value: unknown): value is { ok: false; reason: string; unavailable?: unknown } {
  return typeof value === 'object' && value !== null && (value as { ok: unknown }).ok === false && typeof (value as { reason: unknown }).reason === 'string' && (value as { reason: string }).reason.trim() !== '';
}
