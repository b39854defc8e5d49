/**
 * Salesforce Marketing Cloud end to end: Journey Builder's execute calls, signed as Journey Builder
 * signs them (tests/inbound/sfmc-sign.ts), through `POST /webhooks/sfmc` into a hub whose program
 * has the rule a merchant adds (docs/connectors/sfmc.md):
 * `- id: journey-builder, on: journey.activity, award: { attribute: { name: points, max: 1000 } }`.
 * The activity's configured points are earned once per contact and activity; a forged or expired
 * JWT is a 401 with nothing written; the activity's config.json and lifecycle calls are served at
 * /connectors/sfmc.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import sfmc from '../../connectors/sfmc/index.js';
import { parseProgram } from '../../core/program/load-program.js';
import { hubHarness } from '../helpers/test-hub.js';
import { executePayload, inArguments, journeyCall, PUBLIC_URL, SFMC_JWT_SECRET, signJwt } from './sfmc-sign.js';
import { deliver, expectOnlySignatureAlert, expectRejected, expectUnauthorized, inbox, loyaltyEvents, memberByAlias, onlyOutcome, pointsOf, tally, deliverConcurrently } from './webhook-helpers.js';

const CONTACT = '0034x00001KqLp2AAF';
const ALIAS = `sfmc:${CONTACT}`;

/** The shipped program with the merchant's Journey Builder rule added. */
const shipped = readFileSync(fileURLToPath(new URL('../../config/program.yaml', import.meta.url)), 'utf8');
const program = parseProgram(
  shipped.replace('rules:\n', 'rules:\n  - id: journey-builder\n    on: journey.activity\n    award: { attribute: { name: points, max: 1000 } }\n\n'),
  'program.yaml',
);

const env = { SFMC_SUBDOMAIN: 'mc563885gzs27c5t9-63k636ttgm', SFMC_CLIENT_ID: 'id', SFMC_CLIENT_SECRET: 'secret', SFMC_JWT_SECRET, PUBLIC_URL };

let executions = 0;
/** One execute call: a new activityInstanceId each time unless the change gives one. */
function execute(h: { clock: () => number }, args: Record<string, unknown> = {}, changes: Record<string, unknown> = {}, secret?: string): RequestInit {
  const instance = `4e115c74-6bea-40ba-84ea-${String(++executions).padStart(12, '0')}`;
  const payload = executePayload({ activityInstanceId: instance, inArguments: inArguments(args), ...changes }, h.clock());
  return journeyCall(signJwt(payload, secret ? { secret } : {}));
}

describe('POST /webhooks/sfmc (Journey Builder execute)', () => {
  const h = hubHarness({ connectors: [sfmc], env, program });

  it('earns the points the activity was configured with (150) for the Journey Builder contact, by the activity\'s name', async () => {
    const answer = await deliver(h, 'sfmc', execute(h));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: `sfmc:journey:0a074b98-bef8-4c9f-b3a7-db94ab1dda5b:${CONTACT}` });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 150 });
    const member = await memberByAlias(h, ALIAS);
    expect(member).toMatchObject({ email: 'ann.lee@example.com' });
    expect(await pointsOf(h, ALIAS)).toBe(150);
    const [row] = await inbox(h);
    expect(row).toMatchObject({ source: 'sfmc', topic: 'journey.execute', status: 'accepted', deliveryId: expect.stringMatching(/^execute:4e115c74-/) });
    const [earned] = await loyaltyEvents(h, 'points.earned');
    expect(earned!.data).toMatchObject({ points: 150, ruleId: 'journey-builder' });
  });

  it('earns once per contact and activity: Journey Builder\'s retry of the call, and the contact passing again, earn nothing more', async () => {
    const first = execute(h);
    const retried = { ...first };
    const again = execute(h); // a new execution (re-entry) of the same activity for the same contact
    const answers = [await deliver(h, 'sfmc', first), await deliver(h, 'sfmc', retried), await deliver(h, 'sfmc', again)];
    // 200 each time, so Journey Builder moves the contact on instead of retrying or ejecting it.
    expect(answers.map((a) => [a.httpStatus, a.status])).toEqual([[200, 'accepted'], [200, 'duplicate'], [200, 'duplicate']]);
    expect(answers[2]!.eventId).toBe(`sfmc:journey:0a074b98-bef8-4c9f-b3a7-db94ab1dda5b:${CONTACT}`);
    expect(await pointsOf(h, ALIAS)).toBe(150);

    // Another activity of the journey is another fact: it earns.
    await deliver(h, 'sfmc', execute(h, { points: 40 }, { activityId: '9b1d2c3e-0000-4000-8000-000000000002' }));
    expect(await pointsOf(h, ALIAS)).toBe(190);
  });

  it('the same call arriving 5 times at once earns once', async () => {
    const answers = await deliverConcurrently(h, 'sfmc', execute(h), 5);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 4 });
    expect(await pointsOf(h, ALIAS)).toBe(150);
  });

  it('points above the rule\'s max earn nothing, and the outcome says why', async () => {
    const answer = await deliver(h, 'sfmc', execute(h, { points: 5000 }));
    expect(answer.httpStatus).toBe(200);
    const outcome = onlyOutcome(answer);
    expect(outcome.points).toBe(0);
    // The webhook records the activity with no points; the program's evaluation says why.
    const [row] = await inbox(h);
    expect(row!.events).toMatchObject([{ name: 'journey.activity', attributes: { points: 5000 } }]);
    const evaluation = await h.call('POST', '/v1/evaluate', {
      body: { event: { type: 'activity', name: 'journey.activity', id: 'preview-1', customer: { aliases: [ALIAS] }, attributes: { points: 5000 } } },
    });
    expect(evaluation.status).toBe(200);
    expect(((await evaluation.json()) as { skipped: unknown[] }).skipped).toContainEqual({ ruleId: 'journey-builder', reason: "attributes.points is 5000, more than the rule's max 1000" });
  });

  it('a call whose activity has no usable points is a 400 naming the field, kept as rejected', async () => {
    const answer = await deliver(h, 'sfmc', execute(h, { points: 0 }));
    await expectRejected(h, 'sfmc', answer, '/inArguments/0/points');
  });

  describe('refuses a forged or expired JWT with 401, and writes nothing', () => {
    it.each([
      ['signed with another secret', () => execute(h, {}, {}, 'a-forger-s-guess'), /signature does not match/],
      ['expired an hour ago', () => execute(h, {}, { exp: Math.floor(h.clock() / 1000) - 3600 }), /the JWT expired at/],
      ['with its points raised after signing', () => {
        const [head, , sig] = String(execute(h).body).split('.');
        const raised = Buffer.from(JSON.stringify(executePayload({ inArguments: inArguments({ points: 1000 }) }, h.clock()))).toString('base64url');
        return journeyCall(`${head}.${raised}.${sig}`);
      }, /signature does not match/],
      ['sent as JSON instead of a JWT', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(executePayload({}, h.clock())) }), /not a JWT/],
    ])('%s', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'sfmc', init()), reason);
      await expectOnlySignatureAlert(h, 'sfmc');
    });
  });
});

describe('/connectors/sfmc (the activity\'s other calls)', () => {
  const h = hubHarness({ connectors: [sfmc], env, program });

  it('serves config.json pointing execute at /webhooks/sfmc, and answers signed lifecycle calls', async () => {
    const config = await h.hub.app.request('/connectors/sfmc/config.json');
    expect(config.status).toBe(200);
    expect(await config.json()).toMatchObject({ arguments: { execute: { url: `${PUBLIC_URL}/webhooks/sfmc`, useJwt: true } } });
    const now = Math.floor(h.clock() / 1000);
    const signed = signJwt({ activityObjectID: 'a', interactionId: 'j', iat: now, exp: now + 300 });
    for (const step of ['save', 'publish', 'validate', 'stop']) {
      expect((await h.hub.app.request(`/connectors/sfmc/${step}`, journeyCall(signed))).status).toBe(200);
      expect((await h.hub.app.request(`/connectors/sfmc/${step}`, journeyCall(signJwt({ iat: now }, { secret: 'forged' })))).status).toBe(401);
    }
    expect((await h.hub.app.request('/connectors/sfmc/index.html')).status).toBe(200);
  });
});

describe('sfmc disabled', () => {
  const h = hubHarness({ connectors: [sfmc], program });

  it('serves neither the webhook nor the activity while its variables are missing', async () => {
    expect((await deliver(h, 'sfmc', journeyCall(signJwt({})))).httpStatus).toBe(404);
    expect((await h.hub.app.request('/connectors/sfmc/config.json')).status).toBe(404);
  });
});
