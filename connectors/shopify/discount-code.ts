/**
 * The outbound half of the Shopify connector: a redeemed reward becomes a single-use discount
 * code at the shop's checkout, created through the Admin GraphQL API (`discountCodeBasicCreate`)
 * with `@shopify/shopify-api`; a redemption reversed while the code is unused deletes it
 * (`codeDiscountNodeByCode` then `discountCodeDelete`). The deliveries come from the core's
 * store-code router with the shared options (core/rewards/store-code-options.ts). Two ways to
 * authenticate, both for an app the merchant owns:
 * - an admin-created custom app's Admin API access token (`SHOPIFY_ADMIN_ACCESS_TOKEN`, `shpat_…`,
 *   does not expire; Shopify no longer lets merchants create such apps since 2026-01-01, existing
 *   ones keep working);
 * - a Dev Dashboard app installed on the shop: its client ID and secret are exchanged for a token
 *   by the client credentials grant (tokens last 24 hours; fetched when needed, kept until shortly
 *   before they expire).
 */
import type { ApiVersion, GraphqlClient } from '@shopify/shopify-api';
import type { AbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { classifyHttp, parseRetryAfter, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { formatMinorUnits } from '../../core/triggers/money.js';
import {
  readStoreCodeOptions,
  STORE_CODE_TITLE_PREFIX,
  storeCodeOptions,
  type StoreCodeCreateOptions,
  type StoreCodeDeleteOptions,
  type StoreCodeOptions,
} from '../../core/rewards/store-code-options.js';

/**
 * The Admin API version the requests name: the newest the installed SDK knows (its
 * `ApiVersion.April26`; a test checks the SDK still has it). `context` replaced
 * `customerSelection` in 2025-10; a version Shopify no longer supports is answered by the oldest
 * supported one, so this keeps working, with a deprecation header, until the SDK is upgraded.
 */
export const SHOPIFY_ADMIN_API_VERSION = '2026-04' as ApiVersion;

type Sdk = typeof import('@shopify/shopify-api');
type SdkRuntime = typeof import('@shopify/shopify-api/runtime');
interface LoadedSdk {
  sdk: Sdk;
  runtime: SdkRuntime;
}
let loading: Promise<LoadedSdk> | undefined;

/**
 * The SDK is loaded on first use: its import takes about 0.4 s, which a hub without store codes —
 * and every CLI command, which discovers the connectors — need not pay.
 */
export function loadShopifySdk(): Promise<LoadedSdk> {
  loading ??= (async () => {
    await import('@shopify/shopify-api/adapters/node');
    const [sdk, runtime] = await Promise.all([import('@shopify/shopify-api'), import('@shopify/shopify-api/runtime')]);
    return { sdk, runtime };
  })();
  return loading;
}

export const DISCOUNT_CODE_BASIC_CREATE = `mutation LoyaltyHubStoreCode($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

/**
 * The discount that holds a code (Shopify matches codes case-insensitively), with its title for
 * the check that the hub made it.
 */
export const CODE_DISCOUNT_NODE_BY_CODE = `query LoyaltyHubStoreCodeLookup($code: String!) {
  codeDiscountNodeByCode(code: $code) {
    id
    codeDiscount { __typename ... on DiscountCodeBasic { title } }
  }
}`;

export const DISCOUNT_CODE_DELETE = `mutation LoyaltyHubStoreCodeDelete($id: ID!) {
  discountCodeDelete(id: $id) {
    deletedCodeDiscountId
    userErrors { field code message }
  }
}`;

export interface ShopifyStoreCodeConfig {
  /** `SHOPIFY_SHOP`: `example.myshopify.com` (a scheme or trailing slash is tolerated). */
  shop?: string;
  /** `SHOPIFY_ADMIN_ACCESS_TOKEN`: an admin-created custom app's Admin API access token (`shpat_…`). */
  accessToken?: string;
  /** `SHOPIFY_CLIENT_ID`: a Dev Dashboard app's client ID, for the client credentials grant. */
  clientId?: string;
  /** `SHOPIFY_CLIENT_SECRET` (default `SHOPIFY_API_SECRET`): that app's client secret. */
  clientSecret?: string;
  /** `SHOPIFY_API_URL`: replaces `https://<shop>` (a proxy, a sandbox, a local stub; http allowed). */
  apiUrl?: string;
  /** `SHOPIFY_API_SECRET`: the default client secret; otherwise only there because the SDK insists on one. */
  apiSecret?: string;
}

/** `SHOPIFY_SHOP` as people write it → the bare domain. */
export function shopDomain(shop: string): string {
  return shop.trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

/** `https://<shop>`, or `SHOPIFY_API_URL` when set (without a trailing slash). */
export function shopifyBaseUrl(config: Pick<ShopifyStoreCodeConfig, 'shop' | 'apiUrl'>): string {
  return config.apiUrl ? config.apiUrl.trim().replace(/\/+$/, '') : `https://${shopDomain(config.shop ?? '')}`;
}

/** The GraphQL endpoint the adapter posts to: `https://<shop>/admin/api/<version>/graphql.json`, or under `SHOPIFY_API_URL`. */
export function shopifyGraphqlUrl(config: Pick<ShopifyStoreCodeConfig, 'shop' | 'apiUrl'>): string {
  return `${shopifyBaseUrl(config)}/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`;
}

type DiscountValue = { percentage: number } | { discountAmount: { amount: string; appliesOnEachItem: false } };

/**
 * What the reward is worth at Shopify's checkout, or why no code can express it:
 * - `percentage_discount` → `percentage` (15 → 0.15) off every item;
 * - `fixed_discount` → `discountAmount` ("10.00" for 1000 USD minor units, "1000" for 1000 JPY)
 *   off the order, once (not per item); the amount is in the shop's currency, so the reward's
 *   currency must be it;
 * - `voucher` → whichever of the two the reward carries (a percentage first), else nothing;
 * - `free_product` → nothing: a basic code discount cannot be limited to one unit of a product,
 *   so 100% off that product would make every unit in the cart free (the member uses the hub
 *   voucher instead, which staff check with `POST /v1/vouchers/{code}/use`);
 * - `points_as_payment` → nothing (points pay at checkout through holds, not codes).
 */
export function shopifyDiscountValue(reward: StoreCodeCreateOptions['reward']): { value: DiscountValue } | { skip: string } | { invalid: string } {
  const percentage = (): { value: DiscountValue } | { invalid: string } =>
    reward.percent !== null && reward.percent > 0 && reward.percent <= 100
      ? { value: { percentage: reward.percent / 100 } }
      : { invalid: `reward ${reward.id} (${reward.kind}) has no percent between 1 and 100` };
  const amount = (): { value: DiscountValue } | { invalid: string } =>
    reward.value !== null && reward.value > 0 && reward.currency
      ? { value: { discountAmount: { amount: formatMinorUnits(reward.value, reward.currency), appliesOnEachItem: false } } }
      : { invalid: `reward ${reward.id} (${reward.kind}) has no value and currency` };
  switch (reward.kind) {
    case 'percentage_discount':
      return percentage();
    case 'fixed_discount':
      return amount();
    case 'voucher':
      if (reward.percent !== null) return percentage();
      if (reward.value !== null) return amount();
      return { skip: `reward ${reward.id} is a voucher worth no amount or percentage: there is nothing for a Shopify discount code to take off` };
    case 'free_product':
      return {
        skip:
          `reward ${reward.id} is a free product: a Shopify basic discount code cannot be limited to one unit of ${reward.productSku ?? 'the product'}, ` +
          'so no code is created; the member redeems the hub voucher instead',
      };
    case 'points_as_payment':
      return { skip: `reward ${reward.id} is points as payment, which is not a discount code` };
  }
}

/** The `DiscountCodeBasicInput` for one redeemed reward. */
export function basicCodeDiscountInput(options: StoreCodeCreateOptions, value: DiscountValue): Record<string, unknown> {
  return {
    title: options.title,
    code: options.code,
    startsAt: options.startsAt,
    ...(options.expiresAt ? { endsAt: options.expiresAt } : {}),
    // Anyone holding the code may use it once, like a gift card: the member may check out as a
    // guest or under another e-mail than the hub knows.
    context: { all: 'ALL' },
    customerGets: { value, items: { all: true } },
    appliesOncePerCustomer: true,
    usageLimit: 1,
  };
}

interface UserError {
  field?: string[] | null;
  code?: string | null;
  message: string;
}

/**
 * "Code must be unique": the code exists at the shop already. A generated voucher code is
 * unguessable and never reused, so that is our own discount from an earlier attempt whose answer
 * was lost (a code from an uploaded pool may also have been made in Shopify by the merchant) —
 * either way the code works at checkout, which is what the delivery is for.
 */
export function isCodeTaken(error: UserError): boolean {
  const onCode = error.field?.at(-1) === 'code';
  if (onCode && (error.code === 'TAKEN' || error.code === 'DUPLICATE')) return true;
  return /code must be unique/i.test(error.message) || (onCode && /unique|already (been )?(taken|exists)/i.test(error.message));
}

/**
 * For the SDK's logger: the dispatcher logs every attempt with its outcome, and the SDK would
 * otherwise print its version banner and future-flag notices on the console.
 */
const quietLog = async () => {};

export function createShopifyStoreCodeAdapter(config: ShopifyStoreCodeConfig): OutboundAdapter<StoreCodeOptions> {
  const shop = config.shop?.trim() ? shopDomain(config.shop) : undefined;
  const staticToken = config.accessToken?.trim() || undefined;
  const clientId = config.clientId?.trim() || undefined;
  const clientSecret = (config.clientSecret?.trim() || config.apiSecret?.trim()) || undefined;
  const baseUrl = shop ? shopifyBaseUrl({ shop, apiUrl: config.apiUrl }) : undefined;
  const tokens = shop && !staticToken && clientId && clientSecret ? clientCredentialsTokens(`${baseUrl}/admin/oauth/access_token`, clientId, clientSecret) : undefined;
  // One SDK instance per access token (a granted token changes daily).
  let sdk: { token: string; api: ReturnType<typeof buildSdk> } | undefined;

  function buildSdk({ sdk: { shopifyApi, LogSeverity } }: LoadedSdk, token: string) {
    return shopifyApi({
      apiSecretKey: config.apiSecret || clientSecret || 'not-used-by-admin-api-calls',
      adminApiAccessToken: token,
      isCustomStoreApp: true,
      isEmbeddedApp: false,
      hostName: 'localhost',
      apiVersion: SHOPIFY_ADMIN_API_VERSION,
      userAgentPrefix: 'LoyaltyHub-StoreCodes/1',
      logger: { level: LogSeverity.Error, log: quietLog },
    });
  }

  return {
    name: 'shopify',
    options: storeCodeOptions,
    async send(stored, context): Promise<SendOutcome> {
      const read = readStoreCodeOptions(stored);
      if ('error' in read) return { status: 'permanent', error: `shopify: the delivery's options are not store-code options: ${read.error}` };
      const { options } = read;
      const done = options.action === 'create' ? 'created' : 'deleted';
      if (!shop || (!staticToken && !tokens)) {
        const missing = [!shop && 'SHOPIFY_SHOP', !staticToken && !tokens && 'SHOPIFY_ADMIN_ACCESS_TOKEN (or SHOPIFY_CLIENT_ID)'].filter(Boolean).join(' and ');
        return { status: 'permanent', error: `shopify: store codes are not configured (set ${missing}); no discount code ${done} for ${options.code}` };
      }
      let value: DiscountValue | undefined;
      if (options.action === 'create') {
        const worth = shopifyDiscountValue(options.reward);
        if ('skip' in worth) return { status: 'skipped', reason: `shopify: ${worth.skip}` };
        if ('invalid' in worth) return { status: 'permanent', error: `shopify: ${worth.invalid}` };
        value = worth.value;
      }
      if (context.signal.aborted) return { status: 'retry', error: 'shopify: aborted' };

      let accessToken = staticToken;
      if (!accessToken && tokens) {
        const granted = await tokens.get(context);
        if ('outcome' in granted) return granted.outcome;
        accessToken = granted.token;
      }
      if (!accessToken) return { status: 'permanent', error: 'shopify: no access token' };
      let loaded: LoadedSdk;
      try {
        loaded = await loadShopifySdk();
      } catch (error) {
        return { status: 'retry', error: `shopify: the SDK could not be loaded: ${(error as Error).message}` };
      }
      if (sdk?.token !== accessToken) sdk = { token: accessToken, api: buildSdk(loaded, accessToken) };
      const client = graphqlClient(loaded, sdk.api, shop, accessToken, shopifyGraphqlUrl({ shop, apiUrl: config.apiUrl }));
      try {
        return options.action === 'create' ? await createCode(client, options, value!, context) : await deleteCode(client, options, context);
      } catch (error) {
        if (tokens && error instanceof loaded.sdk.HttpResponseError && error.response.code === 401) {
          // A granted token that Shopify no longer takes (revoked, the app reinstalled): forget it,
          // the next attempt asks for a new one.
          tokens.forget(accessToken);
          return { status: 'retry', statusCode: 401, error: 'shopify: HTTP 401: the granted access token was refused; a new one is requested on the next attempt' };
        }
        return shopifyFailure(loaded.sdk, error, context);
      }
    },
  };
}

async function createCode(client: GraphqlClient, options: StoreCodeCreateOptions, value: DiscountValue, context: SendContext): Promise<SendOutcome> {
  const response = await client.request<{ discountCodeBasicCreate?: { codeDiscountNode?: { id: string } | null; userErrors: UserError[] } | null }>(
    DISCOUNT_CODE_BASIC_CREATE,
    // No idempotency key: discountCodeBasicCreate takes no @idempotent directive. The code
    // itself is the key — Shopify refuses a second discount with the same code.
    { variables: { basicCodeDiscount: basicCodeDiscountInput(options, value) }, retries: 0, signal: context.signal },
  );
  const payload = response.data?.discountCodeBasicCreate;
  if (!payload) return { status: 'retry', statusCode: 200, error: 'shopify: the answer has no discountCodeBasicCreate result' };
  const errors = payload.userErrors ?? [];
  if (errors.length === 0) {
    return { status: 'delivered', statusCode: 200, ...(payload.codeDiscountNode?.id ? { providerMessageId: payload.codeDiscountNode.id } : {}) };
  }
  if (errors.every(isCodeTaken)) return { status: 'delivered', statusCode: 200 };
  return { status: 'permanent', statusCode: 200, error: `shopify: discountCodeBasicCreate refused: ${describeUserErrors(errors)}` };
}

/**
 * Deletes the discount holding the code: looked up by code, then `discountCodeDelete` by its id.
 * A code the shop does not have (never made — a free-product reward —, deleted by hand, deleted
 * by an earlier attempt whose answer was lost) is done. A discount the hub did not make (its
 * title does not start with "Loyalty reward:", e.g. a merchant's discount holding an uploaded
 * pool code among others) is not deleted: deleting it would remove every code it holds, so the
 * delivery fails for support to look at.
 */
async function deleteCode(client: GraphqlClient, options: StoreCodeDeleteOptions, context: SendContext): Promise<SendOutcome> {
  const found = await client.request<{ codeDiscountNodeByCode?: { id: string; codeDiscount?: { __typename?: string; title?: string } | null } | null }>(
    CODE_DISCOUNT_NODE_BY_CODE,
    { variables: { code: options.code }, retries: 0, signal: context.signal },
  );
  const node = found.data?.codeDiscountNodeByCode;
  if (!node) return { status: 'delivered', statusCode: 200 };
  const title = node.codeDiscount?.title;
  if (typeof title !== 'string' || !title.startsWith(STORE_CODE_TITLE_PREFIX)) {
    return {
      status: 'permanent',
      statusCode: 200,
      error: `shopify: the discount holding code ${options.code} (${node.id}) was not made by the hub; not deleted — remove the code by hand in Shopify → Discounts`,
    };
  }
  const response = await client.request<{ discountCodeDelete?: { deletedCodeDiscountId?: string | null; userErrors: UserError[] } | null }>(
    DISCOUNT_CODE_DELETE,
    { variables: { id: node.id }, retries: 0, signal: context.signal },
  );
  const payload = response.data?.discountCodeDelete;
  if (!payload) return { status: 'retry', statusCode: 200, error: 'shopify: the answer has no discountCodeDelete result' };
  const errors = payload.userErrors ?? [];
  if (errors.length === 0 || errors.every(isNotFound)) {
    return { status: 'delivered', statusCode: 200, ...(payload.deletedCodeDiscountId ? { providerMessageId: payload.deletedCodeDiscountId } : {}) };
  }
  return { status: 'permanent', statusCode: 200, error: `shopify: discountCodeDelete refused: ${describeUserErrors(errors)}` };
}

/** The discount is gone already (deleted between the look-up and the deletion). */
function isNotFound(error: UserError): boolean {
  return error.code === 'NOT_FOUND' || /not (be )?found|does not exist/i.test(error.message);
}

/** Refresh a granted token this long before Shopify's `expires_in` runs out. */
const TOKEN_MARGIN_MS = 5 * 60_000;

interface TokenSource {
  get(context: Pick<SendContext, 'now' | 'signal'>): Promise<{ token: string } | { outcome: SendOutcome }>;
  forget(token: string): void;
}

/**
 * Access tokens by the client credentials grant (`POST /admin/oauth/access_token`, form-encoded
 * `grant_type=client_credentials&client_id=…&client_secret=…`, as Shopify documents it): asked for
 * when there is none or it is about to expire, shared by concurrent sends (one request at a time).
 * Sent with `fetch` rather than the SDK's `auth.clientCredentials`, which only talks to
 * `https://<name>.myshopify.com` (no `SHOPIFY_API_URL`) through the SDK's import-time `fetch`.
 */
function clientCredentialsTokens(url: string, clientId: string, clientSecret: string): TokenSource {
  let current: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<{ token: string } | { outcome: SendOutcome }> | undefined;

  async function request(now: number): Promise<{ token: string } | { outcome: SendOutcome }> {
    let res: Response;
    try {
      res = await globalThis.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { outcome: { status: 'retry', error: `shopify: access token request failed: ${cause?.code ?? cause?.message ?? (error as Error).message}` } };
    }
    const body = (await res.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
    if (res.ok && typeof body?.access_token === 'string' && body.access_token) {
      const lifetimeMs = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 3_600_000;
      current = { token: body.access_token, refreshAt: now + Math.max(lifetimeMs - TOKEN_MARGIN_MS, lifetimeMs / 2) };
      return { token: body.access_token };
    }
    if (res.ok) return { outcome: { status: 'retry', statusCode: res.status, error: `shopify: access token request: HTTP ${res.status} without an access_token` } };
    const outcome = classifyHttp(res.status, res.headers, now);
    const detail = typeof body?.error_description === 'string' ? `: ${body.error_description}` : typeof body?.error === 'string' ? `: ${body.error}` : '';
    const hint = outcome.status === 'permanent' ? ' (check SHOPIFY_CLIENT_ID and its secret, and that the app is installed on SHOPIFY_SHOP)' : '';
    if (outcome.status === 'retry' || outcome.status === 'permanent') return { outcome: { ...outcome, error: `shopify: access token request: HTTP ${res.status}${detail}${hint}` } };
    return { outcome };
  }

  return {
    async get({ now, signal }) {
      if (signal.aborted) return { outcome: { status: 'retry', error: 'shopify: aborted' } };
      if (current && now < current.refreshAt) return { token: current.token };
      inFlight ??= request(now).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    forget(token) {
      if (current?.token === token) current = undefined;
    },
  };
}

/**
 * One Admin GraphQL client for this send. The SDK reads its transport from a module-wide slot
 * (`abstractFetch`, which its Node adapter fills with the `fetch` of import time) when a client is
 * built; this client gets its own, swapped in only while it is constructed, that
 * - looks `globalThis.fetch` up at call time (a test's interceptor, a later proxy agent),
 * - sends to `SHOPIFY_API_URL` when set: the SDK only builds `https://<domain>/admin/api/…`, so
 *   the client is given the override's host and its URL is rewritten to the override (which may
 *   be plain http or carry a path),
 * - never follows redirects: the access token goes to the shop's URL and nowhere else.
 */
function graphqlClient({ sdk: { Session }, runtime }: LoadedSdk, api: ReturnType<Sdk['shopifyApi']>, shop: string, accessToken: string, url: string): GraphqlClient {
  const target = new URL(url);
  const sdkOrigin = `https://${target.host}`;
  const targetOrigin = `${target.protocol}//${target.host}${target.pathname.replace(/\/admin\/api\/[^/]+\/graphql\.json$/, '')}`;
  const transport: AbstractFetchFunc = (input, init) => {
    const requested = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const rewritten = requested.startsWith(sdkOrigin) ? targetOrigin + requested.slice(sdkOrigin.length) : requested;
    return globalThis.fetch(rewritten, { ...init, redirect: 'manual' });
  };
  const session = new Session({ id: `offline_${shop}`, shop: target.host, state: '', isOnline: false, accessToken });
  const previous = runtime.abstractFetch;
  runtime.setAbstractFetchFunc(transport);
  try {
    return new api.clients.Graphql({ session });
  } finally {
    runtime.setAbstractFetchFunc(previous);
  }
}

function describeUserErrors(errors: UserError[]): string {
  const text = errors
    .slice(0, 5)
    .map((e) => `${e.field?.length ? `${e.field.join('.')}: ` : ''}${e.message}${e.code ? ` (${e.code})` : ''}`)
    .join('; ');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

interface GraphqlErrorBody {
  errors?: { graphQLErrors?: { message?: string; extensions?: { code?: string } }[] };
  extensions?: { cost?: { requestedQueryCost?: number; throttleStatus?: { currentlyAvailable?: number; restoreRate?: number } } };
}

/** Maps what the SDK throws to an outcome (the SDK makes exactly one request: `retries: 0`). */
export function shopifyFailure(
  { GraphqlQueryError, HttpRequestError, HttpResponseError, HttpThrottlingError }: Sdk,
  error: unknown,
  context: Pick<SendContext, 'signal' | 'now'>,
): SendOutcome {
  if (error instanceof GraphqlQueryError) {
    // HTTP 200 with top-level `errors`: the query-cost throttle, Shopify's own trouble, or a
    // request Shopify refuses (ACCESS_DENIED without the write_discounts scope, a bad input).
    const body = (error.body ?? {}) as GraphqlErrorBody;
    const graphQLErrors = body.errors?.graphQLErrors ?? [];
    const codes = graphQLErrors.map((e) => e.extensions?.code ?? '');
    const detail = graphQLErrors.map((e) => e.message ?? '').filter(Boolean).slice(0, 3).join('; ') || error.message;
    if (codes.includes('THROTTLED')) {
      return { status: 'retry', statusCode: 200, ...throttleWait(body), error: `shopify: throttled (${detail})` };
    }
    if (codes.includes('INTERNAL_SERVER_ERROR')) return { status: 'retry', statusCode: 200, error: `shopify: ${detail}` };
    return { status: 'permanent', statusCode: 200, error: `shopify: ${detail}${codes.some(Boolean) ? ` (${codes.filter(Boolean).join(', ')})` : ''}` };
  }
  if (error instanceof HttpThrottlingError) {
    const retryAfter = error.response.retryAfter;
    return {
      status: 'retry',
      statusCode: error.response.code,
      ...(retryAfter !== undefined && Number.isFinite(retryAfter) ? { retryAfterMs: Math.ceil(retryAfter * 1000) } : {}),
      error: `shopify: HTTP ${error.response.code} (throttled)`,
    };
  }
  if (error instanceof HttpResponseError) {
    const { code } = error.response;
    if (code >= 200 && code < 300) {
      // A 2xx that is not a GraphQL answer (HTML from a proxy, another content type).
      return { status: 'retry', statusCode: code, error: `shopify: HTTP ${code} but not a GraphQL answer` };
    }
    const outcome = classifyHttp(code, {}, context.now);
    const retryAfterMs = parseRetryAfter(headerValue(error.response.headers, 'retry-after'), context.now);
    const hint =
      code === 401 ? ' (check SHOPIFY_ADMIN_ACCESS_TOKEN)' : code === 403 ? ' (the app needs the write_discounts scope)' : code === 404 ? ' (check SHOPIFY_SHOP)' : code >= 300 && code < 400 ? ' (redirects are not followed; check SHOPIFY_SHOP / SHOPIFY_API_URL)' : '';
    if (outcome.status === 'retry') return { ...outcome, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: `shopify: HTTP ${code}` };
    if (outcome.status === 'permanent') return { ...outcome, error: `shopify: HTTP ${code}${hint}` };
    return outcome;
  }
  if (context.signal.aborted) return { status: 'retry', error: 'shopify: no answer in time (aborted)' };
  if (error instanceof HttpRequestError) return { status: 'retry', error: `shopify: request failed: ${error.message}` };
  return { status: 'retry', error: `shopify: ${error instanceof Error ? error.message : String(error)}` };
}

/** How long until the bucket holds the query's cost again: (requested − available) / restoreRate seconds. */
function throttleWait(body: GraphqlErrorBody): { retryAfterMs?: number } {
  const cost = body.extensions?.cost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const rate = cost?.throttleStatus?.restoreRate;
  const requested = cost?.requestedQueryCost;
  if (available === undefined || !rate || requested === undefined) return {};
  return { retryAfterMs: Math.max(1000, Math.ceil((Math.max(0, requested - available) / rate) * 1000)) };
}

/** The SDK canonicalizes headers to `{ 'Retry-After': ['7'] }` (or plain strings). */
function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}
