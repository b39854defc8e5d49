import { createWriteBoundary } from '../commit/commit.js';
import { Ledger } from '../ledger/index.js';
import { runProgramDue } from '../program/due-work.js';
import { DEFAULT_PROGRAM_PATH, loadProgramFile } from '../program/load-program.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { Command } from './main.js';

export const expireCommand: Command = {
  summary: 'Activate, expire and notify now (what the scheduler does each minute), until nothing is due',
  usage: [
    'Usage: loyalty-hub expire',
    '',
    'Activates pending points whose returns window passed, releases expired checkout holds,',
    'expires lots past their expiry, emits points.expiring notices, reviews tiers and turns',
    'long-parked refunds into exceptions, until nothing is due. Safe to run beside `serve`',
    '(every change is idempotent). Uses DATABASE_URL and LOYALTY_CONFIG.',
  ].join('\n'),
  options: {},
  async run() {
    const program = loadProgramFile(process.env.LOYALTY_CONFIG || DEFAULT_PROGRAM_PATH);
    const store = await openStore(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
    const started = performance.now();
    const total = { activated: 0, released: 0, expired: 0, expiringNotices: 0, tierReviews: 0, refundExceptions: 0 };
    try {
      const { commit } = createWriteBoundary(store, Date.now, { thresholds: program.thresholds, timeZone: program.timeZone });
      const ledger = new Ledger(store, commit);
      for (;;) {
        const work = { ...(await ledger.runDue(2000)), ...(await runProgramDue({ store, commit, clock: Date.now }, program, 2000)) };
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += work[k];
        if (Object.values(work).every((n) => n === 0)) break;
      }
    } finally {
      await store.close();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `activated ${total.activated} lots, released ${total.released} holds, expired ${total.expired} lots, ` +
        `sent ${total.expiringNotices} expiring notices, reviewed ${total.tierReviews} tiers, ${total.refundExceptions} refund exceptions (${seconds} s)`,
    );
    return 0;
  },
};
