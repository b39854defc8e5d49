/**
 * The outbound half of the Salesforce connector: a mapping action updates the member's Contact
 * or Lead (loyalty points, tier, any field) through the REST API with jsforce, and optionally
 * records the change as a `Loyalty_Transaction__c`.
 *
 * Requests of one send (API version 62.0, `Authorization: Bearer <session id>`):
 * - one record:      `PATCH /services/data/v62.0/sobjects/<Object>/<id>` with the fields;
 * - several records: `PATCH /services/data/v62.0/composite/sobjects` (`allOrNone: false`), one
 *   request for all of them — a member known by a Lead and the Contact it became, say;
 * - the transaction(s): an upsert on its External ID field keyed by the delivery (and record):
 *   `PATCH /services/data/v62.0/sobjects/Loyalty_Transaction__c/Loyalty_Hub_Id__c/<key>`, or for
 *   several `PATCH /services/data/v62.0/composite/sobjects/Loyalty_Transaction__c/Loyalty_Hub_Id__c`.
 *   Salesforce has no idempotency header; the upsert on the delivery's key is what makes a retry
 *   update the record it created instead of adding a second one.
 *
 * Outcomes: 2xx and every record saved → delivered; 408, 429, 5xx, `REQUEST_LIMIT_EXCEEDED`
 * (403, the org's API limit), `UNABLE_TO_LOCK_ROW`, `SERVER_UNAVAILABLE` → retry (`Retry-After`
 * honoured); 401 / `INVALID_SESSION_ID` → one new login and the send again; other 4xx and record
 * errors (a deleted record, a field that does not exist) → permanent.
 */
import type { HttpResponse, Record as SfRecord, SaveResult, UpsertResult } from 'jsforce';
import { eq } from 'drizzle-orm';
import { getMember } from '../../core/members/members.js';
import { classifyHttp, parseRetryAfter, type OutboundAdapter, type SendOutcome } from '../../core/outbound/adapter.js';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Store } from '../../core/storage/store.js';
import { objectOfId, toId18 } from './ids.js';
import { salesforceOptions, type SalesforceOptions } from './options.js';
import { loadJsforce, recordAnswers, SALESFORCE_API_VERSION, SalesforceSessions, type Session, type SessionConfig } from './session.js';

export interface SalesforceAdapterConfig extends SessionConfig {
  store: Store;
}

export const DEFAULT_TRANSACTION_OBJECT = 'Loyalty_Transaction__c';
export const DEFAULT_TRANSACTION_KEY_FIELD = 'Loyalty_Hub_Id__c';
const PARENT_FIELDS: Record<string, string> = { Contact: 'Contact__c', Lead: 'Lead__c', Account: 'Account__c' };

/** Record-level and REST error codes that mean "try again later". */
const RETRYABLE_CODES = new Set(['REQUEST_LIMIT_EXCEEDED', 'UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE']);

interface Target {
  id: string;
  object: string;
}

type Values = Record<string, string | number | boolean | null>;
/** A record as jsforce takes it (`attributes.type` names its object in a composite request). */
type SObjectRecord = Record<string, unknown> & { attributes?: { type: string } };

/** Field values as rendered, without the ones that rendered empty (left unchanged). */
function present(fields: Values | undefined): Values {
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([, v]) => !(typeof v === 'string' && v.trim() === '')));
}

/**
 * Which records to update: the rendered `recordId`, or every `salesforce:` alias of the member.
 * Their object: `object:`, else the id's key prefix.
 */
function targetsOf(options: SalesforceOptions, aliases: string[]): Target[] | SendOutcome {
  let raw: string[];
  if (options.recordId !== undefined) {
    if (!options.recordId) return { status: 'skipped', reason: 'salesforce: recordId rendered empty; nothing to update' };
    raw = [options.recordId];
  } else {
    raw = aliases.filter((a) => a.startsWith('salesforce:')).map((a) => a.slice('salesforce:'.length));
    if (raw.length === 0) return { status: 'skipped', reason: 'salesforce: the member has no Salesforce record (no salesforce: alias)' };
  }
  const targets: Target[] = [];
  for (const value of raw) {
    const id = toId18(value);
    if (!id) return { status: 'permanent', error: `salesforce: "${value}" is not a Salesforce record id` };
    const object = options.object ?? objectOfId(id);
    if (!object) return { status: 'permanent', error: `salesforce: cannot tell the object of record ${id} from its id; give object: in the mapping` };
    if (!targets.some((t) => t.id === id)) targets.push({ id, object });
  }
  return targets;
}

async function availablePoints(store: Store, memberId: string): Promise<number> {
  const { balances } = tablesOf(store.db);
  const [row] = await store.db.select({ available: balances.available }).from(balances).where(eq(balances.memberId, memberId));
  return row?.available ?? 0;
}

const SESSION_EXPIRED = Symbol('session expired');

export function createSalesforceAdapter(config: SalesforceAdapterConfig): OutboundAdapter<SalesforceOptions> {
  const sessions = new SalesforceSessions(config);

  /** One try with one session: the updates, then the transactions. */
  async function write(session: Session, updates: SObjectRecord[], transactions: { object: string; keyField: string; records: SObjectRecord[] } | undefined, now: number) {
    const { Connection } = await loadJsforce();
    const api = recordAnswers(new Connection({ instanceUrl: session.instanceUrl, accessToken: session.accessToken, version: SALESFORCE_API_VERSION }));
    let statusCode: number | undefined;

    const call = async <R>(what: string, request: () => Promise<R>): Promise<{ ok: R } | { failed: SendOutcome | typeof SESSION_EXPIRED }> => {
      api.reset();
      try {
        const result = await request();
        statusCode = api.last()?.statusCode;
        return { ok: result };
      } catch (error) {
        return { failed: restFailure(what, error, api.last(), now) };
      }
    };

    if (updates.length) {
      const types = new Set(updates.map((r) => r.attributes!.type));
      const type = types.size === 1 ? [...types][0]! : '';
      const what = updates.length === 1 ? `update of ${type} ${updates[0]!.Id}` : `update of ${updates.length} records`;
      const done = await call(what, () =>
        updates.length === 1 ? api.conn.update(type, updates[0] as SfRecord & { Id: string }).then((r) => [r]) : api.conn.update(type, updates as (SfRecord & { Id: string })[]),
      );
      if ('failed' in done) return done.failed;
      const failed = recordFailures(what, done.ok, updates.map((r) => `${r.attributes!.type} ${String(r.Id)}`), statusCode);
      if (failed) return failed;
    }
    if (transactions) {
      const { object, keyField, records } = transactions;
      const what = `upsert of ${records.length === 1 ? '' : `${records.length} `}${object}`;
      const done = await call(what, () =>
        records.length === 1 ? api.conn.upsert(object, records[0] as SfRecord, keyField).then((r) => [r]) : api.conn.upsert(object, records as SfRecord[], keyField),
      );
      if ('failed' in done) return done.failed;
      const failed = recordFailures(what, done.ok, records.map((r) => `${object} ${String(r[keyField])}`), statusCode);
      if (failed) return failed;
    }
    return { status: 'delivered', ...(statusCode !== undefined ? { statusCode } : {}) } satisfies SendOutcome;
  }

  return {
    name: 'salesforce',
    options: salesforceOptions,
    async send(options, context): Promise<SendOutcome> {
      if (!context.member) return { status: 'skipped', reason: 'salesforce: the event concerns no member' };
      const member = await getMember(config.store.db, context.member.id);
      if (!member || member.status === 'erased') return { status: 'skipped', reason: `salesforce: member ${context.member.id} is erased or unknown` };
      const targets = targetsOf(options, member.aliases);
      if (!Array.isArray(targets)) return targets;

      const values = present(options.fields);
      if (options.pointsField) values[options.pointsField] = await availablePoints(config.store, member.id);
      const updates: SObjectRecord[] = Object.keys(values).length ? targets.map((t) => ({ Id: t.id, attributes: { type: t.object }, ...values })) : [];

      let transactions: { object: string; keyField: string; records: SObjectRecord[] } | undefined;
      if (options.transaction) {
        const tx = options.transaction;
        const keyField = tx.externalIdField ?? DEFAULT_TRANSACTION_KEY_FIELD;
        const records: SObjectRecord[] = [];
        for (const t of targets) {
          const parentField = tx.parentField ?? PARENT_FIELDS[t.object];
          if (!parentField) return { status: 'permanent', error: `salesforce: give transaction.parentField: no default lookup field for a ${t.object}` };
          // The delivery's key (the same on every attempt) and the record: one transaction per change and record.
          records.push({ ...present(tx.fields), [parentField]: t.id, [keyField]: `${context.idempotencyKey}-${t.id}` });
        }
        transactions = { object: tx.object ?? DEFAULT_TRANSACTION_OBJECT, keyField, records };
      }
      if (updates.length === 0 && !transactions) return { status: 'skipped', reason: 'salesforce: every field rendered empty; nothing to update' };
      if (context.signal.aborted) return { status: 'retry', error: 'salesforce: aborted' };

      const run = async (): Promise<SendOutcome> => {
        for (let login = 1; ; login++) {
          const session = await sessions.get();
          if (!('accessToken' in session)) return session;
          const outcome = await write(session, updates, transactions, context.now);
          if (outcome !== SESSION_EXPIRED) return outcome;
          sessions.expire(session);
          if (login === 2) return { status: 'permanent', statusCode: 401, error: 'salesforce: INVALID_SESSION_ID even with a new session (does the user have the API Enabled permission?)' };
        }
      };
      return untilAborted(run(), context.signal);
    },
  };
}

/** The send's outcome, or a retry once the dispatcher's time is up (the request may still finish). */
function untilAborted(work: Promise<SendOutcome>, signal: AbortSignal): Promise<SendOutcome> {
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve({ status: 'retry', error: 'salesforce: no answer in time' });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A REST call that threw: jsforce's error code plus the HTTP answer it came with, if any. */
function restFailure(what: string, error: unknown, answer: HttpResponse | undefined, now: number): SendOutcome | typeof SESSION_EXPIRED {
  const e = error as { errorCode?: unknown; message?: unknown };
  const code = typeof e.errorCode === 'string' ? e.errorCode : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const statusCode = answer?.statusCode;
  if (statusCode === 401 || code === 'INVALID_SESSION_ID') return SESSION_EXPIRED;
  const detail = `salesforce: ${what}: ${statusCode ? `HTTP ${statusCode} ` : ''}${code && !code.startsWith('ERROR_HTTP_') ? `${code}: ` : ''}${message.slice(0, 300)}`;
  if (code && RETRYABLE_CODES.has(code)) {
    const retryAfterMs = parseRetryAfter(answer?.headers['retry-after'], now);
    return { status: 'retry', ...(statusCode ? { statusCode } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: detail };
  }
  if (!answer) return { status: 'retry', error: `salesforce: ${what}: request failed: ${message}` };
  if (answer.statusCode < 400) return { status: 'permanent', statusCode: answer.statusCode, error: detail };
  const outcome = classifyHttp(answer.statusCode, answer.headers, now);
  return outcome.status === 'retry' || outcome.status === 'permanent' ? { ...outcome, error: detail } : outcome;
}

/** Records Salesforce did not save in a 2xx answer (a composite request, `allOrNone: false`). */
function recordFailures(what: string, results: (SaveResult | UpsertResult)[], names: string[], statusCode: number | undefined): SendOutcome | undefined {
  const problems: string[] = [];
  let retryable = false;
  results.forEach((r, i) => {
    if (r.success) return;
    const errors = (r.errors as { errorCode?: string; statusCode?: string; message?: string }[]).map((e) => ({ code: e.errorCode ?? e.statusCode ?? 'ERROR', message: e.message ?? '' }));
    if (errors.some((e) => RETRYABLE_CODES.has(e.code))) retryable = true;
    problems.push(`${names[i] ?? `record ${i + 1}`}: ${errors.map((e) => `${e.code}: ${e.message}`).join('; ')}`);
  });
  if (problems.length === 0) return undefined;
  const error = `salesforce: ${what}: ${problems.length} of ${results.length} not saved: ${problems.join(' | ')}`.slice(0, 1000);
  return { status: retryable ? 'retry' : 'permanent', ...(statusCode !== undefined ? { statusCode } : {}), error };
}
