import { z } from 'zod';
import { listOf, optionalAmount, optionalText } from '../../core/connectors/payload-fields.js';

/**
 * The fields of QuickBooks Online Accounting API entities the connector reads, as
 * `GET /v3/company/{realmId}/{entity}/{id}` answers them (`{ "Invoice": { … }, "time": … }`).
 * Amounts are JSON numbers in the transaction's currency (`362.07`); they become minor units
 * through `minorUnitsAt` only, never as floats.
 */
const ref = z.looseObject({ value: optionalText }).nullish();

const linkedTxn = z.looseObject({ TxnId: optionalText, TxnType: optionalText });

const salesLine = z.looseObject({
  Id: optionalText,
  Amount: optionalAmount,
  DetailType: optionalText,
  SalesItemLineDetail: z
    .looseObject({
      ItemRef: ref,
      Qty: z.number().nullish(),
      UnitPrice: optionalAmount,
    })
    .nullish(),
});

/** Invoice, SalesReceipt, RefundReceipt and CreditMemo: a sales form with lines, tax and a customer. */
export const salesTransactionSchema = z.looseObject({
  Id: z.string().trim().min(1),
  TotalAmt: optionalAmount,
  /** What is still owed; 0 once an invoice is paid in full. */
  Balance: optionalAmount,
  CurrencyRef: ref,
  CustomerRef: ref,
  BillEmail: z.looseObject({ Address: optionalText }).nullish(),
  TxnTaxDetail: z.looseObject({ TotalTax: optionalAmount }).nullish(),
  LinkedTxn: listOf(linkedTxn),
  Line: listOf(salesLine),
  PrivateNote: optionalText,
  DocNumber: optionalText,
});

export const paymentSchema = z.looseObject({
  Id: z.string().trim().min(1),
  TotalAmt: optionalAmount,
  CustomerRef: ref,
  Line: listOf(z.looseObject({ Amount: optionalAmount, LinkedTxn: listOf(linkedTxn) })),
});

export const customerSchema = z.looseObject({
  Id: z.string().trim().min(1),
  PrimaryEmailAddr: z.looseObject({ Address: optionalText }).nullish(),
  GivenName: optionalText,
  FamilyName: optionalText,
  PrimaryPhone: z.looseObject({ FreeFormNumber: optionalText }).nullish(),
});

export const preferencesSchema = z.looseObject({
  CurrencyPrefs: z.looseObject({ HomeCurrency: ref }).nullish(),
});

export type SalesTransaction = z.output<typeof salesTransactionSchema>;
export type QuickBooksPayment = z.output<typeof paymentSchema>;
export type QuickBooksCustomer = z.output<typeof customerSchema>;
