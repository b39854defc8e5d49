import type { Ledger } from '../ledger/index.js';
import type { Program } from '../program/compiled-program.js';
import type { Store } from '../storage/store.js';

/** What route factories are built from. */
export interface ApiDeps {
  store: Store;
  ledger: Ledger;
  clock: () => number;
  program: Program;
}
