/**
 * Zoho CRM end to end through `POST /webhooks/zoho` on a whole hub, with msw standing in for
 * Zoho's accounts server and API (tests/fixtures/platform-samples/zoho): the Deluge function's
 * qualifying actions and the notification channel's record events (thin, completed through the
 * API) each earn their activity once, however often and concurrently delivered; forged calls are
 * 401 with nothing stored; a failed look-up is a 503 that earns once when retried or replayed;
 * the channel is enabled and renewed by the scheduled job.
 */
import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import zoho from '../../connectors/zoho/index.js';
import { channelToken } from '../../connectors/zoho/signature.js';
import { parseProgram } from '../../core/program/load-program.js';
import { runReplay } from '../helpers/replay-cli.js';
import { hubHarness, type HubHarness } from '../helpers/test-hub.js';
import {
  HOUR_MS,
  deliver,
  deliverConcurrently,
  expectOnlySignatureAlert,
  expectRejected,
  expectUnauthorized,
  inbox,
  memberByAlias,
  onlyOutcome,
  pointsOf,
  sample,
  tally,
  type Json,
} from './webhook-helpers.js';

const ACCOUNTS = 'http://accounts.zoho.test';
const API = 'http://zohoapis.test';
const PUBLIC_URL = 'https://loyalty.example.com';
const WEBHOOK_TOKEN = 'zoho-shared-token-8b1f2c';
const ENV = {
  ZOHO_CLIENT_ID: '1000.CLIENTID',
  ZOHO_CLIENT_SECRET: 'client-secret',
  ZOHO_REFRESH_TOKEN: '1000.refresh.token',
  ZOHO_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
  ZOHO_ACCOUNTS_URL: ACCOUNTS,
  ZOHO_API_URL: API,
  ZOHO_ACTIVITY_EVENTS: 'deal.won=Deals.edit:Stage=Closed Won,call.logged=Calls.create',
  PUBLIC_URL,
};

const CONTACT = '5725767000003000064';
const DEAL = '5725767000003000123';
const CALL = '5725767000003000200';
const ALIAS = `zoho:${CONTACT}`;

/** The shipped program with two activities a CRM brings: a won deal (100) and a logged call (10). */
const PROGRAM = parseProgram(
  readFileSync(new URL('../../config/program.yaml', import.meta.url), 'utf8').replace(
    'rules:\n',
    'rules:\n  - id: deal-won\n    on: deal.won\n    award: { fixed: 100 }\n\n  - id: call-logged\n    on: call.logged\n    award: { fixed: 10 }\n\n',
  ),
);

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const record = (name: string, changes: Json = {}): Json => {
  const body = sample('zoho', name) as { data: Json[] };
  return { data: [{ ...body.data[0], ...changes }] };
};

/** Zoho's API: the token endpoint, and records by module/id (`records` overrides; a function may fail). */
function zohoApi(records: Record<string, Json | (() => Response)> = {}) {
  const reads: string[] = [];
  const known: Record<string, Json | (() => Response)> = {
    [`Deals/${DEAL}`]: record('deal_record'),
    [`Contacts/${CONTACT}`]: record('contact_record'),
    [`Calls/${CALL}`]: record('call_record'),
    ...records,
  };
  server.use(
    http.post(`${ACCOUNTS}/oauth/v2/token`, () => HttpResponse.json(sample('zoho', 'token_refresh'))),
    http.get(`${API}/crm/v8/:module/:id`, ({ request, params }) => {
      expect(request.headers.get('authorization')).toBe(`Zoho-oauthtoken ${String(sample('zoho', 'token_refresh').access_token)}`);
      const key = `${String(params.module)}/${String(params.id)}`;
      reads.push(key);
      const answer = known[key];
      if (answer === undefined) return new HttpResponse(null, { status: 204 });
      return typeof answer === 'function' ? answer() : HttpResponse.json(answer);
    }),
  );
  return reads;
}

let serverTime = 1718117126473;
/** notification_update.json as Zoho's callback for `module`/`operation` of `ids`, with our channel's token. */
function notification(module: string, operation: string, ids: string[], changes: Json = {}): Json {
  return { ...sample('zoho', 'notification_update'), module, operation, ids, server_time: ++serverTime, resource_uri: `https://www.zohoapis.com/crm/v8/${module}`, token: channelToken(WEBHOOK_TOKEN), ...changes };
}
const post = (body: Json | string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** What the Deluge function of docs/connectors/zoho.md posts for a won deal. */
const delugeAction = (changes: Json = {}): Json => ({
  action_id: `deal.won:${DEAL}`,
  activity: 'deal.won',
  contact_id: CONTACT,
  email: 'p.boyle@abc.com',
  first_name: 'Patricia',
  last_name: 'Boyle',
  occurred_at: '2024-06-11T14:25:53+05:30',
  ...changes,
});
const fromDeluge = (body: Json | string, token = WEBHOOK_TOKEN) => post(body, { 'X-Loyalty-Hub-Token': token });

describe('POST /webhooks/zoho: the Deluge function', () => {
  const h = hubHarness({ connectors: [zoho], env: ENV, program: PROGRAM });

  it('earns the named activity once per action, however often and concurrently the function posts it', async () => {
    const answers = await deliverConcurrently(h, 'zoho', fromDeluge(delugeAction()), 5);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 4 });
    const accepted = answers.find((a) => a.status === 'accepted')!;
    expect(accepted.eventId).toBe(`zoho:action:deal.won:${DEAL}`);
    expect(onlyOutcome(accepted)).toMatchObject({ status: 'applied', points: 100 });
    expect(await memberByAlias(h, ALIAS)).toMatchObject({ email: 'p.boyle@abc.com' });
    expect(await pointsOf(h, ALIAS)).toBe(100);

    // The workflow rule fired again for the same deal (another edit): same action id, another body.
    const again = await deliver(h, 'zoho', fromDeluge(delugeAction({ occurred_at: '2024-06-12T09:00:00+05:30' })));
    expect(again.status).toBe('duplicate');
    expect(await pointsOf(h, ALIAS)).toBe(100);
    const [row, ...others] = await inbox(h, 'source=zoho');
    expect(others).toEqual([]);
    expect(row).toMatchObject({ status: 'accepted', topic: 'deluge.deal.won' });
  });

  it('a call logged for a Contact known by e-mail only joins that member', async () => {
    const answer = await deliver(h, 'zoho', fromDeluge({ action_id: `call.logged:${CALL}`, activity: 'call.logged', email: 'P.Boyle@abc.com' }));
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 10 });
    expect(await pointsOf(h, 'email:p.boyle@abc.com')).toBe(10);
  });

  it('refuses an action that names no Contact: 400 with the pointer, kept as rejected', async () => {
    const answer = await deliver(h, 'zoho', fromDeluge({ action_id: 'x:1', activity: 'deal.won' }));
    await expectRejected(h, 'zoho', answer, '/email');
  });

  describe('refuses what does not carry ZOHO_WEBHOOK_TOKEN, and writes nothing', () => {
    it.each([
      ['another token in the header', () => fromDeluge(delugeAction(), 'zoho-shared-token-8b1f2d'), /X-Loyalty-Hub-Token does not match/],
      ['an empty header', () => fromDeluge(delugeAction(), ''), /X-Loyalty-Hub-Token does not match/],
      ['no header and no channel token', () => post(delugeAction()), /neither the X-Loyalty-Hub-Token header nor a notification channel token/],
      ['the header token in the body instead', () => post({ ...delugeAction(), token: WEBHOOK_TOKEN }), /notification channel token does not match/],
    ])('%s → 401', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'zoho', init()), reason);
      await expectOnlySignatureAlert(h, 'zoho');
    });
  });
});

describe('POST /webhooks/zoho: the notification channel', () => {
  const h = hubHarness({ connectors: [zoho], env: ENV, program: PROGRAM });

  it('a Deal edited to Closed Won earns deal.won once for its Contact, read through the API', async () => {
    const reads = zohoApi();
    const note = notification('Deals', 'update', [DEAL]);
    const answers = await deliverConcurrently(h, 'zoho', post(note), 3);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 2 });
    const accepted = answers.find((a) => a.status === 'accepted')!;
    expect(onlyOutcome(accepted)).toMatchObject({ eventId: `zoho:Deals:${DEAL}:deal.won`, status: 'applied', points: 100 });
    expect(reads).toContain(`Deals/${DEAL}`);
    expect(reads).toContain(`Contacts/${CONTACT}`);
    expect(await memberByAlias(h, ALIAS)).toMatchObject({ email: 'p.boyle@abc.com' });

    // A later edit of the same won deal: a new notification, the same business fact.
    const later = await deliver(h, 'zoho', post(notification('Deals', 'update', [DEAL])));
    expect(later).toMatchObject({ httpStatus: 200, status: 'duplicate', eventId: `zoho:Deals:${DEAL}:deal.won` });
    expect(await pointsOf(h, ALIAS)).toBe(100);
    expect((await inbox(h, 'source=zoho')).map((r) => r.topic)).toContain('Deals.update');
  });

  it('a Call created earns call.logged for the Contact in Who_Id; a Deal not won and an unwatched module are ignored', async () => {
    zohoApi({ [`Deals/${DEAL}`]: record('deal_record', { Stage: 'Negotiation/Review' }) });
    const call = await deliver(h, 'zoho', post(notification('Calls', 'insert', [CALL])));
    expect(onlyOutcome(call)).toMatchObject({ eventId: `zoho:Calls:${CALL}:call.logged`, points: 10 });

    const open = await deliver(h, 'zoho', post(notification('Deals', 'update', [DEAL])));
    expect(open).toMatchObject({ httpStatus: 200, status: 'ignored' });
    const lead = await deliver(h, 'zoho', post(sample('zoho', 'notification_insert'), {}));
    // Zoho's own sample carries Zoho's sample token, not ours: refused like any forgery.
    expect(lead.httpStatus).toBe(401);
    const leads = await deliver(h, 'zoho', post(notification('Leads', 'insert', ['5725767000003000064'])));
    expect(leads).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect(await pointsOf(h, ALIAS)).toBe(10);
  });

  it('a failed look-up is a 503, and the same notification earns once when Zoho sends it again', async () => {
    zohoApi({ [`Deals/${DEAL}`]: () => HttpResponse.json({ code: 'INTERNAL_ERROR', message: 'Internal Server Error', status: 'error' }, { status: 500 }) });
    const note = notification('Deals', 'update', [DEAL]);
    const failed = await deliver(h, 'zoho', post(note));
    expect(failed.httpStatus).toBe(503);
    expect(await memberByAlias(h, ALIAS)).toBeUndefined();

    server.resetHandlers();
    zohoApi();
    const retried = await deliver(h, 'zoho', post(note));
    expect(onlyOutcome(retried)).toMatchObject({ status: 'applied', points: 100 });
    expect((await deliver(h, 'zoho', post(note))).status).toBe('duplicate');
    expect(await pointsOf(h, ALIAS)).toBe(100);
  });

  it('refuses a callback whose token was not derived from ZOHO_WEBHOOK_TOKEN, and writes nothing', async () => {
    const forged = notification('Deals', 'update', [DEAL], { token: channelToken('someone-elses-token') });
    expectUnauthorized(await deliver(h, 'zoho', post(forged)), /notification channel token does not match/);
    await expectOnlySignatureAlert(h, 'zoho');
  });
});

describe('replay of Zoho deliveries', () => {
  // `loyalty-hub replay` runs the shipped program: a won deal is mapped to its referral bonus (200).
  const REPLAY_ENV = { ...ENV, ZOHO_ACTIVITY_EVENTS: 'referral.completed=Deals.edit:Stage=Closed Won' };
  const h = hubHarness({ connectors: [zoho], env: REPLAY_ENV });

  it('re-applies a notification whose look-up failed, once', async () => {
    zohoApi({ [`Deals/${DEAL}`]: () => new HttpResponse(null, { status: 503 }) });
    expect((await deliver(h, 'zoho', post(notification('Deals', 'update', [DEAL])))).httpStatus).toBe(503);
    server.resetHandlers();
    zohoApi();
    expect(await replayWith(h, REPLAY_ENV, '--status', 'failed', '--source', 'zoho')).toMatch(/zoho Deals\.update: accepted \(200 points\)/);
    expect(await pointsOf(h, ALIAS)).toBe(200);
    expect(await replayWith(h, REPLAY_ENV, '--status', 'accepted', '--source', 'zoho')).toMatch(/^1 duplicate$/m);
    expect(await pointsOf(h, ALIAS)).toBe(200);
  });
});

async function replayWith(h: HubHarness, env: Record<string, string>, ...args: string[]): Promise<string> {
  const run = await runReplay(h, env, ...args);
  expect(run.code).toBe(0);
  return run.out;
}

describe('the notification channel job', () => {
  const h = hubHarness({ connectors: [zoho], env: ENV, program: PROGRAM });

  function watchApi(put: () => Response = () => HttpResponse.json(sample('zoho', 'watch_replace_response'))) {
    const calls: { method: string; body: Json }[] = [];
    server.use(
      http.post(`${ACCOUNTS}/oauth/v2/token`, () => HttpResponse.json(sample('zoho', 'token_refresh'))),
      http.post(`${API}/crm/v8/actions/watch`, async ({ request }) => {
        calls.push({ method: 'POST', body: (await request.json()) as Json });
        return HttpResponse.json(sample('zoho', 'watch_enable_response'));
      }),
      http.put(`${API}/crm/v8/actions/watch`, async ({ request }) => {
        calls.push({ method: 'PUT', body: (await request.json()) as Json });
        return put();
      }),
    );
    return calls;
  }

  it('enables the channel with the events, notify URL and derived token, then renews it every 12 hours', async () => {
    const calls = watchApi();
    const now = Date.UTC(2026, 11, 7, 0, 0, 0);
    expect(h.hub.connectorJobs.names).toContain('zoho/notification-channel');
    expect(await h.hub.connectorJobs.runDue(now)).toBe(1);
    expect(calls).toHaveLength(1);
    const [enabled] = calls;
    expect(enabled!.method).toBe('POST');
    const watch = (enabled!.body.watch as Json[])[0]!;
    expect(watch).toEqual({
      channel_id: expect.stringMatching(/^\d{13}$/) as string,
      events: ['Calls.create', 'Deals.edit'],
      channel_expiry: '2026-12-10T00:00:00+00:00',
      token: channelToken(WEBHOOK_TOKEN),
      notify_url: `${PUBLIC_URL}/webhooks/zoho`,
      notify_on_related_action: false,
    });
    expect((watch.token as string).length).toBeLessThanOrEqual(50);

    expect(await h.hub.connectorJobs.runDue(now + 11 * HOUR_MS)).toBe(0);
    expect(await h.hub.connectorJobs.runDue(now + 12 * HOUR_MS)).toBe(1);
    expect(calls.map((c) => c.method)).toEqual(['POST', 'PUT']);
    const renewed = (calls[1]!.body.watch as Json[])[0]!;
    expect(renewed).toMatchObject({ channel_id: watch.channel_id, channel_expiry: '2026-12-10T12:00:00+00:00' });
  });

  it('enables the channel anew when Zoho no longer knows it, and retries on the next tick when Zoho fails', async () => {
    const calls = watchApi(() => HttpResponse.json({ watch: [{ code: 'INVALID_DATA', details: {}, message: 'the given channel_id is invalid', status: 'error' }] }, { status: 400 }));
    const now = Date.UTC(2026, 11, 7);
    await h.hub.connectorJobs.runDue(now);
    await h.hub.connectorJobs.runDue(now + 12 * HOUR_MS);
    expect(calls.map((c) => c.method)).toEqual(['POST', 'PUT', 'POST']);

    server.resetHandlers();
    server.use(
      http.post(`${ACCOUNTS}/oauth/v2/token`, () => HttpResponse.json(sample('zoho', 'token_refresh'))),
      http.put(`${API}/crm/v8/actions/watch`, () => new HttpResponse(null, { status: 503 })),
    );
    expect(await h.hub.connectorJobs.runDue(now + 24 * HOUR_MS)).toBe(0);
    const again = watchApi();
    expect(await h.hub.connectorJobs.runDue(now + 24 * HOUR_MS + 60_000)).toBe(1);
    expect(again.map((c) => c.method)).toEqual(['PUT']);
  });
});
