/**
 * The largest request body the hub reads (docs/security.md, "Input"): `MAX_BODY_BYTES`, 1 MiB
 * by default, for `/v1` and for webhooks alike (`WEBHOOK_BODY_LIMIT_BYTES`, its older name, is
 * still read when the new one is unset). A larger body is answered 413 before it is buffered:
 * a declared Content-Length is refused at once, a chunked body as soon as it passes the limit.
 *
 * A body of declared length is judged by its header alone: Node's HTTP parser delivers exactly
 * that many bytes, and not touching `Request.body` lets @hono/node-server read the body straight
 * from the socket when a handler asks for it, instead of building a web stream for it — a
 * tenth of the CPU of a `POST /v1/events` (docs/BENCHMARKS.md (c)).
 */
import type { Context, MiddlewareHandler } from 'hono';
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

/** The body's declared length, when it has one and no transfer coding overrides it. */
function declaredLength(c: Context): number | undefined {
  const header = c.req.header('content-length');
  if (header === undefined || c.req.header('transfer-encoding') !== undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/** The 413 of a body over the limit, for `/v1` and webhooks alike. */
export function payloadTooLarge(maxBytes: number): Response {
  return problemResponse({
    type: problemType('payload-too-large'),
    title: 'Payload too large',
    status: 413,
    detail: `The body exceeds ${maxBytes} bytes (MAX_BODY_BYTES).`,
    limit: maxBytes,
  });
}

/**
 * The body as bytes, or undefined past the limit: a declared length is judged by its header and
 * read at once; a chunked body is counted as it streams and cut off past the limit. For a handler
 * that needs the exact bytes (a webhook's signature is over them).
 */
export async function readBodyWithin(c: Context, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = declaredLength(c);
  if (declared !== undefined) return declared > maxBytes ? undefined : new Uint8Array(await c.req.arrayBuffer());
  const body = c.req.raw.body;
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function apiBodyLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => payloadTooLarge(maxBytes);
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const declared = declaredLength(c);
    if (declared === undefined) return streamed(c, next);
    if (declared > maxBytes) return tooLarge();
    await next();
  };
}
