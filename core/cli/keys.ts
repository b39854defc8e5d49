import { createWriteBoundary } from '../commit/commit.js';
import { SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord, type Scope } from '../auth/api-keys.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import type { Command } from './main.js';

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export const keysCreate: Command = {
  summary: 'Create an API key (printed once, stored hashed)',
  usage: [
    'Usage: loyalty-hub keys create --name <name> [--scope read|write|admin]',
    '',
    '  --name   who or what uses the key, e.g. "POS backend" (required)',
    '  --scope  read: look-ups; write: events, earn, redeem, locks; admin: everything (default: read)',
  ].join('\n'),
  options: { name: { type: 'string' }, scope: { type: 'string', default: 'read' } },
  async run(args) {
    const values = { name: args.string('name'), scope: args.string('scope') };
    if (!values.name) {
      console.error('keys create: --name is required');
      return 2;
    }
    if (!SCOPES.includes(values.scope as Scope)) {
      console.error(`keys create: --scope must be one of ${SCOPES.join(', ')}, not "${values.scope}"`);
      return 2;
    }
    return withStore(async (store) => {
      const { key, id } = await createApiKey(createWriteBoundary(store).commit, values.name!, [values.scope as Scope]);
      console.log(`Created ${values.scope} key ${id} for "${values.name}". It is shown once; store it now:\n${key}`);
      return 0;
    });
  },
};

const day = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export const keysList: Command = {
  summary: 'List API keys: id, name, scope, created, revoked (never the keys themselves)',
  usage: ['Usage: loyalty-hub keys list [--active]', '', '  --active  only keys that still work (not revoked)'].join('\n'),
  options: { active: { type: 'boolean', default: false } },
  async run(args) {
    return withStore(async (store) => {
      const all: ApiKeyRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await listApiKeys(store.db, { limit: 200, cursor, includeRevoked: !args.flag('active') });
        all.push(...page.data);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      if (all.length === 0) {
        console.log('No API keys.');
        return 0;
      }
      const rows = all.map((k) => [k.id, k.name + (k.fromEnvironment ? ' (env)' : ''), k.scopes.join(' '), day(k.createdAt), k.revokedAt === null ? 'active' : `revoked ${day(k.revokedAt)}`]);
      const header = ['ID', 'NAME', 'SCOPE', 'CREATED', 'STATUS'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const r of [header, ...rows]) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
      return 0;
    });
  },
};

export const keysRevoke: Command = {
  summary: 'Revoke an API key by its id (see keys list); it stops working within 5 seconds',
  usage: [
    'Usage: loyalty-hub keys revoke <id> [--force]',
    '',
    '  <id>     the key id, as `keys list` shows it (the part after lh_ in the key)',
    '  --force  also revoke the last admin key that still works',
    '',
    'Running hub processes cache key records for up to 5 seconds. The ADMIN_API_KEY key is',
    'not revoked here: change or unset the variable and restart the hub.',
  ].join('\n'),
  options: { force: { type: 'boolean', default: false } },
  maxPositionals: 1,
  async run(args) {
    const id = args.positionals[0];
    if (!id) {
      console.error('keys revoke: give exactly one key id (see `loyalty-hub keys list`)');
      return 2;
    }
    return withStore(async (store) => {
      const result = await revokeApiKey(createWriteBoundary(store).commit, id, { allowLastAdmin: args.flag('force') });
      switch (result.status) {
        case 'not-found':
          console.error(`keys revoke: no API key ${id} (see \`loyalty-hub keys list\`)`);
          return 1;
        case 'from-environment':
          console.error('keys revoke: this is the ADMIN_API_KEY key; change or unset ADMIN_API_KEY and restart the hub instead');
          return 1;
        case 'last-admin':
          console.error(`keys revoke: ${id} is the last admin key that still works; create another admin key first, or pass --force`);
          return 1;
        case 'already-revoked':
          console.log(`Key ${id} ("${result.record.name}") was already revoked on ${day(result.record.revokedAt)}.`);
          return 0;
        case 'revoked':
          console.log(`Revoked key ${id} ("${result.record.name}"). Running hubs refuse it within 5 seconds.`);
          return 0;
      }
    });
  },
};
