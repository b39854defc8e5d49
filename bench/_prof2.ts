import Database from 'better-sqlite3';
const proto = Object.getPrototypeOf(new Database(':memory:').prepare('select 1')) as any;
const stats = new Map<string, { n: number; ms: number }>();
for (const m of ['all', 'run', 'get']) {
  const orig = proto[m];
  proto[m] = function (this: any, ...a: unknown[]) {
    const t = performance.now();
    try { return orig.apply(this, a); } finally {
      const k = m + ' ' + String(this.source).replace(/\s+/g, ' ').replace(/\?(, \?)+/g, '?,…').slice(0, 160);
      const s = stats.get(k) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t; stats.set(k, s);
    }
  };
}
const { ledgerExpiry } = await import('./ledger-expiry.js');
const r = await ledgerExpiry({ lots: Number(process.argv[2] ?? 100000), invariantLots: 0, pgLots: 0 }, console.log);
for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(s.ms.toFixed(0).padStart(7), String(s.n).padStart(8), k);
