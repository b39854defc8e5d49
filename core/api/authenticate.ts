import type { MiddlewareHandler } from 'hono';
import { hasScope, type ApiKeyVerifier, type Scope } from '../auth/api-keys.js';
import type { ApiEnv } from './env.js';
import { ProblemError } from './problem.js';

/** Bearer API key → principal on the context; 401 without a valid key. */
export function authenticate(verifier: ApiKeyVerifier): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
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
