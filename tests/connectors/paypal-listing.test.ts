/**
 * The start-up listing as a merchant sees it (`loyalty-hub connectors check`, a separate process
 * configured by its environment): PayPal is enabled once PAYPAL_WEBHOOK_ID, PAYPAL_CLIENT_ID and
 * PAYPAL_CLIENT_SECRET are set, names what is missing otherwise, and never prints the secret.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/hub-process.js';

function connectorsCheck(env: Record<string, string>) {
  const { PAYPAL_WEBHOOK_ID: _w, PAYPAL_CLIENT_ID: _c, PAYPAL_CLIENT_SECRET: _s, PAYPAL_API_URL: _u, LOYALTY_RECIPES: _r, ...base } = process.env;
  return spawnSync(process.execPath, [BIN, 'connectors', 'check'], { env: { ...base, ...env }, encoding: 'utf8', cwd: tmpdir() });
}

describe('loyalty-hub connectors check: PayPal', () => {
  it('names the missing variables, then lists PayPal as enabled without printing its secret', () => {
    const missing = connectorsCheck({ PAYPAL_CLIENT_ID: 'AaB1cD2eF3-client' });
    expect(missing.status).toBe(0);
    expect(missing.stdout).toMatch(/^paypal\s+coded\s+disabled: set PAYPAL_WEBHOOK_ID, PAYPAL_CLIENT_SECRET$/m);

    const secret = 'EFg4hI5jK6-do-not-print-me';
    const enabled = connectorsCheck({ PAYPAL_WEBHOOK_ID: '8PT597110X687430LKGECATA', PAYPAL_CLIENT_ID: 'AaB1cD2eF3-client', PAYPAL_CLIENT_SECRET: secret });
    expect(enabled.stdout).toMatch(/^paypal\s+coded\s+enabled$/m);
    expect(enabled.stdout + enabled.stderr).not.toContain(secret);
  });
});
