/**
 * The Zoho connector's configuration and its own seams, without a hub: `ZOHO_ACTIVITY_EVENTS`
 * parsed (a mistake is a start-up error naming the entry), the channel token within Zoho's 50
 * characters, the shared limiter deferring the 11th upsert of a second, and the start-up listing.
 */
import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import zoho from '../../connectors/zoho/index.js';
import { conditionHolds, parseActivityEvents, rulesFor, watchEvents } from '../../connectors/zoho/activity-rules.js';
import { channelToken } from '../../connectors/zoho/signature.js';
import { secretMatches } from '../../core/connectors/shared-secret.js';
import { connectorStatus } from '../../core/connectors/definition.js';
import type { SendContext } from '../../core/outbound/adapter.js';

const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/zoho/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('ZOHO_ACTIVITY_EVENTS', () => {
  it('reads activity=Module.operation[:Field=Value] entries into rules and the channel events', () => {
    const rules = parseActivityEvents(' deal.won=Deals.edit:Stage=Closed Won , call.logged=Calls.create,signup.crm=Contacts.all');
    expect(rules).toEqual([
      { activity: 'deal.won', module: 'Deals', operation: 'edit', condition: { field: 'Stage', value: 'Closed Won' } },
      { activity: 'call.logged', module: 'Calls', operation: 'create' },
      { activity: 'signup.crm', module: 'Contacts', operation: 'all' },
    ]);
    expect(watchEvents(rules)).toEqual(['Calls.create', 'Contacts.all', 'Deals.edit']);
    expect(rulesFor(rules, 'Deals', 'update').map((r) => r.activity)).toEqual(['deal.won']);
    expect(rulesFor(rules, 'Deals', 'insert')).toEqual([]);
    expect(rulesFor(rules, 'Contacts', 'insert').map((r) => r.activity)).toEqual(['signup.crm']);
    expect(rulesFor(rules, 'Contacts', 'delete')).toEqual([]);
    expect(conditionHolds(rules[0]!, { Stage: 'Closed Won' })).toBe(true);
    expect(conditionHolds(rules[0]!, { Stage: 'Closed Lost' })).toBe(false);
    expect(conditionHolds({ ...rules[0]!, condition: { field: 'Owner', value: 'Patricia Boyle' } }, { Owner: { name: 'Patricia Boyle', id: '1' } })).toBe(true);
    expect(parseActivityEvents(undefined)).toEqual([]);
  });

  it.each([
    ['Deals.edit', /is not activity=Module.operation/],
    ['Deal Won=Deals.edit', /not a lower-case activity name/],
    ['deal.won=Deals', /other than create, edit or all/],
    ['deal.won=Deals.update', /other than create, edit or all/],
    ['deal.won=Deals.edit:Stage', /condition that is not Field=Value/],
    ['deal.won=Deals.edit:Stage=', /condition that is not Field=Value/],
  ])('refuses "%s" at start-up, naming it', (value, reason) => {
    expect(() => parseActivityEvents(value)).toThrow(reason);
    expect(() => parseActivityEvents(value)).toThrow(value);
  });

  it('refuses more than the 10 events one channel can watch', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `a${i}.done=Module${i}.create`).join(',');
    expect(() => parseActivityEvents(eleven)).toThrow(/at most 10/);
  });
});

describe('the shared secrets', () => {
  it('derives a channel token within Zoho\'s 50 characters, different per secret, compared in constant time', () => {
    const token = channelToken('secret-one');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(channelToken('secret-two')).not.toBe(token);
    expect(secretMatches(token, token)).toBe(true);
    expect(secretMatches(token.slice(0, 42), token)).toBe(false);
    expect(secretMatches('', '')).toBe(false);
  });
});

describe('the start-up listing', () => {
  it('is enabled when the four required variables are set, and names the missing ones otherwise', () => {
    const all = { ZOHO_CLIENT_ID: 'id', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r', ZOHO_WEBHOOK_TOKEN: 'w' };
    expect(connectorStatus(zoho, all)).toMatchObject({ enabled: true, missing: [] });
    expect(connectorStatus(zoho, { ZOHO_CLIENT_ID: 'id' })).toMatchObject({ enabled: false, missing: ['ZOHO_CLIENT_SECRET', 'ZOHO_REFRESH_TOKEN', 'ZOHO_WEBHOOK_TOKEN'] });
  });
});

describe('the adapter keeps Zoho\'s concurrency limit', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('sends 10 upserts in a second and defers the 11th to the next, without calling Zoho', async () => {
    let upserts = 0;
    server.use(
      http.post('http://accounts.zoho.test/oauth/v2/token', () => HttpResponse.json(sample('token_refresh.json'))),
      http.post('http://zohoapis.test/crm/v8/Contacts/upsert', () => {
        upserts++;
        return HttpResponse.json(sample('upsert_record_updated.json'));
      }),
    );
    const adapter = zoho.createAdapter({ ZOHO_CLIENT_ID: 'id', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: 'r', ZOHO_WEBHOOK_TOKEN: 'w', ZOHO_ACCOUNTS_URL: 'http://accounts.zoho.test', ZOHO_API_URL: 'http://zohoapis.test' });
    const now = 1_800_000_000_000;
    const context: SendContext = {
      idempotencyKey: 'k',
      attempt: 1,
      member: { id: 'm', email: 'p.boyle@abc.com', phone: null, consentEmail: true, consentSms: false, firstName: null, lastName: null },
      timeZone: 'UTC',
      now,
      signal: new AbortController().signal,
    };
    const options = { numberFields: { Loyalty_Points: '10' } };
    const outcomes = [];
    for (let i = 0; i < 11; i++) outcomes.push(await adapter.send(options, context));
    expect(outcomes.slice(0, 10).every((o) => o.status === 'delivered')).toBe(true);
    expect(outcomes[10]).toMatchObject({ status: 'deferred', until: now + 1000 });
    expect(upserts).toBe(10);
    expect(await adapter.send(options, { ...context, now: now + 1000 })).toMatchObject({ status: 'delivered' });
    expect(await adapter.send({ numberFields: { Loyalty_Points: ' ' } }, { ...context, now: now + 5000 })).toMatchObject({ status: 'skipped' });
    expect(await adapter.send(options, { ...context, now: now + 5000, member: { ...context.member!, email: null } })).toMatchObject({ status: 'skipped' });
  });
});
