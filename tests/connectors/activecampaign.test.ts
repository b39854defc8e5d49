/**
 * The `activecampaign` adapter against msw standing in for an ActiveCampaign account
 * (tests/connectors/activecampaign-stub.ts): every request's endpoint, `Api-Token` header and
 * body as ActiveCampaign documents them (tests/fixtures/platform-samples/activecampaign/); the
 * custom fields and tags found or created once; tags added and removed idempotently; every HTTP
 * request counted against the 5-per-second limit; 429 and 5xx retried, other refusals final with
 * ActiveCampaign's own reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpResponse, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import activecampaign from '../../connectors/activecampaign/index.js';
import { createActiveCampaignAdapter } from '../../connectors/activecampaign/adapter.js';
import { activeCampaignBaseUrl, reasonOf } from '../../connectors/activecampaign/api.js';
import { activeCampaignOptions, type ActiveCampaignOptions } from '../../connectors/activecampaign/options.js';
import { connectorStatus } from '../../core/connectors/definition.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, sampleEvent } from '../../core/mappings/index.js';
import type { LoyaltyEventType } from '../../core/outbox/loyalty-events.js';
import type { SendContext } from '../../core/outbound/adapter.js';
import { activeCampaignAccount } from './activecampaign-stub.js';

const API = 'http://youraccount.activecampaign.test';
const KEY = 'ac-test-key-0123456789abcdef';
const NOW = Date.UTC(2026, 5, 2, 9, 30);
const FIXTURES = join(import.meta.dirname, '../fixtures/platform-samples/activecampaign');
const fixture = <T = JsonBodyType>(name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ann = { id: 'mem_ann', email: 'ann@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: 'dlv_01ACTIVECAMPAIGN', attempt: 1, member: ann, timeZone: 'UTC', now: NOW, signal: new AbortController().signal, ...overrides };
}
const adapter = () => createActiveCampaignAdapter({ apiUrl: API, apiKey: KEY });

/** The shipped mapping file with its switch on, rendered for the sample event of `type`. */
function shippedAction(type: LoyaltyEventType): ActiveCampaignOptions {
  const file = join(import.meta.dirname, '../../mappings/activecampaign-loyalty-sync.yaml');
  const text = readFileSync(file, 'utf8').replace('when: &activecampaign-sync "false"', 'when: &activecampaign-sync "true"');
  const { adapters } = adapterDescriptors([activecampaign], {});
  const { mappings, problems } = loadMappingFile(file, adapters, text);
  expect(problems).toEqual([]);
  const actions = mappingActionsFor(mappings, sampleEvent(type), { member: ann });
  expect(actions).toHaveLength(1);
  return actions[0]!.options as ActiveCampaignOptions;
}

/** Sends until the rate limit lets the whole action through, each try at the time it was deferred to. */
async function sendUntilDone(hub: ReturnType<typeof adapter>, options: ActiveCampaignOptions, now = NOW) {
  for (let tries = 0; tries < 5; tries++) {
    const outcome = await hub.send(options, context({ now }));
    if (outcome.status !== 'deferred') return outcome;
    now = outcome.until;
  }
  throw new Error('still deferred after 5 tries');
}

const sent = (method: string, url: string, body?: unknown) => ({ method, url, apiToken: KEY, contentType: body === undefined ? null : 'application/json', body });

describe('activecampaign adapter: the documented requests, through the shipped mapping', () => {
  it('points.earned: creates the "Loyalty points" field once (related to every list), then syncs the contact by e-mail with its value', async () => {
    const ac = activeCampaignAccount(server, API);
    const hub = adapter();
    const options = shippedAction('points.earned');
    expect(options).toEqual({ fields: { loyalty_points: '5250' } });

    expect(await hub.send(options, context())).toEqual({ status: 'delivered', statusCode: 201, providerMessageId: '102' });
    expect(ac.seen).toEqual([
      sent('GET', '/api/3/fields?filters[perstag]=LOYALTY_POINTS&limit=100'),
      sent('POST', '/api/3/fields', { field: { type: 'number', title: 'Loyalty points', descript: 'Spendable loyalty points (Loyalty Hub).', perstag: 'LOYALTY_POINTS', visible: 1 } }),
      sent('POST', '/api/3/fieldRels', { fieldRel: { field: 100, relid: 0 } }),
      sent('POST', '/api/3/contact/sync', { contact: { email: 'ann@example.com', fieldValues: [{ field: '100', value: '5250' }] } }),
    ]);
    // The documented request shapes, key for key.
    expect(Object.keys((ac.seen[1]!.body as { field: object }).field)).toEqual(expect.arrayContaining(Object.keys(fixture<{ field: object }>('fields-create.request.json').field).filter((k) => k !== 'defval' && k !== 'ordernum')));
    expect(Object.keys((ac.seen[3]!.body as { contact: object }).contact)).toEqual(['email', 'fieldValues']);
    expect(Object.keys(fixture<{ contact: object }>('contact-sync.request.json').contact)).toEqual(expect.arrayContaining(['email', 'fieldValues']));
    expect(ac.state.contacts.get('ann@example.com')?.fieldValues).toEqual({ 100: '5250' });

    // Once per process: the next send is the sync alone.
    ac.seen.length = 0;
    expect(await hub.send({ fields: { loyalty_points: '5300' } }, context({ now: NOW + 1000 }))).toMatchObject({ status: 'delivered', providerMessageId: '102' });
    expect(ac.seen).toEqual([sent('POST', '/api/3/contact/sync', { contact: { email: 'ann@example.com', fieldValues: [{ field: '100', value: '5300' }] } })]);
  });

  it('tier.upgraded: writes "Loyalty tier", adds the new tier\'s tag and removes the old one — every request counted against 5 per second', async () => {
    const ac = activeCampaignAccount(server, API);
    const tierField = ac.field('LOYALTY_TIER', 'Loyalty tier');
    const silver = ac.tag('Loyalty tier: Silver');
    const contact = ac.contact('ann@example.com');
    const silverLink = ac.link(contact, silver);
    const hub = adapter();
    const options = shippedAction('tier.upgraded');
    expect(options).toEqual({ fields: { loyalty_tier: 'Gold' }, addTags: ['Loyalty tier: Gold'], removeTags: ['Loyalty tier: Silver'] });

    // Six requests are needed the first time: the sixth waits for the next second (a deferral, not an attempt).
    expect(await hub.send(options, context())).toEqual({ status: 'deferred', until: NOW + 1000, reason: 'activecampaign: ActiveCampaign allows 5 requests per second' });
    expect(ac.seen).toEqual([
      sent('GET', '/api/3/fields?filters[perstag]=LOYALTY_TIER&limit=100'),
      sent('POST', '/api/3/contact/sync', { contact: { email: 'ann@example.com', fieldValues: [{ field: tierField, value: 'Gold' }] } }),
      sent('GET', '/api/3/tags?search=Loyalty%20tier%3A%20Gold&limit=100'),
      sent('POST', '/api/3/tags', { tag: { tag: 'Loyalty tier: Gold', tagType: 'contact', description: 'Loyalty Hub' } }),
      sent('GET', '/api/3/tags?search=Loyalty%20tier%3A%20Silver&limit=100'),
    ]);

    // Resumed where it stopped: what was synced, found or created is not asked again, so sends
    // sharing the account's 5 requests a second all finish (an order's earn, threshold and tier).
    ac.seen.length = 0;
    expect(await hub.send(options, context({ now: NOW + 1000 }))).toEqual({ status: 'delivered', statusCode: 201, providerMessageId: contact });
    const gold = ac.state.tags.find((t) => t.tag === 'Loyalty tier: Gold')!.id;
    expect(ac.seen).toEqual([
      sent('GET', `/api/3/contacts/${contact}/contactTags`),
      sent('POST', '/api/3/contactTags', { contactTag: { contact, tag: gold } }),
      sent('DELETE', `/api/3/contactTags/${silverLink}`),
    ]);
    expect(Object.keys((ac.seen[1]!.body as { contactTag: object }).contactTag)).toEqual(Object.keys(fixture<{ contactTag: object }>('contact-tags-create.request.json').contactTag));
    expect(ac.tagsOf('ann@example.com')).toEqual(['Loyalty tier: Gold']);
  });

  it('points.threshold_reached: tags the contact "Loyalty: 1000 points" and writes the balance', async () => {
    const ac = activeCampaignAccount(server, API);
    ac.field('LOYALTY_POINTS', 'Loyalty points', 'number');
    const options = shippedAction('points.threshold_reached');
    expect(options).toEqual({ fields: { loyalty_points: '1100' }, addTags: ['Loyalty: 1000 points'] });
    expect(await sendUntilDone(adapter(), options)).toMatchObject({ status: 'delivered' });
    expect(ac.tagsOf('ann@example.com')).toEqual(['Loyalty: 1000 points']);
  });
});

describe('activecampaign adapter: every action idempotent (ActiveCampaign takes no idempotency key)', () => {
  it('sent twice, changes nothing the second time: a tag the contact has is not added again, one it lacks is not removed', async () => {
    const ac = activeCampaignAccount(server, API);
    const hub = adapter();
    const options = { addTags: ['VIP'], removeTags: ['Lapsed'] };
    expect(await sendUntilDone(hub, options)).toMatchObject({ status: 'delivered' });
    expect(await sendUntilDone(hub, options, NOW + 5000)).toMatchObject({ status: 'delivered' });
    expect(ac.tagsOf('ann@example.com')).toEqual(['VIP']);
    expect(ac.state.tags.map((t) => t.tag)).toEqual(['VIP']); // "Lapsed" is not created just to be removed
    expect(ac.seen.filter((r) => r.url === '/api/3/contactTags')).toHaveLength(1);
    expect(ac.seen.filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('two sends that start together create a new field and a new tag once', async () => {
    const ac = activeCampaignAccount(server, API);
    const hub = adapter();
    const options = { fields: { loyalty_tier: 'Gold' }, addTags: ['Loyalty tier: Gold'] };
    const outcomes = await Promise.all([hub.send(options, context()), hub.send({ ...options, email: 'bob@example.com' }, context())]);
    expect(outcomes.map((o) => o.status)).toEqual(['deferred', 'deferred']); // 5 requests between them, then the second's turn is over
    for (const email of ['ann@example.com', 'bob@example.com']) expect(await sendUntilDone(hub, { ...options, email }, NOW + 1000)).toMatchObject({ status: 'delivered' });
    expect(ac.state.fields.map((f) => f.perstag)).toEqual(['LOYALTY_TIER']);
    expect(ac.state.tags.map((t) => t.tag)).toEqual(['Loyalty tier: Gold']);
    expect([ac.tagsOf('ann@example.com'), ac.tagsOf('bob@example.com')]).toEqual([['Loyalty tier: Gold'], ['Loyalty tier: Gold']]);
  });

  it('finds tags whatever their case, and counts a link removed meanwhile (404) as removed', async () => {
    const ac = activeCampaignAccount(server, API);
    const gold = ac.tag('loyalty tier: gold');
    const contact = ac.contact('ann@example.com');
    ac.link(contact, gold);
    ac.failNext((r) => r.method === 'DELETE', () => HttpResponse.json(fixture('contact-tags-delete.404.json'), { status: 404 }));
    expect(await adapter().send({ removeTags: ['Loyalty Tier: Gold'] }, context())).toEqual({ status: 'delivered', statusCode: 201, providerMessageId: contact });
    expect(ac.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/3/contact/sync',
      'GET /api/3/tags?search=Loyalty%20Tier%3A%20Gold&limit=100',
      'GET /api/3/contacts/101/contactTags',
      `DELETE /api/3/contactTags/102`,
    ]);
  });

  it('uses a field the merchant created (found by its personalization tag) without creating or relating it', async () => {
    const ac = activeCampaignAccount(server, API);
    const id = ac.field('LOYALTY_POINTS', 'Points (loyalty)', 'text');
    expect(await adapter().send({ fields: { loyalty_points: '10', loyalty_tier: '  ' } }, context())).toMatchObject({ status: 'delivered' });
    expect(ac.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/3/fields?filters[perstag]=LOYALTY_POINTS&limit=100', 'POST /api/3/contact/sync']);
    expect(ac.seen[1]!.body).toEqual({ contact: { email: 'ann@example.com', fieldValues: [{ field: id, value: '10' }] } });
  });

  it('a field created but not yet related to the lists (interrupted) is related on the next try, not created twice', async () => {
    const ac = activeCampaignAccount(server, API);
    ac.failNext((r) => r.url === '/api/3/fieldRels', () => new HttpResponse('upstream trouble', { status: 502 }));
    const hub = adapter();
    expect(await hub.send({ fields: { loyalty_points: '10' } }, context())).toMatchObject({ status: 'retry', statusCode: 502 });
    expect(await hub.send({ fields: { loyalty_points: '10' } }, context({ now: NOW + 1000 }))).toMatchObject({ status: 'delivered' });
    expect(ac.state.fields).toHaveLength(1);
    expect(ac.state.fieldRels).toEqual([{ field: 100, relid: 0 }]);
  });
});

describe('activecampaign adapter: retries and refusals', () => {
  it('answers a 429 with retry after Retry-After, and defers every send until then without calling', async () => {
    const ac = activeCampaignAccount(server, API);
    ac.failNext((r) => r.url === '/api/3/contact/sync', () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '30', 'ratelimit-limit': '5', 'ratelimit-remaining': '0' } }));
    const hub = adapter();
    expect(await hub.send({ addTags: ['VIP'] }, context())).toEqual({ status: 'retry', statusCode: 429, retryAfterMs: 30_000, error: 'activecampaign: POST /api/3/contact/sync answered HTTP 429' });
    ac.seen.length = 0;
    expect(await hub.send({ addTags: ['VIP'] }, context({ now: NOW + 10_000 }))).toEqual({
      status: 'deferred',
      until: NOW + 30_000,
      reason: 'activecampaign: ActiveCampaign answered 429 Too Many Requests',
    });
    expect(ac.seen).toEqual([]);
    expect(await hub.send({ addTags: ['VIP'] }, context({ now: NOW + 30_000 }))).toMatchObject({ status: 'delivered' });
  });

  it.each([
    [500, {}, undefined],
    [503, { 'retry-after': '120' }, 120_000],
  ])('answers HTTP %i with retry (honouring Retry-After)', async (status, headers, retryAfterMs) => {
    const ac = activeCampaignAccount(server, API);
    ac.failNext(() => true, () => new HttpResponse('<html>Service Unavailable</html>', { status, headers: { 'content-type': 'text/html', ...headers } }));
    expect(await adapter().send({ addTags: ['VIP'] }, context())).toEqual({
      status: 'retry',
      statusCode: status,
      ...(retryAfterMs ? { retryAfterMs } : {}),
      error: `activecampaign: POST /api/3/contact/sync answered HTTP ${status}`,
    });
  });

  it('retries when ActiveCampaign cannot be reached, and when the delivery\'s time is up', async () => {
    const ac = activeCampaignAccount(server, API);
    ac.failNext(() => true, () => HttpResponse.error());
    expect(await adapter().send({ addTags: ['VIP'] }, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^activecampaign: POST \/api\/3\/contact\/sync failed/) });

    const controller = new AbortController();
    ac.failNext(() => true, () => {
      controller.abort();
      return HttpResponse.json({});
    });
    expect(await adapter().send({ addTags: ['VIP'] }, context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'activecampaign: aborted' });
  });

  it('is final on a 400, with ActiveCampaign\'s own reason (errors[].title and detail)', async () => {
    const ac = activeCampaignAccount(server, API);
    ac.failNext(
      (r) => r.url === '/api/3/contact/sync',
      () => HttpResponse.json({ errors: [{ title: 'Email address is invalid.', detail: 'Email address is invalid.', code: 'email_invalid', source: { pointer: '/data/attributes/email' } }] }, { status: 400 }),
    );
    expect(await adapter().send({ addTags: ['VIP'] }, context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: 'activecampaign: POST /api/3/contact/sync answered HTTP 400: Email address is invalid. (/data/attributes/email)',
    });
  });

  it('names the documented reasons of a 404, a 422 and a refused key', async () => {
    expect(reasonOf(fixture('contact-tags-create.404.json'))).toBe('Not Found: Contact not found');
    expect(reasonOf(fixture('contact-tags-create.422.json'))).toBe('Missing attribute (/data/attributes/contact)');
    expect(reasonOf(fixture('contact-tags-delete.404.json'))).toBe('No Result found for SubscriberTag with id 1');
    expect(reasonOf({})).toBeUndefined();

    const ac = activeCampaignAccount(server, API);
    ac.failNext(() => true, () => HttpResponse.json({ message: 'Forbidden' }, { status: 403 }));
    expect(await adapter().send({ addTags: ['VIP'] }, context())).toMatchObject({ status: 'permanent', statusCode: 403, error: expect.stringMatching(/Forbidden \(check ACTIVECAMPAIGN_API_KEY/) });
  });

  it('is final when a field of the same title exists under another personalization tag, saying what to rename', async () => {
    const ac = activeCampaignAccount(server, API);
    ac.field('POINTS', 'Loyalty points');
    const outcome = await adapter().send({ fields: { loyalty_points: '10' } }, context());
    expect(outcome).toMatchObject({ status: 'permanent', statusCode: 422 });
    expect((outcome as { error: string }).error).toMatch(/There is already a field with this title: There is already a field named 'Loyalty points'.*rename one of them/);
  });
});

describe('activecampaign adapter: whom it writes', () => {
  it('skips a member without e-mail consent (a tag can start an automation that e-mails them), unless told otherwise', async () => {
    const ac = activeCampaignAccount(server, API);
    const member = { ...ann, consentEmail: false };
    expect(await adapter().send({ addTags: ['VIP'] }, context({ member }))).toEqual({
      status: 'skipped',
      reason: 'activecampaign: the member has not consented to e-mail marketing (requireEmailConsent)',
    });
    expect(ac.seen).toEqual([]);
    expect(await adapter().send({ addTags: ['VIP'], requireEmailConsent: false }, context({ member }))).toMatchObject({ status: 'delivered' });
  });

  it('skips a member without an e-mail address, and an address that rendered empty; refuses one that is not an address', async () => {
    const ac = activeCampaignAccount(server, API);
    expect(await adapter().send({ addTags: ['VIP'] }, context({ member: { ...ann, email: null } }))).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no e-mail address/) });
    expect(await adapter().send({ addTags: ['VIP'], email: ' ' }, context())).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/rendered empty/) });
    expect(await adapter().send({ addTags: ['VIP'], email: 'not-an-address' }, context())).toMatchObject({ status: 'permanent' });
    expect(await adapter().send({ addTags: [' '], fields: { loyalty_tier: '' } }, context())).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/nothing to write/) });
    expect(ac.seen).toEqual([]);
  });

  it('writes the contact the options name (no member needed)', async () => {
    const ac = activeCampaignAccount(server, API);
    expect(await adapter().send({ addTags: ['Loyalty desk'], email: 'vip-desk@shop.example' }, context({ member: null }))).toMatchObject({ status: 'delivered' });
    expect(ac.seen[0]!.body).toEqual({ contact: { email: 'vip-desk@shop.example' } });
  });
});

describe('activecampaign: configuration and options', () => {
  it('the shipped mapping is off as shipped: no event sends anything to ActiveCampaign', () => {
    const file = join(import.meta.dirname, '../../mappings/activecampaign-loyalty-sync.yaml');
    const { adapters } = adapterDescriptors([activecampaign], {});
    const { mappings, problems } = loadMappingFile(file, adapters, readFileSync(file, 'utf8'));
    expect(problems).toEqual([]);
    expect(mappings).toHaveLength(9);
    for (const m of mappings) expect(mappingActionsFor(mappings, sampleEvent(m.on), { member: ann }), m.on).toEqual([]);
  });

  it('refuses at mappings check what ActiveCampaign would refuse: a typo, a number field that is not a number, a comma in a tag, nothing to do', () => {
    const ok = (o: unknown) => activeCampaignOptions.safeParse(o).success;
    expect(ok({ fields: { loyalty_points: '5250', loyalty_tier: 'Gold' }, addTags: ['Gold'], removeTags: ['Silver'], email: 'a@b.co', requireEmailConsent: false })).toBe(true);
    expect(ok({ fields: { loyalty_point: '5250' } })).toBe(false);
    expect(ok({ fields: { loyalty_points: '5250 points' } })).toBe(false);
    expect(ok({ addTags: ['Gold, Silver'] })).toBe(false);
    expect(ok({ tags: ['Gold'] })).toBe(false);
    expect(ok({})).toBe(false);
  });

  it('a refused option is reported by the mapping loader with the file, line and reason', () => {
    const { adapters } = adapterDescriptors([activecampaign], {});
    const text = ['- name: ac-bad', '  on: tier.upgraded', '  send:', '    adapter: activecampaign', '    addTags:', '      - "Tier: {{ tier.name }}, new"', ''].join('\n');
    const { problems } = loadMappingFile('/tmp/ac-bad.yaml', adapters, text);
    expect(problems).toEqual([expect.objectContaining({ file: '/tmp/ac-bad.yaml', line: 6, reason: expect.stringMatching(/cannot contain a comma/) })]);
  });

  it('is disabled until the API URL and key are set; the URL is the base and the override', () => {
    expect(connectorStatus(activecampaign, {})).toMatchObject({ enabled: false, missing: ['ACTIVECAMPAIGN_API_URL', 'ACTIVECAMPAIGN_API_KEY'] });
    expect(activecampaign.config.find((v) => v.env === 'ACTIVECAMPAIGN_API_KEY')).toMatchObject({ secret: true });
    expect(activeCampaignBaseUrl(' https://youraccount.api-us1.com/api/3/ ')).toBe('https://youraccount.api-us1.com');
    const { adapters, unavailable } = adapterDescriptors([activecampaign], {});
    expect(unavailable).toEqual([]);
    expect(adapters.get('activecampaign')?.options).toBe(activeCampaignOptions);
    expect(activecampaign.createAdapter({ ACTIVECAMPAIGN_API_URL: API, ACTIVECAMPAIGN_API_KEY: KEY }).name).toBe('activecampaign');
  });
});
