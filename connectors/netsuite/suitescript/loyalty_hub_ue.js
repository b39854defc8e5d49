/**
 * Loyalty Hub — NetSuite user-event script (docs/connectors/netsuite.md).
 *
 * NetSuite has no signed webhooks of its own, so this script is the sender: after a cash sale, an
 * invoice, a credit memo or a cash refund is saved (or a customer payment pays invoices), it loads
 * the transaction and POSTs its fields to the hub's `/webhooks/netsuite`, signed with
 * HMAC-SHA256 under an API Secret (Setup > Company > API Secrets) so the key never sits in the
 * script:
 *
 *   X-Loyalty-Hub-Timestamp: <unix seconds>
 *   X-NetSuite-Account:      <runtime.accountId>
 *   X-Loyalty-Hub-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<account>.<body>">
 *
 * The hub checks it like any platform's signature (connectors/netsuite/signature.ts): five
 * minutes either way, and the account must be NETSUITE_ACCOUNT_ID.
 *
 * A failure never breaks the merchant's save: afterSubmit runs after the record is committed, and
 * everything here is caught and written to the script's execution log. NetSuite does not retry;
 * saving the record again sends it again (the hub earns once per transaction whatever arrives
 * twice).
 *
 * Deployment parameters (Script record > Parameters):
 *   custscript_loyalty_hub_url     Free-Form Text, required: https://<hub>/webhooks/netsuite
 *   custscript_loyalty_hub_secret  Free-Form Text, optional: the API Secret's ID
 *                                  (default custsecret_loyalty_hub)
 *
 * @NApiVersion 2.1
 * @NScriptType UserEventScript
 * @NModuleScope SameAccount
 */
define(['N/https', 'N/record', 'N/crypto', 'N/encode', 'N/runtime', 'N/log'], (https, record, crypto, encode, runtime, log) => {
  const URL_PARAMETER = 'custscript_loyalty_hub_url';
  const SECRET_PARAMETER = 'custscript_loyalty_hub_secret';
  const DEFAULT_SECRET = 'custsecret_loyalty_hub';

  /** What a transaction is read for: the internal ids of the Records Browser. */
  const BODY_FIELDS = [
    'tranid',
    'trandate',
    'entity',
    'email',
    'currencysymbol',
    'location',
    'total',
    'subtotal',
    'discounttotal',
    'taxtotal',
    'tax2total',
    'shippingcost',
    'handlingcost',
    'amountremaining',
    'statusRef',
    'createdfrom',
    'lastmodifieddate',
  ];
  const LINE_FIELDS = ['line', 'item', 'itemtype', 'quantity', 'rate', 'amount'];

  /** The transactions the hub reads (record.Type values); a deployment on any other type sends nothing. */
  const SENT_TYPES = [record.Type.CASH_SALE, record.Type.INVOICE, record.Type.CREDIT_MEMO, record.Type.CASH_REFUND];

  /** Usage units one more invoice needs (load 10 + post 10), kept in hand before starting it. */
  const UNITS_PER_INVOICE = 25;

  /**
   * @param {Object} context
   * @param {Record} context.newRecord
   * @param {string} context.type
   */
  const afterSubmit = (context) => {
    try {
      if (context.type === context.UserEventType.DELETE) return;
      const saved = context.newRecord;
      if (saved.type === record.Type.CUSTOMER_PAYMENT) {
        announcePaidInvoices(saved, context.type);
        return;
      }
      announce(saved.type, saved.id, context.type);
    } catch (e) {
      log.error({ title: 'Loyalty Hub: not sent', details: describeError(e) });
    }
  };

  /**
   * Loads the saved transaction (the submitted copy lacks what NetSuite computes on save:
   * status, totals, last-modified date) and sends it if it is a sale or a refund of one.
   */
  const announce = (type, id, event) => {
    if (!SENT_TYPES.includes(type)) {
      log.debug({ title: 'Loyalty Hub: not sent', details: type + ' ' + id + ': not a cash sale, invoice, credit memo or cash refund' });
      return;
    }
    const transaction = record.load({ type: type, id: id });
    const reason = notForLoyalty(transaction);
    if (reason) {
      log.debug({ title: 'Loyalty Hub: not sent', details: type + ' ' + id + ': ' + reason });
      return;
    }
    post(payloadOf(transaction, event));
  };

  /**
   * A customer payment marks invoices paid in full without their own save, so the invoices it
   * applies to are announced from here. Each must keep enough usage units in hand; what is left
   * over is logged (saving the payment or the invoice again sends it).
   */
  const announcePaidInvoices = (payment, event) => {
    const lines = payment.getLineCount({ sublistId: 'apply' });
    for (let line = 0; line < lines; line += 1) {
      const applied = payment.getSublistValue({ sublistId: 'apply', fieldId: 'apply', line: line });
      const trantype = payment.getSublistValue({ sublistId: 'apply', fieldId: 'trantype', line: line });
      if (!(applied === true || applied === 'T') || trantype !== 'CustInvc') continue;
      const invoiceId = payment.getSublistValue({ sublistId: 'apply', fieldId: 'doc', line: line });
      if (runtime.getCurrentScript().getRemainingUsage() < UNITS_PER_INVOICE) {
        log.error({ title: 'Loyalty Hub: not sent', details: 'usage limit reached at invoice ' + invoiceId + ' of payment ' + payment.id + '; save the payment again to send the rest' });
        return;
      }
      try {
        announce(record.Type.INVOICE, invoiceId, event);
      } catch (e) {
        log.error({ title: 'Loyalty Hub: not sent', details: 'invoice ' + invoiceId + ': ' + describeError(e) });
      }
    }
  };

  /** Why the hub has nothing to do with this transaction, or '' when it has. */
  const notForLoyalty = (transaction) => {
    switch (transaction.type) {
      case record.Type.CASH_SALE:
        return '';
      case record.Type.INVOICE:
        return valueOf(transaction, 'statusRef') === 'paidInFull' ? '' : 'the invoice is not paid in full';
      case record.Type.CREDIT_MEMO:
      case record.Type.CASH_REFUND:
        return valueOf(transaction, 'createdfrom') ? '' : 'not created from a sale';
      default:
        return 'not a transaction the hub reads';
    }
  };

  const payloadOf = (transaction, event) => {
    const fields = {};
    BODY_FIELDS.forEach((id) => {
      fields[id] = valueOf(transaction, id);
    });
    const items = [];
    const lines = transaction.getLineCount({ sublistId: 'item' });
    for (let line = 0; line < lines; line += 1) {
      const item = {};
      LINE_FIELDS.forEach((id) => {
        item[id] = jsonValue(transaction.getSublistValue({ sublistId: 'item', fieldId: id, line: line }));
      });
      items.push(item);
    }
    const modified = transaction.getValue({ fieldId: 'lastmodifieddate' });
    const version = modified instanceof Date ? String(modified.getTime()) : String(Date.now());
    return {
      // One per saved state: the same state sent again is a duplicate at the hub.
      deliveryId: transaction.type + ':' + transaction.id + ':' + version,
      accountId: runtime.accountId,
      recordType: transaction.type,
      id: String(transaction.id),
      event: event,
      fields: fields,
      item: items,
    };
  };

  /** A body field, JSON-ready; a field the record type does not have is null. */
  const valueOf = (transaction, fieldId) => {
    try {
      return jsonValue(transaction.getValue({ fieldId: fieldId }));
    } catch (e) {
      log.debug({ title: 'Loyalty Hub: field not read', details: fieldId + ': ' + describeError(e) });
      return null;
    }
  };

  /**
   * Amounts stay decimal text ("54.25") so the hub converts them digit by digit; dates become
   * ISO 8601; select fields are internal ids (text).
   */
  const jsonValue = (value) => {
    if (value === undefined || value === null || value === '') return null;
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'number') return String(value);
    if (typeof value === 'boolean') return value;
    return String(value);
  };

  const post = (payload) => {
    const script = runtime.getCurrentScript();
    const url = script.getParameter({ name: URL_PARAMETER });
    if (!url) throw new Error('set the parameter ' + URL_PARAMETER + ' to https://<hub>/webhooks/netsuite');
    const secret = script.getParameter({ name: SECRET_PARAMETER }) || DEFAULT_SECRET;
    const body = asciiJson(payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const account = String(runtime.accountId);
    const signature = hmacSha256Hex(secret, timestamp + '.' + account + '.' + body);
    let response;
    try {
      response = https.post({
        url: url,
        body: body,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'X-Loyalty-Hub-Timestamp': timestamp,
          'X-NetSuite-Account': account,
          'X-Loyalty-Hub-Signature': 'sha256=' + signature,
        },
      });
    } catch (e) {
      log.error({ title: 'Loyalty Hub: not sent', details: payload.deliveryId + ': ' + describeError(e) + ' (save the record again to resend)' });
      return;
    }
    if (response.code >= 200 && response.code < 300) {
      log.audit({ title: 'Loyalty Hub: sent', details: payload.deliveryId + ': HTTP ' + response.code });
    } else {
      log.error({ title: 'Loyalty Hub: refused', details: payload.deliveryId + ': HTTP ' + response.code + ' ' + String(response.body).slice(0, 500) });
    }
  };

  /**
   * HMAC-SHA256 with the API Secret's value (its UTF-8 bytes, as the hub uses
   * NETSUITE_WEBHOOK_SECRET), lower-case hex. The secret is decrypted by NetSuite inside the
   * HMAC; the script never sees it.
   */
  const hmacSha256Hex = (secretId, text) => {
    const key = crypto.createSecretKey({ secret: secretId, encoding: encode.Encoding.UTF_8 });
    const hmac = crypto.createHmac({ algorithm: crypto.HashAlg.SHA256, key: key });
    hmac.update({ input: text, inputEncoding: encode.Encoding.UTF_8 });
    return hmac.digest({ outputEncoding: encode.Encoding.HEX }).toLowerCase();
  };

  /**
   * JSON with every character past ASCII escaped (\u00e9): the signed text and the bytes on the
   * wire are then the same whatever encoding the request goes out in.
   */
  const asciiJson = (value) => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + ('0000' + c.charCodeAt(0).toString(16)).slice(-4));

  const describeError = (e) => (e && e.name ? e.name + ': ' : '') + (e && e.message ? e.message : String(e));

  return { afterSubmit: afterSubmit };
});
