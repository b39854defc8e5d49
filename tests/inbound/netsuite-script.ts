/**
 * Runs the hub's NetSuite user-event script (connectors/netsuite/suitescript/loyalty_hub_ue.js)
 * in Node, as NetSuite would: the file is loaded through a small AMD `define`, and the modules it
 * asks for are stand-ins built to the behaviour NetSuite documents for them —
 * - `N/record`: `load({ type, id })` of a record given as a fixture (values as `getValue` returns
 *   them: numbers for amounts, internal ids as text, `Date`s for date fields), throwing
 *   RCRD_DSNT_EXIST for any other;
 * - `N/https`: `post({ url, body, headers })`, captured, answering a ClientResponse `{ code, body }`;
 * - `N/crypto` + `N/encode`: `createSecretKey({ secret })` of an API Secret by its script id,
 *   `createHmac({ algorithm, key })`, `update({ input, inputEncoding })`,
 *   `digest({ outputEncoding })`, computed with node:crypto;
 * - `N/runtime`: `accountId`, `getCurrentScript().getParameter({ name })` and `getRemainingUsage()`;
 * - `N/log`: what the script writes to its execution log.
 * The request it builds is then delivered to the hub as it is (`hubInit`).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sample } from './webhook-helpers.js';

export const NETSUITE_SECRET = 'ns-loyalty-hub-secret-3f9a1c77e2';
export const NETSUITE_ACCOUNT = '1234567';
export const SECRET_ID = 'custsecret_loyalty_hub';
export const HUB_URL = 'https://hub.example/webhooks/netsuite';

const SCRIPT = fileURLToPath(new URL('../../connectors/netsuite/suitescript/loyalty_hub_ue.js', import.meta.url));

/** A record as `record.load` returns it, written as JSON (tests/fixtures/platform-samples/netsuite). */
export interface RecordFixture {
  type: string;
  id: string;
  values: Record<string, unknown>;
  sublists?: Record<string, Record<string, unknown>[]>;
}

export interface CapturedPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface LogLine {
  level: 'debug' | 'audit' | 'error' | 'emergency';
  title: string;
  details: string;
}

export interface ScriptRun {
  posts: CapturedPost[];
  logs: LogLine[];
  /** Records the script loaded, `type:id`. */
  loaded: string[];
  /** What afterSubmit threw (it must never throw). */
  thrown?: unknown;
}

export interface RunOptions {
  /** The record the user saved (context.newRecord). */
  saved: RecordFixture;
  /** What `record.load` finds: by default the saved record alone. */
  records?: RecordFixture[];
  /** context.type: `create`, `edit`, `xedit`, `delete`, … */
  event?: string;
  /** API Secrets by script id. */
  secrets?: Record<string, string>;
  /** Script parameters. */
  parameters?: Record<string, string | null>;
  accountId?: string;
  /** What `https.post` does: an answer, or a throw (NetSuite throws on a connection failure or timeout). */
  answer?: (post: CapturedPost) => { code: number; body?: string };
  remainingUsage?: () => number;
}

/** The record fixture of `name` (a file of tests/fixtures/platform-samples/netsuite). */
export function recordFixture(name: string, change: Partial<RecordFixture['values']> = {}): RecordFixture {
  const fixture = sample('netsuite', name) as unknown as RecordFixture;
  return { ...fixture, values: { ...fixture.values, ...change } };
}

/** Date fields: `getValue` returns a JavaScript Date for them. */
const DATE_FIELDS = new Set(['trandate', 'lastmodifieddate', 'createddate', 'duedate']);

const RECORD_TYPES = { CASH_SALE: 'cashsale', INVOICE: 'invoice', CREDIT_MEMO: 'creditmemo', CASH_REFUND: 'cashrefund', CUSTOMER_PAYMENT: 'customerpayment' };
const USER_EVENT_TYPES = { CREATE: 'create', EDIT: 'edit', XEDIT: 'xedit', DELETE: 'delete', APPROVE: 'approve', PAYBILLS: 'paybills' };
const ENCODING = { UTF_8: 'UTF_8', BASE_16: 'BASE_16', BASE_32: 'BASE_32', BASE_64: 'BASE_64', BASE_64_URL_SAFE: 'BASE_64_URL_SAFE', HEX: 'HEX' };

class SuiteScriptError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function recordObject(fixture: RecordFixture) {
  const value = (fieldId: string, raw: unknown) => (DATE_FIELDS.has(fieldId) && typeof raw === 'string' ? new Date(raw) : raw);
  const lines = (sublistId: string) => fixture.sublists?.[sublistId] ?? [];
  return {
    type: fixture.type,
    id: Number(fixture.id),
    getValue: ({ fieldId }: { fieldId: string }) => value(fieldId, fixture.values[fieldId]),
    getLineCount: ({ sublistId }: { sublistId: string }) => lines(sublistId).length,
    getSublistValue: ({ sublistId, fieldId, line }: { sublistId: string; fieldId: string; line: number }) => {
      const row = lines(sublistId)[line];
      if (!row) throw new SuiteScriptError('SSS_INVALID_SUBLIST_OPERATION', `no line ${line} in ${sublistId}`);
      return value(fieldId, row[fieldId]);
    },
  };
}

/** `N/crypto` with node:crypto: the key's text in its encoding, the digest in the asked one. */
function cryptoModule(secrets: Record<string, string>) {
  const bytes = (text: string, encoding: string) => Buffer.from(text, encoding === ENCODING.BASE_64 ? 'base64' : encoding === ENCODING.HEX || encoding === ENCODING.BASE_16 ? 'hex' : 'utf8');
  return {
    HashAlg: { SHA1: 'SHA1', SHA256: 'SHA256', SHA512: 'SHA512', MD5: 'MD5' },
    createSecretKey: (options: { secret?: string; guid?: string; encoding?: string }) => {
      const value = options.secret !== undefined ? secrets[options.secret] : undefined;
      if (value === undefined) throw new SuiteScriptError('INVALID_SECRET_KEY', `no API Secret ${String(options.secret)} available to this script`);
      return { secret: options.secret, encoding: options.encoding ?? ENCODING.UTF_8, value };
    },
    createHmac: (options: { algorithm: string; key: { value: string; encoding: string } }) => {
      const hmac = createHmac(options.algorithm.toLowerCase(), bytes(options.key.value, options.key.encoding));
      return {
        update: ({ input, inputEncoding }: { input: string; inputEncoding?: string }) => void hmac.update(bytes(input, inputEncoding ?? ENCODING.UTF_8)),
        // NetSuite documents HEX as the default output but not its letter case: upper case here,
        // so the test shows the script does not depend on it.
        digest: ({ outputEncoding }: { outputEncoding?: string } = {}) =>
          outputEncoding === ENCODING.BASE_64 ? hmac.digest('base64') : hmac.digest('hex').toUpperCase(),
      };
    },
  };
}

type Define = (dependencies: string[], factory: (...modules: unknown[]) => { afterSubmit: (context: unknown) => void }) => void;

/** Saves `options.saved` in a stand-in NetSuite with the script deployed on it. */
export function runUserEvent(options: RunOptions): ScriptRun {
  const run: ScriptRun = { posts: [], logs: [], loaded: [] };
  const records = options.records ?? [options.saved];
  const modules: Record<string, unknown> = {
    'N/https': {
      post: (post: CapturedPost) => {
        const captured = { url: post.url, headers: { ...post.headers }, body: post.body };
        run.posts.push(captured);
        return options.answer ? options.answer(captured) : { code: 200, body: '{"status":"accepted"}' };
      },
    },
    'N/record': {
      Type: RECORD_TYPES,
      load: ({ type, id }: { type: string; id: string | number }) => {
        const found = records.find((r) => r.type === type && r.id === String(id));
        if (!found) throw new SuiteScriptError('RCRD_DSNT_EXIST', `That record does not exist. ${type} ${String(id)}`);
        run.loaded.push(`${type}:${String(id)}`);
        return recordObject(found);
      },
    },
    'N/crypto': cryptoModule(options.secrets ?? { [SECRET_ID]: NETSUITE_SECRET }),
    'N/encode': { Encoding: ENCODING },
    'N/runtime': {
      accountId: options.accountId ?? NETSUITE_ACCOUNT,
      getCurrentScript: () => ({
        getParameter: ({ name }: { name: string }) => (options.parameters ?? { custscript_loyalty_hub_url: HUB_URL })[name] ?? null,
        getRemainingUsage: options.remainingUsage ?? (() => 1000),
      }),
    },
    'N/log': Object.fromEntries(
      (['debug', 'audit', 'error', 'emergency'] as const).map((level) => [level, ({ title, details }: { title: string; details: unknown }) => void run.logs.push({ level, title, details: String(details) })]),
    ),
  };

  let script: { afterSubmit: (context: unknown) => void } | undefined;
  const define: Define = (dependencies, factory) => {
    script = factory(...dependencies.map((name) => modules[name]));
  };
  // The file is an AMD module as NetSuite loads it: evaluated with `define` in scope.
  new Function('define', readFileSync(SCRIPT, 'utf8'))(define);

  try {
    script!.afterSubmit({ type: options.event ?? 'create', newRecord: recordObject(options.saved), UserEventType: USER_EVENT_TYPES });
  } catch (error) {
    run.thrown = error;
  }
  return run;
}

/** The script's request as the hub receives it. */
export function hubInit(post: CapturedPost): RequestInit {
  return { method: 'POST', headers: post.headers, body: post.body };
}

/** The one request a run posted. */
export function onlyPost(run: ScriptRun): CapturedPost {
  if (run.thrown) throw run.thrown;
  if (run.posts.length !== 1) throw new Error(`expected one post, got ${run.posts.length}: ${JSON.stringify(run.logs)}`);
  return run.posts[0]!;
}

/** The script's signature, recomputed as the hub expects it: hex HMAC-SHA256 of `<timestamp>.<account>.<body>`. */
export function signatureOf(body: string, timestamp: string, account: string, secret = NETSUITE_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${account}.${body}`).digest('hex')}`;
}

/** A delivery signed by hand, for what the script would never send (stale, forged, tampered). */
export function signedInit(body: string, options: { timestamp?: number; account?: string; secret?: string; signature?: string; tamperedBody?: string } = {}): RequestInit {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const account = options.account ?? NETSUITE_ACCOUNT;
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-loyalty-hub-timestamp': timestamp,
      'x-netsuite-account': account,
      'x-loyalty-hub-signature': options.signature ?? signatureOf(body, timestamp, account, options.secret),
    },
    body: options.tamperedBody ?? body,
  };
}
