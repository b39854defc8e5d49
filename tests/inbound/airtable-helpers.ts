/**
 * Airtable as the webhook tests see it: the configuration of a merchant's purchases table, pings
 * signed as Airtable signs them (X-Airtable-Content-MAC over the raw body with the decoded MAC
 * secret), and a stand-in for the "list webhook payloads" endpoint that numbers its payloads
 * and pages them the way Airtable documents (tests/fixtures/platform-samples/airtable/README.md).
 */
import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';
import { createHmac } from 'node:crypto';
import { sample, sampleText, type Json } from './webhook-helpers.js';

export const AIRTABLE_API = 'http://airtable.test';
/** The ids of Airtable's own ping example. */
export const BASE = 'app00000000000000';
export const WEBHOOK = 'ach00000000000000';
export const MAC_SECRET = Buffer.from('airtable webhook mac secret, 32b').toString('base64');
export const TABLE = 'tblPurchases00001';
export const FIELDS = {
  orderId: 'fldOrderId0000001',
  amount: 'fldAmount00000001',
  currency: 'fldCurrency000001',
  email: 'fldEmail000000001',
  customerId: 'fldCustomer000001',
};
export const AIRTABLE_ENV = {
  AIRTABLE_TOKEN: 'patWebhookTest01.0123456789abcdef',
  AIRTABLE_BASE_ID: BASE,
  AIRTABLE_WEBHOOK_MAC_SECRET: MAC_SECRET,
  AIRTABLE_WEBHOOK_ID: WEBHOOK,
  AIRTABLE_API_URL: AIRTABLE_API,
  AIRTABLE_PURCHASES_TABLE: TABLE,
  AIRTABLE_ORDER_ID_FIELD: FIELDS.orderId,
  AIRTABLE_AMOUNT_FIELD: FIELDS.amount,
  AIRTABLE_CURRENCY_FIELD: FIELDS.currency,
  AIRTABLE_EMAIL_FIELD: FIELDS.email,
  AIRTABLE_CUSTOMER_ID_FIELD: FIELDS.customerId,
};

let pings = 0;
/** What Airtable sends in X-Airtable-Content-MAC: `hmac-sha256=` + the hex HMAC-SHA256 of the body, keyed with the decoded `macSecretBase64`. */
export function contentMac(macSecretBase64: string, body: string): string {
  return 'hmac-sha256=' + createHmac('sha256', Buffer.from(macSecretBase64, 'base64')).update(body).digest('hex');
}

/** Airtable's ping example (its exact bytes), with a time of its own so each ping is a new delivery. */
export function pingBody(): string {
  pings++;
  return sampleText('airtable', 'ping').replace('2022-02-01T21:25:05.663Z', new Date(Date.UTC(2026, 0, 1) + pings * 1000).toISOString());
}

export function pingRequest(body = pingBody(), options: { secret?: string; header?: string | null; tamperedBody?: string } = {}): RequestInit {
  const mac = options.header !== undefined ? options.header : contentMac(options.secret ?? MAC_SECRET, body);
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Airtable Webhooks', ...(mac === null ? {} : { 'x-airtable-content-mac': mac }) },
    body: options.tamperedBody ?? body,
  };
}

/** A purchase row: cells by field id, as a created record of the payload format has them. */
export function purchaseRow(cells: { orderId?: unknown; amount?: unknown; currency?: unknown; email?: unknown; customerId?: unknown }): Json {
  const created = (sample('airtable', 'table-changed').createdRecordsById as Record<string, Json>).rec00000000000000!;
  const byField: Json = {};
  for (const [name, value] of Object.entries(cells)) byField[FIELDS[name as keyof typeof FIELDS]] = value;
  return { ...created, cellValuesByFieldId: byField };
}

/** One payload (Airtable's example, with its number) creating these records in `table`. */
export function payloadCreating(records: Record<string, Json>, table = TABLE): Json {
  const example = (sample('airtable', 'list-webhook-payloads').payloads as Json[])[0]!;
  return { ...example, changedTablesById: { [table]: { createdRecordsById: records } } };
}

export interface FakeAirtable {
  /** Appends payloads; each gets the next transaction number. */
  add(...payloads: Json[]): void;
  /** The cursor of every list request, in order. */
  reads: number[];
  /** Make the next list requests answer this instead. */
  fail(answer: (() => Response) | undefined): void;
  refreshes: number;
}

/** Airtable's payload list of the webhook: from `cursor`, at most `limit` (50), `mightHaveMore` when there are more. */
export function fakeAirtable(server: SetupServer): FakeAirtable {
  const stored: Json[] = [];
  let failure: (() => Response) | undefined;
  const fake: FakeAirtable = {
    add: (...payloads) => {
      for (const p of payloads) stored.push({ ...p, baseTransactionNumber: stored.length + 1 });
    },
    reads: [],
    fail: (answer) => void (failure = answer),
    refreshes: 0,
  };
  server.use(
    http.get(`${AIRTABLE_API}/v0/bases/${BASE}/webhooks/${WEBHOOK}/payloads`, ({ request }) => {
      if (request.headers.get('authorization') !== `Bearer ${AIRTABLE_ENV.AIRTABLE_TOKEN}`) return HttpResponse.json({ error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' } }, { status: 401 });
      const url = new URL(request.url);
      const cursor = Number(url.searchParams.get('cursor') ?? '1');
      const limit = Math.min(Number(url.searchParams.get('limit') ?? '50'), 50);
      fake.reads.push(cursor);
      if (failure) return failure();
      const page = stored.slice(cursor - 1, cursor - 1 + limit);
      return HttpResponse.json({ payloads: page, cursor: cursor + page.length, mightHaveMore: cursor - 1 + page.length < stored.length });
    }),
    http.post(`${AIRTABLE_API}/v0/bases/${BASE}/webhooks/${WEBHOOK}/refresh`, () => {
      fake.refreshes++;
      return HttpResponse.json(sample('airtable', 'refresh-webhook'));
    }),
  );
  return fake;
}
