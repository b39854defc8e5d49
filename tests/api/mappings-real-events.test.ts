/**
 * What `mappings check` accepts is what a real event renders (docs/mappings.md, "What a mapping
 * sees", "Events"): the check runs each mapping against a sample of its event, so the sample must
 * carry the fields — and only the fields — the hub's own event of that type carries. Each case
 * checks a mapping through `POST /v1/mappings/check`, then previews it with the event the hub
 * really recorded (`eventId`), which is what the dispatcher would send.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoverConnectors } from '../../core/connectors/discover.js';
import { LOYALTY_EVENT_TYPES } from '../../core/outbox/loyalty-events.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';

const definitions = await discoverConnectors();

type Problem = { file: string; line: number; path: string; reason: string };
type Preview = { problems: Problem[]; previews: { mapping: string; result: string; actions?: { options: Record<string, unknown> }[] }[] };

// A check or a preview sends nothing: any request to a provider fails the test.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('mappings: the sample event is the real one', () => {
  const env: Record<string, string> = { SHOPIFY_API_SECRET: SHOPIFY_SECRET };
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lh-mappings-real-'));
    env.LOYALTY_MAPPINGS = dir;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const h = hubHarness({ connectors: definitions, env });

  const FILE = 'marketer.yaml';
  const check = async (text: string) => (await json<{ problems: Problem[] }>(await h.call('POST', '/v1/mappings/check', { scope: 'read', body: { file: FILE, text } }))).problems;
  const preview = async (text: string, eventId: string) => {
    const res = await h.call('POST', '/v1/mappings/preview', { scope: 'read', body: { file: FILE, text, eventId } });
    expect(res.status).toBe(200);
    return json<Preview>(res);
  };
  const latest = async (type: string) => {
    const { data } = await json<{ data: { id: string }[] }>(await h.call('GET', `/v1/mappings/recent-events?type=${type}`, { scope: 'read' }));
    expect(data.length, `a recorded ${type} event`).toBeGreaterThan(0);
    return data[0]!.id;
  };
  const slack = (on: string, text: string, when?: string) =>
    `name: marketer\non: ${on}\n${when ? `when: "${when}"\n` : ''}send:\n  adapter: slack\n  channel: "#loyalty-alerts"\n  text: "${text}"\n`;

  async function redeemedMember() {
    const member = await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com', firstName: 'Ann', consent: { email: true } } }));
    expect((await h.call('POST', `/v1/members/${member.id}/adjustments`, { body: { points: 6000, reason: 'goodwill' } })).status).toBe(201);
    const reward = await json<{ id: string }>(await h.call('POST', '/v1/rewards', { body: { name: 'Free coffee', kind: 'free_product', cost: 5000, productSku: 'COFFEE' } }));
    const res = await h.call('POST', `/v1/members/${member.id}/redemptions`, { body: { rewardId: reward.id } });
    expect(res.status, await res.clone().text()).toBe(201);
    const redemption = await json<{ id: string; voucherCode: string | null; voucher?: { code: string } }>(res);
    return { memberId: member.id, rewardId: reward.id, code: redemption.voucherCode ?? redemption.voucher?.code ?? '' };
  }

  it('reward.redeemed carries the spend\'s points event fields and rewardId, as documented: a mapping on them that checks also fires', async () => {
    const text = slack('reward.redeemed', '{{ member.email }} redeemed {{ rewardId }} ({{ reward.name }}) for {{ points }}', "kind == 'spend' && source == 'redemption'");
    expect(await check(text)).toEqual([]);
    const { rewardId } = await redeemedMember();
    const { previews } = await preview(text, await latest('reward.redeemed'));
    expect(previews).toEqual([expect.objectContaining({ result: 'would send' })]);
    expect(previews[0]!.actions![0]!.options.text).toBe(`a***@e***.com redeemed ${rewardId} (Free coffee) for 5000`);
  });
  it('tier, balance and reward are in scope only on the events that carry them: the check refuses them elsewhere instead of a blank in the message', async () => {
    const refused = async (on: string, text: string, what: string) =>
      expect(await check(slack(on, text))).toEqual([expect.objectContaining({ line: 6, path: 'send.text', reason: `missing field "${what}": there is no ${what.split('.')[0]} on a ${on} event` })]);
    const { memberId } = await redeemedMember();

    // A real points.earned has no tier: the sample's made "You are a Gold member" check and preview, and the member got "You are a  member".
    const earned = 'You earned {{ points }} points{% if tier %} as a {{ tier.name }} member{% endif %}';
    await refused('points.earned', 'You are a {{ tier.name }} member', 'tier');
    expect(await check(slack('points.earned', earned))).toEqual([]);
    expect((await preview(slack('points.earned', earned), await latest('points.earned'))).previews[0]!.actions![0]!.options.text).toBe('You earned 6000 points');
    expect(await check(slack('tier.upgraded', 'Balance {{ balance.available }}'))).toEqual([
      expect.objectContaining({ reason: 'missing field "balance": there is no balance on a tier.upgraded event' }),
    ]);
    await refused('member.enrolled', 'Welcome to {{ reward.name }}', 'reward');

    // voucher.used carries its reward, as documented: the name renders.
    const code = (await json<{ data: { code: string }[] }>(await h.call('GET', `/v1/members/${memberId}/vouchers`))).data[0]!.code;
    expect((await h.call('POST', `/v1/vouchers/${code}/use`, { body: { reference: 'till-7' } })).status).toBe(200);
    const used = slack('voucher.used', '{{ code }} used for {{ reward.name }} ({{ reward.points }} points)');
    expect(await check(used)).toEqual([]);
    const { previews } = await preview(used, await latest('voucher.used'));
    expect(previews[0]!.actions![0]!.options.text).toBe(`${code} used for Free coffee (5000 points)`);
  });
  it('webhook.rejected and voucher.used: every field the docs list passes the check, and renders from the real event', async () => {
    // A secret rotated on Shopify but not in the hub: the alert docs/mappings.md suggests filtering on `kind`.
    const alert = slack('webhook.rejected', '{{ platform }}: {{ count }} refused since {{ since }} ({{ reason }})', "kind == 'signature'");
    expect(await check(alert)).toEqual([]);
    expect(await check(slack('webhook.rejected', '{{ kind }} {{ deliveryId }} {{ inboxId }}'))).toEqual([]);
    const forged = shopifyDelivery('customers/create', { id: 1 }, 'evt-forged-1', { secret: 'rotated-secret' });
    expect((await h.hub.app.request('/webhooks/shopify', forged)).status).toBe(401);
    const { previews } = await preview(alert, await latest('webhook.rejected'));
    expect(previews[0]).toMatchObject({ result: 'would send' });
    expect(previews[0]!.actions![0]!.options.text).toMatch(/^shopify: 1 refused since \d{4}-\d\d-\d\dT[\d:.]+Z \(.+\)$/);

    // A voucher used at a store's checkout carries where (docs/api.md, "Vouchers at a store's checkout").
    expect(await check(slack('voucher.used', '{{ code }} used at {{ source }} on order {{ orderId }} ({{ reference }})'))).toEqual([]);
  });
  it('every field docs/mappings.md lists for an event passes the check on that event', async () => {
    const docs = readFileSync(join(import.meta.dirname, '../../docs/mappings.md'), 'utf8');
    const events = docs.slice(docs.indexOf('\n## Events'), docs.indexOf('\n## Adapters'));
    const documented: [string, string][] = [];
    // Each `### ` section names its events in backticks; its field tables (not the `####` subsections) list the fields.
    for (const section of events.split('\n### ').slice(1)) {
      const [heading = '', ...lines] = section.split('\n');
      // "Points events" names its eight events in the paragraph before its table.
      const naming = /`[a-z]+\.[a-z_.]+`/.test(heading) ? heading : lines.slice(0, lines.findIndex((l) => l.startsWith('|'))).join(' ');
      const types = [...naming.matchAll(/`([a-z_.]+)`/g)].map((m) => m[1]!).filter((t) => (LOYALTY_EVENT_TYPES as readonly string[]).includes(t));
      const own = lines.slice(0, lines.findIndex((l) => l.startsWith('#### ')) >>> 0);
      const fields = own.flatMap((l) => (/^\| `/.test(l) ? [...l.split('|')[1]!.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!) : []));
      for (const type of types) for (const field of fields) if (!(LOYALTY_EVENT_TYPES as readonly string[]).includes(field)) documented.push([type, field]);
    }
    expect(documented.length).toBeGreaterThan(150);
    const refused: string[] = [];
    for (const [type, field] of documented) {
      // docs/mappings.md ("square"): storeCodes is on some points.spent / points.reversed only, and the check refuses it.
      if (field === 'storeCodes' && type !== 'reward.redeemed') continue;
      const problems = await check(slack(type, `{{ ${field} }}.`));
      if (problems.length) refused.push(`${type} ${field}: ${problems.map((p) => p.reason).join('; ')}`);
    }
    expect(refused).toEqual([]);
  });
});
