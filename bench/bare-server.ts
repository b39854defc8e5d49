/**
 * The baselines for the HTTP benchmark, run as their own process: a bare Hono handler on
 * @hono/node-server, no other framework and no validation library. Both modes check a bearer key
 * (sha256 + timingSafeEqual) and parse the JSON body with JSON.parse and a few `typeof` checks,
 * on better-sqlite3 with WAL and synchronous=NORMAL (as the hub), with prepared statements.
 *
 * - BARE_MODE=row (default): inserts ONE row into a table with a unique event id, and nothing else
 *   — about what a hub request must do at the very least.
 * - BARE_MODE=ledger: persists what the hub's ledger persists for an event's earn, at the least.
 *   The database is created by applying the hub's own migration SQL (migrations/sqlite, in journal
 *   order), so tables and indexes are identical, and the `members` and `balances` rows are copied
 *   from BARE_SEED_DB (the hub's database, after the benchmark enrolled its members there). Then per
 *   request, in ONE SQLite transaction (BEGIN IMMEDIATE … COMMIT; one commit per request, no group
 *   commit): SELECT the member's status; INSERT a `transfers` row (ON CONFLICT on the unique
 *   idempotency key DO NOTHING: a repeat answers 200 and writes nothing more); INSERT its `lots`
 *   row; INSERT its `lot_movements` row; UPDATE the member's `balances` row (available and
 *   lifetime_earned + points, version + 1, updated_at), with column values like those the hub writes
 *   for an activity event (ids of the same shape, the same accounts, actor, reason and metadata).
 *   Answers 201 with a small JSON body.
 *
 * Environment: PORT, BARE_DB (SQLite file), BARE_KEY (the accepted bearer key), BARE_MODE,
 * BARE_SEED_DB (ledger mode only).
 */
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const port = Number(process.env.PORT);
const file = process.env.BARE_DB;
const key = process.env.BARE_KEY;
const mode = process.env.BARE_MODE ?? 'row';
if (!port || !file || !key) throw new Error('bare-server: PORT, BARE_DB and BARE_KEY are required');
if (mode !== 'row' && mode !== 'ledger') throw new Error(`bare-server: BARE_MODE must be row or ledger, not ${mode}`);

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');

const sha256 = (value: string) => createHash('sha256').update(value).digest();
const expected = sha256(key);

interface EventBody {
  id?: unknown;
  name?: unknown;
  points?: unknown;
  customer?: { memberId?: unknown };
  attributes?: unknown;
}

interface Handled {
  status: 200 | 201 | 400 | 404 | 409;
  body: Record<string, unknown>;
}

/** A valid event, as far as the handler needs to know. */
interface Event {
  id: string;
  memberId: string;
  points: number;
  text: string;
  body: EventBody;
}

function rowMode(): (e: Event) => Handled {
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
  return (e) => {
    const { changes } = insert.run(e.id, e.memberId, e.points, e.text, Date.now());
    return { status: changes ? 201 : 200, body: { status: changes ? 'accepted' : 'duplicate', eventId: e.id, memberId: e.memberId } };
  };
}

/** The hub's migrations, statement by statement, in the order of its drizzle journal. */
function applyHubMigrations(): void {
  const folder = new URL('../migrations/sqlite/', import.meta.url);
  const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', folder), 'utf8')) as { entries: { tag: string }[] };
  db.transaction(() => {
    for (const { tag } of journal.entries) {
      const sql = readFileSync(new URL(`${tag}.sql`, folder), 'utf8');
      for (const statement of sql.split('--> statement-breakpoint')) if (statement.trim()) db.exec(statement);
    }
  }).immediate();
}

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
let pool = randomBytes(4096);
let poolOffset = 0;

/**
 * Ids shaped like the hub's (`prefix_` + 10 base32 chars of millisecond time + 16 random ones):
 * the same length, and as time-ordered, so its unique indexes grow at the same end.
 */
function timeOrderedId(prefix: string, now: number): string {
  let id = '';
  for (let i = 0, t = now; i < 10; i++, t = Math.floor(t / 32)) id = BASE32[t % 32] + id;
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  for (let i = 0; i < 16; i++) id += BASE32[pool[poolOffset++]! & 31];
  return `${prefix}_${id}`;
}

/** The largest time a JavaScript Date can hold: the hub's spend order of a never-expiring lot. */
const NEVER = 8_640_000_000_000_000;

function ledgerMode(): (e: Event) => Handled {
  const seedFile = process.env.BARE_SEED_DB;
  if (!seedFile) throw new Error('bare-server: BARE_MODE=ledger needs BARE_SEED_DB (the database to copy members from)');
  applyHubMigrations();
  db.prepare('ATTACH DATABASE ? AS seed').run(seedFile);
  db.transaction(() => {
    db.exec('INSERT INTO members SELECT * FROM seed.members');
    db.exec('INSERT INTO balances SELECT * FROM seed.balances');
  }).immediate();
  db.exec('DETACH DATABASE seed');

  const memberStatus = db.prepare<[string], { status: string }>('SELECT status FROM members WHERE id = ?');
  const insertTransfer = db.prepare(
    `INSERT INTO transfers (id, idempotency_key, fingerprint, kind, debit_account, credit_account, amount, member_id, pending,
       pending_id, reverses_id, lot_id, timeout_at, source, rule_id, event_id, redemption_id, actor, reason, metadata, created_at)
     VALUES (?, ?, ?, 'earn', 'program:issued', ?, ?, ?, 0, NULL, NULL, ?, NULL, 'event', NULL, ?, NULL, ?, ?, ?, ?)
     ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const insertLot = db.prepare(
    `INSERT INTO lots (id, member_id, transfer_id, amount, remaining, locked, spent, expired, reversed, status, activates_at,
       expires_at, spend_order, created_at)
     VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 'active', ?, NULL, ?, ?)`,
  );
  const insertMovement = db.prepare(
    `INSERT INTO lot_movements (transfer_id, lot_id, member_id, kind, amount) VALUES (?, ?, ?, 'earn', ?)`,
  );
  const creditBalance = db.prepare(
    `UPDATE balances SET available = available + ?, lifetime_earned = lifetime_earned + ?, version = version + 1, updated_at = ?
     WHERE member_id = ?`,
  );

  const earn = db.transaction((e: Event, name: string): Handled => {
    const member = memberStatus.get(e.memberId);
    if (!member) return { status: 404, body: { error: 'member not found' } };
    if (member.status === 'erased') return { status: 409, body: { error: 'member erased' } };
    const now = Date.now();
    const eventId = `api:${e.id}`;
    const transferId = timeOrderedId('tr', now);
    const lotId = timeOrderedId('lot', now);
    // What identifies the request (the hub's `fingerprint`): a 22-character digest, stored like the hub's.
    const fingerprint = createHash('sha256').update(JSON.stringify(['earn', e.memberId, e.points, null, null])).digest('base64url').slice(0, 22);
    const metadata = e.body.attributes === undefined ? null : JSON.stringify(e.body.attributes);
    const { changes } = insertTransfer.run(
      transferId, `event:${eventId}`, fingerprint, `member:${e.memberId}`, e.points, e.memberId, lotId, eventId, 'ADMIN_API_KEY', name, metadata, now,
    );
    if (!changes) return { status: 200, body: { status: 'duplicate', eventId, memberId: e.memberId } };
    insertLot.run(lotId, e.memberId, transferId, e.points, e.points, now, NEVER, now);
    insertMovement.run(transferId, lotId, e.memberId, e.points);
    if (creditBalance.run(e.points, e.points, now, e.memberId).changes !== 1) throw new Error(`no balance row for ${e.memberId}`);
    return { status: 201, body: { status: 'accepted', eventId, memberId: e.memberId, transferId, lotId } };
  });
  return (e) => (typeof e.body.name === 'string' ? earn.immediate(e, e.body.name) : { status: 400, body: { error: 'invalid event' } });
}

const handle = mode === 'ledger' ? ledgerMode() : rowMode();

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok', mode }));
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
  const { status, body: answer } = handle({ id: body.id, memberId, points: body.points, text, body });
  return c.json(answer, status);
});

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
const stop = () => server.close(() => db.close());
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
