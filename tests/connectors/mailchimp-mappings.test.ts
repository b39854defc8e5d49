/**
 * `mailchimp` actions in mapping files, loaded the way `mappings check` loads them (the real
 * connector folders, no Mailchimp variable set): an event name Mailchimp would refuse is a problem
 * with its file, line and reason; the shipped mailchimp-loyalty-sync.yaml loads, sends nothing as
 * shipped, and renders what docs/connectors/mailchimp.md describes once switched on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverConnectors } from '../../core/connectors/discover.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, sampleEvent } from '../../core/mappings/index.js';
import type { BalanceSnapshot, LoyaltyEvent } from '../../core/outbox/loyalty-events.js';

const { adapters } = adapterDescriptors(await discoverConnectors(), {});
const dir = mkdtempSync(join(tmpdir(), 'loyalty-hub-mailchimp-mappings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const member = { id: 'mem_1', email: 'ann@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };
const SHIPPED = join(import.meta.dirname, '../../mappings/mailchimp-loyalty-sync.yaml');

describe('mailchimp in mapping files', () => {
  it('an event name outside Mailchimp\'s 2–30 characters of [A-Za-z0-9_-] is refused with file, line and reason', () => {
    const file = join(dir, 'bad-event.yaml');
    writeFileSync(
      file,
      `name: bad-event
on: tier.upgraded
send:
  adapter: mailchimp
  mergeFields:
    TIER: "{{ tier.name }}"
  event:
    name: tier.upgraded
`,
    );
    const loaded = loadMappingFile(file, adapters);
    expect(loaded.mappings).toEqual([]);
    expect(loaded.problems).toEqual([
      {
        file,
        line: 8,
        path: 'send.event.name',
        reason: expect.stringContaining('a Mailchimp event name is 2 to 30 letters, digits, _ or - (no spaces, no dots)'),
      },
    ]);
  });

  it('a merge tag Mailchimp would refuse is refused the same way', () => {
    const file = join(dir, 'bad-tag.yaml');
    writeFileSync(file, 'name: bad-tag\non: points.earned\nsend:\n  adapter: mailchimp\n  mergeFields:\n    loyalty_points: "{{ balance.available }}"\n');
    const loaded = loadMappingFile(file, adapters);
    expect(loaded.problems).toEqual([
      expect.objectContaining({ file, line: 6, path: 'send.mergeFields.loyalty_points', reason: expect.stringContaining('"loyalty_points" is not a Mailchimp merge tag') }),
    ]);
  });

  describe('the shipped mailchimp-loyalty-sync.yaml', () => {
    const load = (text?: string) => {
      if (text === undefined) return loadMappingFile(SHIPPED, adapters);
      const file = join(dir, 'mailchimp-loyalty-sync.yaml');
      writeFileSync(file, text);
      return loadMappingFile(file, adapters);
    };
    const earn = (points: number, available: number): LoyaltyEvent => {
      const sample = sampleEvent('points.earned');
      return { ...sample, data: { ...sample.data, points, balance: { ...(sample.data.balance as BalanceSnapshot), available } } };
    };

    it('loads with no problem and sends nothing as shipped (OFF)', () => {
      const loaded = load();
      expect(loaded.problems).toEqual([]);
      expect(loaded.mappings.map((m) => m.on)).toEqual([
        'points.earned',
        'points.threshold_reached',
        'points.activated',
        'points.spent',
        'points.reversed',
        'points.expired',
        'tier.upgraded',
        'tier.downgraded',
      ]);
      for (const type of ['points.earned', 'points.threshold_reached', 'points.activated', 'points.spent', 'points.reversed', 'points.expired', 'tier.upgraded', 'tier.downgraded'] as const) {
        expect(mappingActionsFor(loaded.mappings, sampleEvent(type), { member }), type).toEqual([]);
      }
    });

    it('switched on (the two SWITCH lines), writes POINTS and TIER and records the threshold and tier events', () => {
      const on = readFileSync(SHIPPED, 'utf8').replace('&mailchimp-sync "false"', '&mailchimp-sync "true"').replace('"false && threshold', '"true && threshold');
      const { mappings, problems } = load(on);
      expect(problems).toEqual([]);
      expect(mappingActionsFor(mappings, earn(250, 1100), { member })).toEqual([
        { mapping: 'mailchimp-loyalty-sync-points-earned', index: 0, adapter: 'mailchimp', options: { mergeFields: { POINTS: '1100' } } },
      ]);
      // The threshold event is the hub's own (points.threshold_reached, docs/program.md "Thresholds"): 1,000 only.
      const reached = sampleEvent('points.threshold_reached');
      expect(mappingActionsFor(mappings, reached, { member })).toEqual([
        {
          mapping: 'mailchimp-loyalty-sync-points-threshold',
          index: 0,
          adapter: 'mailchimp',
          options: { mergeFields: { POINTS: '1100' }, event: { name: 'points_threshold_1000', properties: { points: '250', balance: '1100' } } },
        },
      ]);
      expect(mappingActionsFor(mappings, { ...reached, data: { ...reached.data, threshold: 5000 } }, { member })).toEqual([]);
      expect(mappingActionsFor(mappings, sampleEvent('tier.upgraded'), { member })).toEqual([
        {
          mapping: 'mailchimp-loyalty-sync-tier-upgraded',
          index: 0,
          adapter: 'mailchimp',
          options: { mergeFields: { TIER: 'Gold' }, event: { name: 'tier_upgraded', properties: { tier: 'Gold', previous_tier: 'Silver' } } },
        },
      ]);
      expect(mappingActionsFor(mappings, sampleEvent('tier.downgraded'), { member })).toEqual([
        { mapping: 'mailchimp-loyalty-sync-tier-downgraded', index: 0, adapter: 'mailchimp', options: { mergeFields: { TIER: 'Silver' } } },
      ]);
    });
  });
});
