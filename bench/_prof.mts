import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
rmSync('/tmp/lb/r.db', { force: true });
const db = new Database('/tmp/lb/r.db');
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL');
db.exec('create table t (id integer primary key, k text unique, v integer)');
const N = 20000;
let t = performance.now();
for (let i = 0; i < N; i++) { db.exec('BEGIN IMMEDIATE'); db.prepare('insert into t (k, v) values (?, ?)').run('k' + i, i); db.exec('COMMIT'); }
console.log('raw tx+prepare each /s', Math.round(N / ((performance.now() - t) / 1000)));
const st = db.prepare('insert into t (k, v) values (?, ?)');
t = performance.now();
for (let i = 0; i < N; i++) { db.exec('BEGIN IMMEDIATE'); st.run('x' + i, i); db.exec('COMMIT'); }
console.log('raw tx+prepared /s', Math.round(N / ((performance.now() - t) / 1000)));
t = performance.now();
for (let i = 0; i < N; i++) { db.prepare('select * from t where k = ?').get('k' + i); }
console.log('prepare+get /s', Math.round(N / ((performance.now() - t) / 1000)));
