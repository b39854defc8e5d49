import { afterEach, describe, expect, it } from 'vitest';
import { loadMappingFile, loadMappings, type MappingProblem } from '../../core/mappings/index.js';
import { adapters, mappingDir } from './fixtures.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

/** Loads one real file and returns its problems as `line path: reason`. */
function problemsOf(text: string, name = 'mapping.yaml'): MappingProblem[] {
  const dir = mappingDir();
  cleanup.push(dir.remove);
  const file = dir.write(name, text);
  const { mappings, problems } = loadMappingFile(file, adapters);
  expect(problems.every((p) => p.file === file)).toBe(true);
  if (problems.length > 0) expect(mappings).toEqual([]);
  return problems;
}

const at = (line: number, path: string, reason: RegExp | string) => expect.objectContaining({ line, path, reason: typeof reason === 'string' ? expect.stringContaining(reason) : expect.stringMatching(reason) });

describe('mapping validation: file, line and reason', () => {
  it('accepts a valid file, naming the mapping after the file when it has no name', () => {
    expect(problemsOf('on: points.earned\nsend: { adapter: slack, channel: "#x", text: "+{{ points }}" }\n', 'points-earned.yaml')).toEqual([]);
    const dir = mappingDir({ 'points-earned.yaml': 'on: points.earned\nsend: { adapter: slack, channel: "#x", text: "hi" }\n' });
    cleanup.push(dir.remove);
    expect(loadMappings(dir.dir, adapters).mappings.map((m) => [m.name, m.on, m.line])).toEqual([['points-earned', 'points.earned', 1]]);
  });

  it('reports YAML syntax errors at their line', () => {
    expect(problemsOf('on: points.earned\nsend:\n  adapter: slack\n  text: [unclosed\n  channel: x\n')).toEqual([at(5, '', /^YAML: /)]);
    expect(problemsOf('on: points.earned\non: points.spent\nsend: { adapter: slack }\n')).toEqual([at(2, '', 'unique')]);
  });

  it('reports an unknown event, listing the valid ones', () => {
    expect(problemsOf('name: x\n\non: reward.redeem\nsend: { adapter: slack, channel: "#x", text: "t" }\n')).toEqual([
      at(3, 'on', /unknown event "reward\.redeem" \(did you mean "reward\.redeemed"\?\); expected one of member\.enrolled, .*reward\.redeemed, .*webhook\.rejected/),
    ]);
  });

  it('reports an unknown adapter, listing the configured ones', () => {
    expect(problemsOf('on: points.earned\nsend:\n  - adapter: slack\n    channel: "#x"\n    text: t\n  - adapter: sendgird\n    to: x\n')).toEqual([
      at(6, 'send[1].adapter', 'unknown adapter "sendgird"; configured adapters: slack, twilio'),
    ]);
  });

  it('reports condition syntax errors, and fields the event does not have', () => {
    expect(problemsOf('on: points.earned\nwhen: points >=\nsend: { adapter: slack, channel: "#x", text: t }\n')).toEqual([at(2, 'when', 'condition syntax')]);
    expect(problemsOf('on: points.earned\nwhen: pionts >= 5 || balance.availble > 1\nsend: { adapter: slack, channel: "#x", text: t }\n')).toEqual([
      at(2, 'when', /missing field "pionts".*has points, /),
      at(2, 'when', /missing field "balance\.availble".*balance has available, /),
    ]);
    expect(problemsOf('on: points.earned\nwhen: points|double > 5\nsend: { adapter: slack, channel: "#x", text: t }\n')).toEqual([
      at(2, 'when', 'condition: "|double" is not available: conditions have no transforms or functions'),
    ]);
  });

  it('reports Liquid syntax errors at the template, inside a block scalar at the very line', () => {
    expect(problemsOf('on: points.earned\nsend:\n  adapter: slack\n  channel: "#x"\n  text: "{{ points | nosuch }}"\n')).toEqual([
      at(5, 'send.text', 'template syntax: undefined filter: nosuch'),
    ]);
    const block = ['on: points.earned', 'send:', '  adapter: slack', '  channel: "#x"', '  text: |', '    Hi {{ member.firstName }},', '    you earned {{ points }', '    points.', ''];
    expect(problemsOf(block.join('\n'))).toEqual([at(7, 'send.text', 'not closed')]);
  });

  it('refuses include-like tags: templates cannot read files', () => {
    expect(problemsOf('on: points.earned\nsend: { adapter: slack, channel: "#x", text: "{% include \'/etc/passwd\' %}" }\n')).toEqual([
      at(2, 'send.text', '{% include %} is not available'),
    ]);
  });

  it('reports a field the event does not have, rendering strictly with the sample event', () => {
    const text = 'on: points.earned\nsend:\n  adapter: slack\n  channel: "#x"\n  blocks:\n    - type: section\n      text: "{{ member.nickname }}"\n  text: "{{ reward.name }}"\n';
    expect(problemsOf(text)).toEqual([
      // Only the first failing template of an action is reported: the rest would be guesses.
      at(7, 'send.blocks[0].text', /missing field "member\.nickname": a points\.earned event has no such field; member has id, email, phone, firstName/),
    ]);
    expect(problemsOf('on: points.earned\nsend: { adapter: slack, channel: "#x", text: "{{ reward.name }}" }\n')).toEqual([
      at(2, 'send.text', 'there is no reward on a points.earned event'),
    ]);
    // Guarded uses of optional fields are fine.
    expect(problemsOf('on: points.earned\nsend: { adapter: slack, channel: "#x", text: "{% if reward %}{{ reward.name }}{% endif %}{{ member.nick | default: \'you\' }}" }\n')).toEqual([]);
  });

  it("validates options against the adapter's schema after rendering them with the sample event", () => {
    const text = ['on: reward.redeemed', 'send:', '  - adapter: twilio', '    to: "{{ member.email }}"', '    body: "Enjoy {{ reward.name }}"', '  - adapter: slack', '    chanel: "#x"', '    text: hi', ''];
    expect(problemsOf(text.join('\n'))).toEqual([
      at(4, 'send[0].to', 'twilio: expected an E.164 number such as +14155550123 (with the sample reward.redeemed event it renders "ann.lee@example.com")'),
      at(6, 'send[1].channel', 'slack: missing option "channel"'),
      at(7, 'send[1].chanel', 'slack has no option "chanel"'),
    ]);
  });

  it('reports unknown keys and missing parts of a mapping', () => {
    expect(problemsOf('on: points.earned\nsned: { adapter: slack }\n')).toEqual([at(1, 'send', 'missing `send:`'), at(2, 'sned', 'unknown key')]);
    expect(problemsOf('send: { adapter: slack, channel: "#x", text: t }\n')).toEqual([at(1, 'on', 'missing `on:`')]);
  });

  it('loads a list of mappings from one file, with positions in the paths', () => {
    const list = '- name: a\n  on: points.earned\n  send: { adapter: slack, channel: "#x", text: t }\n- name: a\n  on: points.spent\n  send: { adapter: slack, channel: "#x", text: "{{ pionts }}" }\n';
    expect(problemsOf(list)).toEqual([at(4, '[1].name', 'already used on line 1'), at(6, '[1].send.text', 'missing field "pionts"')]);
  });

  it('keeps a broken file out and loads the others; names are unique across files', () => {
    const dir = mappingDir({
      'a-good.yaml': 'name: shared\non: points.earned\nsend: { adapter: slack, channel: "#x", text: t }\n',
      'b-broken.yaml': 'name: broken\non: points.earned\nsend:\n  - adapter: slack\n    channel: "#x"\n    text: ok\n  - adapter: nope\n',
      'c-clash.yaml': '\nname: shared\non: points.spent\nsend: { adapter: slack, channel: "#x", text: t }\n',
      'README.md': 'not a mapping',
      '.editor-swap.yaml': 'garbage: [',
    });
    cleanup.push(dir.remove);
    const { mappings, problems } = loadMappings(dir.dir, adapters);
    expect(mappings.map((m) => m.name)).toEqual(['shared']);
    expect(problems).toEqual([
      { file: dir.path('b-broken.yaml'), line: 7, path: 'send[1].adapter', reason: expect.stringContaining('unknown adapter "nope"') },
      { file: dir.path('c-clash.yaml'), line: 2, path: 'name', reason: `mapping name "shared" is already used by ${dir.path('a-good.yaml')}:1` },
    ]);
  });
});
