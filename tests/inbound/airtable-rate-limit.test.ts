/**
 * Airtable's rate limit on the webhook side (docs/connectors/airtable.md, "Rate limits"): a
 * payload read answered 429 is a 503 (the ping is retried, the cursor has not moved), and the
 * base is then left alone for Airtable's documented 30 s penalty. In a file of its own: the
 * limiter is per base and per process, and the penalty would hold back the other tests' reads.
 */
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import airtable from '../../connectors/airtable/index.js';
import { hubHarness } from '../helpers/test-hub.js';
import { AIRTABLE_ENV, fakeAirtable, payloadCreating, pingRequest, purchaseRow } from './airtable-helpers.js';
import { deliver, loyaltyEvents } from './webhook-helpers.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('POST /webhooks/airtable under Airtable\'s rate limit', () => {
  const h = hubHarness({ connectors: [airtable], env: AIRTABLE_ENV });

  it('a read answered 429 is 503, and a ping within the 30 s penalty is 503 without calling Airtable', async () => {
    const at = fakeAirtable(server);
    at.add(payloadCreating({ recPurchase000001: purchaseRow({ orderId: 'A-1001', amount: 40, currency: 'USD', customerId: 'C-1' }) }));
    at.fail(() => HttpResponse.json({ errors: [{ error: 'RATE_LIMIT_REACHED' }] }, { status: 429 }));
    expect((await deliver(h, 'airtable', pingRequest())).httpStatus).toBe(503);
    at.fail(undefined);
    expect((await deliver(h, 'airtable', pingRequest())).httpStatus).toBe(503);
    expect(at.reads).toEqual([1]);
    expect(await loyaltyEvents(h, 'points.earned')).toEqual([]);
  });
});
