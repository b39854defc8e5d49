/**
 * `loyalty-hub connectors check` as a merchant or a CI job runs it (docs/recipes.md, "Checking a
 * recipe"): a separate process configured by its environment, listing each connector's status
 * and every recipe problem as `file:line: reason`, exiting 1 on problems.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/hub-process.js';

function cli(args: string[], env: Record<string, string>) {
  const { LOYALTY_RECIPES: _r, LEMONSQUEEZY_WEBHOOK_SECRET: _s, ...base } = process.env;
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...base, ...env }, encoding: 'utf8', cwd: tmpdir() });
}

const RECIPE = `name: acme-pos
title: Acme POS
secret_env: ACME_POS_SECRET
signature: { header: X-Acme-Signature, encoding: hex }
topic: { header: X-Acme-Topic }
amounts: decimal
topics:
  sale:
    trigger: order.paid
    order_id: sale.number
    amount: sale.net
    currency: sale.currency
`;

describe('loyalty-hub connectors check', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loyalty-recipes-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists coded connectors and recipes with their status, secrets by name only', () => {
    writeFileSync(join(dir, 'acme-pos.yaml'), RECIPE);
    const run = cli(['connectors', 'check'], { LOYALTY_RECIPES: dir, ACME_POS_SECRET: 'do-not-print-me' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^woocommerce\s+coded\s+disabled: set WOOCOMMERCE_WEBHOOK_SECRET$/m);
    expect(run.stdout).toMatch(/^lemonsqueezy\s+recipe \S*connectors\/recipes\/lemonsqueezy\.yaml\s+disabled: set LEMONSQUEEZY_WEBHOOK_SECRET$/m);
    expect(run.stdout).toMatch(new RegExp(`^acme-pos\\s+recipe ${basename(dir)}/acme-pos\\.yaml\\s+enabled$`, 'm'));
    expect(run.stdout).toMatch(/coded connectors, 2 recipes OK/);
    expect(run.stdout).not.toContain('do-not-print-me');
  });

  it('prints every problem as file:line: reason and exits 1', () => {
    writeFileSync(join(dir, 'acme-pos.yaml'), RECIPE.replace('encoding: hex', 'encoding: sha1').replace('    currency: sale.currency\n', ''));
    writeFileSync(join(dir, 'shopify.yaml'), RECIPE.replace('name: acme-pos', 'name: shopify'));
    const run = cli(['connectors', 'check'], { LOYALTY_RECIPES: dir });
    expect(run.status).toBe(1);
    const file = `${basename(dir)}/acme-pos.yaml`;
    expect(run.stdout).toContain(`${file}:4: signature.encoding: "sha1": expected \`base64\` or \`hex\``);
    expect(run.stdout).toContain(`${file}:9: topics.sale.currency: missing \`currency:\`, required for order.paid`);
    expect(run.stdout).toContain(`${basename(dir)}/shopify.yaml:1: name: "shopify" is a coded connector (connectors/shopify/); give the recipe another name`);
    expect(run.stdout).toMatch(/3 problems in 2 recipe files: the hub will not start until they are fixed/);
  });

  it('serve refuses to start on the same problems, printing them without a stack trace', () => {
    writeFileSync(join(dir, 'acme-pos.yaml'), RECIPE.replace('encoding: hex', 'encoding: sha1'));
    const run = cli(['serve'], { LOYALTY_RECIPES: dir, PORT: '0', DATABASE_URL: join(dir, 'loyalty.db') });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${join(dir, 'acme-pos.yaml')}:4: signature.encoding: "sha1": expected \`base64\` or \`hex\``);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).not.toContain('listening');
  });

  it('reports a LOYALTY_RECIPES folder that does not exist, and explains itself with --help', () => {
    const missing = cli(['connectors', 'check'], { LOYALTY_RECIPES: join(dir, 'nope') });
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(`${basename(dir)}/nope:1: no such folder`);
    const help = cli(['connectors', 'check', '--help'], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: loyalty-hub connectors check');
  });
});
