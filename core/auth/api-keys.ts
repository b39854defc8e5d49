/**
 * API keys: `lh_<id>_<secret>`. Only a SHA-256 of the whole key is stored (keys are 192-bit
 * random, so a slow hash adds nothing); the presented key is hashed and compared with
 * `timingSafeEqual`. The id part finds the record without the secret being a lookup key.
 * `ADMIN_API_KEY` from the environment may be any string; it is stored as record `env_admin`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { newId } from '../ids.js';
import { apiKeys } from '../storage/schema.sqlite.js';
import type { Db, Store } from '../storage/store.js';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  keyId: string;
  name: string;
  scopes: Scope[];
}

const ENV_ADMIN_ID = 'env_admin';
const KEY_FORMAT = /^lh_([0-9a-z]+)_([A-Za-z0-9_-]{16,})$/;

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/** `admin` may do what `write` may, which may do what `read` may. */
export function hasScope(granted: Scope[], needed: Scope): boolean {
  const rank = (s: Scope) => SCOPES.indexOf(s);
  return granted.some((g) => rank(g) >= rank(needed));
}

export async function createApiKey(store: Store, name: string, scopes: Scope[]): Promise<{ key: string; id: string }> {
  const id = newId('key').slice(4).replaceAll('_', '');
  const key = `lh_${id}_${randomBytes(24).toString('base64url')}`;
  await store.transaction((tx) =>
    tx.insert(apiKeys).values({ id, name, hash: sha256(key).toString('hex'), scopes: scopes.join(' '), createdAt: Date.now() }),
  );
  return { key, id };
}

export async function revokeApiKey(store: Store, id: string): Promise<boolean> {
  const rows = await store.transaction((tx) =>
    tx.update(apiKeys).set({ revokedAt: Date.now() }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).returning(),
  );
  return rows.length > 0;
}

/**
 * Makes sure someone can administer the hub: `ADMIN_API_KEY` is (re)registered when given;
 * otherwise, on a database without any admin key, one is generated and returned — once — so
 * the caller can print it. Its plaintext is never stored.
 */
export async function ensureAdminKey(store: Store, envKey: string | undefined): Promise<{ generated?: string }> {
  if (envKey) {
    const hash = sha256(envKey).toString('hex');
    // An upsert, not delete-then-insert: several processes starting at once on one database
    // would otherwise race to insert the same row.
    await store.transaction(async (tx) => {
      await tx
        .insert(apiKeys)
        .values({ id: ENV_ADMIN_ID, name: 'ADMIN_API_KEY', hash, scopes: 'admin', createdAt: Date.now() })
        .onConflictDoUpdate({ target: apiKeys.id, set: { hash, scopes: 'admin', revokedAt: null } });
    });
    return {};
  }
  const keys = await store.db.select().from(apiKeys).where(isNull(apiKeys.revokedAt));
  if (keys.some((k) => k.scopes.split(' ').includes('admin'))) return {};
  const { key } = await createApiKey(store, 'bootstrap admin', ['admin']);
  return { generated: key };
}

/** Verifies keys against the database, remembering records for a few seconds. */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, { at: number; row: typeof apiKeys.$inferSelect | undefined }>();

  constructor(
    private readonly db: Db,
    private readonly cacheMs = 5_000,
  ) {}

  async verify(presented: string): Promise<Principal | undefined> {
    const match = KEY_FORMAT.exec(presented);
    const id = match ? match[1]! : ENV_ADMIN_ID;
    const row = await this.record(id);
    if (!row || row.revokedAt !== null) return undefined;
    const expected = Buffer.from(row.hash, 'hex');
    const actual = sha256(presented);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return { keyId: row.id, name: row.name, scopes: row.scopes.split(' ') as Scope[] };
  }

  private async record(id: string) {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.row;
    const [row] = await this.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { at: Date.now(), row });
    return row;
  }
}
