/**
 * A developer adding a connector folder (docs/adding-a-connector.md) learns at start, by name,
 * that its definition contradicts itself — not from a merchant whose webhooks are all answered
 * "does not receive webhooks" while the connector is listed as enabled.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverConnectors } from '../../core/connectors/discover.js';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

/** A `connectors/` folder holding one connector `acme` whose index.ts is `source`. */
function connectorsWith(source: string): string {
  const root = mkdtempSync(join(tmpdir(), 'connectors-'));
  folders.push(root);
  mkdirSync(join(root, 'acme'));
  writeFileSync(join(root, 'acme', 'index.ts'), source);
  return root;
}

const definition = (body: string) => `export default { name: 'acme', title: 'Acme Commerce', config: [], ${body} };\n`;

describe('discovering connector folders', () => {
  it('loads a definition whose directions match what it builds', async () => {
    const root = connectorsWith(definition(`directions: ['inbound'], createInbound: () => ({})`));
    const [acme] = await discoverConnectors(root);
    expect(acme?.name).toBe('acme');
  });

  it('refuses the snippet of docs/adding-a-connector.md left without its webhook handler, naming the folder and what is missing', async () => {
    const root = connectorsWith(definition(`directions: ['inbound']`));
    await expect(discoverConnectors(root)).rejects.toThrow('connectors/acme/index: declares direction "inbound" but no createInbound');
  });

  it('refuses a webhook handler on a connector that does not say it receives webhooks', async () => {
    const root = connectorsWith(definition(`directions: ['outbound'], createAdapter: () => ({}), createInbound: () => ({})`));
    await expect(discoverConnectors(root)).rejects.toThrow('has createInbound but does not declare direction "inbound"');
  });

  it('refuses an outbound connector that builds no adapter, and an adapter on one that is not outbound', async () => {
    await expect(discoverConnectors(connectorsWith(definition(`directions: ['outbound']`)))).rejects.toThrow(
      'declares direction "outbound" but no createAdapter',
    );
    await expect(
      discoverConnectors(connectorsWith(definition(`directions: ['inbound'], createInbound: () => ({}), createAdapter: () => ({})`))),
    ).rejects.toThrow('has createAdapter but does not declare direction "outbound"');
  });

  it('loads every shipped connector', async () => {
    expect((await discoverConnectors()).length).toBeGreaterThan(20);
  });
});
