/**
 * Signature failures raise the loyalty event `webhook.rejected` (kind `signature`), at most one
 * per platform per 15 minutes, carrying how many failed since the previous alert. A merchant who
 * rotated a secret on the platform but not in the hub would otherwise lose every order silently;
 * a flood of forged requests must not become a flood of alerts either (docs/mappings.md,
 * `webhook.rejected`; docs/security.md).
 *
 * Nothing of the refused request is kept — no inbox row, no body — only the per-platform counter
 * in `webhook_rejections`. The counter and the alert commit in one transaction; the increment is
 * an upsert and the alert is claimed by a conditional update, so several hub processes on one
 * PostgreSQL database neither lose counts nor both alert in one window: the upsert locks the
 * platform's row until commit, and the claim only succeeds where no alert was sent within the
 * window.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Commit } from '../commit/commit.js';
import { alertDue, firstOccurrence } from '../outbox/alert-window.js';
import { tablesOf } from '../storage/prepared.js';
import { countRejectionHour } from './rejection-hours.js';

/** At most one alert per platform in this window. */
export const REJECTION_ALERT_WINDOW_MS = 15 * 60 * 1000;

const MAX_REASON_LENGTH = 200;

/**
 * The verifier's reason, safe to store and to send to a merchant's channels: query strings are
 * cut from any URL it quotes (Salesforce's endpoint carries its secret as `?secret=`), control
 * characters are dropped, and it is capped in length. Verifiers never quote a secret or the body.
 */
export function safeReason(reason: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = reason.replace(/(https?:\/\/[^\s?#]*)[?#]\S*/gi, '$1').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return cleaned.length > MAX_REASON_LENGTH ? `${cleaned.slice(0, MAX_REASON_LENGTH - 1)}…` : cleaned || 'invalid signature';
}

export interface RejectionCount {
  /** Failures counted since the previous alert, this one included. */
  count: number;
  /** Whether this failure raised the alert (and reset the count). */
  alerted: boolean;
}

/** Counts one signature failure of `platform` and, when the window allows, emits the alert. */
export async function recordSignatureFailure(commit: Commit, platform: string, reason: string): Promise<RejectionCount> {
  const safe = safeReason(reason);
  return commit(platform, async (writer) => {
    const { tx, now } = writer;
    const { webhookRejections: w } = tablesOf(tx);
    const [counted] = await tx
      .insert(w)
      .values({ platform, count: 1, since: now, lastReason: safe, lastAlertAt: null, updatedAt: now })
      .onConflictDoUpdate({
        target: w.platform,
        set: {
          count: sql`${w.count} + 1`,
          since: firstOccurrence(w.count, w.since),
          lastReason: sql`excluded.last_reason`,
          updatedAt: sql`excluded.updated_at`,
        },
      })
      .returning({ count: w.count, since: w.since });
    if (!counted) throw new Error('webhook_rejections upsert returned no row');
    await countRejectionHour(tx, platform, now);

    // Claims the alert only if none was sent within the window; resets the count it reports.
    const claimed = await tx
      .update(w)
      .set({ count: 0, since: null, lastAlertAt: now })
      .where(and(eq(w.platform, platform), alertDue(w.lastAlertAt, now, REJECTION_ALERT_WINDOW_MS)))
      .returning({ platform: w.platform });
    if (claimed.length === 0) return { count: counted.count, alerted: false };

    await writer.emit({
      type: 'webhook.rejected',
      memberId: null,
      data: {
        platform,
        kind: 'signature',
        count: counted.count,
        since: new Date(counted.since ?? now).toISOString(),
        reason: safe,
      },
    });
    return { count: counted.count, alerted: true };
  });
}
