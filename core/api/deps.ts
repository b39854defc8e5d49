import type { Commit } from '../commit/commit.js';
import type { Ledger } from '../ledger/index.js';
import type { Program } from '../program/compiled-program.js';
import type { Store } from '../storage/store.js';

/** What route factories are built from. */
export interface ApiDeps {
  store: Store;
  /** Every write goes through it (docs/architecture.md). */
  commit: Commit;
  ledger: Ledger;
  clock: () => number;
  program: Program;
  /** The connectors declaring store codes (core/rewards/store-code-router.ts): what `storeCodes` of a reward may name. */
  storePlatforms: readonly string[];
}
