/**
 * zod schemas of exactly what the connector reads (docs/adding-a-connector.md, "The files of an
 * inbound connector"), from Airtable's documented shapes (tests/fixtures/platform-samples/airtable/README.md):
 * the ping, and the answer of "list webhook payloads" down to the created records of a table.
 * Loose objects: Airtable adds keys without notice and says so.
 */
import { z } from 'zod';

const id = z.string().trim().min(1);

/** `{ base: { id }, webhook: { id }, timestamp }` — the whole ping. */
export const pingSchema = z.looseObject({
  base: z.looseObject({ id }),
  webhook: z.looseObject({ id }),
  timestamp: z.string(),
});
export type Ping = z.output<typeof pingSchema>;

/** A created record: its cells keyed by field id, in the V2 cell value format. */
const createdRecord = z.looseObject({
  cellValuesByFieldId: z.record(z.string(), z.unknown()).optional(),
  createdTime: z.string().optional(),
});
export type CreatedRecord = z.output<typeof createdRecord>;

const tableChanged = z.looseObject({
  createdRecordsById: z.record(z.string(), createdRecord).optional(),
});

const payload = z.looseObject({
  timestamp: z.string().optional(),
  baseTransactionNumber: z.number().optional(),
  changedTablesById: z.record(z.string(), tableChanged).optional(),
});
export type WebhookPayload = z.output<typeof payload>;

/** `{ payloads, cursor, mightHaveMore }`; the cursor is the transaction number to read from next. */
export const payloadListSchema = z.looseObject({
  payloads: z.array(payload),
  cursor: z.number().int().positive(),
  mightHaveMore: z.boolean(),
});
export type PayloadList = z.output<typeof payloadListSchema>;
