/**
 * `Idempotency-Key` for every write: the same key with the same request returns the first
 * response (marked `Idempotent-Replayed: true`); the same key with a different request is a 409.
 * Concurrent twins wait for the first to finish and then get its response.
 *
 * The record is kept apart from the business transaction, so it cannot on its own guarantee a
 * single effect if the process dies between the two commits. That guarantee comes from below:
 * handlers derive their ledger idempotency keys from this key, so a re-run after a crash (a
 * stale in-progress record is taken over after `staleMs`) finds the transfer already applied.
 *
 * A secret is shown once, ever (docs/api.md, "Secrets"): a handler whose answer carries one names
 * those fields with `hideSecretsOnReplay`, and the record stores the answer with them set to null
 * and a `secretNotice` saying what to do (rotate) — a replay never shows the secret again, and the
 * idempotency table never holds it.
 */
import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import type { Commit } from '../commit/commit.js';
import { tablesOf } from '../storage/prepared.js';
import type { Store } from '../storage/store.js';
import type { ApiEnv } from './env.js';
import { ProblemError } from './problem.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What `hideSecretsOnReplay` marks on the context. */
export interface SecretFields {
  /** Top-level fields of the JSON answer that hold a secret. */
  fields: readonly string[];
  /** Put in the stored answer as `secretNotice`: why the fields are null and how to get a new secret. */
  notice: string;
}

/**
 * Marks fields of this request's JSON answer as secret: the first answer shows them, the stored
 * copy (what a replay with the same Idempotency-Key gets) has them null plus `secretNotice`.
 * For every route that returns a secret (webhook endpoint secrets, API keys).
 */
export function hideSecretsOnReplay(c: Context<ApiEnv>, fields: readonly string[], notice: string): void {
  c.set('secretFields', { fields, notice });
}

/** The body to store: secret fields nulled; an unparsable body with secrets is not kept at all. */
function storedBody(body: string, secrets: SecretFields | undefined): string {
  if (!secrets) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return JSON.stringify({ secretNotice: secrets.notice });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return JSON.stringify({ secretNotice: secrets.notice });
  const record = parsed as Record<string, unknown>;
  const hidden = secrets.fields.filter((f) => f in record);
  if (hidden.length === 0) return body;
  return JSON.stringify({ ...record, ...Object.fromEntries(hidden.map((f) => [f, null])), secretNotice: secrets.notice });
}

export interface IdempotencyOptions {
  /** How long a twin waits for the first request to finish. */
  waitMs?: number;
  /** An in-progress record older than this is presumed abandoned (crashed process). */
  staleMs?: number;
}

function keyFrom(req: Request, headerKey: string | undefined, body: string): string | undefined {
  if (headerKey) return headerKey;
  if (!(req.headers.get('content-type') ?? '').includes('json') || !body) return undefined;
  try {
    const parsed = JSON.parse(body) as { idempotencyKey?: unknown };
    return typeof parsed.idempotencyKey === 'string' ? parsed.idempotencyKey : undefined;
  } catch {
    return undefined;
  }
}

export function idempotency(store: Store, commit: Commit, options: IdempotencyOptions = {}): MiddlewareHandler<ApiEnv> {
  const { idempotencyRecords } = tablesOf(store.db);
  const waitMs = options.waitMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  return async (c, next) => {
    if (!WRITE_METHODS.has(c.req.method)) return next();
    const body = await c.req.text();
    const clientKey = keyFrom(c.req.raw, c.req.header('idempotency-key'), body);
    if (!clientKey) return next();
    if (clientKey.length > 255) {
      throw new ProblemError(400, 'invalid-idempotency-key', 'Invalid Idempotency-Key', 'An idempotency key is at most 255 characters.');
    }
    c.set('idempotencyKey', clientKey);
    const principal = c.get('principal');
    const key = `${principal.keyId}:${clientKey}`;
    const requestHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('hex');

    const deadline = Date.now() + waitMs;
    for (;;) {
      const now = Date.now();
      const claimed = await commit(principal.name, async ({ tx }) => {
        // Take over a record whose owner died mid-request.
        await tx
          .delete(idempotencyRecords)
          .where(and(eq(idempotencyRecords.key, key), eq(idempotencyRecords.state, 'in_progress'), lt(idempotencyRecords.createdAt, now - staleMs)));
        return tx
          .insert(idempotencyRecords)
          .values({ key, requestHash, state: 'in_progress', createdAt: now })
          .onConflictDoNothing()
          .returning();
      });
      if (claimed.length > 0) break;
      const [existing] = await store.db.select().from(idempotencyRecords).where(eq(idempotencyRecords.key, key));
      if (!existing) continue; // released by a failed first attempt: claim it now
      if (existing.requestHash !== requestHash) {
        throw new ProblemError(409, 'idempotency-key-reused', 'Idempotency key reused', `Idempotency-Key "${clientKey}" was already used with a different request.`);
      }
      if (existing.state === 'completed') {
        return new Response(existing.responseBody, {
          status: existing.statusCode!,
          headers: { 'content-type': existing.contentType ?? 'application/json', 'idempotent-replayed': 'true' },
        });
      }
      if (Date.now() > deadline) {
        throw new ProblemError(409, 'request-in-progress', 'Request in progress', `A request with Idempotency-Key "${clientKey}" is still being processed; retry later.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    try {
      await next();
    } catch (error) {
      await commit(principal.name, ({ tx }) => tx.delete(idempotencyRecords).where(eq(idempotencyRecords.key, key)));
      throw error;
    }
    const res = c.res;
    if (res.status >= 500) {
      // Not an answer worth repeating: let a retry run the request again.
      await commit(principal.name, ({ tx }) => tx.delete(idempotencyRecords).where(eq(idempotencyRecords.key, key)));
      return;
    }
    const responseBody = storedBody(await res.clone().text(), c.get('secretFields'));
    await commit(principal.name, ({ tx }) =>
      tx
        .update(idempotencyRecords)
        .set({ state: 'completed', statusCode: res.status, contentType: res.headers.get('content-type'), responseBody, completedAt: Date.now() })
        .where(eq(idempotencyRecords.key, key)),
    );
  };
}
