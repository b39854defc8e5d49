import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { AdapterDescriptor } from '../../core/mappings/index.js';
import type { LoyaltyEvent, LoyaltyEventType } from '../../core/outbox/loyalty-events.js';

/**
 * Adapter descriptors as plain values (a name and an options schema, which is all the engine
 * reads), shaped like the real providers' so the tests do not depend on connectors/ being done.
 */
export const slack: AdapterDescriptor = {
  name: 'slack',
  options: z.strictObject({
    channel: z.string().min(1),
    text: z.string().min(1),
    blocks: z.array(z.looseObject({ type: z.string() })).optional(),
  }),
};
export const sms: AdapterDescriptor = {
  name: 'twilio',
  options: z.strictObject({ to: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +14155550123'), body: z.string().min(1) }),
};
export const adapters = new Map([slack, sms].map((a) => [a.name, a]));

/** A folder of mapping files, removed after the test. */
export function mappingDir(files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'loyalty-hub-mappings-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, write, path: (name: string) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function event(type: LoyaltyEventType, data: LoyaltyEvent['data'] = {}): LoyaltyEvent {
  return { id: 'evt_test_1', type, occurredAt: '2025-06-02T09:00:00.000Z', memberId: 'mem_1', data };
}

export const member = { id: 'mem_1', email: 'bo@example.com', phone: '+447700900123', firstName: 'Bo', lastName: 'Ng' };

export function balance(available: number) {
  return { available, pending: 0, locked: 0, spent: 0, expired: 0, lifetimeEarned: available };
}

/** docs/mappings.md's first example mapping, as a marketer would write it. */
export const DOCS_EXAMPLE = `# mappings/large-redemption-slack.yaml
name: large-redemption-slack
on: reward.redeemed
when: points >= 5000
send:
  adapter: slack
  channel: "#loyalty-alerts"
  text: "{{ member.email }} redeemed {{ points }} points for {{ reward.name }}"
`;
