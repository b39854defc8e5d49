import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { Command } from './main.js';

export const migrateCommand: Command = {
  summary: 'Create the database if needed and apply pending migrations',
  usage: [
    'Usage: loyalty-hub migrate',
    '',
    'Applies the migrations under migrations/ to DATABASE_URL (default ./data/loyalty.db).',
    '`serve` also migrates on start; run this on deploy to migrate before starting processes.',
  ].join('\n'),
  options: {},
  async run() {
    const store = await openStore(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
    const ready = await store.ready();
    await store.close();
    console.log(ready.detail);
    return ready.ok ? 0 : 1;
  },
};
