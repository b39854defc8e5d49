/**
 * `loyalty-hub replay ARGS` run in-process against a test hub's database, configured the way an
 * operator configures it — by the environment (`env`: the connectors' variables) — with what it
 * prints collected instead of shown.
 */
import { vi } from 'vitest';
import { main } from '../../core/cli/main.js';
import type { HubHarness } from './test-hub.js';

export async function runReplay(h: HubHarness, env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, { DATABASE_URL: h.database.url, ...env });
  delete process.env.LOYALTY_CONFIG;
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  try {
    return { code: await main(['replay', ...args]), out: lines.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
