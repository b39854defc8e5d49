import { afterEach, describe, expect, it } from 'vitest';
import { loadMappings, mappingActionsFor, type EvaluationError, type Mapping } from '../../core/mappings/index.js';
import { compileCondition } from '../../core/mappings/condition.js';
import { adapters, balance, event, mappingDir, member, DOCS_EXAMPLE } from './fixtures.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

function load(files: Record<string, string>): Mapping[] {
  const dir = mappingDir(files);
  cleanup.push(dir.remove);
  const { mappings, problems } = loadMappings(dir.dir, adapters);
  expect(problems).toEqual([]);
  return mappings;
}

const THRESHOLD = `name: threshold-1000
on: points.earned
when: balance.available >= 1000 && balance.available - points < 1000
send:
  - adapter: twilio
    to: "{{ member.phone }}"
    body: "{{ member.firstName }}, you have {{ balance.available }} points"
  - adapter: slack
    channel: "#crm"
    text: "{{ member.email }} crossed 1,000"
`;

describe('mapping evaluation', () => {
  it('fires exactly when the condition holds: points >= 5000, on both sides of the boundary', () => {
    const mappings = load({ 'large-redemption-slack.yaml': DOCS_EXAMPLE });
    const extras = { member, reward: { id: 'rwd_1', name: 'Espresso machine', points: 5000 } };
    expect(mappingActionsFor(mappings, event('reward.redeemed', { points: 4999 }), extras)).toEqual([]);
    expect(mappingActionsFor(mappings, event('reward.redeemed', { points: 5000 }), extras)).toEqual([
      {
        mapping: 'large-redemption-slack',
        index: 0,
        adapter: 'slack',
        options: { channel: '#loyalty-alerts', text: 'bo@example.com redeemed 5000 points for Espresso machine' },
      },
    ]);
    // Same condition, another event type: never.
    expect(mappingActionsFor(mappings, event('points.spent', { points: 9000 }), extras)).toEqual([]);
  });

  it('fires a threshold mapping only on the earn that crosses it, with every action in order', () => {
    const mappings = load({ 'threshold.yaml': THRESHOLD });
    const earn = (available: number, points: number) =>
      mappingActionsFor(mappings, event('points.earned', { points, balance: balance(available) }), { member });
    expect(earn(999, 5)).toEqual([]); // not there yet
    expect(earn(1005, 5)).toEqual([]); // was already at 1,000 before this earn
    const crossing = earn(1000, 5); // 995 → 1,000
    expect(crossing.map((a) => [a.mapping, a.index, a.adapter])).toEqual([
      ['threshold-1000', 0, 'twilio'],
      ['threshold-1000', 1, 'slack'],
    ]);
    expect(crossing[0]!.options).toEqual({ to: '+447700900123', body: 'Bo, you have 1000 points' });
    expect(earn(1004, 5)).toHaveLength(2);
  });

  it("uses the event's own balance over the caller's, which may already be later", () => {
    const mappings = load({ 'threshold.yaml': THRESHOLD });
    const withOwn = event('points.earned', { points: 5, balance: balance(1000) });
    expect(mappingActionsFor(mappings, withOwn, { member, balance: balance(1500) })).toHaveLength(2);
    const withoutOwn = event('points.earned', { points: 5 });
    expect(mappingActionsFor(mappings, withoutOwn, { member, balance: balance(1002) })).toHaveLength(2);
  });

  it('renders every string, nested ones too, with event, data fields, member, tier and reward in scope', () => {
    const mappings = load({
      'tier.yaml': `on: tier.upgraded
send:
  adapter: slack
  channel: "#tiers"
  text: "{{ event.type }} {{ event.id }} at {{ event.occurredAt | date: '%Y-%m-%d %H:%M' }}"
  blocks:
    - type: section
      text: { type: mrkdwn, text: "*{{ member.firstName | upcase }}* {{ previousTier.name }} → {{ tier.name }}" }
    - type: context
      elements: [{ type: mrkdwn, text: "{{ member.nick | default: 'no nickname' }}" }, 7, true]
`,
    });
    const [action] = mappingActionsFor(mappings, event('tier.upgraded', { previousTier: { id: 'silver', name: 'Silver' } }), {
      member,
      tier: { id: 'gold', name: 'Gold' },
    });
    expect(action!.options).toEqual({
      channel: '#tiers',
      text: 'tier.upgraded evt_test_1 at 2025-06-02 09:00',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*BO* Silver → Gold' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'no nickname' }, 7, true] },
      ],
    });
  });

  it('never throws: a condition failing at run time counts as false, a refused action is left out, both reported', () => {
    const loaded = load({
      'odd.yaml': `on: reward.redeemed
when: points > 10000
send: { adapter: slack, channel: "#x", text: "big" }
`,
      'sms.yaml': `on: reward.redeemed
send:
  - adapter: twilio
    to: "{{ member.phone }}"
    body: "Enjoy your {{ reward.name }}"
  - adapter: slack
    channel: "#x"
    text: "{{ member.email }} redeemed"
`,
    });
    // The load-time check refuses an unknown function even where `&&` skips it with the sample;
    // a condition that fails only at run time is compiled here directly.
    const mappings = loaded.map((m) => (m.name === 'odd' ? { ...m, when: compileCondition('points > 10000 && nosuch(points)') } : m));
    const errors: EvaluationError[] = [];
    const actions = mappingActionsFor(
      mappings,
      event('reward.redeemed', { points: 20000 }),
      { member: { ...member, phone: null }, reward: { name: 'Mug' } },
      { onError: (e) => errors.push(e) },
    );
    expect(actions.map((a) => `${a.mapping}#${a.index}`)).toEqual(['sms#1']);
    expect(errors).toEqual([
      expect.objectContaining({ mapping: 'odd', stage: 'when', reason: expect.stringContaining('nosuch') }),
      expect.objectContaining({ mapping: 'sms', index: 0, stage: 'options', reason: expect.stringContaining('E.164') }),
    ]);
  });

  it('renders a field missing from a real event as empty rather than dropping the message', () => {
    const mappings = load({ 'earned.yaml': 'on: points.earned\nsend: { adapter: slack, channel: "#x", text: "+{{ points }} for {{ member.firstName }}" }\n' });
    const [action] = mappingActionsFor(mappings, event('points.earned', { points: 10 }), { member: { id: 'mem_2' } });
    expect(action!.options.text).toBe('+10 for ');
  });
});
