/**
 * The baseline for the webhook benchmark, in its own process: a bare Hono handler on
 * @hono/node-server that does what a Shopify webhook needs at the very least — read the raw
 * body, check `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the body, timingSafeEqual), parse
 * the JSON, and insert ONE row keyed by `X-Shopify-Event-Id` (ON CONFLICT DO NOTHING: a repeat
 * answers duplicate) on better-sqlite3 with WAL and synchronous=NORMAL, as the hub.
 *
 * Environment: PORT, BARE_DB (SQLite file), BARE_SECRET (the Shopify app secret).
 */
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { createHmac, timingSafeEqual } from 'node:crypto';

const port = Number(process.env.PORT);
const file = process.env.BARE_DB;
const secret = process.env.BARE_SECRET;
if (!port || !file || !secret) throw new Error('bare-webhook-server: PORT, BARE_DB and BARE_SECRET are required');

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  body TEXT NOT NULL,
  received_at INTEGER NOT NULL
)`);
const insert = db.prepare('INSERT INTO deliveries (event_id, order_id, body, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING');

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));
app.post('/webhooks/shopify', async (c) => {
  const raw = Buffer.from(await c.req.arrayBuffer());
  const given = Buffer.from(c.req.header('x-shopify-hmac-sha256') ?? '', 'base64');
  const expected = createHmac('sha256', secret).update(raw).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return c.json({ error: 'invalid signature' }, 401);
  const eventId = c.req.header('x-shopify-event-id');
  const text = raw.toString('utf8');
  const order = JSON.parse(text) as { id?: unknown };
  if (!eventId || order.id === undefined) return c.json({ error: 'unusable payload' }, 400);
  const { changes } = insert.run(eventId, String(order.id), text, Date.now());
  return c.json({ status: changes ? 'accepted' : 'duplicate', eventId }, 200);
});

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
const stop = () => server.close(() => db.close());
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
