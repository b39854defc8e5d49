import Database from 'better-sqlite3';
import { openStore } from '../core/storage/open-store.js';
const f = '/tmp/ins.db';
for (const s of ['', '-wal', '-shm']) { try { (await import('node:fs')).rmSync(f + s); } catch {} }
await (await openStore(f)).close();
const db = new Database(f); db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL');
const N = 1_000_000;
const ins = db.prepare(`INSERT INTO transfers (id, idempotency_key, fingerprint, kind, debit_account, credit_account, amount, member_id, pending, lot_id, source, created_at) VALUES (?, ?, 'fp', 'earn', 'a', 'b', 10, ?, 0, ?, 'rule', 1)`);
const rnd = (i: number) => ((i * 1_000_003) % N).toString(36).padStart(6, '0');
db.transaction(() => { for (let i = 0; i < N; i++) ins.run(`tr_${String(i).padStart(8, '0')}`, `seed:earn:${rnd(i)}`, `mem_${rnd(i)}`, `lot_${i}`); }).immediate();
const q1 = db.prepare(`insert into "transfers" ("seq", "id", "idempotency_key", "fingerprint", "kind", "debit_account", "credit_account", "amount", "member_id", "pending", "pending_id", "reverses_id", "lot_id", "timeout_at", "source", "rule_id", "event_id", "redemption_id", "actor", "reason", "metadata", "created_at") values (null, ?, ?, 'fp', 'expire', 'a', 'b', 10, ?, 0, null, null, ?, null, 'system', null, null, null, 'scheduler', 'x', null, 2) on conflict ("idempotency_key") do nothing returning *`);
const q2 = db.prepare(`INSERT INTO transfers (id, idempotency_key, fingerprint, kind, debit_account, credit_account, amount, member_id, pending, lot_id, source, created_at) VALUES (?, ?, 'fp', 'expire', 'a', 'b', 10, ?, 0, ?, 'rule', 2)`);
for (const [name, fn] of [['drizzle-like', (i: number) => q1.all(`tx_${i}`, `expire:mem_${rnd(i)}:abc${i}`, `mem_${rnd(i)}`, `lot_${i}`)], ['plain', (i: number) => q2.run(`ty_${i}`, `expireB:mem_${rnd(i)}:abc${i}`, `mem_${rnd(i)}`, `lot_${i}`)]] as const) {
  for (const cache of [-2000, -131072]) {
    db.pragma(`cache_size = ${cache}`);
    const t = performance.now();
    db.transaction(() => { for (let i = 0; i < 20000; i++) fn(i + cache * 7); }).immediate();
    console.log(name, cache, ((performance.now() - t) / 20000 * 1000).toFixed(1), 'µs');
  }
}
const base = `insert into "transfers" ("id", "idempotency_key", "fingerprint", "kind", "debit_account", "credit_account", "amount", "member_id", "pending", "lot_id", "source", "created_at") values (?, ?, 'fp', 'expire', 'a', 'b', 10, ?, 0, ?, 'system', 2)`;
let k = 0;
for (const [name, sqlText, mode] of [
  ['plain run', base, 'run'], ['returning *', base + ' returning *', 'all'], ['returning seq', base + ' returning seq', 'all'],
  ['on conflict', base + ' on conflict ("idempotency_key") do nothing', 'run'], ['seq null', base.replace('("id"', '("seq", "id"').replace('values (?', 'values (null, ?'), 'run'],
] as const) {
  const st = db.prepare(sqlText);
  const t = performance.now();
  db.transaction(() => { for (let i = 0; i < 20000; i++) { k++; (st as any)[mode](`tz_${k}`, `exp:${rnd(k)}:${k}`, `mem_${rnd(k)}`, `lot_${k}`); } }).immediate();
  console.log(name, ((performance.now() - t) / 20000 * 1000).toFixed(1), 'µs');
}
