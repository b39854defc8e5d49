import { jsonObjectBody, topLevelText } from '../../core/connectors/body.js';
import type { InboundHandler, NormalizeResult } from '../../core/connectors/definition.js';
import { hmacVerifier } from '../../core/connectors/hmac-signature.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import { accountVerifier } from './account.js';
import { orderPaidEvent } from './order-paid.js';
import { refundEvent } from './refund.js';
import { transactionSchema, type NetSuiteTransaction } from './schemas.js';
import { NETSUITE_SIGNATURE } from './signature.js';

export interface NetSuiteInboundOptions {
  /** NETSUITE_WEBHOOK_SECRET: the value of the API Secret the script signs with. */
  secret: string;
  /** NETSUITE_ACCOUNT_ID: the only account whose deliveries are accepted. */
  accountId: string | undefined;
}

/**
 * The script sends whole transactions, so there is no API look-up: everything is in the signed
 * body (docs/connectors/netsuite.md). The delivery id is the script's
 * `<record type>:<internal id>:<last modified>`, one per saved state.
 */
export function createNetSuiteInbound(options: NetSuiteInboundOptions): InboundHandler {
  const signed = hmacVerifier(NETSUITE_SIGNATURE, options.secret);
  const fromAccount = accountVerifier(options.accountId);
  return {
    verify: (request) => {
      const signature = signed(request);
      return signature.ok ? fromAccount(request) : signature;
    },
    deliveryId: (request) => topLevelText(request, 'deliveryId'),
    topic: (request) => topLevelText(request, 'recordType'),
    normalize: async (request) => eventsOf(parseWithSchema(transactionSchema, jsonObjectBody(request), '', 'NetSuite transaction')),
  };
}

function eventsOf(transaction: NetSuiteTransaction): NormalizeResult {
  switch (transaction.recordType) {
    case 'cashsale':
      return { status: 'events', events: [orderPaidEvent(transaction)] };
    case 'invoice':
      // An invoice earns once it is paid in full; before that it is a promise to pay.
      if (transaction.fields.statusRef !== 'paidInFull') return { status: 'ignored', reason: `invoice status "${transaction.fields.statusRef ?? 'none'}" is not paidInFull` };
      return { status: 'events', events: [orderPaidEvent(transaction)] };
    case 'creditmemo':
    case 'cashrefund':
      if (transaction.fields.createdfrom === undefined) return { status: 'ignored', reason: `${transaction.recordType} not created from a sale: nothing to take points back from` };
      return { status: 'events', events: [refundEvent(transaction)] };
    default:
      return { status: 'ignored', reason: `record type ${transaction.recordType ?? 'none'} is not used for loyalty` };
  }
}
