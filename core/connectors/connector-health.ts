/**
 * Connector health (docs/api.md, "Connectors"): each installed connector's status — enabled, or
 * the variables it lacks — with the platform's latest received webhook and its signature
 * failures, and its latest message sent and latest failed attempt. Reads only indexes: one look-up
 * per inbound connector on `inbox (source, seq)`, the one-row-per-platform `webhook_rejections`
 * and `adapter_outcomes` (core/outbox/adapter-outcomes.ts), and one grouped range read over the
 * last day's hourly counters (core/inbound/rejection-hours.ts).
 */
import { desc, eq } from 'drizzle-orm';
import { rejectionsLastDay } from '../inbound/rejection-hours.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import type { ConnectorStatus } from './definition.js';

export interface ConnectorHealth extends ConnectorStatus {
  /** The platform's latest webhook in the inbox (any outcome); null for none or an outbound-only connector. */
  lastReceived: { at: number; status: string; topic: string | null } | null;
  signatureFailures: {
    /** Failures over the current hour and the 23 before it. */
    lastDay: number;
    /** The latest failure ever counted, and the verifier's reason (cleaned, core/inbound/rejection-alerts.ts). */
    lastAt: number | null;
    lastReason: string | null;
  };
  /** The latest message it delivered, and the latest attempt that failed (null: none, or an inbound-only connector). */
  lastSent: { at: number; deliveryId: string } | null;
  lastFailed: { at: number; deliveryId: string; statusCode: number | null } | null;
}

export async function connectorHealth(db: Db, connectors: readonly ConnectorStatus[], now: number): Promise<ConnectorHealth[]> {
  const { inbox, webhookRejections, adapterOutcomes } = tablesOf(db);
  const [lastDay, rejections, outcomes, latest] = await Promise.all([
    rejectionsLastDay(db, now),
    db.select({ platform: webhookRejections.platform, at: webhookRejections.updatedAt, reason: webhookRejections.lastReason }).from(webhookRejections),
    db.select().from(adapterOutcomes),
    Promise.all(
      connectors.map(async (c) => {
        if (!c.directions.includes('inbound')) return undefined;
        const [row] = await db
          .select({ at: inbox.receivedAt, status: inbox.status, topic: inbox.topic })
          .from(inbox)
          .where(eq(inbox.source, c.name))
          .orderBy(desc(inbox.seq))
          .limit(1);
        return row;
      }),
    ),
  ]);
  const lastRejection = new Map(rejections.map((r) => [r.platform, r]));
  const outcomeOf = new Map(outcomes.map((o) => [o.adapter, o]));
  return connectors.map((c, i) => {
    const rejection = lastRejection.get(c.name);
    const sent = c.directions.includes('outbound') ? outcomeOf.get(c.name) : undefined;
    return {
      ...c,
      lastReceived: latest[i] ?? null,
      lastSent: sent?.lastDeliveredAt != null && sent.lastDeliveredId ? { at: Number(sent.lastDeliveredAt), deliveryId: sent.lastDeliveredId } : null,
      lastFailed:
        sent?.lastFailedAt != null && sent.lastFailedId
          ? { at: Number(sent.lastFailedAt), deliveryId: sent.lastFailedId, statusCode: sent.lastFailedStatus == null ? null : Number(sent.lastFailedStatus) }
          : null,
      signatureFailures: { lastDay: lastDay.get(c.name) ?? 0, lastAt: rejection?.at ?? null, lastReason: rejection?.reason ?? null },
    };
  });
}
