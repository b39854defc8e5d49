import { InboundPayloadError } from '../../core/connectors/definition.js';
import { currencyOf, minorUnitsAt } from '../../core/connectors/payload.js';
import type { ChangeContext } from './change.js';
import type { SalesTransaction } from './schemas.js';

/**
 * A transaction's currency: its `CurrencyRef` (multicurrency companies), else the company's home
 * currency from Preferences (looked up once per realm and process).
 */
export async function transactionCurrency(realmId: string, entity: string, txn: SalesTransaction, ctx: ChangeContext): Promise<string> {
  const named = txn.CurrencyRef?.value;
  const code = named ?? (await ctx.api.homeCurrency(realmId));
  const currency = currencyOf(code);
  if (!currency) {
    const pointer = named ? `/${entity}/CurrencyRef/value` : '/Preferences/CurrencyPrefs/HomeCurrency/value';
    throw new InboundPayloadError(`QuickBooks ${entity} ${txn.Id} has no ISO 4217 currency`, [{ pointer, detail: 'expected a three-letter ISO 4217 code' }]);
  }
  return currency;
}

/** `TotalAmt` in minor units: the whole charge, tax included. */
export function totalOf(entity: string, txn: SalesTransaction, currency: string): number {
  return minorUnitsAt(txn.TotalAmt, currency, `/${entity}/TotalAmt`);
}
