/**
 * The receiving end of benchmark (e), run as its own process so that it does not share an event
 * loop with the dispatcher under test: node:http on 127.0.0.1, answering every POST at once once
 * its body has arrived, and counting. It verifies nothing (no signature check): it only notes
 * which delivery each request carries, so that the benchmark can check every delivery arrived
 * exactly once.
 *
 * - `POST /<phase>/…` with a `webhook-id` header (a signed webhook): 200, empty body; the id is
 *   the header.
 * - `POST /<phase>/api/chat.postMessage` (the Slack adapter with SLACK_API_URL pointing here): 200
 *   `{"ok":true,…}`; the id is `metadata.event_payload.idempotency_key` of the form-encoded body.
 * - `GET /health`: 200. `GET /__stats?phase=<phase>`: what `<phase>` received (requests, the ids
 *   in arrival order, requests without an id), plus this process's CPU time so far.
 *
 * Environment: PORT.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const port = Number(process.env.PORT);
if (!port) throw new Error('http-stub: PORT is required');

interface PhaseCounts {
  requests: number;
  ids: string[];
  withoutId: number;
  bytes: number;
}

const phases = new Map<string, PhaseCounts>();
let ts = 0;

function phaseOf(name: string): PhaseCounts {
  let p = phases.get(name);
  if (!p) phases.set(name, (p = { requests: 0, ids: [], withoutId: 0, bytes: 0 }));
  return p;
}

/** The Slack adapter's idempotency key rides in the message metadata (form-encoded JSON). */
function slackKey(body: string): string | undefined {
  const metadata = new URLSearchParams(body).get('metadata');
  if (!metadata) return undefined;
  try {
    const key = (JSON.parse(metadata) as { event_payload?: { idempotency_key?: unknown } }).event_payload?.idempotency_key;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://stub');
  if (req.method === 'GET' && url.pathname === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (req.method === 'GET' && url.pathname === '/__stats') {
    const p = phases.get(url.searchParams.get('phase') ?? '') ?? { requests: 0, ids: [], withoutId: 0, bytes: 0 };
    const cpu = process.cpuUsage();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...p, cpuMicros: cpu.user + cpu.system }));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  const p = phaseOf(url.pathname.split('/')[1] ?? '');
  p.requests++;
  p.bytes += Buffer.byteLength(body);
  const header = req.headers['webhook-id'];
  const slack = url.pathname.endsWith('/api/chat.postMessage');
  const id = typeof header === 'string' ? header : slack ? slackKey(body) : undefined;
  if (id) p.ids.push(id);
  else p.withoutId++;
  if (slack) {
    const answer = JSON.stringify({ ok: true, channel: 'C0BENCH000', ts: `1700000000.${String(++ts).padStart(6, '0')}` });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer) }).end(answer);
  } else {
    res.writeHead(200, { 'content-length': 0 }).end();
  }
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});
// Connections stay open between a phase's batches (the dispatcher pauses while it records).
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
