/**
 * Console sessions (docs/console.md, "Signing in"): a person signs in with an API key; the hub
 * keeps a session row tied to that key and sets a signed, HttpOnly, SameSite=Strict cookie
 * holding a random token. The row stores the token's sha256 only. Revoking the key ends its
 * sessions at once (the key is re-checked on every request), as does signing out.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { ApiKeyVerifier, Principal } from '../auth/api-keys.js';
import type { Commit } from '../commit/commit.js';
import { tablesOf } from '../storage/prepared.js';
import type { Store } from '../storage/store.js';
import type { ConsoleSession } from './console-env.js';

/** How long a sign-in lasts: a working day. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const SECRET_NAME = 'console_cookie_key';

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export interface SessionStore {
  /** Starts a session for `principal`; returns the token to put in the cookie. */
  start(principal: Principal): Promise<{ token: string; session: ConsoleSession }>;
  /** The live session behind `token`, its key still valid; undefined otherwise. */
  find(token: string): Promise<ConsoleSession | undefined>;
  end(token: string): Promise<void>;
  /** The key cookies are signed with: CONSOLE_SESSION_SECRET, or one the hub made and stored once. */
  signingKey(): Promise<string>;
}

export function sessionStore(store: Store, commit: Commit, verifier: ApiKeyVerifier, clock: () => number, configuredSecret?: string): SessionStore {
  let signingKey: Promise<string> | undefined = configuredSecret ? Promise.resolve(configuredSecret) : undefined;

  return {
    async start(principal) {
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const session = await commit(principal.name, async ({ tx, now }) => {
        const { consoleSessions } = tablesOf(tx);
        // Expired sessions go as new ones come: the table holds only live sign-ins.
        await tx.delete(consoleSessions).where(lt(consoleSessions.expiresAt, now));
        const expiresAt = now + SESSION_TTL_MS;
        await tx.insert(consoleSessions).values({ id: sha256(token), apiKeyId: principal.keyId, csrfToken, createdAt: now, expiresAt });
        return { id: sha256(token), principal, csrfToken, expiresAt };
      });
      return { token, session };
    },

    async find(token) {
      const { consoleSessions } = tablesOf(store.db);
      const [row] = await store.db
        .select()
        .from(consoleSessions)
        .where(and(eq(consoleSessions.id, sha256(token)), gt(consoleSessions.expiresAt, clock())));
      if (!row) return undefined;
      const principal = await verifier.principalOf(row.apiKeyId);
      if (!principal) return undefined;
      return { id: row.id, principal, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
    },

    async end(token) {
      await commit('console', async ({ tx }) => {
        const { consoleSessions } = tablesOf(tx);
        await tx.delete(consoleSessions).where(eq(consoleSessions.id, sha256(token)));
      });
    },

    signingKey() {
      signingKey ??= storedSigningKey(store, commit).catch((error: unknown) => {
        signingKey = undefined;
        throw error;
      });
      return signingKey;
    },
  };
}

/** Made once per database, so every hub process on it accepts the others' cookies. */
async function storedSigningKey(store: Store, commit: Commit): Promise<string> {
  return commit('hub', async ({ tx, now }) => {
    const { hubSecrets } = tablesOf(tx);
    await tx
      .insert(hubSecrets)
      .values({ name: SECRET_NAME, value: randomBytes(32).toString('base64url'), createdAt: now })
      .onConflictDoNothing();
    const [row] = await tx.select().from(hubSecrets).where(eq(hubSecrets.name, SECRET_NAME));
    return row!.value;
  });
}

/** CONSOLE_SESSION_SECRET, checked at start: set, it must be long enough to sign with. */
export function consoleSecretFromEnv(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length < 32) throw new Error('CONSOLE_SESSION_SECRET must be at least 32 characters (docs/operating.md); unset it to let the hub make one.');
  return value;
}
