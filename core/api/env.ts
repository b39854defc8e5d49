import type { Principal } from '../auth/api-keys.js';
import type { SecretFields } from './idempotency.js';

/** What middleware puts on the Hono context for the handlers after it. */
export type ApiEnv = {
  Variables: {
    principal: Principal;
    /** The client's Idempotency-Key (header or body field), if it sent one. */
    idempotencyKey?: string;
    /** Top-level response fields holding a secret: never stored for a replay (see idempotency.ts). */
    secretFields?: SecretFields;
  };
};
