/**
 * The `salesforce` outbound adapter against msw at the network edge (`onUnhandledRequest:
 * 'error'`): jsforce's SOAP login and REST calls go through node-fetch, which msw intercepts, so
 * every request Salesforce would receive is checked as sent — endpoint, `Authorization: Bearer
 * <session id>`, body — and what each answer becomes (delivered, retry, permanent). Members and
 * balances come from a real hub database; the last part runs the shipped mapping file from an
 * Outbound Message to the Contact update.
 */
import { connectorState } from '../../core/connectors/connector-state.js';
import { join } from 'node:path';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import salesforce from '../../connectors/salesforce/index.js';
import { createSalesforceAdapter } from '../../connectors/salesforce/adapter.js';
import { LOGIN_REFUSED_COOLDOWN_MS } from '../../connectors/salesforce/session.js';
import { discoverConnectors } from '../../core/connectors/discover.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, sampleEvent } from '../../core/mappings/index.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import { hubHarness, json } from '../helpers/test-hub.js';

const LOGIN_URL = 'https://login.salesforce.test';
const LOGIN = `${LOGIN_URL}/services/Soap/u/62.0`;
const INSTANCE = 'https://acme.my.salesforce.test';
const DATA = `${INSTANCE}/services/data/v62.0`;
const PASSWORD = 'p&ss<w0rd>TOKEN123';
const env = {
  SALESFORCE_INBOUND_SECRET: 'sf-inbound-secret',
  SALESFORCE_ORGANIZATION_ID: '00D5g000004XyZq',
  SALESFORCE_USERNAME: 'integration@acme.test',
  SALESFORCE_PASSWORD: PASSWORD,
  SALESFORCE_LOGIN_URL: LOGIN_URL,
};

const CONTACT = '0031I0000081tb0QAA';
const LEAD = '00Q5g00000AbCdEFGH';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  text: string;
}

const loginAnswer = (sessionId: string) =>
  new HttpResponse(
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com">' +
      '<soapenv:Body><loginResponse><result><metadataServerUrl>https://acme.my.salesforce.test/services/Soap/m/62.0/00D5g000004XyZq</metadataServerUrl>' +
      '<passwordExpired>false</passwordExpired><sandbox>false</sandbox>' +
      '<serverUrl>https://acme.my.salesforce.test/services/Soap/u/62.0/00D5g000004XyZq</serverUrl>' +
      `<sessionId>${sessionId}</sessionId><userId>0055g00000AbCdEAAV</userId>` +
      '<userInfo><organizationId>00D5g000004XyZqEAK</organizationId><userName>integration@acme.test</userName></userInfo>' +
      '</result></loginResponse></soapenv:Body></soapenv:Envelope>',
    { headers: { 'content-type': 'text/xml; charset=utf-8' } },
  );

const loginFault = (code: string, message: string) =>
  new HttpResponse(
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com">' +
      `<soapenv:Body><soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${code}: ${message}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
    { status: 500, headers: { 'content-type': 'text/xml; charset=utf-8' } },
  );

const sfError = (status: number, errorCode: string, message: string, headers: Record<string, string> = {}) =>
  HttpResponse.json([{ message, errorCode }], { status, headers });

/** Records every request to Salesforce; `login` and `rest` answer them (in order, the last one repeating). */
function salesforceStub(o: { login?: (() => Response)[]; rest?: (() => Response | Promise<Response>)[] } = {}) {
  const logins: Seen[] = [];
  const rest: Seen[] = [];
  const logIns = o.login ?? [() => loginAnswer('SESSION-1')];
  const answers = o.rest ?? [() => new HttpResponse(null, { status: 204 })];
  const record = async (request: Request, into: Seen[]) => into.push({ method: request.method, url: request.url, headers: request.headers, text: await request.text() });
  server.use(
    http.post(LOGIN, async ({ request }) => {
      await record(request, logins);
      return logIns[Math.min(logins.length, logIns.length) - 1]!();
    }),
    http.all(`${INSTANCE}/services/data/*`, async ({ request }) => {
      await record(request, rest);
      return answers[Math.min(rest.length, answers.length) - 1]!();
    }),
  );
  return { logins, rest, bodies: () => rest.map((r) => JSON.parse(r.text) as unknown) };
}

function context(memberId: string | null, overrides: Partial<SendContext> = {}): SendContext {
  return {
    idempotencyKey: 'dlv_01jx4k9c2m0000000000000000',
    attempt: 1,
    member: memberId ? { id: memberId, email: 'drb24@cornell.edu', phone: null, consentEmail: false, consentSms: false, firstName: 'Doug', lastName: 'Bunting' } : null,
    timeZone: 'UTC',
    now: Date.UTC(2025, 0, 15, 12),
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('salesforce adapter', () => {
  const h = hubHarness();
  const adapter = (e: Record<string, string> = env): OutboundAdapter => salesforce.createAdapter(e, { store: h.hub.store, commit: h.hub.commit, state: connectorState(h.hub.store, h.hub.commit, 'salesforce') });

  /** A member with these aliases and this many points. */
  async function member(aliases: string[], points = 120): Promise<string> {
    const res = await h.call('POST', '/v1/members', { body: { email: `m${Math.random().toString(36).slice(2)}@shop.example`, aliases } });
    expect(res.status).toBe(201);
    const { id } = await json<{ id: string }>(res);
    if (points) expect((await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points, reason: 'seed' } })).status).toBe(201);
    return id;
  }

  it('logs in with SOAP, then PATCHes the Contact with its live balance, the session as Bearer', async () => {
    const id = await member([`salesforce:${CONTACT}`]);
    const sf = salesforceStub();
    const outcome = await adapter().send({ pointsField: 'Loyalty_Points__c', fields: { Loyalty_Tier__c: 'Gold' } }, context(id));
    expect(outcome).toEqual({ status: 'delivered', statusCode: 204 });

    expect(sf.logins).toHaveLength(1);
    const [login] = sf.logins;
    expect(login!.url).toBe(LOGIN);
    expect(login!.headers.get('content-type')).toBe('text/xml');
    expect(login!.headers.get('soapaction')).toBe('""');
    expect(login!.text).toBe(
      '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header/><se:Body><login xmlns="urn:partner.soap.sforce.com">' +
        '<username>integration@acme.test</username><password>p&amp;ss&lt;w0rd&gt;TOKEN123</password></login></se:Body></se:Envelope>',
    );

    expect(sf.rest.map((r) => [r.method, r.url])).toEqual([['PATCH', `${DATA}/sobjects/Contact/${CONTACT}`]]);
    expect(sf.rest[0]!.headers.get('authorization')).toBe('Bearer SESSION-1');
    expect(sf.rest[0]!.headers.get('content-type')).toBe('application/json');
    expect(sf.bodies()).toEqual([{ Loyalty_Tier__c: 'Gold', Loyalty_Points__c: 120 }]);
  });

  it('keeps the session across sends and always writes the balance as it is when sending', async () => {
    const id = await member([`salesforce:${CONTACT}`], 120);
    const sf = salesforceStub();
    const a = adapter();
    await a.send({ pointsField: 'Loyalty_Points__c' }, context(id));
    await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 30, reason: 'later earn' } });
    // The earlier delivery retried now writes today's balance, not the one of its event.
    await a.send({ pointsField: 'Loyalty_Points__c' }, context(id, { attempt: 2 }));
    expect(sf.logins).toHaveLength(1);
    expect(sf.bodies()).toEqual([{ Loyalty_Points__c: 120 }, { Loyalty_Points__c: 150 }]);
  });

  it('logs in once for sends that start together', async () => {
    const id = await member([`salesforce:${CONTACT}`]);
    const sf = salesforceStub();
    const a = adapter();
    const outcomes = await Promise.all([1, 2, 3].map(() => a.send({ pointsField: 'Loyalty_Points__c' }, context(id))));
    expect(outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(sf.logins).toHaveLength(1);
    expect(sf.rest).toHaveLength(3);
  });

  it('sends the REST calls to SALESFORCE_INSTANCE_URL when set', async () => {
    const id = await member([`salesforce:${CONTACT}`]);
    const sf = salesforceStub();
    const seen: string[] = [];
    server.use(
      http.patch('http://127.0.0.1:8089/sf/services/data/v62.0/sobjects/Contact/:id', ({ request }) => {
        seen.push(`${request.url} ${request.headers.get('authorization')}`);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    expect(await adapter({ ...env, SALESFORCE_INSTANCE_URL: 'http://127.0.0.1:8089/sf/' }).send({ pointsField: 'Loyalty_Points__c' }, context(id))).toMatchObject({ status: 'delivered' });
    expect(seen).toEqual([`http://127.0.0.1:8089/sf/services/data/v62.0/sobjects/Contact/${CONTACT} Bearer SESSION-1`]);
    expect(sf.logins).toHaveLength(1);
    expect(sf.rest).toEqual([]);
  });

  it('updates a Lead by its id prefix, and a rendered recordId (15 characters) with object:', async () => {
    const id = await member([`salesforce:${LEAD}`]);
    const sf = salesforceStub();
    await adapter().send({ fields: { Loyalty_Tier__c: 'Silver' } }, context(id));
    await adapter().send({ object: 'Account', recordId: '0015g00000Zz9Ab', fields: { Loyalty_Tier__c: 'Silver' } }, context(id));
    expect(sf.rest.map((r) => `${r.method} ${r.url}`)).toEqual([`PATCH ${DATA}/sobjects/Lead/${LEAD}`, `PATCH ${DATA}/sobjects/Account/0015g00000Zz9AbAAJ`]);
  });

  it('updates every record of a member in one composite request', async () => {
    const id = await member([`salesforce:${LEAD}`, `salesforce:${CONTACT}`], 75);
    const sf = salesforceStub({ rest: [() => HttpResponse.json([{ id: CONTACT, success: true, errors: [] }, { id: LEAD, success: true, errors: [] }])] });
    expect(await adapter().send({ pointsField: 'Loyalty_Points__c' }, context(id))).toEqual({ status: 'delivered', statusCode: 200 });
    expect(sf.rest.map((r) => `${r.method} ${r.url}`)).toEqual([`PATCH ${DATA}/composite/sobjects`]);
    expect(sf.rest[0]!.headers.get('authorization')).toBe('Bearer SESSION-1');
    expect(sf.bodies()).toEqual([
      {
        allOrNone: false,
        records: [
          { id: CONTACT, attributes: { type: 'Contact' }, Loyalty_Points__c: 75 },
          { id: LEAD, attributes: { type: 'Lead' }, Loyalty_Points__c: 75 },
        ],
      },
    ]);
  });

  it('leaves out a field that rendered empty, and clears one set to null', async () => {
    const id = await member([`salesforce:${CONTACT}`]);
    const sf = salesforceStub();
    await adapter().send({ pointsField: 'Loyalty_Points__c', fields: { Loyalty_Tier__c: '  ', Loyalty_Note__c: null } }, context(id));
    expect(sf.bodies()).toEqual([{ Loyalty_Note__c: null, Loyalty_Points__c: 120 }]);
  });

  it('records the change as a Loyalty_Transaction__c, upserted on the delivery key so a retry creates nothing new', async () => {
    const id = await member([`salesforce:${CONTACT}`]);
    const sf = salesforceStub({
      rest: [
        () => new HttpResponse(null, { status: 204 }),
        () => HttpResponse.json({ id: 'a0X5g000001AbCdEAK', success: true, errors: [], created: true }, { status: 201 }),
        () => new HttpResponse(null, { status: 204 }),
        () => HttpResponse.json({ id: 'a0X5g000001AbCdEAK', success: true, errors: [], created: false }, { status: 200 }),
      ],
    });
    const options = { pointsField: 'Loyalty_Points__c', transaction: { fields: { Points__c: '250', Kind__c: 'earn', Reason__c: '' } } };
    expect(await adapter().send(options, context(id))).toEqual({ status: 'delivered', statusCode: 201 });
    expect(await adapter().send(options, context(id, { attempt: 2 }))).toEqual({ status: 'delivered', statusCode: 200 });
    const key = `dlv_01jx4k9c2m0000000000000000-${CONTACT}`;
    expect(sf.rest.map((r) => `${r.method} ${r.url}`)).toEqual([
      `PATCH ${DATA}/sobjects/Contact/${CONTACT}`,
      `PATCH ${DATA}/sobjects/Loyalty_Transaction__c/Loyalty_Hub_Id__c/${key}`,
      `PATCH ${DATA}/sobjects/Contact/${CONTACT}`,
      `PATCH ${DATA}/sobjects/Loyalty_Transaction__c/Loyalty_Hub_Id__c/${key}`,
    ]);
    expect(sf.bodies()[1]).toEqual({ Points__c: '250', Kind__c: 'earn', Contact__c: CONTACT });
    expect(sf.bodies()[3]).toEqual(sf.bodies()[1]);
  });

  it('records one transaction per record of the member in one composite upsert', async () => {
    const id = await member([`salesforce:${LEAD}`, `salesforce:${CONTACT}`]);
    const sf = salesforceStub({
      rest: [
        () => HttpResponse.json([{ id: 'a0X1', success: true, errors: [], created: true }, { id: 'a0X2', success: true, errors: [], created: true }]),
      ],
    });
    const options = { transaction: { object: 'Points_Movement__c', externalIdField: 'Hub_Key__c', fields: { Points__c: '40' } } };
    expect(await adapter().send(options, context(id))).toMatchObject({ status: 'delivered' });
    expect(sf.rest.map((r) => `${r.method} ${r.url}`)).toEqual([`PATCH ${DATA}/composite/sobjects/Points_Movement__c/Hub_Key__c`]);
    expect(sf.bodies()).toEqual([
      {
        allOrNone: false,
        records: [
          { Hub_Key__c: `dlv_01jx4k9c2m0000000000000000-${CONTACT}`, attributes: { type: 'Points_Movement__c' }, Points__c: '40', Contact__c: CONTACT },
          { Hub_Key__c: `dlv_01jx4k9c2m0000000000000000-${LEAD}`, attributes: { type: 'Points_Movement__c' }, Points__c: '40', Lead__c: LEAD },
        ],
      },
    ]);
  });

  describe('what an answer becomes', () => {
    it.each([
      ['429 with Retry-After: 7', () => sfError(429, 'REQUEST_LIMIT_EXCEEDED', 'Too many requests', { 'retry-after': '7' }), { status: 'retry', statusCode: 429, retryAfterMs: 7000 }],
      ['503 Service Unavailable (HTML)', () => new HttpResponse('<html>down</html>', { status: 503, headers: { 'content-type': 'text/html' } }), { status: 'retry', statusCode: 503 }],
      ['500 UNKNOWN_EXCEPTION', () => sfError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred.'), { status: 'retry', statusCode: 500 }],
      ['502 without a body', () => new HttpResponse(null, { status: 502 }), { status: 'retry', statusCode: 502 }],
      ['403 REQUEST_LIMIT_EXCEEDED (the org API limit)', () => sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), { status: 'retry', statusCode: 403 }],
      ['400 INVALID_FIELD', () => sfError(400, 'INVALID_FIELD', "No such column 'Loyalty_Points__c' on sobject of type Contact"), { status: 'permanent', statusCode: 400 }],
      ['404 ENTITY_IS_DELETED', () => sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted'), { status: 'permanent', statusCode: 404 }],
      ['403 INSUFFICIENT_ACCESS', () => sfError(403, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id'), { status: 'permanent', statusCode: 403 }],
    ])('%s', async (_what, answer, expected) => {
      const id = await member([`salesforce:${CONTACT}`]);
      const sf = salesforceStub({ rest: [answer] });
      const outcome = await adapter().send({ pointsField: 'Loyalty_Points__c' }, context(id));
      expect(outcome).toMatchObject(expected);
      if (!('retryAfterMs' in expected)) expect((outcome as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
      expect(sf.rest).toHaveLength(1); // the adapter never retries by itself: the dispatcher does
    });

    it('names Salesforce\'s reason in a permanent failure', async () => {
      const id = await member([`salesforce:${CONTACT}`]);
      salesforceStub({ rest: [() => sfError(400, 'INVALID_FIELD', "No such column 'Loyalty_Points__c' on sobject of type Contact")] });
      expect(await adapter().send({ pointsField: 'Loyalty_Points__c' }, context(id))).toEqual({
        status: 'permanent',
        statusCode: 400,
        error: `salesforce: update of Contact ${CONTACT}: HTTP 400 INVALID_FIELD: No such column 'Loyalty_Points__c' on sobject of type Contact`,
      });
    });

    it('a composite answer with a locked row is retried; with a deleted record, permanent naming it', async () => {
      const id = await member([`salesforce:${LEAD}`, `salesforce:${CONTACT}`]);
      salesforceStub({
        rest: [
          () => HttpResponse.json([{ id: CONTACT, success: true, errors: [] }, { success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record', fields: [] }] }]),
          () => HttpResponse.json([{ id: CONTACT, success: true, errors: [] }, { success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] }]),
        ],
      });
      const a = adapter();
      expect(await a.send({ pointsField: 'Loyalty_Points__c' }, context(id))).toMatchObject({ status: 'retry', statusCode: 200 });
      const outcome = await a.send({ pointsField: 'Loyalty_Points__c' }, context(id));
      expect(outcome).toMatchObject({ status: 'permanent', statusCode: 200 });
      expect(outcome.status === 'permanent' && outcome.error).toBe(`salesforce: update of 2 records: 1 of 2 not saved: Lead ${LEAD}: ENTITY_IS_DELETED: entity is deleted`);
    });

    it('an expired session (401 INVALID_SESSION_ID): logs in again once and sends again with the new session', async () => {
      const id = await member([`salesforce:${CONTACT}`]);
      const sf = salesforceStub({
        login: [() => loginAnswer('SESSION-1'), () => loginAnswer('SESSION-2')],
        rest: [() => sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid'), () => new HttpResponse(null, { status: 204 })],
      });
      expect(await adapter().send({ pointsField: 'Loyalty_Points__c' }, context(id))).toEqual({ status: 'delivered', statusCode: 204 });
      expect(sf.logins).toHaveLength(2);
      expect(sf.rest.map((r) => r.headers.get('authorization'))).toEqual(['Bearer SESSION-1', 'Bearer SESSION-2']);
      expect(sf.bodies()).toEqual([{ Loyalty_Points__c: 120 }, { Loyalty_Points__c: 120 }]);
    });

    it('a new session refused too: permanent after exactly one new login', async () => {
      const id = await member([`salesforce:${CONTACT}`]);
      const sf = salesforceStub({
        login: [() => loginAnswer('SESSION-1'), () => loginAnswer('SESSION-2')],
        rest: [() => sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid')],
      });
      expect(await adapter().send({ pointsField: 'Loyalty_Points__c' }, context(id))).toMatchObject({ status: 'permanent', statusCode: 401 });
      expect(sf.logins).toHaveLength(2);
      expect(sf.rest).toHaveLength(2);
    });

    it('a refused login is permanent, and not tried again for a while (failed logins lock the user out)', async () => {
      const id = await member([`salesforce:${CONTACT}`]);
      const sf = salesforceStub({ login: [() => loginFault('INVALID_LOGIN', 'Invalid username, password, security token; or user locked out.'), () => loginAnswer('SESSION-1')] });
      let now = Date.UTC(2025, 0, 15, 12);
      const a = createSalesforceAdapter({ loginUrl: LOGIN_URL, username: env.SALESFORCE_USERNAME, password: PASSWORD, store: h.hub.store, clock: () => now });
      const first = await a.send({ pointsField: 'Loyalty_Points__c' }, context(id));
      expect(first).toMatchObject({ status: 'permanent', statusCode: 500 });
      expect(first.status === 'permanent' && first.error).toContain('INVALID_LOGIN: Invalid username, password, security token; or user locked out.');
      // Within the cool-down: no second failed login.
      const second = await a.send({ pointsField: 'Loyalty_Points__c' }, context(id));
      expect(second).toMatchObject({ status: 'permanent' });
      expect(sf.logins).toHaveLength(1);
      now += LOGIN_REFUSED_COOLDOWN_MS;
      expect(await a.send({ pointsField: 'Loyalty_Points__c' }, context(id))).toMatchObject({ status: 'delivered' });
      expect(sf.logins).toHaveLength(2);
      expect(sf.rest).toHaveLength(1);
    });

    it('a login Salesforce cannot serve now (503, SERVER_UNAVAILABLE) is retried, and the next send logs in again', async () => {
      const id = await member([`salesforce:${CONTACT}`]);
      const sf = salesforceStub({
        login: [() => new HttpResponse('Service Unavailable', { status: 503, headers: { 'retry-after': '120' } }), () => loginFault('SERVER_UNAVAILABLE', 'try later'), () => loginAnswer('SESSION-1')],
      });
      const a = adapter();
      expect(await a.send({ pointsField: 'Loyalty_Points__c' }, context(id))).toMatchObject({ status: 'retry', statusCode: 503, retryAfterMs: 120_000 });
      expect(await a.send({ pointsField: 'Loyalty_Points__c' }, context(id))).toMatchObject({ status: 'retry', statusCode: 500 });
      expect(await a.send({ pointsField: 'Loyalty_Points__c' }, context(id))).toMatchObject({ status: 'delivered' });
      expect(sf.logins).toHaveLength(3);
    });

    it('no answer before the dispatcher\'s deadline → retry', async () => {
      const id = await member([`salesforce:${CONTACT}`]);
      salesforceStub({ rest: [async () => { await delay(2_000); return new HttpResponse(null, { status: 204 }); }] });
      const outcome = await adapter().send({ pointsField: 'Loyalty_Points__c' }, context(id, { signal: AbortSignal.timeout(200) }));
      expect(outcome).toEqual({ status: 'retry', error: 'salesforce: no answer in time' });
    });
  });

  describe('sends nothing', () => {
    it.each([
      ['for a member without a Salesforce record', async () => context(await member(['shopify:1073339468'])), /no Salesforce record/],
      ['for an event about no member', async () => context(null), /concerns no member/],
    ])('%s (skipped)', async (_what, ctx, reason) => {
      const sf = salesforceStub();
      const outcome = await adapter().send({ pointsField: 'Loyalty_Points__c' }, await ctx());
      expect(outcome).toMatchObject({ status: 'skipped', reason: expect.stringMatching(reason) });
      expect(sf.logins).toEqual([]);
    });

    it('for an erased member (skipped)', async () => {
      const id = await member([`salesforce:${CONTACT}`], 0);
      expect((await h.call('DELETE', `/v1/members/${id}`)).status).toBeLessThan(300);
      const sf = salesforceStub();
      expect(await adapter().send({ pointsField: 'Loyalty_Points__c' }, context(id))).toMatchObject({ status: 'skipped' });
      expect(sf.logins).toEqual([]);
    });

    it('for a record id whose object it cannot tell (permanent: give object:)', async () => {
      const id = await member([]);
      const sf = salesforceStub();
      expect(await adapter().send({ recordId: 'a0B5g00000Rev01', fields: { X__c: '1' } }, context(id))).toMatchObject({ status: 'permanent', error: expect.stringContaining('give object:') });
      expect(sf.logins).toEqual([]);
    });
  });
});

describe('salesforce options in mapping files', () => {
  it('need something to write, and refuse what is not an API name', () => {
    const options = salesforce.createAdapter(env, { store: undefined as never, commit: undefined as never, state: undefined as never }).options;
    expect(options.safeParse({ pointsField: 'Loyalty_Points__c' }).success).toBe(true);
    expect(options.safeParse({}).success).toBe(false);
    expect(options.safeParse({ fields: { 'Loyalty Points': 1 } }).success).toBe(false);
    expect(options.safeParse({ pointsField: 'Loyalty_Points__c', recordid: 'x' }).success).toBe(false);
  });

  it('the shipped salesforce-contact-sync.yaml loads without any Salesforce setting, and renders as documented', async () => {
    const { adapters } = adapterDescriptors(await discoverConnectors(), {});
    const loaded = loadMappingFile(join(import.meta.dirname, '../../mappings/salesforce-contact-sync.yaml'), adapters);
    expect(loaded.problems).toEqual([]);
    expect(loaded.mappings.map((m) => m.on)).toEqual(['points.earned', 'points.activated', 'points.spent', 'points.reversed', 'points.expired', 'tier.upgraded', 'tier.downgraded']);
    const member = { id: 'mem_1', email: 'a@b.test', phone: null, consentEmail: true, consentSms: false, firstName: 'A', lastName: 'B' };
    expect(mappingActionsFor(loaded.mappings, sampleEvent('points.spent'), { member })).toEqual([
      { mapping: 'salesforce-contact-sync-points-spent', index: 0, adapter: 'salesforce', options: { pointsField: 'Loyalty_Points__c' } },
    ]);
    expect(mappingActionsFor(loaded.mappings, sampleEvent('tier.downgraded'), { member })).toEqual([
      { mapping: 'salesforce-contact-sync-tier-downgraded', index: 0, adapter: 'salesforce', options: { pointsField: 'Loyalty_Points__c', fields: { Loyalty_Tier__c: 'Silver' } } },
    ]);
  });
});

describe('from an Outbound Message to the Contact fields, through the shipped mapping', () => {
  const SECRET = 'sf-inbound-secret';
  const h = hubHarness({
    connectors: [salesforce],
    env: { ...env, SALESFORCE_INBOUND_SECRET: SECRET, SALESFORCE_ORGANIZATION_ID: '012345678901234', LOYALTY_MAPPINGS: join(import.meta.dirname, '../../mappings') },
  });

  it('the welcome bonus of each Contact of the sample lands in its Loyalty_Points__c', async () => {
    const { readFileSync } = await import('node:fs');
    const xml = readFileSync(new URL('../fixtures/platform-samples/salesforce/outbound_message_contact_2_notifications.xml', import.meta.url), 'utf8');
    const res = await h.hub.app.request(`/webhooks/salesforce?secret=${SECRET}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
    expect(res.status).toBe(200);

    const sf = salesforceStub();
    await h.hub.notifications.dispatcher.runOnce();
    expect(sf.logins).toHaveLength(1);
    expect(sf.rest.map((r) => `${r.method} ${r.url} ${r.headers.get('authorization')} ${r.text}`).sort()).toEqual([
      `PATCH ${DATA}/sobjects/Contact/0031I0000081tb0QAA Bearer SESSION-1 {"Loyalty_Points__c":50}`,
      `PATCH ${DATA}/sobjects/Contact/0031I0000081tbPQAQ Bearer SESSION-1 {"Loyalty_Points__c":50}`,
    ]);
    const deliveries = await json<{ data: { adapter: string; status: string }[] }>(await h.call('GET', '/v1/deliveries?limit=50'));
    expect(deliveries.data.map((d) => [d.adapter, d.status])).toEqual([
      ['salesforce', 'delivered'],
      ['salesforce', 'delivered'],
    ]);
  });
});
