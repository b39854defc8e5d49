/**
 * The outbound half of the Dynamics 365 connector: a mapping action `send: { adapter: dynamics, … }`
 * writes loyalty columns on a contact with one Web API request,
 *
 *     PATCH <environment>/api/data/v9.2/contacts(emailaddress1='ann@example.com')
 *     If-Match: *                      (unless create: true — then the PATCH is an upsert)
 *     { "new_loyaltypoints": 5250, "new_loyaltytier": "Gold" }
 *
 * addressed by an alternate key the merchant defined on the Contact table, or by the contact id
 * the member came from (`contacts(<guid>)`). Dataverse takes no idempotency key; a PATCH sets
 * absolute values, so sending it again (a retry) leaves the contact as one send would, and an
 * upsert by alternate key creates at most one contact.
 *
 * Outcomes: 204 → delivered (the record's id from `OData-EntityId`); 401 → a new token and once
 * more; 429 (service protection) and 5xx → retry after `Retry-After`, a 429 also holding every
 * send until then; 404 with `If-Match: *` → permanent, naming the key; other 4xx → permanent with
 * Dataverse's own message and code.
 */
import { TokenRequestError, tokenFailure } from '../../core/outbound/token-cache.js';
import { maskEmail } from '../../core/observability/redact.js';
import { classifyHttp, type OutboundAdapter, type SendContext } from '../../core/outbound/adapter.js';
import { requestFailure } from '../../core/outbound/provider-answer.js';
import { createRateLimiter } from '../../core/outbound/rate-limit.js';
import { createDataverseApi, describeDataverseError, type DataverseConfig } from './api.js';
import { dynamicsOptions, type DynamicsOptions } from './options.js';

export interface DynamicsAdapterConfig extends DataverseConfig {
  /** The member's aliases (`dynamics:<contact id>`, …), read at send time. */
  aliasesOf: (memberId: string) => Promise<string[]>;
}

/**
 * Dataverse's service protection limit per user (the application user here): 6,000 requests in
 * any 300 seconds (docs/connectors/dynamics.md, "Limits"). Kept so a burst of loyalty events is
 * spread out instead of collecting 429s.
 */
export const DATAVERSE_RATE_LIMITS = [{ requests: 6000, perMs: 300_000 }];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `'ann@example.com'` as an OData string literal in a key segment: quotes doubled, then URL-encoded. */
function keyLiteral(value: string): string {
  // '@' may stand in a path segment (RFC 3986 pchar): kept, as Microsoft's examples write contacts(emailaddress1='abc@example.com').
  return encodeURIComponent(`'${value.replace(/'/g, "''")}'`).replace(/%40/g, '@');
}

type Address = { segment: string; describe: string } | { skip: string };

async function addressOf(options: DynamicsOptions, member: SendContext['member'], aliasesOf: DynamicsAdapterConfig['aliasesOf']): Promise<Address> {
  if (options.key) {
    const parts: string[] = [];
    for (const [column, raw] of Object.entries(options.key)) {
      const value = raw.trim();
      if (!value) return { skip: `the alternate key column ${column} rendered empty` };
      parts.push(`${column}=${keyLiteral(value)}`);
    }
    const describe = Object.entries(options.key)
      .map(([c, v]) => `${c}='${maskEmail(v.trim())}'`)
      .join(',');
    return { segment: parts.join(','), describe };
  }
  if (!member) return { skip: 'the event concerns no member, and the action names no key' };
  const id = (await aliasesOf(member.id)).find((a) => a.startsWith('dynamics:') && GUID.test(a.slice('dynamics:'.length)));
  if (!id) return { skip: 'the member has no Dynamics contact (no dynamics: alias); give key, e.g. emailaddress1: "{{ member.email }}"' };
  const guid = id.slice('dynamics:'.length).toLowerCase();
  return { segment: guid, describe: guid };
}

/** The columns to write: text as strings, whole numbers as JSON numbers, the empty ones left out. */
export function columnsToWrite(options: DynamicsOptions): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [column, raw] of Object.entries(options.columns ?? {})) if (raw.trim()) out[column] = raw.trim();
  for (const [column, raw] of Object.entries(options.numbers ?? {})) if (raw.trim()) out[column] = Number.parseInt(raw.trim(), 10);
  return out;
}

export function createDynamicsAdapter(config: DynamicsAdapterConfig): OutboundAdapter<DynamicsOptions> {
  const api = createDataverseApi(config);
  const limiter = createRateLimiter('Dataverse', DATAVERSE_RATE_LIMITS);

  return {
    name: 'dynamics',
    options: dynamicsOptions,
    async send(options, context) {
      const columns = columnsToWrite(options);
      if (Object.keys(columns).length === 0) return { status: 'skipped', reason: 'dynamics: every column value rendered empty; nothing to write' };
      const address = await addressOf(options, context.member, config.aliasesOf);
      if ('skip' in address) return { status: 'skipped', reason: `dynamics: ${address.skip}` };
      const turn = limiter.take(context.now);
      if (!turn.ok) return { status: 'deferred', until: turn.until, reason: `dynamics: ${turn.reason}` };
      if (context.signal.aborted) return { status: 'retry', error: 'dynamics: aborted' };

      let res: Response;
      try {
        res = await api.request('PATCH', `/contacts(${address.segment})`, {
          body: columns,
          // If-Match: * turns the upsert into an update only (no contact → 404, nothing created).
          headers: options.create ? {} : { 'if-match': '*' },
          now: context.now,
          signal: context.signal,
        });
      } catch (error) {
        if (error instanceof TokenRequestError) return tokenFailure('dynamics', error, context);
        if (context.signal.aborted) return { status: 'retry', error: 'dynamics: aborted' };
        return { status: 'retry', error: `dynamics: request failed: ${requestFailure(error)}` };
      }
      const outcome = classifyHttp(res.status, res.headers, context.now);
      if (outcome.status === 'delivered') {
        await res.text().catch(() => undefined);
        const id = /\(([0-9a-f-]{36})\)\s*$/i.exec(res.headers.get('odata-entityid') ?? '')?.[1];
        return { status: 'delivered', statusCode: res.status, ...(id ? { providerMessageId: id } : {}) };
      }
      const reason = await describeDataverseError(res);
      if (res.status === 404 && !options.create) {
        return { status: 'permanent', statusCode: 404, error: `dynamics: no contact with ${address.describe} (If-Match: * updates existing contacts only; create: true creates them):${reason || ' HTTP 404'}` };
      }
      const error = `dynamics: HTTP ${res.status}${reason}`;
      if (outcome.status === 'retry') {
        if (res.status === 429) limiter.holdUntil(context.now + (outcome.retryAfterMs ?? 60_000), 'Dataverse answered 429 (service protection limit)');
        return { ...outcome, error };
      }
      return outcome.status === 'permanent' ? { ...outcome, error } : outcome;
    },
  };
}
