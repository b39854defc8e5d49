import type { Principal, Scope } from '../auth/api-keys.js';
import type { AppDeps } from '../app.js';
import type { ConsoleApi, InProcessApi } from './api-client.js';

/** What the console is built from: the app's own dependencies and the management API it calls. */
export interface ConsoleDeps extends AppDeps {
  /** The `/v1` sub-app: every page reads and writes through it (docs/console.md, "How it is built"). */
  api: InProcessApi;
}

/** A signed-in console session (core/console/session.ts). */
export interface ConsoleSession {
  id: string;
  principal: Principal;
  csrfToken: string;
  expiresAt: number;
}

/** What the console's middleware puts on the Hono context for its pages. */
export type ConsoleEnv = {
  Variables: {
    session: ConsoleSession;
    /** The management API as the signed-in key: what a page shows is what that key may read. */
    api: ConsoleApi;
    /** May this session's key do `scope`'s work (admin ⊃ write ⊃ read)? */
    can: (scope: Scope) => boolean;
  };
};
