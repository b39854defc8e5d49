/**
 * One hanging receiver delays only itself (docs/operating.md, "Delivery"): every webhook
 * endpoint has its own lane, and the running dispatcher keeps claiming for the other lanes while
 * one lane's send waits for its timeout. Real local HTTP servers: one never answers, one does.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import webhook from '../../connectors/webhook/index.js';
import { enrollMember } from '../../core/members/members.js';
import { hubHarness } from '../helpers/test-hub.js';

const TIMEOUT_MS = 10_000;

async function listen(onRequest: (req: IncomingMessage, answer: (status: number) => void) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    onRequest(req, (status) => res.writeHead(status).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

describe('delivery lanes', () => {
  const h = hubHarness({ connectors: [webhook], env: { WEBHOOK_ALLOW_PRIVATE: 'true', DELIVERY_TIMEOUT: String(TIMEOUT_MS) } });
  let hanging: { server: Server; url: string };
  let fast: { server: Server; url: string };
  let hangingSeen = 0;
  let fastSeen: number[] = [];

  beforeEach(async () => {
    hangingSeen = 0;
    fastSeen = [];
    hanging = await listen(() => hangingSeen++); // never answers
    fast = await listen((_req, answer) => {
      fastSeen.push(performance.now());
      answer(204);
    });
  });
  afterEach(async () => {
    // Runs before the harness closes the hub: cut the hanging request so stop() need not wait.
    for (const s of [hanging.server, fast.server]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('delivers to a fast endpoint while another endpoint hangs, well before the timeout', async () => {
    for (const url of [hanging.url, fast.url]) {
      expect((await h.call('POST', '/v1/webhook-endpoints', { body: { url, events: ['member.enrolled'] } })).status).toBe(201);
    }
    h.hub.notifications.dispatcher.start(50, 5);
    await h.hub.commit('test', (w) => enrollMember(w, { email: 'first@example.com' }));
    await vi.waitFor(() => expect(hangingSeen).toBe(1), { timeout: 5_000, interval: 10 });
    await vi.waitFor(() => expect(fastSeen).toHaveLength(1), { timeout: 5_000, interval: 10 });

    // The hanging send is still in flight; the next event reaches the fast receiver at once.
    const committed = performance.now();
    await h.hub.commit('test', (w) => enrollMember(w, { email: 'second@example.com' }));
    h.hub.notifications.dispatcher.nudge();
    await vi.waitFor(() => expect(fastSeen).toHaveLength(2), { timeout: TIMEOUT_MS / 2, interval: 10 });
    expect(fastSeen[1]! - committed).toBeLessThan(TIMEOUT_MS / 5);
    expect(hangingSeen).toBeGreaterThanOrEqual(1);
  });
});

describe('outbound settings', () => {
  it('a bad DELIVERY_TIMEOUT or WEBHOOK_ALLOW_PRIVATE stops start-up, naming the variable', async () => {
    const { createHub } = await import('../../core/hub.js');
    const { silentLogger } = await import('../../core/observability/logger.js');
    for (const [name, value] of [
      ['DELIVERY_TIMEOUT', '15s'],
      ['DELIVERY_TIMEOUT', '0'],
      ['DELIVERY_TIMEOUT', '-5'],
      ['WEBHOOK_ALLOW_PRIVATE', 'yes'],
    ] as const) {
      await expect(createHub({ logger: silentLogger, connectors: [], env: { DATABASE_URL: 'sqlite::memory:', [name]: value } }), `${name}=${value}`).rejects.toThrow(name);
    }
  });
});
