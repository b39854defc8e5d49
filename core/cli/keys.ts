import { parseArgs } from 'node:util';
import { SCOPES, createApiKey, type Scope } from '../auth/api-keys.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { Command } from './main.js';

export const keysCreate: Command = {
  summary: 'Create an API key (printed once, stored hashed)',
  usage: [
    'Usage: loyalty-hub keys create --name <name> [--scope read|write|admin]',
    '',
    '  --name   who or what uses the key, e.g. "POS backend" (required)',
    '  --scope  read: look-ups; write: events, earn, redeem, locks; admin: everything (default: read)',
  ].join('\n'),
  async run(args) {
    const { values } = parseArgs({ args, options: { name: { type: 'string' }, scope: { type: 'string', default: 'read' } } });
    if (!values.name) {
      console.error('keys create: --name is required');
      return 2;
    }
    if (!SCOPES.includes(values.scope as Scope)) {
      console.error(`keys create: --scope must be one of ${SCOPES.join(', ')}, not "${values.scope}"`);
      return 2;
    }
    const store = await openStore(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
    try {
      const { key, id } = await createApiKey(store, values.name, [values.scope as Scope]);
      console.log(`Created ${values.scope} key ${id} for "${values.name}". It is shown once; store it now:\n${key}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
