/**
 * Webhook endpoints: the subscriptions behind signed outbound webhooks (docs/api.md, "Webhook endpoints";
 * `/v1/webhook-endpoints`). The table is the core's; the `webhook` connector reads it to sign and
 * send, and disables an endpoint whose receiver answers 410 Gone.
 *
 * Secrets follow the Standard Webhooks format (`whsec_` + base64 of random bytes). An endpoint
 * keeps a list: the current secret (no expiry) first, then secrets replaced by a rotation, each
 * still signing until its `expiresAt` so a receiver can switch over without missing a message.
 * Secrets are stored as they are (signing needs them) and shown only on creation and rotation.
 */
import type { WritableStore } from '../commit/commit.js';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { asc, eq, gt } from 'drizzle-orm';
import { newId } from '../ids.js';
import type { LoyaltyEventType } from '../outbox/loyalty-events.js';
import { tablesOf } from '../storage/prepared.js';
import { resolvedProblem, urlHost, urlProblem } from './address-policy.js';
import type { OutboundTargets } from './guarded-request.js';
import type { Db, Store } from '../storage/store.js';

export interface EndpointSecret {
  secret: string;
  /** Epoch ms after which it no longer signs; null for the current secret. */
  expiresAt: number | null;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  /** Empty: every loyalty event type. */
  eventTypes: LoyaltyEventType[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  secrets: EndpointSecret[];
  createdAt: number;
  updatedAt: number;
}

type Row = ReturnType<typeof tablesOf>['webhookEndpoints']['$inferSelect'];

function fromRow(row: Row): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.eventTypes) as LoyaltyEventType[],
    status: row.status === 'disabled' ? 'disabled' : 'enabled',
    disabledReason: row.disabledReason,
    secrets: JSON.parse(row.secrets) as EndpointSecret[],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A new signing secret: `whsec_` + 32 random bytes in base64 (what `new Webhook(secret)` takes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The secrets that sign a message sent at `now`: the current one and any still in its overlap. */
export function signingSecrets(endpoint: Pick<WebhookEndpoint, 'secrets'>, now: number): string[] {
  return endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}

/** How long creation waits for a host name to resolve before accepting it unresolved. */
const CREATION_LOOKUP_MS = 3_000;

/**
 * Why a URL may not receive webhooks, or null when it may (docs/security.md, "Outbound
 * requests"): https only (plain http to localhost with WEBHOOK_ALLOW_PRIVATE=true), no
 * credentials, and no internal target — neither named (a literal address in any spelling,
 * localhost, a metadata host) nor resolved (a name whose addresses are internal right now).
 *
 * A name that does not resolve yet (or not within 3 s) is accepted: DNS is often set up after
 * the endpoint, and the send-time check on the address actually dialled is what protects us.
 */
export async function webhookUrlProblem(value: string, targets: OutboundTargets): Promise<string | null> {
  const problem = urlProblem(value, targets.policy);
  if (problem) return problem;
  const host = urlHost(new URL(value));
  if (isIP(host)) return null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), CREATION_LOOKUP_MS);
  });
  try {
    const found = await Promise.race([targets.resolve(host).catch(() => null), timeout]);
    return found ? resolvedProblem(found.map((a) => a.address), targets.policy) : null;
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Change notification: the endpoint router of the same store refreshes at once when something in
// this process changes an endpoint (the API, or the adapter disabling one after a 410). Other
// processes see the change at their router's next periodic refresh.

type Listener = () => void | Promise<void>;
const listeners = new WeakMap<Store, Set<Listener>>();

export function onWebhookEndpointsChanged(store: Store, listener: Listener): () => void {
  let set = listeners.get(store);
  if (!set) listeners.set(store, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/** Tells this store's listeners and waits for them (a listener's failure is its own business). */
async function changed(store: Store): Promise<void> {
  const set = listeners.get(store);
  if (!set) return;
  await Promise.allSettled([...set].map(async (l) => l()));
}

// ---------------------------------------------------------------------------------------------

export interface NewWebhookEndpoint {
  url: string;
  description?: string | null;
  eventTypes?: LoyaltyEventType[];
}

/** Creates an enabled endpoint with a fresh secret; the secret is returned this once. */
export async function createWebhookEndpoint({ store, commit }: WritableStore, input: NewWebhookEndpoint, actor = 'api'): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = newWebhookSecret();
  const [row] = await commit(actor, async ({ tx, now }) =>
    tx
      .insert(tablesOf(tx).webhookEndpoints)
      .values({
        id: newId('we', now),
        url: input.url,
        description: input.description ?? null,
        eventTypes: JSON.stringify([...new Set(input.eventTypes ?? [])]),
        status: 'enabled',
        disabledReason: null,
        secrets: JSON.stringify([{ secret, expiresAt: null }] satisfies EndpointSecret[]),
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
  );
  await changed(store);
  return { endpoint: fromRow(row!), secret };
}

export async function getWebhookEndpoint(db: Db, id: string): Promise<WebhookEndpoint | null> {
  const t = tablesOf(db);
  const [row] = await db.select().from(t.webhookEndpoints).where(eq(t.webhookEndpoints.id, id));
  return row ? fromRow(row) : null;
}

/** Endpoints in creation order (ids sort by creation time), a page after `cursor`. */
export async function listWebhookEndpoints(db: Db, page: { limit: number; cursor?: string }): Promise<{ data: WebhookEndpoint[]; nextCursor: string | null }> {
  const t = tablesOf(db);
  const rows = await db
    .select()
    .from(t.webhookEndpoints)
    .where(page.cursor ? gt(t.webhookEndpoints.id, page.cursor) : undefined)
    .orderBy(asc(t.webhookEndpoints.id))
    .limit(page.limit + 1);
  const data = rows.slice(0, page.limit).map(fromRow);
  return { data, nextCursor: rows.length > page.limit ? data.at(-1)!.id : null };
}

/** Every enabled endpoint: what the router subscribes events to. */
export async function enabledWebhookEndpoints(db: Db): Promise<WebhookEndpoint[]> {
  const t = tablesOf(db);
  const rows = await db.select().from(t.webhookEndpoints).where(eq(t.webhookEndpoints.status, 'enabled')).orderBy(asc(t.webhookEndpoints.id));
  return rows.map(fromRow);
}

/**
 * Deletes an endpoint; returns what it was, or null if there was none. Deliveries already routed
 * to it are skipped when their turn comes (the adapter finds no endpoint).
 */
export async function deleteWebhookEndpoint({ store, commit }: WritableStore, id: string, actor = 'api'): Promise<WebhookEndpoint | null> {
  const [row] = await commit(actor, async ({ tx }) => {
    const t = tablesOf(tx);
    return tx.delete(t.webhookEndpoints).where(eq(t.webhookEndpoints.id, id)).returning();
  });
  if (row) await changed(store);
  return row ? fromRow(row) : null;
}

/**
 * Replaces the current secret with a new one. The replaced secret (and any earlier one still in
 * an overlap) keeps signing until `now + overlapMs` at the latest; an overlap of 0 revokes them
 * at once (a leaked secret). Expired secrets are dropped. Null when there is no such endpoint.
 */
export async function rotateWebhookSecret({ store, commit }: WritableStore, id: string, overlapMs: number, actor = 'api'): Promise<{ endpoint: WebhookEndpoint; secret: string } | null> {
  const secret = newWebhookSecret();
  const row = await commit(actor, async ({ tx, now }) => {
    const t = tablesOf(tx);
    // The update below takes the row lock first (PostgreSQL), so two concurrent rotations
    // serialize instead of one losing the other's secret list.
    const [locked] = await tx.update(t.webhookEndpoints).set({ updatedAt: now }).where(eq(t.webhookEndpoints.id, id)).returning();
    if (!locked) return null;
    const until = now + overlapMs;
    const kept = (JSON.parse(locked.secrets) as EndpointSecret[])
      .map((s) => ({ secret: s.secret, expiresAt: s.expiresAt === null ? until : Math.min(s.expiresAt, until) }))
      .filter((s) => s.expiresAt > now);
    const secrets: EndpointSecret[] = [{ secret, expiresAt: null }, ...kept];
    const [updated] = await tx.update(t.webhookEndpoints).set({ secrets: JSON.stringify(secrets) }).where(eq(t.webhookEndpoints.id, id)).returning();
    return updated!;
  });
  if (!row) return null;
  await changed(store);
  return { endpoint: fromRow(row), secret };
}

/** Stops routing events to an endpoint (a receiver's 410 Gone); false when there was none. */
export async function disableWebhookEndpoint({ store, commit }: WritableStore, id: string, reason: string): Promise<boolean> {
  const rows = await commit('webhook', async ({ tx, now }) => {
    const t = tablesOf(tx);
    return tx
      .update(t.webhookEndpoints)
      .set({ status: 'disabled', disabledReason: reason, updatedAt: now })
      .where(eq(t.webhookEndpoints.id, id))
      .returning({ id: t.webhookEndpoints.id });
  });
  if (rows.length > 0) await changed(store);
  return rows.length > 0;
}
