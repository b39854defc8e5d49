/**
 * `loyalty-hub import` refuses clearly before touching anything: no platform named, a platform
 * that cannot import, or one whose connector is not configured (docs/operating.md, "Moving
 * members in"). The import itself is tested in tests/members/import-run.test.ts and, against a
 * LoyaltyLion stub, in tests/connectors/loyaltylion-import.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../core/cli/main.js';

describe('loyalty-hub import', () => {
  const saved = { ...process.env };
  afterEach(() => {
    vi.restoreAllMocks();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  async function run(args: string[]): Promise<{ code: number; err: string }> {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
    return { code: await main(['import', ...args]), err: lines.join('\n') };
  }

  it('asks for the platform, naming those that can import', async () => {
    expect(await run([])).toEqual({ code: 2, err: 'Name a CSV file (loyalty-hub import members.csv) or the platform to import from: --from loyaltylion' });
  });

  it('refuses a platform that cannot import', async () => {
    expect(await run(['--from', 'shopify'])).toEqual({ code: 2, err: 'shopify: no connector imports members. Platforms that can: loyaltylion.' });
  });

  it('names the variables a platform still needs', async () => {
    delete process.env.LOYALTYLION_TOKEN;
    delete process.env.LOYALTYLION_SECRET;
    const { code, err } = await run(['--from', 'loyaltylion']);
    expect(code).toBe(2);
    expect(err).toMatch(/^loyaltylion: the connector is not configured; set LOYALTYLION_TOKEN.* \(docs\/connectors\/loyaltylion\.md\)$/);
  });

  it('is listed in the CLI help with its options', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
    expect(await main(['import', '--help'])).toBe(0);
    expect(lines.join('\n')).toContain('Usage: loyalty-hub import --from <platform> [--dry-run] [--rejects import-rejects.csv] [--restart]');
  });
});
