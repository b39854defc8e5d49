/**
 * API keys (docs/api.md, docs/security.md): `lh_<id>_<secret>`. Only a SHA-256 of the whole key
 * is stored (keys are 192-bit random, so a slow hash adds nothing); the presented key is hashed
 * and compared with `timingSafeEqual`. The id part finds the record without the secret being a
 * lookup key. `ADMIN_API_KEY` from the environment may be any string — including one shaped like
 * `lh_admin_…` — and is stored as record `env_admin`.
 *
 * Records are cached per process for `cacheMs` (5 s): a key revoked through this process's
 * verifier stops working at once; revoked elsewhere (the CLI, another hub process), within the
 * cache time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { ID_BODY, newId } from '../ids.js';
import { tablesOf } from '../storage/prepared.js';
import type { Commit } from '../commit/commit.js';
import type { Db, Store } from '../storage/store.js';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  keyId: string;
  name: string;
  scopes: Scope[];
}

/** A key as listed: never its secret nor its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: Scope[];
  /** The key comes from `ADMIN_API_KEY`: it is re-registered at every start and revoked by changing the variable. */
  fromEnvironment: boolean;
  createdAt: number;
  revokedAt: number | null;
}

export const ENV_ADMIN_ID = 'env_admin';
/** What a key's id looks like: `newId` without its prefix (`createApiKey`), or the ADMIN_API_KEY's. */
export const API_KEY_ID = new RegExp(`^(?:${ID_BODY}|${ENV_ADMIN_ID})$`);
const KEY_FORMAT = /^lh_([0-9a-z]+)_([A-Za-z0-9_-]{16,})$/;

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

type KeyRow = ReturnType<typeof tablesOf>['apiKeys']['$inferSelect'];

function toRecord(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.split(' ') as Scope[],
    fromEnvironment: row.id === ENV_ADMIN_ID,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}

/** `admin` may do what `write` may, which may do what `read` may. */
export function hasScope(granted: Scope[], needed: Scope): boolean {
  const rank = (s: Scope) => SCOPES.indexOf(s);
  return granted.some((g) => rank(g) >= rank(needed));
}

/** Creates a key; `actor` is who asked (an admin key's name, `cli`, `hub` for the bootstrap key). */
export async function createApiKey(commit: Commit, name: string, scopes: Scope[], actor = 'cli'): Promise<{ key: string; id: string; record: ApiKeyRecord }> {
  const id = newId('key').slice(4).replaceAll('_', '');
  const key = `lh_${id}_${randomBytes(24).toString('base64url')}`;
  const [row] = await commit(actor, ({ tx, now }) =>
    tx
      .insert(tablesOf(tx).apiKeys)
      .values({ id, name, hash: sha256(key).toString('hex'), scopes: scopes.join(' '), createdAt: now })
      .returning(),
  );
  return { key, id, record: toRecord(row!) };
}

export async function listApiKeys(db: Db, page: { limit: number; cursor?: string; includeRevoked?: boolean }): Promise<{ data: ApiKeyRecord[]; nextCursor: string | null }> {
  const { apiKeys } = tablesOf(db);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(page.cursor ? gt(apiKeys.id, page.cursor) : undefined, page.includeRevoked === false ? isNull(apiKeys.revokedAt) : undefined))
    .orderBy(asc(apiKeys.id))
    .limit(page.limit + 1);
  const data = rows.slice(0, page.limit).map(toRecord);
  return { data, nextCursor: rows.length > page.limit ? data.at(-1)!.id : null };
}

export async function getApiKey(db: Db, id: string): Promise<ApiKeyRecord | undefined> {
  const { apiKeys } = tablesOf(db);
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row ? toRecord(row) : undefined;
}

export type RevokeResult =
  | { status: 'revoked'; record: ApiKeyRecord }
  | { status: 'already-revoked'; record: ApiKeyRecord }
  | { status: 'not-found' }
  /** `ADMIN_API_KEY` is re-registered at every start: revoking it in the database would not last. */
  | { status: 'from-environment'; record: ApiKeyRecord }
  /** The only admin key left: revoking it would leave nobody able to administer the hub through the API. */
  | { status: 'last-admin'; record: ApiKeyRecord };

/**
 * Revokes a key (never deletes it: the record says who had access and until when). Refuses the
 * environment's key and, unless `allowLastAdmin`, the last active admin key.
 */
export async function revokeApiKey(commit: Commit, id: string, options: { actor?: string; allowLastAdmin?: boolean } = {}): Promise<RevokeResult> {
  return commit(options.actor ?? 'cli', async ({ tx, now }) => {
    const { apiKeys } = tablesOf(tx);
    const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id));
    if (!row) return { status: 'not-found' } as const;
    const record = toRecord(row);
    if (record.revokedAt !== null) return { status: 'already-revoked', record } as const;
    if (record.fromEnvironment) return { status: 'from-environment', record } as const;
    if (record.scopes.includes('admin') && !options.allowLastAdmin) {
      const admins = (await tx.select().from(apiKeys).where(isNull(apiKeys.revokedAt))).filter((k) => k.scopes.split(' ').includes('admin'));
      if (admins.length <= 1) return { status: 'last-admin', record } as const;
    }
    // Conditional: of two concurrent revocations one revokes, the other finds it revoked.
    const [updated] = await tx
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    return updated ? ({ status: 'revoked', record: toRecord(updated) } as const) : ({ status: 'already-revoked', record } as const);
  });
}

/**
 * Makes sure someone can administer the hub: `ADMIN_API_KEY` is (re)registered when given;
 * otherwise, on a database without any admin key, one is generated and returned — once — so
 * the caller can print it. Its plaintext is never stored.
 */
export async function ensureAdminKey(store: Store, commit: Commit, envKey: string | undefined): Promise<{ generated?: string }> {
  if (envKey) {
    const hash = sha256(envKey).toString('hex');
    // An upsert, not delete-then-insert: several processes starting at once on one database
    // would otherwise race to insert the same row.
    await commit('hub', async ({ tx, now }) => {
      const { apiKeys } = tablesOf(tx);
      await tx
        .insert(apiKeys)
        .values({ id: ENV_ADMIN_ID, name: 'ADMIN_API_KEY', hash, scopes: 'admin', createdAt: now })
        .onConflictDoUpdate({ target: apiKeys.id, set: { hash, scopes: 'admin', revokedAt: null } });
    });
    return {};
  }
  const { apiKeys } = tablesOf(store.db);
  const keys = await store.db.select().from(apiKeys).where(isNull(apiKeys.revokedAt));
  if (keys.some((k) => k.scopes.split(' ').includes('admin'))) return {};
  const { key } = await createApiKey(commit, 'bootstrap admin', ['admin'], 'hub');
  return { generated: key };
}

/** Verifies keys against the database, remembering records for a few seconds. */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, { at: number; row: KeyRow | undefined }>();

  constructor(
    private readonly db: Db,
    private readonly cacheMs = 5_000,
  ) {}

  async verify(presented: string): Promise<Principal | undefined> {
    const actual = sha256(presented);
    // A key of our format is looked up by its id; whatever its shape, it may also be the
    // operator's ADMIN_API_KEY (`lh_admin_<secret>` parses as id "admin"), so a key that does
    // not match its id's record is tried against the environment's key too.
    const match = KEY_FORMAT.exec(presented);
    if (match) {
      const principal = this.matches(await this.record(match[1]!), actual);
      if (principal) return principal;
    }
    return this.matches(await this.record(ENV_ADMIN_ID), actual);
  }

  /** The principal of key `id` while it is not revoked (a console session re-checks its key with it). */
  async principalOf(id: string): Promise<Principal | undefined> {
    const row = await this.record(id);
    if (!row || row.revokedAt !== null) return undefined;
    return { keyId: row.id, name: row.name, scopes: row.scopes.split(' ') as Scope[] };
  }

  /** Forgets cached records: a key revoked through this process stops working at once. */
  forget(id?: string): void {
    if (id === undefined) this.cache.clear();
    else this.cache.delete(id);
  }

  private matches(row: KeyRow | undefined, actual: Buffer): Principal | undefined {
    if (!row || row.revokedAt !== null) return undefined;
    const expected = Buffer.from(row.hash, 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return { keyId: row.id, name: row.name, scopes: row.scopes.split(' ') as Scope[] };
  }

  private async record(id: string): Promise<KeyRow | undefined> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.row;
    const { apiKeys } = tablesOf(this.db);
    const [row] = await this.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { at: Date.now(), row });
    return row;
  }
}
