import { checkLedgerInvariants } from '../ledger/index.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { Command } from './main.js';

export const checkCommand: Command = {
  summary: "Check the ledger's invariants on a live database; exits 1 on a violation",
  usage: [
    'Usage: loyalty-hub check [--limit <n>]',
    '',
    '  --limit  print at most this many violations (default 50; all are counted)',
    '',
    "Replays every transfer, lot movement and hold (docs/ledger.md: I1–I5) against the stored",
    'balances and lots of DATABASE_URL, reading each row once: time grows with the size of the',
    'ledger. Read-only; safe beside `serve`, though a write committed while it reads may show',
    'as a transient violation (run it again). Run it after restoring a backup and after a crash',
    '(docs/operating.md). Exit code: 0 clean, 1 violations found, 2 usage.',
  ].join('\n'),
  options: { limit: { type: 'string' } },
  async run(args) {
    const given = args.string('limit');
    const limit = given === undefined ? 50 : Number(given);
    if (given !== undefined && !/^\d+$/.test(given)) {
      console.error(`check: --limit must be a whole number, not "${given}"`);
      return 2;
    }
    // Never migrates: a check must not change the database it audits.
    const store = await openStore(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, { migrate: false });
    const started = performance.now();
    try {
      const violations = await checkLedgerInvariants(store.db);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (violations.length === 0) {
        console.log(`ledger OK: every invariant holds (${store.location}, ${seconds} s)`);
        return 0;
      }
      console.log(`ledger: ${violations.length} violation${violations.length === 1 ? '' : 's'} (${store.location}, ${seconds} s)`);
      for (const v of violations.slice(0, limit)) console.log(`  ${v}`);
      if (violations.length > limit) console.log(`  … and ${violations.length - limit} more (--limit to see them)`);
      return 1;
    } finally {
      await store.close();
    }
  },
};
