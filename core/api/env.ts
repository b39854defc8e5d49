import type { Principal } from '../auth/api-keys.js';

/** What middleware puts on the Hono context for the handlers after it. */
export type ApiEnv = {
  Variables: {
    principal: Principal;
    /** The client's Idempotency-Key (header or body field), if it sent one. */
    idempotencyKey?: string;
    /** Top-level response fields shown once: an Idempotency-Key replay answers them as null (docs/security.md). */
    secretFields?: string[];
  };
};
