/**
 * NetSuite end to end: every delivery here is the request the hub's user-event script builds
 * (connectors/netsuite/suitescript/loyalty_hub_ue.js, run in stand-ins of NetSuite's modules by
 * ./netsuite-script.ts), posted through `POST /webhooks/netsuite` as it is — so the script and
 * the hub's verifier are shown to agree. Only what the script would never send (a stale, forged
 * or tampered request) is signed by hand. There is no NetSuite API look-up: the script sends the
 * whole transaction (docs/connectors/netsuite.md).
 */
import { describe, expect, it } from 'vitest';
import { runReplay } from '../helpers/replay-cli.js';
import netsuite from '../../connectors/netsuite/index.js';
import { InboundPayloadError, type ConnectorDefinition } from '../../core/connectors/definition.js';
import { hubHarness, type HubHarness } from '../helpers/test-hub.js';
import { hubInit, NETSUITE_ACCOUNT, NETSUITE_SECRET, onlyPost, recordFixture, runUserEvent, signedInit, type RecordFixture } from './netsuite-script.js';
import {
  balance,
  deliver,
  deliverConcurrently,
  earnedAndReversed,
  expectOnlySignatureAlert,
  expectRejected,
  expectUnauthorized,
  inbox,
  memberByAlias,
  onlyOutcome,
  pointsOf,
  tally,
} from './webhook-helpers.js';

const ENV = { NETSUITE_WEBHOOK_SECRET: NETSUITE_SECRET, NETSUITE_ACCOUNT_ID: NETSUITE_ACCOUNT };
const ANN = 'netsuite:87';
const DWIGHT = 'netsuite:1203';

/** A fixture saved `minutesAgo` before now (its last-modified date, hence its delivery id). */
function savedAt(name: string, minutesAgo: number, change: Record<string, unknown> = {}): RecordFixture {
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  return recordFixture(name, { trandate: at, lastmodifieddate: at, ...change });
}

/** What the script posts when `record` is saved. */
function scriptPost(record: RecordFixture, records?: RecordFixture[]): RequestInit {
  return hubInit(onlyPost(runUserEvent({ saved: record, ...(records ? { records } : {}) })));
}

describe('POST /webhooks/netsuite', () => {
  const h = hubHarness({ connectors: [netsuite], env: ENV });

  it('credits a cash sale the script sent: 56.44 USD with 3.94 tax and 7.50 shipping → 45 points', async () => {
    const answer = await deliver(h, 'netsuite', scriptPost(savedAt('cashsale_record', 5)));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'netsuite:order:3301' });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 45 });
    const member = await memberByAlias(h, ANN);
    expect(member).toMatchObject({ email: 'ann.example@example.com' });
    expect(await balance(h, member!.id)).toMatchObject({ available: 45 });
    const [row] = await inbox(h);
    expect(row).toMatchObject({ source: 'netsuite', topic: 'cashsale', status: 'accepted', deliveryId: expect.stringMatching(/^cashsale:3301:\d+$/) });
    expect(row!.events).toMatchObject([{ order: { id: '3301', currency: 'USD', amount: 4500, total: 5644, lineItems: [{ productId: '125', quantity: 2, unitPrice: 2250, total: 4500 }, { productId: '126' }] } }]);
  });

  it('converts JPY exactly (no minor unit): a 10,000 JPY cash sale earns 10,000 points', async () => {
    const sale = savedAt('cashsale_record', 5, { currencysymbol: 'JPY', total: 10000, taxtotal: 0, shippingcost: 0 });
    sale.sublists = { item: [{ line: '1', item: '125', itemtype: 'InvtPart', quantity: 1, rate: 10000, amount: 10000 }] };
    expect(onlyOutcome(await deliver(h, 'netsuite', scriptPost(sale)))).toMatchObject({ points: 10000 });
  });

  it('applies the same delivery once when it arrives 10 times at once', async () => {
    const answers = await deliverConcurrently(h, 'netsuite', scriptPost(savedAt('cashsale_record', 5)), 10);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 9 });
    expect(await pointsOf(h, ANN)).toBe(45);
    expect(await inbox(h)).toHaveLength(1);
  });

  it('earns once per invoice: paid by a customer payment, then edited twice — three deliveries, concurrently, one earn', async () => {
    const invoice = savedAt('invoice_record', 30);
    const announcements = [
      scriptPost(savedAt('customerpayment_record', 30), [invoice]),
      scriptPost(savedAt('invoice_record', 20)),
      scriptPost(savedAt('invoice_record', 10, { memo: 'PO 4471' })),
    ];
    const answers = await Promise.all(announcements.map((init) => deliver(h, 'netsuite', init)));
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 2 });
    expect(answers.map((a) => a.eventId)).toEqual(Array(3).fill('netsuite:order:1215'));
    expect(await pointsOf(h, DWIGHT)).toBe(1000);
    // Every announcement is kept, for support to see.
    expect(new Set((await inbox(h)).map((r) => r.deliveryId)).size).toBe(3);
  });

  it('an invoice earns nothing while open, and earns when a later save finds it paid in full', async () => {
    // The script does not send an open invoice; an older copy of it, or a hand-made request, may.
    const open = await deliver(h, 'netsuite', openInvoiceDelivery(savedAt('invoice_record', 20)));
    expect(open).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect(await memberByAlias(h, DWIGHT)).toBeUndefined();
    const paid = await deliver(h, 'netsuite', scriptPost(savedAt('invoice_record', 10)));
    expect(onlyOutcome(paid)).toMatchObject({ status: 'applied', points: 1000 });
  });

  it('a credit memo takes back its proportion of the invoice; a second memo for the rest takes back the rest', async () => {
    await deliver(h, 'netsuite', scriptPost(savedAt('invoice_record', 30)));
    expect(await pointsOf(h, DWIGHT)).toBe(1000);

    const partial = await deliver(h, 'netsuite', scriptPost(savedAt('creditmemo_record', 20)));
    expect(partial).toMatchObject({ status: 'accepted', eventId: 'netsuite:refund:1290' });
    expect(onlyOutcome(partial)).toMatchObject({ status: 'applied', points: -250 });

    // The same memo saved again (a new delivery) takes back nothing more.
    const again = await deliver(h, 'netsuite', scriptPost(savedAt('creditmemo_record', 15)));
    expect(again.status).toBe('duplicate');
    expect(await pointsOf(h, DWIGHT)).toBe(750);

    const rest = await deliver(h, 'netsuite', scriptPost({ ...savedAt('creditmemo_record', 10, { tranid: 'CM1291', total: 750, subtotal: 750 }), id: '1291' }));
    expect(onlyOutcome(rest).points).toBe(-750);
    const member = (await memberByAlias(h, DWIGHT))!;
    expect(await balance(h, member.id)).toMatchObject({ available: 0, debt: 0 });
    expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 1000, reversed: 1000 });
  });

  it('a credit memo of a cash sale with its tax and shipping takes back the same share of the points', async () => {
    await deliver(h, 'netsuite', scriptPost(savedAt('cashsale_record', 30)));
    // 14.11 of the 56.44 charge (a quarter, tax and shipping included) back: a quarter of the 45 points.
    const memo = (id: string, total: number, minutesAgo: number) => ({ ...savedAt('creditmemo_record', minutesAgo, { entity: '87', email: 'ann.example@example.com', createdfrom: '3301', total }), id });
    const quarter = await deliver(h, 'netsuite', scriptPost(memo('3390', 14.11, 10)));
    expect(onlyOutcome(quarter)).toMatchObject({ status: 'applied', points: -11 });
    const rest = await deliver(h, 'netsuite', scriptPost(memo('3391', 42.33, 5)));
    expect(onlyOutcome(rest)).toMatchObject({ status: 'applied', points: -34 });
    expect(await earnedAndReversed(h, (await memberByAlias(h, ANN))!.id)).toEqual({ earned: 45, reversed: 45 });
  });

  describe('refuses what the script did not sign just now for this account, and writes nothing', () => {
    const body = () => onlyPost(runUserEvent({ saved: savedAt('cashsale_record', 5) })).body;
    it.each([
      ['signed with another secret', () => signedInit(body(), { secret: 'someone-elses-secret' }), /X-Loyalty-Hub-Signature does not match the request signed with NETSUITE_WEBHOOK_SECRET/],
      ['without a signature', () => signedInit(body(), { signature: '' }), /missing X-Loyalty-Hub-Signature/],
      ['signed 10 minutes ago (outside the 300 s tolerance)', () => signedInit(body(), { timestamp: Math.floor(Date.now() / 1000) - 600 }), /X-Loyalty-Hub-Timestamp is 60\d s old/],
      ['signed 10 minutes ahead', () => signedInit(body(), { timestamp: Math.floor(Date.now() / 1000) + 600 }), /X-Loyalty-Hub-Timestamp is (599|60\d) s in the future/],
      ['with the body changed after signing', () => signedInit(body(), { tamperedBody: body().replace('"total":"56.44"', '"total":"5644.00"') }), /does not match/],
      ['with the account header changed after signing', () => ({ ...scriptPost(savedAt('cashsale_record', 5)), headers: { ...(scriptPost(savedAt('cashsale_record', 5)).headers as Record<string, string>), 'X-NetSuite-Account': '7654321' } }), /does not match/],
    ])('%s → 401', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'netsuite', init()), reason);
      await expectOnlySignatureAlert(h, 'netsuite');
    });

    it('a delivery correctly signed by another account (a sandbox refreshed from production) → 401', async () => {
      const sandbox = runUserEvent({ saved: savedAt('cashsale_record', 5), accountId: '1234567_SB1' });
      expectUnauthorized(await deliver(h, 'netsuite', hubInit(onlyPost(sandbox))), /X-NetSuite-Account 1234567_SB1 is not the account NETSUITE_ACCOUNT_ID names/);
      await expectOnlySignatureAlert(h, 'netsuite');
    });
  });

  it('answers 400 to a signed sale without its currency, keeps it as rejected and tells support', async () => {
    const answer = await deliver(h, 'netsuite', scriptPost(savedAt('cashsale_record', 5, { currencysymbol: null })));
    await expectRejected(h, 'netsuite', answer, '/fields/currencysymbol');
  });

  it('parks a credit memo that arrives before its invoice, and applies it when the invoice arrives', async () => {
    const early = await deliver(h, 'netsuite', scriptPost(savedAt('creditmemo_record', 20)));
    expect(onlyOutcome(early)).toMatchObject({ status: 'parked', points: 0 });
    const paid = await deliver(h, 'netsuite', scriptPost(savedAt('invoice_record', 10)));
    expect(onlyOutcome(paid)).toMatchObject({ status: 'applied', points: 750 });
    expect(await pointsOf(h, DWIGHT)).toBe(750);
  });
});

describe('NetSuite before it is configured', () => {
  const h = hubHarness({ connectors: [netsuite], env: { NETSUITE_WEBHOOK_SECRET: NETSUITE_SECRET } });

  it('answers 404 naming the missing variable, and keeps nothing', async () => {
    const answer = await deliver(h, 'netsuite', scriptPost(savedAt('cashsale_record', 5)));
    expect(answer.httpStatus).toBe(404);
    expect(answer.detail).toMatch(/The Oracle NetSuite connector is disabled: set NETSUITE_ACCOUNT_ID/);
    expect(await inbox(h)).toEqual([]);
  });
});

describe('NetSuite with a sandbox account id', () => {
  const h = hubHarness({ connectors: [netsuite], env: { ...ENV, NETSUITE_ACCOUNT_ID: '1234567-sb1' } });

  it('accepts runtime.accountId 1234567_SB1 for NETSUITE_ACCOUNT_ID 1234567-sb1 (one account, two spellings)', async () => {
    const run = runUserEvent({ saved: savedAt('cashsale_record', 5), accountId: '1234567_SB1' });
    expect((await deliver(h, 'netsuite', hubInit(onlyPost(run)))).status).toBe('accepted');
    expectUnauthorized(await deliver(h, 'netsuite', scriptPost(savedAt('cashsale_record', 5))), /X-NetSuite-Account 1234567 is not the account/);
  });
});

/** The script's post of a paid invoice with its status set back to `open`, signed as the script signs. */
function openInvoiceDelivery(invoice: RecordFixture): RequestInit {
  const paid = onlyPost(runUserEvent({ saved: invoice })).body;
  return signedInit(paid.replace('"statusRef":"paidInFull"', '"statusRef":"open"').replace('"amountremaining":"0"', '"amountremaining":"1000"'));
}

describe('loyalty-hub replay of a NetSuite delivery', () => {
  /** The hub before a fix: the NetSuite connector could not read cash sales. */
  const beforeTheFix: ConnectorDefinition = {
    ...netsuite,
    createInbound: (env) => {
      const current = netsuite.createInbound(env);
      return {
        ...current,
        normalize: async (request) => {
          if (request.body.includes('"recordType":"cashsale"')) throw new InboundPayloadError('cash sale lacks /fields/total', [{ pointer: '/fields/total', detail: 'required' }]);
          return current.normalize(request);
        },
      };
    },
  };
  const h = hubHarness({ connectors: [beforeTheFix], env: ENV });

  function replay(hub: HubHarness, ...args: string[]): Promise<{ code: number; out: string }> {
    return runReplay(hub, ENV, ...args);
  }

  it('re-applies a rejected cash sale with the fixed connector: accepted, 45 points, once', async () => {
    const rejected = await deliver(h, 'netsuite', scriptPost(savedAt('cashsale_record', 5)));
    await expectRejected(h, 'netsuite', rejected, '/fields/total');

    const first = await replay(h);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(new RegExp(`${rejected.inboxId} netsuite cashsale: accepted \\(45 points\\)`));
    expect(await pointsOf(h, ANN)).toBe(45);

    const again = await replay(h, '--id', rejected.inboxId!);
    expect(again.out).toMatch(/^1 duplicate$/m);
    expect(await earnedAndReversed(h, (await memberByAlias(h, ANN))!.id)).toEqual({ earned: 45, reversed: 0 });
  });
});
