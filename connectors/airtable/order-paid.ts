/**
 * A new row of the merchant's purchases table → `order.paid` (docs/connectors/airtable.md,
 * "Which rows earn"). Which table and which columns are the merchant's choice, declared by field
 * id (payloads name cells by field id only): order id and amount required, the currency from a
 * column or one fixed for the base, the customer's e-mail and an optional customer id.
 *
 * The order id is the row's own: however many pings announce a row, and however often its
 * payload is read, it earns once (core/triggers/order-identity.ts).
 */
import { MoneyError, normalizeCurrency, toMinorUnits } from '../../core/triggers/money.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { findUnsafeText } from '../../core/triggers/unsafe-text.js';
import type { CreatedRecord } from './schemas.js';

export interface PurchaseColumns {
  tableId: string;
  orderIdField: string;
  amountField: string;
  /** The currency column; else `currency`, one currency for every row. */
  currencyField?: string;
  currency?: string;
  emailField?: string;
  customerIdField?: string;
}

const TABLE_ID = /^tbl[A-Za-z0-9]{14}$/;
const FIELD_ID = /^fld[A-Za-z0-9]{14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The purchase columns from the environment; undefined when no purchases table is named. Throws at start on a malformed one. */
export function purchaseColumns(env: Record<string, string | undefined>): PurchaseColumns | undefined {
  const get = (name: string) => env[name]?.trim() || undefined;
  const tableId = get('AIRTABLE_PURCHASES_TABLE');
  if (!tableId) return undefined;
  const need = (name: string, value: string | undefined, shape: RegExp, what: string): string => {
    if (!value || !shape.test(value)) throw new Error(`airtable: ${name} must be ${what} (${value ? `got "${value}"` : 'not set'}): see docs/connectors/airtable.md`);
    return value;
  };
  const optional = (name: string) => {
    const value = get(name);
    return value === undefined ? undefined : need(name, value, FIELD_ID, 'a field id like fldXXXXXXXXXXXXXX');
  };
  const columns: PurchaseColumns = {
    tableId: need('AIRTABLE_PURCHASES_TABLE', tableId, TABLE_ID, 'a table id like tblXXXXXXXXXXXXXX'),
    orderIdField: need('AIRTABLE_ORDER_ID_FIELD', get('AIRTABLE_ORDER_ID_FIELD'), FIELD_ID, 'a field id like fldXXXXXXXXXXXXXX'),
    amountField: need('AIRTABLE_AMOUNT_FIELD', get('AIRTABLE_AMOUNT_FIELD'), FIELD_ID, 'a field id like fldXXXXXXXXXXXXXX'),
    currencyField: optional('AIRTABLE_CURRENCY_FIELD'),
    emailField: optional('AIRTABLE_EMAIL_FIELD'),
    customerIdField: optional('AIRTABLE_CUSTOMER_ID_FIELD'),
  };
  const currency = get('AIRTABLE_CURRENCY');
  if (currency) {
    try {
      columns.currency = normalizeCurrency(currency);
    } catch (error) {
      throw new Error(`airtable: AIRTABLE_CURRENCY: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!columns.currencyField && !columns.currency) throw new Error('airtable: set AIRTABLE_CURRENCY_FIELD or AIRTABLE_CURRENCY: the purchases need a currency');
  return columns;
}

export type RowOutcome = { event: PlatformTrigger } | { skipped: string };

/**
 * One created record → its `order.paid`, or why it earns nothing. A row without an order id or an
 * amount is not a purchase (yet); one whose amount or currency cannot be read is skipped with
 * the reason, so one mistyped row never holds back the rows after it.
 */
export function purchaseOfRecord(columns: PurchaseColumns, recordId: string, record: CreatedRecord, fallbackTime: number): RowOutcome {
  const cells = record.cellValuesByFieldId ?? {};
  const orderId = cellText(cells[columns.orderIdField]);
  if (!orderId) return { skipped: `${recordId}: no order id` };
  const amountCell = cellAmount(cells[columns.amountField]);
  if (amountCell === undefined) return { skipped: `${recordId}: no amount` };
  const currencyText = columns.currencyField ? (cellText(cells[columns.currencyField]) ?? columns.currency) : columns.currency;
  if (!currencyText) return { skipped: `${recordId}: no currency` };
  let currency: string;
  let amount: number;
  try {
    currency = normalizeCurrency(currencyText);
    amount = toMinorUnits(amountCell, currency);
  } catch (error) {
    if (error instanceof MoneyError) return { skipped: `${recordId}: ${error.message}` };
    throw error;
  }
  if (amount < 0) return { skipped: `${recordId}: a negative amount is not a purchase` };
  // An e-mail cell holding something else (a name, "n/a") is no address to match a member by.
  const emailText = columns.emailField ? cellText(cells[columns.emailField]) : undefined;
  const email = emailText && EMAIL.test(emailText) ? emailText : undefined;
  const customerId = columns.customerIdField ? cellText(cells[columns.customerIdField]) : undefined;
  const created = record.createdTime ? Date.parse(record.createdTime) : Number.NaN;
  const event: PlatformTrigger = {
    type: 'order.paid',
    source: 'airtable',
    occurredAt: Number.isFinite(created) ? created : fallbackTime,
    ...(email || customerId ? { customer: { ...(customerId ? { platformId: customerId } : {}), ...(email ? { email } : {}) } } : {}),
    order: { id: orderId, channel: 'airtable', currency, amount, discountCodes: [], lineItems: [] },
    attributes: { airtableRecordId: recordId },
  };
  // Text the hub refuses (control characters, …) would refuse the whole batch (docs/security.md):
  // only this row is skipped, saying which cell without echoing it.
  const unsafe = findUnsafeText(event)[0];
  if (unsafe) return { skipped: `${recordId}: ${unsafe.path.join('.')} ${unsafe.message}` };
  return { event };
}

/**
 * Text of a cell in the V2 cell value format: a text or e-mail cell is a string, a number or
 * autonumber a number, a single select `{ id, name, color }`, a lookup an array (one value taken).
 */
function cellText(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? cellText(value[0]) : undefined;
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') return cellText((value as { name: string }).name);
  return undefined;
}

/** A number, currency or text cell: kept as written, converted digit by digit later. */
function cellAmount(value: unknown): string | number | undefined {
  if (Array.isArray(value)) return value.length === 1 ? cellAmount(value[0]) : undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() || undefined;
  return undefined;
}
