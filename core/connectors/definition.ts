import type { Hono } from 'hono';
import type { Commit } from '../commit/commit.js';
import type { ImportedMember } from '../members/import-member.js';
import type { ImportRejection } from '../members/import-run.js';
import type { Logger } from '../observability/logger.js';
import type { OutboundAdapter } from '../outbound/adapter.js';
import type { OutboundTargets } from '../outbound/guarded-request.js';
import type { Router } from '../outbox/routes.js';
import type { Store } from '../storage/store.js';
import type { PlatformTrigger } from '../triggers/order-identity.js';

/** What the hub lends an adapter that needs more than its environment (e.g. stored endpoints). */
export interface AdapterServices {
  store: Store;
  /**
   * The connector's durable key/value state, shared with its inbound side (docs/adding-a-connector.md,
   * "State"): what an adapter created at the platform that a later webhook must recognise.
   */
  state: ConnectorState;
  /** The write boundary (docs/architecture.md, "Writes"): an adapter that changes a row commits through it. */
  commit: Commit;
  /** Where merchant-supplied URLs may go (docs/security.md, "Outbound requests"); strict when absent. */
  outbound?: OutboundTargets;
}

/**
 * What a folder under `connectors/` declares about itself. The core reads only this: adding a
 * platform means adding a folder whose `index.ts` default-exports a definition — nothing in the
 * core changes. Inbound (webhook) and outbound (adapter) capabilities are added to this
 * interface by the issues that build them.
 */
export interface ConfigVariable {
  /** Environment variable name, e.g. `SHOPIFY_API_SECRET`. */
  env: string;
  /** Secrets are never printed or logged, only reported as set or missing. */
  secret: boolean;
  /** Without it the connector is disabled. */
  required: boolean;
  /**
   * Without it the connector still sends, but its webhooks are answered 404 naming it, as a
   * connector not configured (SPEC §3), rather than refused one by one as forged: the key that
   * verifies the platform's signature when the connector's other variables suffice to send.
   */
  requiredFor?: 'inbound';
  description: string;
}

export interface ConnectorDefinition {
  /** The folder name and the `/webhooks/:platform` segment, e.g. `shopify`. */
  name: string;
  title: string;
  directions: ('inbound' | 'outbound')[];
  config: ConfigVariable[];
  /**
   * For an outbound connector: builds its adapter from the environment (called only when every
   * required variable is set; base-URL overrides such as `SENDGRID_API_URL` come from it too).
   */
  createAdapter?: (env: Record<string, string | undefined>, services: AdapterServices) => OutboundAdapter;
  /**
   * For a connector that decides itself which events it receives (signed webhooks route to
   * subscribed endpoints): its router, merged with the mappings' by the dispatcher.
   */
  createRouter?: (services: AdapterServices & { logger: Logger; env: Record<string, string | undefined> }) => ConnectorRouter;
  /**
   * For an inbound connector: its webhook handler, built from the environment (called only when
   * every required variable is set). The core owns `POST /webhooks/<name>`, the body-size limit,
   * the inbox, de-duplication and the transaction; the handler only verifies and translates.
   */
  createInbound?: (env: Record<string, string | undefined>, services: InboundServices) => InboundHandler;
  /**
   * Pages and endpoints the platform calls besides its webhook (Journey Builder's `config.json`
   * and its save/publish/validate/stop calls), as a Hono sub-app mounted at
   * `/connectors/<name>` while the connector is enabled (docs/adding-a-connector.md, "Other
   * routes"). They carry no API key: each route authenticates its caller itself, and anything
   * that earns points goes through the webhook (`createInbound`), never from here.
   */
  createRoutes?: (env: Record<string, string | undefined>, services: InboundServices) => Hono;
  /**
   * For a platform members move from (LoyaltyLion): reads its members with their points, for
   * `loyalty-hub import --from <name>` (docs/adding-a-connector.md, "Members moving in"). Built
   * only while the connector is enabled.
   */
  createImporter?: (env: Record<string, string | undefined>, services: InboundServices) => MemberSource;
  /**
   * Work the connector does on the scheduler's clock while it is enabled — renewing a platform
   * webhook subscription before it expires (docs/adding-a-connector.md, "Scheduled work"). The
   * core runs each job at most once per `everyMs` across restarts and hub processes.
   */
  createJobs?: (env: Record<string, string | undefined>, services: InboundServices) => ConnectorJob[];
  /**
   * For an outbound connector: its adapter's name and option schema as data, read without
   * building the adapter (`loyalty-hub mappings check` on a machine without secrets). The
   * adapter `createAdapter` builds carries the same name and the same schema object.
   */
  adapter?: AdapterDeclaration;
  /** What the connector does beyond its directions (docs/adding-a-connector.md). */
  capabilities?: ConnectorCapabilities;
}

/** Members of another program, page by page (core/members/import-run.ts imports them). */
export interface MemberSource {
  /** How many members there are, for the progress bar; undefined when the platform cannot say. */
  count?(): Promise<number | undefined>;
  /**
   * The members in a stable order, from the start or from after the page whose `next` was
   * `cursor` (an interrupted import resumes there). Throws when the platform cannot be read.
   * In a dry run (`--dry-run`) the source keeps nothing in its state either.
   */
  pages(cursor?: string, options?: { dryRun?: boolean }): AsyncIterable<MemberPage>;
}

export interface MemberPage {
  members: ImportedMember[];
  /** Where a later run resumes after this page; undefined on the last page. */
  next?: string;
  /** Where each member is in the source, for the rejects file (a CSV file's line); default: its place in the stream. */
  positions?: number[];
  /** Rows the source could not read into a member (a CSV cell that is not a number), refused with their reason. */
  refused?: ImportRejection[];
}

/** One piece of a connector's scheduled work (core/connectors/connector-jobs.ts). */
export interface ConnectorJob {
  /** Unique within the connector (`refresh-webhook`): its last run is kept under this name. */
  name: string;
  /**
   * The least time between two runs that succeeded. A job runs on the first scheduler tick after
   * it is due; one that throws is logged and tried again on the next tick.
   */
  everyMs: number;
  run(now: number): Promise<void>;
}

/** An adapter as data: what mapping files name in `send: { adapter: … }` and the options it takes. */
export interface AdapterDeclaration {
  name: string;
  options: OutboundAdapter['options'];
}

export interface ConnectorCapabilities {
  /**
   * A store whose checkout takes the hub's voucher codes (docs/adding-a-connector.md, "Store
   * codes"): the core's store-code router sends its adapter `store-code:<name>` deliveries with
   * the shared options (`core/rewards/store-code-options.ts`), and `storeCodes` of rewards may
   * name it.
   */
  storeCodes?: StoreCodesCapability;
}

export interface StoreCodesCapability {
  /**
   * What the store's API needs besides the connector's required variables: each entry is a
   * variable that must be set, or a list of variables one of which must be. Until they are,
   * nothing is routed to the store (rather than queueing deliveries that can only fail).
   */
  env: (string | readonly string[])[];
  /**
   * For a connector whose own adapter does something else (Square's mirrors points): the adapter
   * of its store codes, taking the shared options. It is named `<connector>-store-codes` and built
   * while the connector is enabled; without it the connector's own adapter takes store codes.
   */
  createAdapter?: (env: Record<string, string | undefined>, services: AdapterServices) => OutboundAdapter;
}

export interface InboundServices {
  logger: Logger;
  /** The hub's public base URL (`PUBLIC_URL`), for platforms that sign the notification URL. */
  publicUrl?: string;
  /** This connector's durable key/value state (docs/adding-a-connector.md, "State"). */
  state: ConnectorState;
}

/**
 * What a connector keeps across requests, restarts and hub processes (a rotated OAuth refresh
 * token): its own keys only. A secret is the connector's to encrypt before `set`.
 */
export interface ConnectorState {
  /** The value this connector stored under `key`, or undefined. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key`, for this connector only; durable and shared by every hub process. */
  set(key: string, value: string): Promise<void>;
}

/** A webhook delivery as received: the raw bytes are what platforms sign. */
export interface InboundRequest {
  method: string;
  /** The URL the platform called, rebuilt from `PUBLIC_URL` + path + query when set. */
  url: string;
  headers: Headers;
  rawBody: Uint8Array;
  /** `rawBody` decoded as UTF-8. */
  body: string;
}

/**
 * `unavailable: true` says the check could not be made *now* — a key the platform serves from its
 * own host (PayPal's signing certificate) could not be fetched: the delivery is refused (401,
 * nothing stored, and the platform retries) like any other, but it does not count toward
 * `webhook.rejected` (docs/security.md). Never for a signature that was checked and did not match.
 */
export type VerifyResult = { ok: true } | { ok: false; reason: string; unavailable?: true };

export type NormalizeResult =
  /** Order facts come without an id: the core derives it (core/triggers/order-identity.ts). */
  | { status: 'events'; events: PlatformTrigger[] }
  /** Verified but not about loyalty (a topic we do not use, an unpaid order, …). */
  | { status: 'ignored'; reason: string };

/** Verified, but the payload cannot be understood: answered 400, kept in the inbox as rejected. */
export class InboundPayloadError extends Error {
  constructor(
    message: string,
    readonly errors: { pointer: string; detail: string }[] = [],
  ) {
    super(message);
    this.name = 'InboundPayloadError';
  }
}

export interface InboundHandler {
  /**
   * Answers requests that come before any signature can exist (WooCommerce's unsigned ping when
   * a webhook is saved). Return a response to short-circuit, or undefined to go on.
   */
  preflight?(request: InboundRequest): Response | undefined;
  /** Checks the platform's signature (constant time) and timestamp tolerance. */
  verify(request: InboundRequest): Promise<VerifyResult> | VerifyResult;
  /** The platform's delivery or event id: a delivery seen before is answered `duplicate`. */
  deliveryId(request: InboundRequest): string | undefined;
  /** The delivery's topic or event type, for the inbox (`orders/paid`, `charge.refunded`). */
  topic(request: InboundRequest): string | undefined;
  /**
   * Translates a verified delivery into trigger events. May call the platform's API through its
   * SDK (a Stripe customer's e-mail, a Square order's lines). Throws InboundPayloadError when
   * required fields are missing.
   */
  normalize(request: InboundRequest): Promise<NormalizeResult>;
  /**
   * A platform that expects a particular success body (Salesforce's SOAP Ack) builds it here;
   * by default the core answers JSON.
   */
  acknowledge?(request: InboundRequest, outcome: { status: string }): Response | undefined;
}

export interface ConnectorRouter {
  router: Router;
  /** Whether the router may route events of this type at all (lets the dispatcher skip the rest). */
  wants(type: string): boolean;
  /** Re-read what the router depends on (after a change through the API). */
  refresh(): Promise<void>;
  close(): void;
}

export interface ConnectorStatus {
  name: string;
  title: string;
  directions: ('inbound' | 'outbound')[];
  enabled: boolean;
  /** Required variables that are not set. */
  missing: string[];
  /** Variables its webhooks need (`requiredFor: 'inbound'`) that are not set; absent when none are missing. */
  inboundMissing?: string[];
}

export function connectorStatus(def: ConnectorDefinition, env: Record<string, string | undefined>): ConnectorStatus {
  const missing = def.config.filter((v) => v.required && !env[v.env]).map((v) => v.env);
  const inboundMissing = def.config.filter((v) => v.requiredFor === 'inbound' && !env[v.env]).map((v) => v.env);
  return { name: def.name, title: def.title, directions: def.directions, enabled: missing.length === 0, missing, ...(inboundMissing.length ? { inboundMissing } : {}) };
}
