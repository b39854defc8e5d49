/**
 * Connector health (docs/api.md, "Connectors"): each installed connector's status — enabled, or
 * the variables it lacks — with the platform's latest received webhook and its signature
 * failures. Reads only indexes: one look-up per inbound connector on `inbox (source, seq)`, the
 * one-row-per-platform `webhook_rejections`, and one grouped range read over the last day's
 * hourly counters (core/inbound/rejection-hours.ts).
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
}

export async function connectorHealth(db: Db, connectors: readonly ConnectorStatus[], now: number): Promise<ConnectorHealth[]> {
  const { inbox, webhookRejections } = tablesOf(db);
  const [lastDay, rejections, latest] = await Promise.all([
    rejectionsLastDay(db, now),
    db.select({ platform: webhookRejections.platform, at: webhookRejections.updatedAt, reason: webhookRejections.lastReason }).from(webhookRejections),
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
  return connectors.map((c, i) => {
    const rejection = lastRejection.get(c.name);
    return {
      ...c,
      lastReceived: latest[i] ?? null,
      signatureFailures: { lastDay: lastDay.get(c.name) ?? 0, lastAt: rejection?.at ?? null, lastReason: rejection?.reason ?? null },
    };
  });
}
