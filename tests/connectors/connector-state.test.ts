/**
 * A connector's durable state (docs/adding-a-connector.md, "State"): what one stores — a rotated
 * refresh token — is there after a restart, in every hub process, and only for that connector.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectorDefinition, ConnectorState } from '../../core/connectors/definition.js';
import { createHub } from '../../core/hub.js';
import { silentLogger } from '../../core/observability/logger.js';
import { tempDatabase } from '../helpers/temp-database.js';

/** A connector that only lends its state to the test. */
function keeper(name: string, seen: Map<string, ConnectorState>): ConnectorDefinition {
  return {
    name,
    title: name,
    directions: ['inbound'],
    config: [{ env: 'KEEPER_SECRET', secret: true, required: true, description: 'enables it' }],
    createInbound: (_env, services) => {
      seen.set(name, services.state);
      return {
        verify: () => ({ ok: false, reason: 'test connector' }),
        deliveryId: () => undefined,
        topic: () => undefined,
        normalize: () => Promise.resolve({ status: 'ignored', reason: 'test connector' }),
      };
    },
  };
}

async function startHub(url: string, seen: Map<string, ConnectorState>) {
  return createHub({
    logger: silentLogger,
    connectors: [keeper('alpha', seen), keeper('beta', seen)],
    env: { DATABASE_URL: url, ADMIN_API_KEY: 'test-admin-key-0123456789', KEEPER_SECRET: 'x' },
  });
}

describe('connector state', () => {
  it('keeps a value across a restart, replaces it, and shows each connector only its own keys', async () => {
    const database = await tempDatabase();
    try {
      const first = new Map<string, ConnectorState>();
      const hub = await startHub(database.url, first);
      try {
        expect(await first.get('alpha')!.get('refresh-token')).toBeUndefined();
        await first.get('alpha')!.set('refresh-token', 'RT-1');
        await first.get('alpha')!.set('refresh-token', 'RT-2');
        await first.get('beta')!.set('refresh-token', 'beta-own');
        expect(await first.get('alpha')!.get('refresh-token')).toBe('RT-2');
      } finally {
        await hub.close();
      }

      // A restart (or another hub process on the same database) reads what was stored.
      const second = new Map<string, ConnectorState>();
      const again = await startHub(database.url, second);
      try {
        expect(await second.get('alpha')!.get('refresh-token')).toBe('RT-2');
        expect(await second.get('beta')!.get('refresh-token')).toBe('beta-own');
        expect(await second.get('alpha')!.get('other-key')).toBeUndefined();
      } finally {
        await again.close();
      }
    } finally {
      await database.dispose();
    }
  });

  it('takes concurrent writes to the same keys, each key ending with one of the values written to it', async () => {
    const database = await tempDatabase();
    const seen = new Map<string, ConnectorState>();
    const hub = await startHub(database.url, seen);
    try {
      const state = seen.get('alpha')!;
      await Promise.all(Array.from({ length: 10 }, (_, i) => state.set(`token-${i % 3}`, `v${i}`)));
      expect(await state.get('token-0')).toMatch(/^v(0|3|6|9)$/);
      expect(await state.get('token-1')).toMatch(/^v(1|4|7)$/);
      expect(await state.get('token-2')).toMatch(/^v(2|5|8)$/);
    } finally {
      await hub.close();
      await database.dispose();
    }
  });
});
