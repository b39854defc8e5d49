/**
 * The baseline for the HTTP benchmark, run as its own process: a bare Hono handler on
 * @hono/node-server doing about what a hub request must do at the least — check a bearer key
 * (sha256 + timingSafeEqual), parse the JSON body, insert one row into a table with a unique key
 * (better-sqlite3, WAL, synchronous=NORMAL) — and nothing else.
 *
 * Environment: PORT, BARE_DB (SQLite file), BARE_KEY (the accepted bearer key).
 */
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { createHash, timingSafeEqual } from 'node:crypto';

const port = Number(process.env.PORT);
const file = process.env.BARE_DB;
const key = process.env.BARE_KEY;
if (!port || !file || !key) throw new Error('bare-server: PORT, BARE_DB and BARE_KEY are required');

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  member_id TEXT NOT NULL,
  points INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
)`);
const insert = db.prepare(
  'INSERT INTO events (event_id, member_id, points, body, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
);

const sha256 = (value: string) => createHash('sha256').update(value).digest();
const expected = sha256(key);

interface EventBody {
  id?: unknown;
  points?: unknown;
  customer?: { memberId?: unknown };
}

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));
app.post('/v1/events', async (c) => {
  const [scheme, presented] = (c.req.header('authorization') ?? '').split(' ', 2);
  if (scheme?.toLowerCase() !== 'bearer' || !presented) return c.json({ error: 'unauthorized' }, 401);
  const actual = sha256(presented.trim());
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return c.json({ error: 'unauthorized' }, 401);
  const text = await c.req.text();
  const body = JSON.parse(text) as EventBody;
  const memberId = body.customer?.memberId;
  if (typeof body.id !== 'string' || typeof memberId !== 'string' || typeof body.points !== 'number') {
    return c.json({ error: 'invalid event' }, 400);
  }
  const { changes } = insert.run(body.id, memberId, body.points, text, Date.now());
  return c.json({ status: changes ? 'accepted' : 'duplicate', eventId: body.id, memberId }, changes ? 201 : 200);
});

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
const stop = () => server.close(() => db.close());
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
