/**
 * Server-side request forgery (docs/security.md, "Outbound requests"): a webhook endpoint may not
 * point the hub at its own network. Refused at creation (400 naming /url, nothing stored) for
 * every spelling of an internal target, and at send time on the address actually dialled, so a
 * host name that resolves to an internal address later is never called. The resolver is the
 * seam at the edge (what DNS answers); the receiver is a real loopback HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webhook from '../../connectors/webhook/index.js';
import { enrollMember } from '../../core/members/members.js';
import type { HostResolver } from '../../core/outbound/guarded-request.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

export const REFUSED_AT_CREATION = [
  'https://169.254.169.254/latest/meta-data/',
  'https://10.0.0.1/',
  'https://10.255.255.254/',
  'https://172.16.0.1/',
  'https://172.31.255.1/',
  'https://192.168.1.1/',
  'https://100.64.0.1/',
  'https://127.0.0.1/',
  'https://127.1/',
  'https://2130706433/',
  'https://0x7f000001/',
  'https://0177.0.0.1/',
  'https://0.0.0.0/',
  'https://0/',
  'https://[::1]/',
  'https://[::]/',
  'https://[fd00::1]/',
  'https://[fc00::1]/',
  'https://[fe80::1]/',
  'https://[fd00:ec2::254]/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:7f00:1]/',
  'https://[::ffff:10.0.0.1]/',
  'https://[::ffff:169.254.169.254]/',
  'https://[64:ff9b::a00:1]/',
  'https://[64:ff9b::7f00:1]/',
  'https://[2002:7f00:1::]/',
  'https://224.0.0.1/',
  'https://[ff02::1]/',
  'https://240.0.0.1/',
  'https://255.255.255.255/',
  'https://198.18.0.1/',
  'https://localhost/',
  'https://foo.localhost/',
  'https://metadata.google.internal/computeMetadata/v1/',
  'https://metadata/',
  'https://anything.internal/',
  'https://printer.local/',
  'https://intranet/',
  'https://evil@127.0.0.1/',
  'https://user:pass@shop.example/',
  'http://shop.example/hooks',
  'http://127.0.0.1:8080/hooks',
  'http://localhost:3000/hooks',
  'https://rebind.example/', // resolves (through the test resolver) to 127.0.0.1 at creation
  'ftp://shop.example/',
  'not a url',
];

/** What DNS answers in these tests: names are ours to point anywhere. */
const dns = new Map<string, string>([['rebind.example', '127.0.0.1']]);
const resolveHost: HostResolver = async (hostname) => {
  const address = dns.get(hostname);
  if (!address) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address, family: address.includes(':') ? 6 : 4 }];
};

type Problem = { status: number; type: string; errors?: { pointer: string; in: string; message: string }[] };

describe('webhook endpoints refuse internal targets at creation', () => {
  const h = hubHarness({ resolveHost });

  it(`refuses all ${REFUSED_AT_CREATION.length} internal or unsafe URLs with 400 on /url and stores nothing`, async () => {
    for (const url of REFUSED_AT_CREATION) {
      const res = await h.call('POST', '/v1/webhook-endpoints', { body: { url } });
      expect(res.status, url).toBe(400);
      const problem = await json<Problem>(res);
      expect(problem.errors?.map((e) => [e.pointer, e.in]), url).toEqual([['/url', 'body']]);
      expect(problem.errors?.[0]?.message, url).toBeTruthy();
    }
    const rows = await h.hub.store.db.select().from(tablesOf(h.hub.store.db).webhookEndpoints);
    expect(rows).toEqual([]);
  });

  it('says why: a metadata service, a loopback address, a private address', async () => {
    const reason = async (url: string) => (await json<Problem>(await h.call('POST', '/v1/webhook-endpoints', { body: { url } }))).errors?.[0]?.message;
    expect(await reason('https://169.254.169.254/')).toMatch(/metadata/);
    expect(await reason('https://2130706433/')).toMatch(/loopback/);
    expect(await reason('https://[64:ff9b::a00:1]/')).toMatch(/private/);
    expect(await reason('https://rebind.example/')).toMatch(/resolves to a loopback/);
  });

  it('accepts a public https URL, and a name that does not resolve yet (checked again at send time)', async () => {
    for (const url of ['https://93.184.215.14/hooks', 'https://not-yet-in-dns.example/hooks']) {
      expect((await h.call('POST', '/v1/webhook-endpoints', { body: { url } })).status, url).toBe(201);
    }
  });
});

describe('webhook sends refuse what a name resolves to at connect time', () => {
  let server: Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal admin panel: secret=hunter2');
    });
    // Connections, not requests: the URLs are https and this receiver speaks plain http, so a
    // connection is what "called" means (a refused send never opens one).
    server.on('connection', () => hits++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** Creates an endpoint while `name` resolves publicly, then points DNS at `internal`. */
  async function rebindAndSend(h: ReturnType<typeof hubHarness>, name: string, internal: string) {
    dns.set(name, '93.184.215.14');
    const created = await h.call('POST', '/v1/webhook-endpoints', { body: { url: `https://${name}:${port}/hooks` } });
    expect(created.status).toBe(201);
    dns.set(name, internal);
    await h.hub.commit('test', (w) => enrollMember(w, { email: 'ann@example.com' }));
    await h.hub.notifications.dispatcher.runOnce();
    const rows = await h.hub.store.db.select().from(tablesOf(h.hub.store.db).deliveries);
    return rows.filter((d) => d.adapter === 'webhook');
  }

  describe('by default', () => {
    const h = hubHarness({ resolveHost, connectors: [webhook] });
    for (const internal of ['127.0.0.1', '10.0.0.1', '169.254.169.254']) {
      it(`never calls a host that now resolves to ${internal}; the delivery says why`, async () => {
        const before = hits;
        const [delivery] = await rebindAndSend(h, `rebind-${internal.replaceAll('.', '-')}.example`, internal);
        expect(hits - before).toBe(0);
        expect(delivery).toMatchObject({ status: 'dead' });
        expect(delivery!.lastError).toMatch(/not sent, refused: the host name resolves to/);
      });
    }
  });

  describe('with WEBHOOK_ALLOW_PRIVATE=true (development)', () => {
    const h = hubHarness({ resolveHost, connectors: [webhook], env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
    it('the same loopback receiver is called (a retry, since it does not speak TLS)', async () => {
      const before = hits;
      const [delivery] = await rebindAndSend(h, 'dev-receiver.example', '127.0.0.1');
      expect(hits - before).toBe(1);
      expect(delivery).toMatchObject({ status: 'pending' });
      // A bare socket error code, no address or port.
      expect(delivery!.lastError).toMatch(/^webhook: (request failed: [A-Z0-9_]+|request failed: network error)$/);
      expect(delivery!.lastError).not.toContain('127.0.0.1');
    });
  });
});
