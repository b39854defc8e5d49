import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/hub-process.js';
import { mappingDir, DOCS_EXAMPLE } from './fixtures.js';

/**
 * `loyalty-hub mappings check|preview` as a separate process, with the real connector folders
 * and no provider secrets (none are inherited): the docs/mappings.md example uses the `slack` adapter.
 */
function cli(args: string[], cwd = tmpdir(), extraEnv: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const inherited = Object.entries(process.env).filter(([k]) => !/^(SLACK|SENDGRID|TWILIO|ZENDESK|WEBHOOK)_|^LOYALTY_MAPPINGS$/.test(k));
  const env = { ...Object.fromEntries(inherited), ...extraEnv };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const good = mappingDir({ 'large-redemption-slack.yaml': DOCS_EXAMPLE });
const bad = mappingDir({
  'large-redemption-slack.yaml': DOCS_EXAMPLE,
  'typos.yaml': 'on: reward.redeem\nsend:\n  adapter: slak\n',
  'template.yaml': 'on: points.earned\nsend:\n  adapter: slack\n  channel: "#x"\n  text: "{{ member.nick }}"\n',
  // The sample earn is no birthday: `&&` never reaches the transform, which must be reported all the same (docs/mappings.md, "Conditions").
  'birthday.yaml': "on: points.earned\nwhen: reason == 'birthday' && member.email|lower == 'ann@example.com'\nsend: { adapter: slack, channel: \"#x\", text: hi }\n",
});
const preview = mappingDir({
  'redemptions.yaml': `- name: large-redemption-slack
  on: reward.redeemed
  when: points >= 5000
  send:
    adapter: slack
    channel: "#loyalty-alerts"
    text: "{{ member.email }} redeemed {{ points }} points for {{ reward.name }}"
- name: huge-redemption-slack
  on: reward.redeemed
  when: points >= 10000
  send: { adapter: slack, channel: "#vip", text: "{{ points }}" }
`,
  'big.json': JSON.stringify({
    id: 'evt_1',
    type: 'reward.redeemed',
    occurredAt: '2025-06-01T10:00:00Z',
    memberId: 'mem_1',
    data: { points: 6000 },
    member: { email: 'cy@example.com' },
    reward: { name: 'Weekend for two' },
  }),
});
afterAll(() => [good, bad, preview].forEach((d) => d.remove()));

describe('loyalty-hub mappings', () => {
  // One process each, started together: the CLI's start-up dominates the test's time.
  const runs = Promise.all([
    cli(['mappings', 'check'], tmpdir(), { LOYALTY_MAPPINGS: good.dir }),
    cli(['mappings', 'check', '--dir', '.'], bad.dir),
    cli(['mappings', 'preview', preview.path('redemptions.yaml'), '--event', preview.path('big.json')]),
  ]);

  it('check: exits 0 with a summary when every file is valid (the folder from LOYALTY_MAPPINGS)', async () => {
    const [ok] = await runs;
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe(`1 mapping OK in ${relative(tmpdir(), good.dir)}\n`);
    expect(ok.status).toBe(0);
  });

  it('check: prints each problem as file:line: path: reason and exits 1', async () => {
    const [, failed] = await runs;
    expect(failed.status).toBe(1);
    const lines = failed.stdout.trim().split('\n');
    // Paths as the user gave them: relative to where the command runs.
    expect(lines).toEqual([
      'birthday.yaml:2: when: condition: "|lower" is not available: conditions have no transforms or functions',
      'template.yaml:5: send.text: missing field "member.nick": a points.earned event has no such field; member has id, email, phone, firstName, lastName, consentEmail, consentSms',
      expect.stringMatching(/^typos\.yaml:1: on: unknown event "reward\.redeem" \(did you mean "reward\.redeemed"\?\); expected one of member\.enrolled, .*, webhook\.rejected$/),
      expect.stringMatching(/^typos\.yaml:3: send\.adapter: unknown adapter "slak" \(did you mean "slack"\?\); configured adapters: .*\bslack\b/),
      '',
      '4 problems in 3 files; 1 mapping OK',
    ]);
  });

  it('preview: renders the actions for the given event, and sends nothing', async () => {
    const [, , big] = await runs;
    expect(big.status).toBe(0);
    expect(big.stderr).toContain('nothing was sent');
    expect(JSON.parse(big.stdout)).toEqual([
      {
        mapping: 'large-redemption-slack',
        on: 'reward.redeemed',
        event: { id: 'evt_1', type: 'reward.redeemed' },
        when: 'points >= 5000',
        result: 'would send',
        actions: [{ index: 0, adapter: 'slack', options: { channel: '#loyalty-alerts', text: 'cy@example.com redeemed 6000 points for Weekend for two' } }],
      },
      {
        mapping: 'huge-redemption-slack',
        on: 'reward.redeemed',
        event: { id: 'evt_1', type: 'reward.redeemed' },
        when: 'points >= 10000',
        result: 'condition false',
      },
    ]);
  });
});
