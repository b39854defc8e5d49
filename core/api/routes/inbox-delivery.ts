/**
 * One received webhook and what the console's inbox needs beside the list (docs/api.md, "Inbox"):
 *
 * - `GET /v1/inbox/signature-failures` — refused deliveries (bad or missing signature): nothing of
 *   them is stored but a counter per platform and the last reason (core/inbound/rejection-alerts.ts);
 * - `GET /v1/inbox/{id}` — one delivery, as the list shows it;
 * - `GET /v1/inbox/{id}/explanation` — what came of each event and why, in plain words
 *   (core/inbound/explain-delivery.ts);
 * - `POST /v1/inbox/{id}/replay` — run it again, as `loyalty-hub replay --id` does
 *   (core/inbound/replay-delivery.ts): idempotent, nothing earns twice.
 *
 * Read scope, like the list (the raw body for an admin key only: ./inbox.ts); the replay is admin.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { asc, eq } from 'drizzle-orm';
import type { InboundHandler } from '../../connectors/definition.js';
import { explainDelivery } from '../../inbound/explain-delivery.js';
import type { EvaluationTrace } from '../../inbound/evaluation-trace.js';
import type { InboxRow } from '../../inbound/inbox.js';
import { pointsWritten, replayDelivery } from '../../inbound/replay-delivery.js';
import type { Logger } from '../../observability/logger.js';
import { tablesOf } from '../../storage/prepared.js';
import type { Db } from '../../storage/store.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { ProblemError } from '../problem.js';
import { EvaluationFields, IdempotencyHeader, KeyOnlyBody, errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';
import { InboxEntry, present, seesRawBody } from './inbox.js';

export interface InboxDeliveryDeps extends ApiDeps {
  /** The enabled inbound connectors' handlers: a replay normalizes with the one configured now. */
  inbound: Map<string, InboundHandler>;
  logger: Logger;
  publicUrl?: string;
}

const Id = z.object({ id: z.string().min(1).max(100).openapi({ example: 'ibx_01JD8Q3ZV6A1B2C3D4E5F6G7H8' }) });

const SignatureFailures = z
  .object({
    data: z.array(
      z.object({
        platform: z.string(),
        lastReason: z.string().nullable().openapi({ description: "The verifier's reason for the latest refusal (query strings cut, no secret, no body)." }),
        lastFailureAt: z.string(),
        unalertedCount: z.number().int().openapi({ description: 'Failures since the last `webhook.rejected` alert (at most one per platform per 15 minutes).' }),
        unalertedSince: z.string().nullable(),
        lastAlertAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('SignatureFailures');

const Trace = z.object({ ...EvaluationFields, suspended: z.boolean() });

const Explanation = z
  .object({
    inboxId: z.string(),
    status: z.string(),
    summary: z.string().openapi({ description: 'The delivery in one sentence: accepted with N points, ignored, rejected or failed and why.' }),
    events: z.array(
      z.object({
        eventId: z.string(),
        type: z.string(),
        status: z.enum(['applied', 'duplicate', 'guest', 'parked']).nullable(),
        memberId: z.string().nullable(),
        points: z.number().int(),
        summary: z.array(z.string()).openapi({ description: 'Why it earned what it earned, in plain words.' }),
        trace: Trace.nullable(),
        traceFrom: z.enum(['delivery', 'now']).nullable().openapi({ description: '`delivery`: the trace of the evaluation that applied the event; `now`: evaluated now (a delivery from before traces were kept, or what a waiting guest order would earn).' }),
        guest: z.object({ email: z.string().nullable(), creditUntil: z.string().nullable(), creditedTo: z.string().nullable() }).nullable(),
        ledger: z.array(
          z.object({ transferId: z.string(), kind: z.string(), amount: z.number().int(), ruleId: z.string().nullable(), pending: z.boolean(), reason: z.string().nullable(), at: z.string() }),
        ),
      }),
    ),
  })
  .openapi('InboxExplanation');

const ReplayResult = z
  .object({
    inboxId: z.string(),
    status: z.enum(['accepted', 'duplicate', 'ignored', 'rejected']),
    pointsWritten: z.number().int().openapi({ description: 'Points this replay wrote; an event applied before is a duplicate and writes none.' }),
    outcomes: z.array(z.record(z.string(), z.unknown())),
    detail: z.string().optional(),
  })
  .openapi('InboxReplay');

const signatureFailures = createRoute({
  method: 'get',
  path: '/inbox/signature-failures',
  tags: ['Inbox'],
  summary: 'Webhooks refused for their signature, per platform: the last reason and when',
  middleware: [requireScope('read')] as const,
  responses: { 200: { content: { 'application/json': { schema: SignatureFailures } }, description: 'One row per platform that ever refused one' } },
});

const read = createRoute({
  method: 'get',
  path: '/inbox/{id}',
  tags: ['Inbox'],
  summary: 'One received webhook delivery',
  middleware: [requireScope('read')] as const,
  request: { params: Id },
  responses: { 200: { content: { 'application/json': { schema: InboxEntry } }, description: 'The delivery' }, ...errorResponses(404) },
});

const explanation = createRoute({
  method: 'get',
  path: '/inbox/{id}/explanation',
  tags: ['Inbox'],
  summary: 'Why a delivery earned what it earned: rules applied and not, caps, holds, guest orders',
  middleware: [requireScope('read')] as const,
  request: { params: Id },
  responses: { 200: { content: { 'application/json': { schema: Explanation } }, description: 'The explanation' }, ...errorResponses(404) },
});

const replay = createRoute({
  method: 'post',
  path: '/inbox/{id}/replay',
  tags: ['Inbox'],
  summary: 'Run a stored delivery again with the connector and program as they are now; idempotent',
  middleware: [requireScope('admin')] as const,
  request: { params: Id, headers: IdempotencyHeader, body: KeyOnlyBody },
  responses: {
    200: { content: { 'application/json': { schema: ReplayResult } }, description: 'What the replay did' },
    ...errorResponses(404, 409),
    503: { content: { 'application/problem+json': { schema: z.object({}).passthrough() } }, description: 'The connector could not process it now; try again' },
  },
});

async function findEntry(db: Db, id: string): Promise<InboxRow> {
  const { inbox } = tablesOf(db);
  const [row] = await db.select().from(inbox).where(eq(inbox.id, id));
  if (!row) throw new ProblemError(404, 'inbox-entry-not-found', 'Delivery not found', `No received delivery ${id}.`);
  return row;
}

const REFUSALS = {
  erased: 'Delivery erased',
  processing: 'Delivery being processed',
  'connector-not-configured': 'Connector not configured',
} as const;

export function inboxDeliveryRoutes(deps: InboxDeliveryDeps) {
  const { store, program, clock, commit, logger } = deps;
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  // Before /inbox/{id}: a platform is a handful of rows, never paged.
  app.openapi(signatureFailures, async (c) => {
    const { webhookRejections: w } = tablesOf(store.db);
    const rows = await store.db.select().from(w).orderBy(asc(w.platform));
    return c.json(
      {
        data: rows.map((r) => ({
          platform: r.platform,
          lastReason: r.lastReason,
          lastFailureAt: iso(r.updatedAt)!,
          unalertedCount: r.count,
          unalertedSince: iso(r.since),
          lastAlertAt: iso(r.lastAlertAt),
        })),
      },
      200,
    );
  });

  app.openapi(read, async (c) => c.json(present(await findEntry(store.db, c.req.valid('param').id), seesRawBody(c.get('principal').scopes)), 200));

  app.openapi(explanation, async (c) => {
    const e = await explainDelivery(store.db, program, clock(), await findEntry(store.db, c.req.valid('param').id));
    return c.json(
      {
        ...e,
        events: e.events.map((v) => ({
          ...v,
          trace: v.trace ? presentTrace(v.trace) : null,
          guest: v.guest ? { ...v.guest, creditUntil: iso(v.guest.creditUntil) } : null,
          ledger: v.ledger.map((l) => ({ ...l, at: iso(l.at)! })),
        })),
      },
      200,
    );
  });

  app.openapi(replay, async (c) => {
    const row = await findEntry(store.db, c.req.valid('param').id);
    const result = await replayDelivery({ commit, program, logger }, row, deps.inbound.get(row.source), deps.publicUrl);
    if ('refused' in result) throw new ProblemError(409, result.refused === 'erased' ? 'delivery-erased' : result.refused === 'processing' ? 'delivery-processing' : 'connector-not-configured', REFUSALS[result.refused], `Not replayed: ${result.detail}.`);
    if (result.status === 'failed') throw new ProblemError(503, 'temporarily-unavailable', 'Try again', `Not replayed now: ${result.detail}`);
    return c.json(
      {
        inboxId: row.id,
        status: result.status,
        pointsWritten: pointsWritten(result),
        outcomes: 'outcomes' in result ? (result.outcomes as unknown as Record<string, unknown>[]) : [],
        ...('detail' in result ? { detail: result.detail } : 'reason' in result ? { detail: result.reason } : {}),
      },
      200,
    );
  });

  return app;
}

function presentTrace(t: EvaluationTrace) {
  return {
    ...t,
    lines: t.lines.map((l) => ({ ...l, activatesAt: iso(l.activatesAt)!, expiresAt: iso(l.expiresAt) })),
    held: t.held ? { reason: t.held.reason, until: iso(t.held.until)! } : null,
  };
}
