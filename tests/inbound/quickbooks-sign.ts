/**
 * QuickBooks Online notifications as Intuit sends them: `intuit-signature` = base64
 * HMAC-SHA256 of the raw body under the app's Verifier Token (the scheme Intuit's .NET SDK
 * verifies; its own test vector is checked in tests/connectors/quickbooks-inbound.test.ts),
 * in the legacy envelope or the CloudEvents one, built from Intuit's samples
 * (tests/fixtures/platform-samples/quickbooks).
 */
import { createHmac } from 'node:crypto';
import type { Signing } from './sign.js';
import { sample, type Json } from './webhook-helpers.js';

export const QUICKBOOKS_VERIFIER = 'a4a06b34-6c2f-4b8e-9b4d-loyalty-hub';
export const REALM = '9341455322581846';

export interface EntityChangeSpec {
  name: string;
  id: string;
  operation?: string;
  lastUpdated?: string;
  realmId?: string;
}

/** notification_legacy.json with these entities (grouped by realm, as Intuit groups them). */
export function legacyNotification(...entities: EntityChangeSpec[]): Json {
  const base = sample('quickbooks', 'notification_legacy') as { eventNotifications: Json[] };
  const realms = [...new Set(entities.map((e) => e.realmId ?? REALM))];
  return {
    ...base,
    eventNotifications: realms.map((realmId) => ({
      ...base.eventNotifications[0],
      realmId,
      dataChangeEvent: {
        entities: entities
          .filter((e) => (e.realmId ?? REALM) === realmId)
          .map((e) => ({ name: e.name, id: e.id, operation: e.operation ?? 'Update', lastUpdated: e.lastUpdated ?? new Date().toISOString() })),
      },
    })),
  };
}

let cloudEvents = 0;

/** notification_cloudevents.json with one event per change (`qbo.invoice.updated.v1`, …). */
export function cloudEventsNotification(...entities: EntityChangeSpec[]): Json[] {
  const [base] = sample('quickbooks', 'notification_cloudevents') as unknown as Json[];
  return entities.map((e) => ({
    ...base,
    id: `88cd52aa-33b6-4351-9aa4-${String(++cloudEvents).padStart(12, '0')}`,
    type: `qbo.${e.name.toLowerCase()}.${PAST[e.operation ?? 'Update']}.v1`,
    time: e.lastUpdated ?? new Date().toISOString(),
    intuitentityid: e.id,
    intuitaccountid: e.realmId ?? REALM,
  }));
}

const PAST: Record<string, string> = { Create: 'created', Update: 'updated', Delete: 'deleted', Void: 'voided', Merge: 'merged', Emailed: 'emailed' };

export function intuitSignature(body: string, verifierToken = QUICKBOOKS_VERIFIER): string {
  return createHmac('sha256', verifierToken).update(body).digest('base64');
}

/** `POST /webhooks/quickbooks` as Intuit sends it. */
export function quickbooksDelivery(payload: Json | Json[] | string, signing: Signing = {}): RequestInit {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    method: 'POST',
    body: signing.tamperedBody ?? body,
    headers: {
      'content-type': 'application/json',
      ...(signing.omitSignature ? {} : { 'intuit-signature': intuitSignature(body, signing.secret) }),
    },
  };
}
