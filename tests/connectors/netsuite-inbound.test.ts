/**
 * The NetSuite inbound handler on its own: the signature and account checks, what each record
 * type becomes, and how the connector is listed at start-up. Bodies are what the hub's script
 * posts for the record fixtures (tests/inbound/netsuite-script.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import netsuite from '../../connectors/netsuite/index.js';
import { normalizeAccountId } from '../../connectors/netsuite/account.js';
import { main } from '../../core/cli/main.js';
import { InboundPayloadError, type InboundRequest } from '../../core/connectors/definition.js';
import { NETSUITE_ACCOUNT, NETSUITE_SECRET, onlyPost, recordFixture, runUserEvent, signedInit, type RecordFixture } from '../inbound/netsuite-script.js';

const handler = netsuite.createInbound({ NETSUITE_WEBHOOK_SECRET: NETSUITE_SECRET, NETSUITE_ACCOUNT_ID: NETSUITE_ACCOUNT });

function requestOf(init: RequestInit): InboundRequest {
  const body = String(init.body);
  return { method: 'POST', url: 'https://hub.example/webhooks/netsuite', headers: new Headers(init.headers), rawBody: new TextEncoder().encode(body), body };
}

function scriptRequest(record: RecordFixture): InboundRequest {
  const post = onlyPost(runUserEvent({ saved: record }));
  return requestOf({ headers: post.headers, body: post.body });
}

/** A body the script would post for `record`, changed by `edit` and signed as the script signs. */
function editedRequest(record: RecordFixture, edit: (body: Record<string, unknown>) => void): InboundRequest {
  const body = JSON.parse(onlyPost(runUserEvent({ saved: record })).body) as Record<string, unknown>;
  edit(body);
  return requestOf(signedInit(JSON.stringify(body)));
}

describe('NetSuite inbound', () => {
  it('verifies what the script signed, and names the delivery and topic from the body', () => {
    const request = scriptRequest(recordFixture('cashsale_record'));
    expect(handler.verify(request)).toEqual({ ok: true });
    expect(handler.deliveryId(request)).toBe(`cashsale:3301:${Date.parse('2026-01-15T17:42:10.000Z')}`);
    expect(handler.topic(request)).toBe('cashsale');
  });

  it('never throws naming a body that is not JSON (the inbox records it before anything is read)', () => {
    const request = requestOf(signedInit('not json'));
    expect(handler.deliveryId(request)).toBeUndefined();
    expect(handler.topic(request)).toBeUndefined();
  });

  describe('account ids', () => {
    it.each([
      ['1234567', '1234567'],
      [' 1234567_sb1 ', '1234567_SB1'],
      ['1234567-SB1', '1234567_SB1'],
      ['TSTDRV1234567', 'TSTDRV1234567'],
      ['', undefined],
      ['1234567 SB1', undefined],
      ['../1234567', undefined],
    ])('%j → %j', (given, expected) => {
      expect(normalizeAccountId(given)).toBe(expected);
    });

    it('refuses every delivery while NETSUITE_ACCOUNT_ID is not an account id', () => {
      const misconfigured = netsuite.createInbound({ NETSUITE_WEBHOOK_SECRET: NETSUITE_SECRET, NETSUITE_ACCOUNT_ID: 'my account' });
      expect(misconfigured.verify(scriptRequest(recordFixture('cashsale_record')))).toEqual({ ok: false, reason: expect.stringMatching(/NETSUITE_ACCOUNT_ID is not an account id/) });
    });

    it('checks the account only after the signature: an unsigned request learns nothing about it', () => {
      const unsigned = requestOf(signedInit('{}', { secret: 'wrong', account: '999' }));
      expect(handler.verify(unsigned)).toEqual({ ok: false, reason: expect.stringMatching(/X-Loyalty-Hub-Signature does not match/) });
    });
  });

  describe('normalize', () => {
    it('a cash sale → order.paid on the goods after discounts, without tax, shipping or handling; discount lines are not goods', async () => {
      const result = await handler.normalize(scriptRequest(recordFixture('cashsale_record', { handlingcost: 1.25, total: 57.69 })));
      expect(result).toEqual({
        status: 'events',
        events: [
          {
            type: 'order.paid',
            source: 'netsuite',
            occurredAt: Date.parse('2026-01-15T17:42:10.000Z'),
            customer: { platformId: '87', email: 'ann.example@example.com' },
            order: {
              id: '3301',
              channel: 'online',
              location: '2',
              currency: 'USD',
              amount: 4500,
              total: 5769,
              discountCodes: [],
              lineItems: [
                { id: '1', productId: '125', quantity: 2, unitPrice: 2250, total: 4500 },
                { id: '2', productId: '126', quantity: 1, unitPrice: 500, total: 500 },
              ],
            },
          },
        ],
      });
    });

    it('a rate with more decimals than the currency gives the line amount ÷ quantity as unit price', async () => {
      const sale = recordFixture('cashsale_record');
      sale.sublists = { item: [{ line: '1', item: '125', itemtype: 'InvtPart', quantity: 3, rate: 3.333333, amount: 10 }] };
      const result = await handler.normalize(scriptRequest(sale));
      expect(result).toMatchObject({ events: [{ order: { lineItems: [{ quantity: 3, unitPrice: 333, total: 1000 }] } }] });
    });

    it('an invoice → order.paid only when paid in full', async () => {
      expect(await handler.normalize(editedRequest(recordFixture('invoice_record'), (b) => ((b.fields as Record<string, unknown>).statusRef = 'open')))).toEqual({
        status: 'ignored',
        reason: 'invoice status "open" is not paidInFull',
      });
      expect(await handler.normalize(scriptRequest(recordFixture('invoice_record')))).toMatchObject({ status: 'events', events: [{ type: 'order.paid', order: { id: '1215', amount: 100000 } }] });
    });

    it('a credit memo → order.refunded of its createdfrom, measured against the sale total; a cash refund alike', async () => {
      expect(await handler.normalize(scriptRequest(recordFixture('creditmemo_record')))).toMatchObject({
        status: 'events',
        events: [{ type: 'order.refunded', source: 'netsuite', refund: { orderId: '1215', refundId: '1290', currency: 'USD', amount: 25000, measuredAgainst: 'total' } }],
      });
      const cashRefund = { ...recordFixture('creditmemo_record', { createdfrom: '3301' }), type: 'cashrefund', id: '3399' };
      expect(await handler.normalize(scriptRequest(cashRefund))).toMatchObject({ events: [{ type: 'order.refunded', refund: { orderId: '3301', refundId: '3399' } }] });
    });

    it('ignores a credit memo not created from a sale, and other record types', async () => {
      expect(await handler.normalize(editedRequest(recordFixture('creditmemo_record'), (b) => ((b.fields as Record<string, unknown>).createdfrom = null)))).toMatchObject({ status: 'ignored' });
      expect(await handler.normalize(editedRequest(recordFixture('cashsale_record'), (b) => (b.recordType = 'salesorder')))).toEqual({ status: 'ignored', reason: 'record type salesorder is not used for loyalty' });
    });

    it.each([
      ['no currency', (b: Record<string, unknown>) => ((b.fields as Record<string, unknown>).currencysymbol = null), '/fields/currencysymbol'],
      ['a currency that is not ISO 4217', (b: Record<string, unknown>) => ((b.fields as Record<string, unknown>).currencysymbol = 'US$'), '/fields/currencysymbol'],
      ['no total', (b: Record<string, unknown>) => ((b.fields as Record<string, unknown>).total = null), '/fields/total'],
      ['an amount with more decimals than USD', (b: Record<string, unknown>) => ((b.fields as Record<string, unknown>).total = '56.445'), '/fields/total'],
      ['no fields at all', (b: Record<string, unknown>) => delete b.fields, '/fields'],
      ['a quantity that is not a number', (b: Record<string, unknown>) => (((b.item as Record<string, unknown>[])[0]!).quantity = 'two'), '/item/0/quantity'],
    ])('a sale with %s is a 400 naming %s', async (_what, edit, pointer) => {
      const failure = await handler.normalize(editedRequest(recordFixture('cashsale_record'), edit)).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(InboundPayloadError);
      expect((failure as InboundPayloadError).errors.map((e) => e.pointer)).toContain(pointer);
    });
  });
});

describe('the start-up listing (loyalty-hub connectors check)', () => {
  afterEach(() => vi.restoreAllMocks());

  async function listed(env: Record<string, string>): Promise<string> {
    const saved = { ...process.env };
    delete process.env.NETSUITE_WEBHOOK_SECRET;
    delete process.env.NETSUITE_ACCOUNT_ID;
    delete process.env.LOYALTY_RECIPES;
    Object.assign(process.env, env);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
    try {
      await main(['connectors', 'check']);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    return lines.find((l) => l.startsWith('netsuite ')) ?? '';
  }

  it('names the missing variable, then says enabled once both are set, never printing the secret', async () => {
    expect(await listed({})).toMatch(/^netsuite\s+coded\s+disabled: set NETSUITE_WEBHOOK_SECRET, NETSUITE_ACCOUNT_ID$/);
    expect(await listed({ NETSUITE_WEBHOOK_SECRET: NETSUITE_SECRET })).toMatch(/disabled: set NETSUITE_ACCOUNT_ID$/);
    const enabled = await listed({ NETSUITE_WEBHOOK_SECRET: NETSUITE_SECRET, NETSUITE_ACCOUNT_ID: NETSUITE_ACCOUNT });
    expect(enabled).toMatch(/^netsuite\s+coded\s+enabled$/);
    expect(enabled).not.toContain(NETSUITE_SECRET);
  });

});
