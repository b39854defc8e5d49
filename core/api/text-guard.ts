/**
 * One check of every string a `/v1` request carries — each JSON body value and field name, each
 * query parameter, the Idempotency-Key — before anything reads it, stores it or keys a record on
 * it (the idempotency middleware stores a body's `idempotencyKey`). What is refused is defined
 * once, in core/triggers/unsafe-text.ts; path parameters are checked by the validation hook,
 * which knows their names (core/api/validation.ts). See docs/security.md, "Input".
 */
import type { MiddlewareHandler } from 'hono';
import { findUnsafeText, unsafeCharacter } from '../triggers/unsafe-text.js';
import type { ApiEnv } from './env.js';
import type { FieldError } from './problem.js';
import { invalidRequest, pointerOf } from './validation.js';

const JSON_TYPE = /^application\/([a-z.-]+\+)?json/i;

export function refuseUnsafeText(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const errors: FieldError[] = [];
    const key = c.req.header('idempotency-key');
    const keyProblem = key === undefined ? undefined : unsafeCharacter(key);
    if (keyProblem) errors.push({ pointer: '/idempotency-key', in: 'header', message: keyProblem });
    for (const [name, values] of Object.entries(c.req.queries())) {
      for (const found of findUnsafeText({ [name]: values.length === 1 ? values[0] : values })) {
        errors.push({ pointer: pointerOf(found.path), in: 'query', message: found.message });
      }
    }
    // Not `c.req.raw.body`: asking for the stream makes the server build one (core/api/body-limit.ts).
    if (JSON_TYPE.test(c.req.header('content-type') ?? '') && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        body = undefined; // malformed JSON: the route's validator answers it (400)
      }
      for (const found of findUnsafeText(body)) errors.push({ pointer: pointerOf(found.path), in: 'body', message: found.message });
    }
    if (errors.length > 0) return invalidRequest(errors);
    return next();
  };
}
