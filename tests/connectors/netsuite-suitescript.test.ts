/**
 * The NetSuite user-event script on its own, in stand-ins of the NetSuite modules it uses
 * (tests/inbound/netsuite-script.ts): what it sends for which transaction, how it signs, and that
 * no failure of its own ever reaches the merchant's save. That the hub accepts what it signs is
 * shown in tests/inbound/netsuite-webhook.test.ts.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HUB_URL, NETSUITE_ACCOUNT, NETSUITE_SECRET, onlyPost, recordFixture, runUserEvent } from '../inbound/netsuite-script.js';

describe('loyalty_hub_ue.js afterSubmit', () => {
  it('posts a saved cash sale to the hub URL, its fields by NetSuite internal id, signed under the API Secret', () => {
    const before = Math.floor(Date.now() / 1000);
    const run = runUserEvent({ saved: recordFixture('cashsale_record') });
    const post = onlyPost(run);

    expect(post.url).toBe(HUB_URL);
    const timestamp = post.headers['X-Loyalty-Hub-Timestamp']!;
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(post.headers['X-NetSuite-Account']).toBe(NETSUITE_ACCOUNT);
    expect(post.headers['Content-Type']).toBe('application/json; charset=utf-8');
    const expected = createHmac('sha256', NETSUITE_SECRET).update(`${timestamp}.${NETSUITE_ACCOUNT}.${post.body}`).digest('hex');
    expect(post.headers['X-Loyalty-Hub-Signature']).toBe(`sha256=${expected}`);

    expect(JSON.parse(post.body)).toEqual({
      deliveryId: `cashsale:3301:${Date.parse('2026-01-15T17:42:10.000Z')}`,
      accountId: NETSUITE_ACCOUNT,
      recordType: 'cashsale',
      id: '3301',
      event: 'create',
      fields: {
        tranid: 'CS1043',
        trandate: '2026-01-15T08:00:00.000Z',
        entity: '87',
        email: 'ann.example@example.com',
        currencysymbol: 'USD',
        location: '2',
        total: '56.44',
        subtotal: '50',
        discounttotal: '-5',
        taxtotal: '3.94',
        tax2total: null,
        shippingcost: '7.5',
        handlingcost: null,
        amountremaining: null,
        statusRef: 'notDeposited',
        createdfrom: null,
        lastmodifieddate: '2026-01-15T17:42:10.000Z',
      },
      item: [
        { line: '1', item: '125', itemtype: 'InvtPart', quantity: '2', rate: '22.5', amount: '45' },
        { line: '2', item: '126', itemtype: 'Service', quantity: '1', rate: '5', amount: '5' },
        { line: '3', item: '31', itemtype: 'Discount', quantity: null, rate: '-10.00%', amount: '-5' },
      ],
    });
    expect(run.loaded).toEqual(['cashsale:3301']);
    expect(run.logs).toContainEqual(expect.objectContaining({ level: 'audit', title: 'Loyalty Hub: sent' }));
  });

  it('sends only ASCII: text past it is escaped in the JSON, so the signed text is the bytes sent', () => {
    const post = onlyPost(runUserEvent({ saved: recordFixture('cashsale_record', { tranid: 'CS-Café-東京-😀' }) }));
    expect(/^[\x20-\x7e]*$/.test(post.body)).toBe(true);
    expect((JSON.parse(post.body) as { fields: { tranid: string } }).fields.tranid).toBe('CS-Café-東京-😀');
  });

  it('takes the API Secret named by the parameter custscript_loyalty_hub_secret, when set', () => {
    const post = onlyPost(
      runUserEvent({
        saved: recordFixture('cashsale_record'),
        secrets: { custsecret_lh_eu: 'another-secret' },
        parameters: { custscript_loyalty_hub_url: HUB_URL, custscript_loyalty_hub_secret: 'custsecret_lh_eu' },
      }),
    );
    const timestamp = post.headers['X-Loyalty-Hub-Timestamp']!;
    expect(post.headers['X-Loyalty-Hub-Signature']).toBe(`sha256=${createHmac('sha256', 'another-secret').update(`${timestamp}.${NETSUITE_ACCOUNT}.${post.body}`).digest('hex')}`);
  });

  describe('sends what earns or takes back, and nothing else', () => {
    it('an invoice only once it is paid in full', () => {
      expect(runUserEvent({ saved: recordFixture('invoice_record', { statusRef: 'open', amountremaining: 1000 }) }).posts).toEqual([]);
      const post = onlyPost(runUserEvent({ saved: recordFixture('invoice_record'), event: 'edit' }));
      expect(JSON.parse(post.body)).toMatchObject({ recordType: 'invoice', id: '1215', event: 'edit', fields: { statusRef: 'paidInFull', amountremaining: '0' } });
    });

    it('a credit memo only when it was created from a sale', () => {
      expect(runUserEvent({ saved: recordFixture('creditmemo_record', { createdfrom: null }) }).posts).toEqual([]);
      const post = onlyPost(runUserEvent({ saved: recordFixture('creditmemo_record') }));
      expect(JSON.parse(post.body)).toMatchObject({ recordType: 'creditmemo', id: '1290', fields: { createdfrom: '1215', total: '250' } });
    });

    it('nothing on delete, and nothing for another record type', () => {
      expect(runUserEvent({ saved: recordFixture('cashsale_record'), event: 'delete' })).toMatchObject({ posts: [], loaded: [] });
      expect(runUserEvent({ saved: { ...recordFixture('cashsale_record'), type: 'salesorder' } })).toMatchObject({ posts: [], loaded: [] });
    });

    it('a customer payment sends the invoices it applies to that are paid in full, loading no other', () => {
      const run = runUserEvent({ saved: recordFixture('customerpayment_record'), records: [recordFixture('invoice_record')] });
      expect(run.loaded).toEqual(['invoice:1215']);
      expect(JSON.parse(onlyPost(run).body)).toMatchObject({ recordType: 'invoice', id: '1215' });
    });

    it('a customer payment stops before running out of usage units, and says so', () => {
      const run = runUserEvent({ saved: recordFixture('customerpayment_record'), records: [recordFixture('invoice_record')], remainingUsage: () => 20 });
      expect(run.posts).toEqual([]);
      expect(run.logs).toContainEqual(expect.objectContaining({ level: 'error', details: expect.stringMatching(/usage limit reached at invoice 1215 of payment 1301/) }));
    });
  });

  describe("never breaks the merchant's save: it logs instead", () => {
    it.each([
      ['the hub is unreachable (https.post throws)', { answer: () => { throw Object.assign(new Error('The host you are trying to connect to is not responding'), { name: 'SSS_CONNECTION_TIME_OUT' }); } }, /SSS_CONNECTION_TIME_OUT.*save the record again to resend/],
      ['the hub refuses (HTTP 401)', { answer: () => ({ code: 401, body: '{"title":"Unauthorized"}' }) }, /HTTP 401/],
      ['the API Secret is not available to the script', { secrets: {} }, /INVALID_SECRET_KEY/],
      ['the hub URL parameter is not set', { parameters: {} }, /custscript_loyalty_hub_url/],
      ['the record cannot be loaded', { records: [] }, /RCRD_DSNT_EXIST/],
    ])('%s', (_what, options, logged) => {
      const run = runUserEvent({ saved: recordFixture('cashsale_record'), ...options } as Parameters<typeof runUserEvent>[0]);
      expect(run.thrown).toBeUndefined();
      expect(run.logs.filter((l) => l.level === 'error').map((l) => l.details).join('\n')).toMatch(logged);
    });

    it('never logs the secret', () => {
      const run = runUserEvent({ saved: recordFixture('cashsale_record'), answer: () => ({ code: 500, body: 'oops' }) });
      expect(JSON.stringify(run.logs)).not.toContain(NETSUITE_SECRET);
    });
  });
});
