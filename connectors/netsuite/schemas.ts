import { z } from 'zod';
import { textOf } from '../../core/connectors/payload.js';
import { listOf, optionalAmount as amount, optionalCurrency as currency, optionalText as text } from '../../core/connectors/payload-fields.js';

/**
 * What the hub's user-event script posts (suitescript/loyalty_hub_ue.js): a transaction's body
 * fields and `item` lines under their NetSuite internal ids (the SuiteScript Records Browser's
 * names), amounts as decimal text, dates as ISO 8601, select fields as internal ids. The body is
 * ours — NetSuite publishes no webhook payload — so it is read strictly where it matters and
 * loosely elsewhere (a newer script may add fields). What is required is decided by the files that
 * read it (order-paid.ts, refund.ts), each naming a missing field by its JSON pointer.
 */

/** A NetSuite internal id: a positive whole number, as text (JSON numbers are accepted too). */
const internalId = z
  .union([z.string(), z.number().int().positive()])
  .nullish()
  .transform((v) => {
    const digits = typeof v === 'number' ? String(v) : textOf(v);
    return digits !== undefined && /^[1-9]\d{0,18}$/.test(digits) ? digits : undefined;
  });

/** ISO 8601 (what the script writes for a Date field) → epoch ms; unreadable → undefined. */
const isoDate = text.transform((v) => {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
});

/** The transaction's body fields the hub reads. */
const bodyFields = z.looseObject({
  tranid: text,
  entity: internalId,
  email: text,
  /** The transaction currency's ISO 4217 code (the currency record's symbol). */
  currencysymbol: currency,
  location: internalId,
  /** After discounts, with tax, shipping and handling. */
  total: amount,
  taxtotal: amount,
  /** Canada's second tax (PST), where the account has it. */
  tax2total: amount,
  shippingcost: amount,
  handlingcost: amount,
  /** `paidInFull` for a paid invoice; `open`, `pendingApproval`, … otherwise. */
  statusRef: text,
  /** The sale a credit memo or cash refund was created from. */
  createdfrom: internalId,
  lastmodifieddate: isoDate,
  trandate: isoDate,
});

const itemLine = z.looseObject({
  line: text,
  item: internalId,
  /** `InvtPart`, `NonInvtPart`, `Service`, `Kit`, … and the lines that are not goods (`Subtotal`, `Discount`, …). */
  itemtype: text,
  quantity: amount,
  rate: amount,
  amount,
});

export type NetSuiteItemLine = z.output<typeof itemLine>;

export const transactionSchema = z.looseObject({
  /** `cashsale`, `invoice`, `creditmemo`, `cashrefund` (record.Type values). */
  recordType: text.transform((v) => v?.toLowerCase()),
  id: internalId,
  fields: bodyFields,
  item: listOf(itemLine),
});

export type NetSuiteTransaction = z.output<typeof transactionSchema>;
