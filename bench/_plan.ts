import Database from 'better-sqlite3';
import { openStore } from '../core/storage/open-store.js';
const f = '/tmp/plan.db';
await (await openStore(f)).close();
const db = new Database(f);
const ids = Array.from({length: 200}, (_, i) => `'m${i}'`).join(',');
for (const q of [
 `select id, member_id, remaining, expired from lots where member_id in (${ids}) and status='active' and expires_at <= 5 and remaining > 0 order by member_id, spend_order, id`,
 `insert into lot_movements (transfer_id, lot_id, member_id, kind, amount) select t.id, l.id, l.member_id, 'expire', l.remaining from lots l join transfers t on t.member_id = l.member_id and t.id in ('a','b') where l.member_id in (${ids}) and l.status = 'active' and l.expires_at <= 5 and l.remaining > 0`,
 `update lots set expired = expired + remaining, remaining = 0 where member_id in (${ids}) and status='active' and expires_at <= 5 and remaining > 0`,
]) console.log(db.prepare('explain query plan ' + q).all().map((r: any) => r.detail).join('\n'), '\n--');
