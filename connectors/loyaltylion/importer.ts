/**
 * `loyalty-hub import --from loyaltylion` (docs/connectors/loyaltylion.md, "Moving members in"):
 * every customer through `GET /v2/customers`, 500 a page (LoyaltyLion's maximum), following the
 * `cursor.next` LoyaltyLion returns — the cursor is what the core keeps between runs, so an
 * interrupted import resumes at the page after the last one written (core/members/import-run.ts).
 *
 * The CLI has no dispatcher, so this importer keeps LoyaltyLion's rate limit itself (20 requests
 * a second) and waits out a 429's `Retry-After` (or a 5xx, or a dropped connection) a few times
 * before giving up with LoyaltyLion's own reason; a 4xx other than 429 stops the import at once
 * (a wrong key will not get better). Either way the next run resumes.
 */
import type { InboundServices, MemberPage, MemberSource } from '../../core/connectors/definition.js';
import { parseRetryAfter } from '../../core/outbound/adapter.js';
import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { apiBase, authHeaders, errorReason, LOYALTYLION_RATE, type LoyaltyLionApiConfig } from './api.js';
import { importedMember } from './customer.js';
import { customerSchema, customersPageSchema } from './schemas.js';

export const PAGE_SIZE = 500;
/** Attempts per page before the import stops (the next run resumes at this page). */
export const MAX_ATTEMPTS = 5;
/** The longest wait we accept from a Retry-After before stopping instead. */
const MAX_WAIT_MS = 60_000;
/** Key of the connector state holding when the first import started (pending points are dated from it). */
export const PENDING_ANCHOR_KEY = 'import:pending-from';
export const DEFAULT_PENDING_DAYS = 30;
const DAY_MS = 86_400_000;

export interface LoyaltyLionImporterConfig extends LoyaltyLionApiConfig {
  /** `LOYALTYLION_STORE_PLATFORM`: the connector whose customer ids LoyaltyLion's merchant_id holds. */
  storePlatform?: string;
  /** `LOYALTYLION_PENDING_DAYS`: how long pending points stay pending in the hub. */
  pendingDays?: number;
  /** For tests: how to wait (a Retry-After, the rate limit). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class LoyaltyLionImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoyaltyLionImportError';
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createLoyaltyLionImporter(config: LoyaltyLionImporterConfig, services: Pick<InboundServices, 'state'>): MemberSource {
  const base = apiBase(config);
  const headers = authHeaders(config);
  const sleep = config.sleep ?? realSleep;
  const now = config.now ?? Date.now;
  const spacing = LOYALTYLION_RATE.perMs / LOYALTYLION_RATE.requests;
  let lastRequest = 0;

  async function getPage(url: string): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const wait = lastRequest + spacing - now();
      if (wait > 0) await sleep(wait);
      lastRequest = now();
      let res: Response;
      try {
        res = await fetch(url, { headers });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw new LoyaltyLionImportError(`LoyaltyLion could not be reached after ${attempt} attempts: ${requestFailure(error)}`);
        await sleep(1000 * attempt);
        continue;
      }
      const body = await jsonAnswer(res);
      if (res.ok) return body;
      const reason = errorReason(body);
      if (res.status === 429 || res.status >= 500) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after') ?? undefined, now()) ?? 1000 * attempt;
        if (attempt >= MAX_ATTEMPTS || retryAfter > MAX_WAIT_MS) {
          throw new LoyaltyLionImportError(`LoyaltyLion answered HTTP ${res.status}${reason} ${attempt} times; run the import again later to carry on`);
        }
        await sleep(retryAfter);
        continue;
      }
      const hint = res.status === 401 || res.status === 403 ? ' (LOYALTYLION_TOKEN must be an API key with the read_customers scope)' : '';
      throw new LoyaltyLionImportError(`LoyaltyLion refused GET /v2/customers: HTTP ${res.status}${reason}${hint}`);
    }
  }

  /** The first import's start, kept so a second run dates pending points identically; a dry run keeps nothing. */
  async function pendingActivatesAt(dryRun: boolean): Promise<number> {
    let from = Number(await services.state.get(PENDING_ANCHOR_KEY));
    if (!Number.isSafeInteger(from) || from <= 0) {
      from = now();
      if (!dryRun) await services.state.set(PENDING_ANCHOR_KEY, String(from));
    }
    return from + (config.pendingDays ?? DEFAULT_PENDING_DAYS) * DAY_MS;
  }

  return {
    count: async () => undefined,
    async *pages(cursor?: string, options?: { dryRun?: boolean }): AsyncIterable<MemberPage> {
      const activatesAt = await pendingActivatesAt(options?.dryRun === true);
      let next: string | undefined = cursor;
      do {
        const query = next ? `cursor=${encodeURIComponent(next)}` : `limit=${PAGE_SIZE}`;
        const answer = customersPageSchema.safeParse(await getPage(`${base}/v2/customers?${query}`));
        if (!answer.success) throw new LoyaltyLionImportError('LoyaltyLion answered GET /v2/customers without a customers list');
        const members = answer.data.customers.map((raw, i) => {
          const customer = customerSchema.safeParse(raw);
          if (customer.success) return importedMember(customer.data, config.storePlatform, activatesAt);
          // Passed on as a row the core refuses (the rejects file names it): its figures are not
          // whole numbers, so it cannot be opened with LoyaltyLion's balance.
          const id = raw && typeof raw === 'object' ? String((raw as { id?: unknown }).id ?? '') : '';
          return { sourceId: id || `page-row-${i + 1}`, aliases: [`loyaltylion:${id || 'unknown'}`], points: { available: Number.NaN } };
        });
        next = answer.data.cursor?.next || undefined;
        yield { members, ...(next ? { next } : {}) };
      } while (next);
    },
  };
}
