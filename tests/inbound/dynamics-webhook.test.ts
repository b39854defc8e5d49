/**
 * Dynamics 365 / Dataverse end to end: Microsoft's documented webhook body (a contact Update's
 * RemoteExecutionContext, tests/fixtures/platform-samples/dynamics) and contexts derived from it
 * (a contact Create, the Create of a loyalty activity row) through `POST /webhooks/dynamics` of a
 * whole hub, with the Web API and the token endpoint stubbed by msw at the network edge. Judged
 * by what Dataverse reads back (the status) and what a merchant sees — members, balances, the
 * inbox — under the shipped program (customer.created 50 points once per member, review.posted 25).
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import dynamics from '../../connectors/dynamics/index.js';
import { runReplay } from '../helpers/replay-cli.js';
import { hubHarness, type HubHarness } from '../helpers/test-hub.js';
import {
  deliver,
  deliverConcurrently,
  expectOnlySignatureAlert,
  expectRejected,
  expectUnauthorized,
  inbox,
  loyaltyEvents,
  memberByAlias,
  members,
  onlyOutcome,
  pointsOf,
  sample,
  sampleText,
  tally,
  type Json,
} from './webhook-helpers.js';

const ORG = 'https://contoso.crm.dynamics.com';
const TENANT = 'a8990e1f-ff32-408a-9f8e-78d3b9139b95';
const KEY = 'dv-webhook-key-7c1e9a0b2d4f6e8a';
const ENV = {
  DYNAMICS_URL: ORG,
  DYNAMICS_TENANT_ID: TENANT,
  DYNAMICS_CLIENT_ID: '535fb089-9ff3-47b6-9bfb-4f1264799865',
  DYNAMICS_CLIENT_SECRET: 'sampleCredentials',
  DYNAMICS_WEBHOOK_KEY: KEY,
};
/** The sample's contact, James Glynn. */
const CONTACT_ID = '6d81597f-0f9f-e711-8122-000d3aa2331c';
const ALIAS = `dynamics:${CONTACT_ID}`;
const ACTIVITY_ID = '0f3b7a52-1c9d-ef11-8a69-000d3a5a1b2c';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface WebApi {
  reads: { url: string; headers: Headers }[];
  tokens: number;
  /** Statuses the next reads answer with before the contact (a Web API outage). */
  failures: number[];
}

/** The token endpoint and `GET contacts(<id>)` of the Web API, answering the documented shapes. */
function webApi(): WebApi {
  const api: WebApi = { reads: [], tokens: 0, failures: [] };
  server.use(
    http.post(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`, () => {
      api.tokens++;
      return HttpResponse.json(sample('dynamics', 'token-response'));
    }),
    http.get(`${ORG}/api/data/v9.2/contacts\\(:id\\)`, ({ request }) => {
      api.reads.push({ url: request.url, headers: request.headers });
      const failure = api.failures.shift();
      if (failure) return HttpResponse.json({ error: { code: '0x80040216', message: 'An unexpected error occurred.' } }, { status: failure });
      return HttpResponse.json(sample('dynamics', 'contact-retrieve-response'));
    }),
  );
  return api;
}

/** A webhook request as Dataverse sends it (HttpHeader authentication with the hub's header). */
function delivery(body: Json | string, headers: Record<string, string> = { 'X-Loyalty-Hub-Key': KEY }, query = ''): RequestInit & { query: string } {
  const context = (typeof body === 'string' ? JSON.parse(body) : body) as Json;
  return {
    method: 'POST',
    query,
    headers: {
      'content-type': 'application/json',
      'x-ms-dynamics-organization': 'contoso.crm.dynamics.com',
      'x-ms-dynamics-entity-name': String(context.PrimaryEntityName),
      'x-ms-dynamics-request-name': String(context.MessageName),
      'x-ms-correlation-request-id': String(context.CorrelationId),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function send(h: HubHarness, request: RequestInit & { query: string }) {
  const { query, ...init } = request;
  return deliver(h, `dynamics${query}`, init);
}

/** Microsoft's Update sample, unmodified. */
const UPDATE = sampleText('dynamics', 'contact-update-context');

function target(logicalName: string, id: string, attributes: [string, unknown][]): Json {
  return {
    key: 'Target',
    value: {
      __type: 'Entity:http://schemas.microsoft.com/xrm/2011/Contracts',
      Attributes: attributes.map(([key, value]) => ({ key, value })),
      EntityState: null,
      FormattedValues: [],
      Id: id,
      KeyAttributes: [],
      LogicalName: logicalName,
      RelatedEntities: [],
      RowVersion: null,
    },
  };
}

/** The sample turned into the context of a contact Create (the Target holds every column set). */
function contactCreate(changes: Json = {}): Json {
  return {
    ...sample('dynamics', 'contact-update-context'),
    MessageName: 'Create',
    OperationId: '5bf21748-4ea2-e711-8122-000d3aa2331c',
    ParentContext: null,
    PostEntityImages: [],
    InputParameters: [
      target('contact', CONTACT_ID, [
        ['firstname', 'James'],
        ['lastname', 'Glynn (sample)'],
        ['emailaddress1', 'someone_a@example.com'],
        ['contactid', CONTACT_ID],
        ['createdon', '/Date(1506384240000)/'],
      ]),
    ],
    ...changes,
  };
}

/** The sample turned into the Create of a `new_loyaltyactivity` row naming the contact by its lookup. */
function activityCreate(name: unknown = 'review.posted', changes: Json = {}): Json {
  return {
    ...sample('dynamics', 'contact-update-context'),
    MessageName: 'Create',
    PrimaryEntityName: 'new_loyaltyactivity',
    PrimaryEntityId: ACTIVITY_ID,
    OperationId: '7d0c5e21-9b1a-ef11-8a69-000d3a5a1b2c',
    ParentContext: null,
    PostEntityImages: [],
    InputParameters: [
      target('new_loyaltyactivity', ACTIVITY_ID, [
        ['new_name', name],
        [
          'new_contact',
          {
            __type: 'EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts',
            Id: CONTACT_ID,
            KeyAttributes: [],
            LogicalName: 'contact',
            Name: 'James Glynn (sample)',
            RowVersion: null,
          },
        ],
        ['new_loyaltyactivityid', ACTIVITY_ID],
        ['createdon', '/Date(1506390000000)/'],
      ]),
    ],
    ...changes,
  };
}

describe('POST /webhooks/dynamics', () => {
  const h = hubHarness({ connectors: [dynamics], env: ENV });

  it('contact Create → customer.created: a member aliased by the contact id with its e-mail and the welcome bonus, no API call', async () => {
    const api = webApi();
    const answer = await send(h, delivery(contactCreate()));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: `dynamics:contact:${CONTACT_ID}:created` });
    expect(onlyOutcome(answer)).toMatchObject({ type: 'customer.created', status: 'applied', points: 50 });
    expect(await memberByAlias(h, ALIAS)).toMatchObject({ email: 'someone_a@example.com', firstName: 'James', lastName: 'Glynn (sample)' });
    expect(await pointsOf(h, ALIAS)).toBe(50);
    expect((await inbox(h))[0]).toMatchObject({ topic: 'contact.Create', status: 'accepted' });
    expect(api.reads).toEqual([]);
  });

  it('Microsoft\'s contact Update sample → customer.updated, the e-mail it lacks read from the Web API with the OData headers', async () => {
    const api = webApi();
    const answer = await send(h, delivery(UPDATE));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: `dynamics:contact:${CONTACT_ID}:updated:1506384247000` });
    expect(onlyOutcome(answer)).toMatchObject({ type: 'customer.updated', status: 'applied' });
    expect(api.reads).toHaveLength(1);
    expect(api.reads[0]!.url).toBe(`${ORG}/api/data/v9.2/contacts(${CONTACT_ID})?$select=emailaddress1,firstname,lastname,mobilephone,telephone1,donotbulkemail`);
    expect(api.reads[0]!.headers.get('authorization')).toBe(`Bearer ${String(sample('dynamics', 'token-response').access_token)}`);
    expect(api.reads[0]!.headers.get('odata-maxversion')).toBe('4.0');
    expect(api.reads[0]!.headers.get('odata-version')).toBe('4.0');
    expect(await memberByAlias(h, ALIAS)).toMatchObject({ email: 'someone_a@example.com', firstName: 'James' });
    expect((await inbox(h))[0]).toMatchObject({ topic: 'contact.Update', rawBody: UPDATE });
  });

  it('an Update whose post-image carries the e-mail needs no look-up', async () => {
    const api = webApi();
    const body = sample('dynamics', 'contact-update-context');
    const image = body.PostEntityImages as { value: { Attributes: Json[] } }[];
    image[0]!.value.Attributes.push({ key: 'emailaddress1', value: 'someone_a@example.com' });
    expect(onlyOutcome(await send(h, delivery(body)))).toMatchObject({ type: 'customer.updated', status: 'applied' });
    expect(api.reads).toEqual([]);
    expect(await memberByAlias(h, ALIAS)).toMatchObject({ email: 'someone_a@example.com' });
  });

  it('a loyalty activity row → its activity for the contact it names, once however often and concurrently delivered', async () => {
    webApi();
    await send(h, delivery(contactCreate()));
    const request = delivery(activityCreate());
    const answers = await deliverConcurrently(h, 'dynamics', request, 5);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 4 });
    expect(await send(h, request)).toMatchObject({ httpStatus: 200, status: 'duplicate' });
    expect(await pointsOf(h, ALIAS)).toBe(50 + 25);
    const earned = await loyaltyEvents(h, 'points.earned');
    expect(earned.map((e) => [e.data.points, e.data.reason])).toEqual([
      [50, expect.anything()],
      [25, 'review.posted'],
    ]);
    expect(await members(h)).toHaveLength(1);
  });

  it('the same row announced by another step (another OperationId) is the same fact: earns once', async () => {
    webApi();
    expect(onlyOutcome(await send(h, delivery(activityCreate())))).toMatchObject({ eventId: `dynamics:new_loyaltyactivity:${ACTIVITY_ID}`, status: 'applied', points: 25 });
    const again = await send(h, delivery(activityCreate('review.posted', { OperationId: '9e8d7c6b-5a49-ef11-8a69-000d3a5a1b2c' })));
    expect(onlyOutcome(again)).toMatchObject({ status: 'duplicate' });
    expect(await pointsOf(h, ALIAS)).toBe(25);
  });

  it('two saves of one contact are two updates, even from a context whose OperationId is the empty GUID', async () => {
    webApi();
    const save = (modifiedOn: string) => {
      const body = sample('dynamics', 'contact-update-context');
      body.OperationId = '00000000-0000-0000-0000-000000000000';
      const attributes = (body.InputParameters as { value: { Attributes: Json[] } }[])[0]!.value.Attributes;
      attributes.find((a) => a.key === 'modifiedon')!.value = modifiedOn;
      return delivery(body);
    };
    const first = await send(h, save('/Date(1506384247000)/'));
    const second = await send(h, save('/Date(1506384299000)/'));
    expect([first.status, second.status]).toEqual(['accepted', 'accepted']);
    expect([first.eventId, second.eventId]).toEqual([`dynamics:contact:${CONTACT_ID}:updated:1506384247000`, `dynamics:contact:${CONTACT_ID}:updated:1506384299000`]);
    expect(await send(h, save('/Date(1506384299000)/'))).toMatchObject({ httpStatus: 200, status: 'duplicate' });
  });

  it('answers 503 when the Web API look-up fails (nothing applied), and earns once when Dataverse retries', async () => {
    const api = webApi();
    api.failures.push(503);
    const request = delivery(activityCreate());
    const failed = await send(h, request);
    expect(failed.httpStatus).toBe(503);
    expect(await members(h)).toEqual([]);
    expect(onlyOutcome(await send(h, request))).toMatchObject({ status: 'applied', points: 25 });
    expect(await send(h, request)).toMatchObject({ httpStatus: 200, status: 'duplicate' });
    expect(await pointsOf(h, ALIAS)).toBe(25);
  });

  it('ignores what is not about loyalty: a contact Delete, another table', async () => {
    webApi();
    expect(await send(h, delivery(contactCreate({ MessageName: 'Delete', InputParameters: [] })))).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect(await send(h, delivery(contactCreate({ PrimaryEntityName: 'account', OperationId: 'a1a1a1a1-4ea2-e711-8122-000d3aa2331c' })))).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect(await members(h)).toEqual([]);
  });

  it('rejects (400, kept in the inbox) an activity row without a usable name, naming the column', async () => {
    webApi();
    const answer = await send(h, delivery(activityCreate('Posted a review!')));
    await expectRejected(h, 'dynamics', answer, '/InputParameters/0/value/Attributes/0/value');
  });

  describe('refuses a call without the configured key header: 401, nothing written', () => {
    it.each([
      ['a wrong key', { 'X-Loyalty-Hub-Key': 'guessed-key' }, '', /X-Loyalty-Hub-Key header does not match DYNAMICS_WEBHOOK_KEY/],
      ['no key', {}, '', /missing X-Loyalty-Hub-Key header$/],
      ['the key in the query string (WebhookKey)', {}, `?code=${KEY}`, /register the webhook with Authentication HttpHeader/],
    ])('%s', async (_what, headers: Record<string, string>, query, reason) => {
      const api = webApi();
      const answer = await send(h, delivery(activityCreate(), headers, query));
      expectUnauthorized(answer, reason);
      expect(answer.detail).not.toContain(KEY);
      await expectOnlySignatureAlert(h, 'dynamics');
      expect(api.reads).toEqual([]);
    });
  });
});

describe('loyalty-hub replay of a Dynamics delivery', () => {
  const h = hubHarness({ connectors: [dynamics], env: ENV });

  it('applies a delivery that failed while the Web API was down, and never earns twice', async () => {
    const api = webApi();
    api.failures.push(500);
    const failed = await send(h, delivery(activityCreate()));
    expect(failed.httpStatus).toBe(503);
    expect((await inbox(h)).map((r) => r.status)).toEqual(['failed']);

    const first = await runReplay(h, ENV, '--source', 'dynamics', '--status', 'failed');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/dynamics new_loyaltyactivity\.Create: accepted \(25 points\)/);
    expect(await pointsOf(h, ALIAS)).toBe(25);
    const again = await runReplay(h, ENV, '--source', 'dynamics', '--status', 'accepted');
    expect(again.out).not.toMatch(/points\)/);
    expect(await pointsOf(h, ALIAS)).toBe(25);
  });
});

describe('POST /webhooks/dynamics — not configured', () => {
  const h = hubHarness({ connectors: [dynamics], env: { DYNAMICS_WEBHOOK_KEY: KEY } });

  it('answers 404 naming the missing variables', async () => {
    const answer = await send(h, delivery(activityCreate()));
    expect(answer.httpStatus).toBe(404);
    expect(answer.detail).toContain('DYNAMICS_URL');
  });
});
