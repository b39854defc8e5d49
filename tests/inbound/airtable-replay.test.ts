/**
 * `loyalty-hub replay` of an Airtable ping (docs/connectors/airtable.md, "Replay"): a ping keeps
 * no facts, so replaying it reads the payloads again from the cursor the hub keeps — what a
 * failed ping left unread earns then, once.
 */
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import airtable from '../../connectors/airtable/index.js';
import { runReplay } from '../helpers/replay-cli.js';
import { hubHarness } from '../helpers/test-hub.js';
import { AIRTABLE_ENV, fakeAirtable, payloadCreating, pingRequest, purchaseRow } from './airtable-helpers.js';
import { deliver, pointsOf } from './webhook-helpers.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const row = (orderId: string) => purchaseRow({ orderId, amount: 40, currency: 'USD', email: 'sam@example.com', customerId: 'C-1' });

describe('replay of an Airtable ping', () => {
  const h = hubHarness({ connectors: [airtable], env: AIRTABLE_ENV });

  it('re-reads from the kept cursor: a ping that failed earns on replay, once, and the next ping earns nothing twice', async () => {
    const at = fakeAirtable(server);
    at.add(payloadCreating({ recPurchase000001: row('A-1001') }));
    at.fail(() => new HttpResponse(null, { status: 500 }));
    expect((await deliver(h, 'airtable', pingRequest())).httpStatus).toBe(503);
    at.fail(undefined);

    const run = await runReplay(h, AIRTABLE_ENV, '--status', 'failed', '--source', 'airtable');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/airtable ping: accepted \(40 points\)/);
    expect(await pointsOf(h, 'airtable:C-1')).toBe(40);
    const next = await deliver(h, 'airtable', pingRequest());
    expect(next).toMatchObject({ httpStatus: 200, status: 'duplicate' });
    expect(await pointsOf(h, 'airtable:C-1')).toBe(40);
  });
});
