/**
 * The largest request body the hub reads (docs/security.md, "Input"): `MAX_BODY_BYTES`, 1 MiB
 * by default, for `/v1` and for webhooks alike (`WEBHOOK_BODY_LIMIT_BYTES`, its older name, is
 * still read when the new one is unset). A larger body is answered 413 before it is buffered:
 * a declared Content-Length is refused at once, a chunked body as soon as it passes the limit.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { problemResponse, problemType } from './problem.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The configured limit; a value that is not a positive whole number of bytes stops start-up. */
export function maxBodyBytesFrom(env: Record<string, string | undefined>): number {
  for (const name of ['MAX_BODY_BYTES', 'WEBHOOK_BODY_LIMIT_BYTES']) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const bytes = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(bytes) || bytes < 1) {
      throw new Error(`${name} must be a positive whole number of bytes (e.g. 1048576 for 1 MiB), not "${raw}"`);
    }
    return bytes;
  }
  return DEFAULT_MAX_BODY_BYTES;
}

export function apiBodyLimit(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () =>
      problemResponse({
        type: problemType('payload-too-large'),
        title: 'Payload too large',
        status: 413,
        detail: `The body exceeds ${maxBytes} bytes (MAX_BODY_BYTES).`,
        limit: maxBytes,
      }),
  });
}
