/**
 * `loyalty-hub replay` end to end, in-process (the command as `bin/loyalty-hub.mjs replay` runs
 * it, configured by the environment: the test's database and the Shopify secret). It re-reads
 * stored raw bodies with today's connectors and applies them; it never earns twice.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { runReplay } from '../helpers/replay-cli.js';
import shopify from '../../connectors/shopify/index.js';
import { InboundPayloadError, type ConnectorDefinition } from '../../core/connectors/definition.js';
import { hubHarness, type HubHarness } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from './sign.js';
import { balance, deliver, earnedAndReversed, expectRejected, inbox, memberByAlias, pointsOf, sample, sampleText } from './webhook-helpers.js';

const CUSTOMER = 'shopify:1073339468';

/**
 * The hub as it was before a connector fix: the real Shopify connector, except that it could not
 * read `orders/paid` (as if a field it required had been renamed by a new API version). The
 * delivery it received was verified — and rejected.
 */
const shopifyToday: ConnectorDefinition = shopify;
const shopifyBeforeTheFix: ConnectorDefinition = {
  ...shopifyToday,
  createInbound: (env, services) => {
    const current = shopifyToday.createInbound!(env, services);
    return {
      ...current,
      normalize: async (request) => {
        if (request.headers.get('x-shopify-topic') === 'orders/paid') {
          throw new InboundPayloadError('orders/paid payload lacks /total_line_items_price_set', [{ pointer: '/total_line_items_price_set', detail: 'required' }]);
        }
        return current.normalize(request);
      },
    };
  },
};

/** Runs `loyalty-hub replay ARGS` against the harness's database; returns its exit code and output. */
function replay(h: HubHarness, ...args: string[]): Promise<{ code: number; out: string }> {
  return runReplay(h, { SHOPIFY_API_SECRET: SHOPIFY_SECRET }, ...args);
}

describe('loyalty-hub replay', () => {
  describe('after a connector fix', () => {
    const h = hubHarness({ connectors: [shopifyBeforeTheFix], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

    it('re-applies a delivery rejected earlier: it becomes accepted and the customer gets the points, once', async () => {
      const rejected = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sampleText('shopify', 'order_paid_with_customer')));
      await expectRejected(h, 'shopify', rejected, '/total_line_items_price_set');

      const first = await replay(h);
      expect(first.code).toBe(0);
      expect(first.out).toMatch(new RegExp(`${rejected.inboxId} shopify orders/paid: accepted \\(199 points\\)`));
      expect(first.out).toMatch(/^1 accepted$/m);

      const [row, ...others] = await inbox(h);
      expect(others).toEqual([]);
      expect(row).toMatchObject({ id: rejected.inboxId, status: 'accepted' });
      expect(row!.events).toMatchObject([{ type: 'order.paid', id: 'shopify:order:1073459970' }]);
      expect(await pointsOf(h, CUSTOMER)).toBe(199);

      // Nothing rejected is left; replaying the now accepted delivery again earns nothing.
      expect((await replay(h)).out).toMatch(/nothing to replay/);
      const again = await replay(h, '--id', rejected.inboxId!);
      expect(again.out).toMatch(/^1 duplicate$/m);
      expect(await pointsOf(h, CUSTOMER)).toBe(199);
      expect(await earnedAndReversed(h, (await memberByAlias(h, CUSTOMER))!.id)).toEqual({ earned: 199, reversed: 0 });
    });
  });

  describe('of what was applied already', () => {
    const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

    beforeEach(async () => {
      await deliver(h, 'shopify', shopifyDelivery('orders/paid', { ...sample('shopify', 'order_paid_with_customer'), id: 450789469 }));
      await deliver(h, 'shopify', shopifyDelivery('refunds/create', sampleText('shopify', 'refund_partial_line_item')));
    });

    it('earns and takes back nothing twice: an order and its refund replayed stay 199 − 41', async () => {
      const member = (await memberByAlias(h, CUSTOMER))!;
      expect((await balance(h, member.id)).available).toBe(158);

      const result = await replay(h, '--status', 'accepted', '--source', 'shopify');
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/^2 duplicate$/m);
      expect((await balance(h, member.id)).available).toBe(158);
      expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 199, reversed: 41 });
      expect((await inbox(h)).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    });
  });
});
