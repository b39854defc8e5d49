/**
 * The console's rewards section (docs/console.md, "Rewards"), in process: the catalog as the API
 * pages it, every form's change and its refusal (shown beside the field the API's pointer
 * names), a pool's count of unused codes without the codes, and a read key that sees it all
 * and can change none of it.
 */
import { describe, expect, it } from 'vitest';
import { hubHarness, json } from '../helpers/test-hub.js';
import { signInConsole, type ConsoleClient } from './console-harness.js';

type Reward = Record<string, unknown> & { id: string; name: string };

const HOUR = 3_600_000;
/** The value of a `datetime-local` input for a time (UTC, to the second). */
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);

describe('console rewards', () => {
  const h = hubHarness();

  async function reward(body: Record<string, unknown> = {}): Promise<Reward> {
    const res = await h.call('POST', '/v1/rewards', { body: { name: 'Free coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100, ...body } });
    expect(res.status).toBe(201);
    return json<Reward>(res);
  }
  const apiReward = async (id: string) => json<Reward>(await h.call('GET', `/v1/rewards/${id}`));
  const allRewards = async () => (await json<{ data: Reward[] }>(await h.call('GET', '/v1/rewards?limit=200'))).data;
  const page = async (client: ConsoleClient, path: string) => {
    const res = await client.get(path);
    expect(res.status, path).toBe(200);
    return res.text();
  };
  /** Follows a form's 303 the way a browser does, returning the page and its notice. */
  async function follow(client: ConsoleClient, res: Response): Promise<string> {
    expect(res.status, await res.clone().text()).toBe(303);
    const notice = res.headers.get('set-cookie')!.split(';')[0]!;
    const next = await client.get(res.headers.get('location')!, { cookie: `${client.cookie}; ${notice}` });
    return next.text();
  }

  it('lists active rewards, archived ones apart, and pages with the API cursor', async () => {
    // Ids sort by creation time: one second apart, the pages' order is certain.
    const coffee = await reward({ name: 'Free coffee', stock: 12 });
    h.clock.advance(1000);
    await reward({ name: 'Five off', kind: 'fixed_discount', value: 500, currency: 'usd', productSku: null });
    h.clock.advance(1000);
    const old = await reward({ name: 'Old mug', status: 'archived' });
    const client = await signInConsole(h, 'read');

    const active = await page(client, '/console/rewards');
    expect(active).toContain(`href="/console/rewards/${coffee.id}">Free coffee</a>`);
    expect(active).toContain('Fixed discount, USD 5.00');
    expect(active).toContain('<td class="num">12</td>');
    expect(active).not.toContain('Old mug');

    const archived = await page(client, '/console/rewards?status=archived');
    expect(archived).toContain(`href="/console/rewards/${old.id}">Old mug</a>`);
    expect(archived).not.toContain('Free coffee');

    const first = await page(client, '/console/rewards?status=all&limit=2');
    expect(first).toContain('Free coffee');
    expect(first).not.toContain('Old mug');
    const next = /href="(\/console\/rewards\?status=all&amp;limit=2&amp;cursor=[^"]+)" rel="next"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await page(client, next!.replaceAll('&amp;', '&'));
    expect(second).toContain('Old mug');
    expect(second).not.toContain('Free coffee');
    expect(second).not.toContain('rel="next"');
  });

  it('creates a reward from every field of the form', async () => {
    const client = await signInConsole(h);
    expect(await page(client, '/console/rewards/new')).toContain('<label for="reward-voucherValidDays">');
    const from = h.clock() + HOUR;
    const until = h.clock() + 30 * 24 * HOUR;
    const res = await client.post('/console/rewards', {
      _idempotency: 'create-1',
      name: 'Ten percent',
      description: 'Off the whole order',
      kind: 'percentage_discount',
      cost: '750',
      percent: '10',
      codeSource: 'pool',
      stock: '40',
      perMemberLimit: '2',
      tiers: 'silver, gold',
      segments: '',
      validFrom: local(from),
      validUntil: local(until),
      voucherValidDays: '30',
    });
    const shown = await follow(client, res);
    expect(shown).toContain('Added the reward &quot;Ten percent&quot;.');
    const [created] = await allRewards();
    expect(res.headers.get('location')).toBe(`/console/rewards/${created!.id}`);
    expect(created).toMatchObject({
      name: 'Ten percent',
      description: 'Off the whole order',
      kind: 'percentage_discount',
      cost: 750,
      percent: 10,
      value: null,
      currency: null,
      codeSource: 'pool',
      stock: 40,
      perMemberLimit: 2,
      tiers: ['silver', 'gold'],
      segments: [],
      validFrom: new Date(Math.floor(from / 1000) * 1000).toISOString(),
      validUntil: new Date(Math.floor(until / 1000) * 1000).toISOString(),
      voucherValidDays: 30,
      status: 'active',
    });
    expect(shown).toContain('Percentage discount, 10 % off');
    expect(shown).toContain('0</strong> unused codes left');
  });

  it("shows the API's refusal of a new reward beside each field it names, keeps what was typed, and adds nothing", async () => {
    const client = await signInConsole(h);
    const typed = { name: 'Typed name', kind: 'fixed_discount', tiers: 'platinum', codeSource: 'generated' };
    const notANumber = await client.post('/console/rewards', { ...typed, cost: 'lots' });
    expect(notANumber.status).toBe(400);
    const first = await notANumber.text();
    expect(first).toContain('role="alert"');
    expect(first).toMatch(/id="reward-cost" name="cost" aria-invalid="true" aria-describedby="reward-cost-error"[^>]*value="lots"/);
    expect(first).toContain('<p class="field-error" id="reward-cost-error">Invalid input: expected number, received string</p>');

    const res = await client.post('/console/rewards', { ...typed, cost: '100' });
    expect(res.status).toBe(400);
    const html = await res.text();
    for (const field of ['value', 'currency']) {
      expect(html, field).toMatch(new RegExp(`id="reward-${field}" name="${field}" aria-invalid="true" aria-describedby="reward-${field}-help reward-${field}-error"`));
    }
    expect(html).toContain('<p class="field-error" id="reward-value-error">a fixed_discount reward needs its value in minor units</p>');
    expect(html).not.toContain('id="reward-cost-error"');
    expect(html).toContain('value="Typed name"');
    expect(html).toContain('value="platinum"');
    expect(html).toMatch(/<option value="fixed_discount" selected="">/);
    expect(await allRewards()).toEqual([]);

    // The schema passed, the program's check did not: a tier that does not exist, a past end date.
    const second = await client.post('/console/rewards', { name: 'Typed', kind: 'voucher', cost: '10', tiers: 'bronze platinum', validUntil: local(h.clock() - HOUR) });
    expect(second.status).toBe(400);
    const page2 = await second.text();
    expect(page2).toMatch(/id="reward-tiers-error">not a tier of the program \(bronze, silver, gold\)</);
    expect(page2).toMatch(/id="reward-validUntil-error">must be in the future/);
    expect(await allRewards()).toEqual([]);
  });

  it('edits only the fields that changed, so an expired end date does not block a new stock', async () => {
    const r = await reward({ name: 'Summer mug', cost: 300, validUntil: new Date(h.clock() + HOUR).toISOString() });
    h.clock.advance(2 * HOUR);
    const client = await signInConsole(h);
    const html = await page(client, `/console/rewards/${r.id}`);
    // The edit form starts from the reward as it is.
    const fields = Object.fromEntries([...html.matchAll(/<input id="reward-(\w+)" name="\w+"[^>]*?value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    expect(fields).toMatchObject({ name: 'Summer mug', cost: '300', productSku: 'COFFEE', validUntil: local(h.clock() - HOUR) });

    const res = await client.post(`/console/rewards/${r.id}`, { ...fields, kind: 'free_product', codeSource: 'generated', description: '', stock: '5', cost: '350' });
    expect(await follow(client, res)).toContain('Saved &quot;Summer mug&quot;: changed cost, stock.');
    expect(await apiReward(r.id)).toMatchObject({ cost: 350, stock: 5, validUntil: r.validUntil });

    const bad = await client.post(`/console/rewards/${r.id}`, { ...fields, kind: 'free_product', codeSource: 'generated', cost: '-3' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/id="reward-cost-error">Too small/);
    expect((await apiReward(r.id)).cost).toBe(350);
  });

  it('sets the stock, clears it to unlimited, and refuses a negative one', async () => {
    const r = await reward();
    const client = await signInConsole(h);
    expect(await follow(client, await client.post(`/console/rewards/${r.id}/stock`, { stock: '7' }))).toContain('The stock of &quot;Free coffee&quot; is now 7.');
    expect((await apiReward(r.id)).stock).toBe(7);
    const bad = await client.post(`/console/rewards/${r.id}/stock`, { stock: '-1' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toMatch(/<input id="stock-only" name="stock" aria-invalid="true"[^>]*value="-1"/);
    expect(html).toContain('id="stock-only-error"');
    expect((await apiReward(r.id)).stock).toBe(7);
    expect(await follow(client, await client.post(`/console/rewards/${r.id}/stock`, { stock: '' }))).toContain('is now unlimited.');
    expect((await apiReward(r.id)).stock).toBeNull();
  });

  it('adds pasted codes to a pool and shows how many are left, never the codes; a bad line is named', async () => {
    const r = await reward({ kind: 'voucher', productSku: null, codeSource: 'pool' });
    await h.call('POST', `/v1/rewards/${r.id}/codes`, { body: { codes: ['ALREADY-1'] } });
    const client = await signInConsole(h);
    const res = await client.post(`/console/rewards/${r.id}/codes`, { codes: 'POOL-AAAA\r\n\r\n  POOL-BBBB  \nALREADY-1\nPOOL-AAAA\n' });
    const html = await follow(client, res);
    expect(html).toContain('Added 2 codes; 1 already uploaded was skipped.');
    expect(html).toContain('<strong>3</strong> unused codes left.');
    expect(html).not.toMatch(/POOL-|ALREADY-/);
    expect(await json(await h.call('GET', `/v1/rewards/${r.id}/codes`))).toMatchObject({ unused: 3 });

    const bad = await client.post(`/console/rewards/${r.id}/codes`, { codes: 'GOOD-CODE\n\nabc\n' });
    expect(bad.status).toBe(400);
    const refused = await bad.text();
    expect(refused).toMatch(/id="codes-error">line 3: Too small/);
    expect(refused).toContain('GOOD-CODE\n\nabc'); // what was pasted stays in the box
    expect(await json(await h.call('GET', `/v1/rewards/${r.id}/codes`))).toMatchObject({ unused: 3 });

    // A reward whose codes the hub generates has no pool to add to.
    const generated = await reward({ name: 'Generated' });
    expect(await page(client, `/console/rewards/${generated.id}`)).not.toContain('Code pool');
  });

  it('archives a reward out of the active list and restores it', async () => {
    const r = await reward();
    const client = await signInConsole(h);
    expect(await follow(client, await client.post(`/console/rewards/${r.id}/status`, { status: 'archived' }))).toContain(
      'Archived &quot;Free coffee&quot;: members can no longer redeem it.',
    );
    expect((await apiReward(r.id)).status).toBe('archived');
    expect(await page(client, '/console/rewards')).not.toContain('Free coffee');
    expect(await page(client, '/console/rewards?status=archived')).toContain('Free coffee');
    expect(await follow(client, await client.post(`/console/rewards/${r.id}/status`, { status: 'active' }))).toContain('Restored');
    expect((await apiReward(r.id)).status).toBe('active');
  });

  it('shows a read key every reward and no form that changes one; a forged post is refused by the API and changes nothing', async () => {
    const r = await reward({ codeSource: 'pool', stock: 3 });
    const client = await signInConsole(h, 'read');
    const list = await page(client, '/console/rewards');
    const detail = await page(client, `/console/rewards/${r.id}`);
    for (const html of [list, detail, await page(client, '/console/rewards/new')]) {
      // The only form that posts is the layout's sign-out.
      expect([...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1])).toEqual(['/console/sign-out']);
    }
    expect(list).not.toContain('Add a reward');
    expect(detail).toContain('<strong>0</strong> unused codes left');

    for (const [path, fields] of [
      [`/console/rewards/${r.id}/stock`, { stock: '99' }],
      [`/console/rewards/${r.id}/status`, { status: 'archived' }],
      [`/console/rewards/${r.id}/codes`, { codes: 'FORGED-1' }],
      ['/console/rewards', { name: 'Forged', kind: 'voucher', cost: '1' }],
    ] as const) {
      const res = await client.post(path, fields);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('role="alert"');
    }
    expect(await apiReward(r.id)).toMatchObject({ stock: 3, status: 'active' });
    expect(await json(await h.call('GET', `/v1/rewards/${r.id}/codes`))).toMatchObject({ unused: 0 });
    expect(await allRewards()).toHaveLength(1);
  });

  it('says so when a reward does not exist', async () => {
    const client = await signInConsole(h);
    const res = await client.get('/console/rewards/rwd_missing');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Reward not found');
  });
});
