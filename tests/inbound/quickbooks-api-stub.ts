/**
 * A stand-in for the QuickBooks Online Accounting API and Intuit's OAuth token endpoint, at the
 * network edge (msw), answering as the API reference shows: `GET /v3/company/{realm}/{entity}/{id}`
 * → `{ "<Entity>": { … }, "time": … }`, `GET …/preferences`, and `POST /oauth2/v1/tokens/bearer`
 * → token_response.json with a new refresh token each time (Intuit rotates them).
 */
import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';
import { sample, type Json } from './webhook-helpers.js';

export const QUICKBOOKS_API = 'http://quickbooks.test';
export const CLIENT_ID = 'ABloyaltyhubclientid0123456789';
export const CLIENT_SECRET = 'loyalty-hub-client-secret-0123456789';
export const REFRESH_TOKEN = 'AB11-initial-refresh-token';

const ENTITIES: Record<string, string> = {
  invoice: 'Invoice',
  payment: 'Payment',
  salesreceipt: 'SalesReceipt',
  refundreceipt: 'RefundReceipt',
  creditmemo: 'CreditMemo',
  customer: 'Customer',
};

/** The `<Entity>` object of a vendored read response (invoice.json → its `Invoice`), with changes. */
export function entitySample(file: string, entity: string, changes: Json = {}): Json {
  return { ...(sample('quickbooks', file)[entity] as Json), ...changes };
}

export interface QuickBooksStub {
  /** `Invoice/130` → the entity the API answers. */
  entities: Map<string, Json>;
  /** Answers to give before the normal ones, in order: the next API reads fail with these statuses. */
  failures: number[];
  /** Every API read and token request seen. */
  reads: { path: string; authorization: string | null }[];
  tokenRequests: { refreshToken: string | null; authorization: string | null }[];
  /** The access tokens the API accepts; others are answered 401. */
  validTokens: Set<string>;
  put(entity: string, value: Json): void;
}

export function quickbooksStub(server: SetupServer): QuickBooksStub {
  let issued = 0;
  const stub: QuickBooksStub = {
    entities: new Map(),
    failures: [],
    reads: [],
    tokenRequests: [],
    validTokens: new Set(),
    put(entity, value) {
      stub.entities.set(`${entity}/${String(value.Id)}`, value);
    },
  };
  server.use(
    http.post(`${QUICKBOOKS_API}/oauth2/v1/tokens/bearer`, async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      stub.tokenRequests.push({ refreshToken: form.get('refresh_token'), authorization: request.headers.get('authorization') });
      if (form.get('grant_type') !== 'refresh_token') return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
      issued += 1;
      const accessToken = `access-token-${issued}`;
      stub.validTokens.add(accessToken);
      return HttpResponse.json({ ...sample('quickbooks', 'token_response'), access_token: accessToken, refresh_token: `AB11-rotated-refresh-token-${issued}` });
    }),
    http.get(`${QUICKBOOKS_API}/v3/company/:realm/preferences`, ({ request }) => {
      stub.reads.push({ path: new URL(request.url).pathname, authorization: request.headers.get('authorization') });
      return HttpResponse.json(sample('quickbooks', 'preferences'));
    }),
    http.get(`${QUICKBOOKS_API}/v3/company/:realm/:entity/:id`, ({ request, params }) => {
      const url = new URL(request.url);
      stub.reads.push({ path: url.pathname, authorization: request.headers.get('authorization') });
      const failure = stub.failures.shift();
      if (failure) return HttpResponse.json({ Fault: { Error: [{ Message: 'stubbed failure' }], type: 'SystemFault' } }, { status: failure });
      const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      if (!stub.validTokens.has(token)) return HttpResponse.json({ fault: { error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401' }] } }, { status: 401 });
      if (url.searchParams.get('minorversion') !== '75') return HttpResponse.json({ Fault: { type: 'ValidationFault' } }, { status: 400 });
      const entity = ENTITIES[String(params.entity)];
      const value = entity ? stub.entities.get(`${entity}/${String(params.id)}`) : undefined;
      if (!entity || !value) {
        return HttpResponse.json({ Fault: { Error: [{ Message: 'Object Not Found', code: '610' }], type: 'ValidationFault' }, time: new Date().toISOString() }, { status: 400 });
      }
      return HttpResponse.json({ [entity]: value, time: new Date().toISOString() });
    }),
  );
  return stub;
}
