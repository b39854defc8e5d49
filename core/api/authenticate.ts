import type { MiddlewareHandler } from 'hono';
import { hasScope, type ApiKeyVerifier, type Principal, type Scope } from '../auth/api-keys.js';
import type { ApiEnv } from './env.js';
import { ProblemError } from './problem.js';

/**
 * Where an in-process caller (the console, core/console/api-client.ts) hands the API the
 * principal of a key it has already verified. It travels in the request's environment, which
 * only code in this process can set: a request from the network never carries it.
 */
export const IN_PROCESS_PRINCIPAL = Symbol('in-process principal');

/** Bearer API key → principal on the context; 401 without a valid key. */
export function authenticate(verifier: ApiKeyVerifier): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const inProcess = (c.env as { [IN_PROCESS_PRINCIPAL]?: Principal } | undefined)?.[IN_PROCESS_PRINCIPAL];
    if (inProcess) {
      c.set('principal', inProcess);
      return next();
    }
    const header = c.req.header('authorization') ?? '';
    const [scheme, key] = header.split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !key) {
      throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'Send an API key as "Authorization: Bearer <key>".');
    }
    const principal = await verifier.verify(key.trim());
    if (!principal) throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'The API key is unknown or revoked.');
    c.set('principal', principal);
    await next();
  };
}

/** 403 unless the key carries `scope` (admin ⊃ write ⊃ read). */
export function requireScope(scope: Scope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!hasScope(principal.scopes, scope)) {
      throw new ProblemError(403, 'forbidden', 'Forbidden', `This needs a key with the "${scope}" scope; this key has: ${principal.scopes.join(', ')}.`);
    }
    await next();
  };
}
