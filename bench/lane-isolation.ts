/**
 * (h) Lane isolation: delivery latency (event committed → receiver got it) to a fast webhook
 * endpoint, p99, with and without a second endpoint that never answers, in one run. Target:
 * p99(hang) ≤ 2 × p99(no hang). The fast endpoint stands in for any quick provider (Slack);
 * both are local HTTP servers, the hub is in-process on SQLite with its dispatcher running.
 * 1,000 events per phase: with 200, the p99 was the second-slowest delivery, and one pause of the
 * machine moved the ratio between 0.79 and 2.20 across three full runs of the same code.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import webhook from '../connectors/webhook/index.js';
import { createHub } from '../core/hub.js';
import { enrollMember } from '../core/members/members.js';
import { silentLogger } from '../core/observability/logger.js';
import { percentile } from './stats.js';
import { tempDir } from './temp-dir.js';

export interface LaneIsolationResult {
  events: number;
  p99NoHangMs: number;
  p99HangMs: number;
  ratio: number;
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

async function phase(hang: boolean, events: number): Promise<number[]> {
  const dir = tempDir('lanes');
  const arrived = new Map<string, number>();
  const fast = await listen((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const memberId = (JSON.parse(body) as { data: { memberId?: string } }).data.memberId;
      if (memberId) arrived.set(memberId, performance.now());
      res.writeHead(204).end();
    });
  });
  const hanging = await listen((req) => req.resume()); // never answers
  const hub = await createHub({
    logger: silentLogger,
    connectors: [webhook],
    env: { DATABASE_URL: `sqlite:${dir.file('hub.db')}`, ADMIN_API_KEY: 'bench-admin-key-0123456789', WEBHOOK_ALLOW_PRIVATE: 'true', DELIVERY_TIMEOUT: '15000' },
  });
  const subscribe = (url: string) =>
    hub.app.request('/v1/webhook-endpoints', {
      method: 'POST',
      headers: { authorization: 'Bearer bench-admin-key-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ url, events: ['member.enrolled'] }),
    });
  await subscribe(fast.url);
  if (hang) await subscribe(hanging.url);
  hub.notifications.dispatcher.start(50, 5);
  const committed = new Map<string, number>();
  try {
    for (let i = 0; i < events; i++) {
      const member = await hub.commit('bench', (w) => enrollMember(w, { email: `m${i}@bench.example` }));
      committed.set(member.id, performance.now());
      hub.notifications.dispatcher.nudge();
      await new Promise((r) => setTimeout(r, 20));
    }
    const deadline = performance.now() + 10_000;
    while (arrived.size < events && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  } finally {
    for (const s of [fast.server, hanging.server]) {
      s.closeAllConnections();
      s.close();
    }
    await hub.close();
    dir.remove();
  }
  return [...committed].map(([id, at]) => (arrived.get(id) ?? Infinity) - at).sort((a, b) => a - b);
}

export async function laneIsolation(o: { events?: number } = {}): Promise<LaneIsolationResult> {
  const events = o.events ?? 1_000;
  const noHang = await phase(false, events);
  const hang = await phase(true, events);
  const p99NoHangMs = Math.round(percentile(noHang, 99) * 10) / 10;
  const p99HangMs = Math.round(percentile(hang, 99) * 10) / 10;
  return { events, p99NoHangMs, p99HangMs, ratio: p99HangMs / p99NoHangMs };
}
