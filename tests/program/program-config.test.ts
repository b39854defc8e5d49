/**
 * The program file: the shipped one loads and says what docs/program.md says; a broken one is refused
 * with messages naming the file, the line, the rule and the field — at load and at start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLedgerInvariants } from '../../core/ledger/index.js';
import { createHub } from '../../core/hub.js';
import { silentLogger } from '../../core/observability/logger.js';
import { DEFAULT_PROGRAM_PATH, ProgramConfigError, loadProgramFile, parseProgram } from '../../core/program/load-program.js';
import { ADMIN_KEY, json } from '../helpers/test-hub.js';
import { tempDatabase } from '../helpers/temp-database.js';

const SHIPPED = fileURLToPath(new URL('../../config/program.yaml', import.meta.url));

function refusal(text: string, file = 'test.yaml'): ProgramConfigError {
  try {
    parseProgram(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ProgramConfigError);
    return error as ProgramConfigError;
  }
  throw new Error('the program was accepted');
}

describe('config/program.yaml as shipped', () => {
  it('is the default path and loads', () => {
    expect(DEFAULT_PROGRAM_PATH).toBe(SHIPPED);
    expect(() => loadProgramFile()).not.toThrow();
  });

  it('says what docs/program.md says', () => {
    const program = loadProgramFile(SHIPPED);
    const c = program.config;
    expect(c.defaults).toEqual({ pendingDays: 0, expiry: { afterDays: 365 } });
    expect(c.returnPolicy).toBe('within_balance');
    expect(c.limits.perMember).toEqual({ day: 50_000 });
    expect(c.tiers?.basis).toEqual({ window: 'rolling', days: 365 });
    expect(program.tiers.map((t) => [t.id, t.threshold])).toEqual([
      ['bronze', 0],
      ['silver', 1000],
      ['gold', 5000],
    ]);
    const awards = Object.fromEntries(program.rules.map((r) => [r.on, r.award]));
    expect(awards).toEqual({
      'order.paid': { kind: 'perCurrencyUnit', rate: { num: 1n, den: 1n }, rounding: 'down' },
      'customer.created': { kind: 'fixed', points: 50 },
      'referral.completed': { kind: 'fixed', points: 200 },
      'review.posted': { kind: 'fixed', points: 25 },
      'newsletter.subscribed': { kind: 'fixed', points: 20 },
      birthday: { kind: 'fixed', points: 100 },
    });
  });
});

describe('an invalid program is refused with file, line, rule and field', () => {
  it('a bad multiplier', () => {
    const error = refusal(`name: t
rules:
  - id: base
    on: order.paid
    award: { perCurrencyUnit: 1 }
  - id: weekend-double
    on: order.paid
    award:
      multiplier: "x2"
`);
    expect(error.problems).toEqual([{ line: 9, rule: 'weekend-double', path: 'award.multiplier', message: '"x2" is not a positive decimal with at most 6 decimals' }]);
    expect(error.message).toContain('test.yaml:9 rule "weekend-double" award.multiplier: "x2" is not a positive decimal');
  });

  it('an award of no known kind names the award', () => {
    const error = refusal(`name: t
rules:
  - id: bonus
    on: review.posted
    award: { bonus: 5 }
`);
    expect(error.problems).toEqual([expect.objectContaining({ line: 5, rule: 'bonus', path: 'award' })]);
  });

  it('an unknown tier in a condition', () => {
    const error = refusal(`name: t
tiers:
  basis: { window: lifetime }
  levels:
    - { id: bronze, name: Bronze, threshold: 0 }
    - { id: silver, name: Silver, threshold: 1000 }
rules:
  - id: vip-bonus
    on: order.paid
    if:
      tier: [silver, platinum]
    award: { fixed: 10 }
`);
    expect(error.problems).toEqual([expect.objectContaining({ line: 11, rule: 'vip-bonus', path: 'if.tier[1]', message: 'no tier "platinum" (tiers: bronze, silver)' })]);
    expect(error.message).toContain('test.yaml:11 rule "vip-bonus" if.tier[1]: no tier "platinum"');
  });

  it('a duplicate rule id (the second one is named)', () => {
    const error = refusal(`name: t
rules:
  - id: review
    on: review.posted
    award: { fixed: 25 }
  - id: review
    on: review.posted
    award: { fixed: 30 }
`);
    expect(error.problems).toEqual([expect.objectContaining({ line: 6, rule: 'review', path: 'id', message: 'duplicate rule id (also rule #1)' })]);
  });

  it('a `when` expression that does not parse', () => {
    const error = refusal(`name: t
rules:
  - id: big-order
    on: order.paid
    when: "order.amount >"
    award: { fixed: 5 }
`);
    expect(error.problems).toEqual([expect.objectContaining({ line: 5, rule: 'big-order', path: 'when' })]);
    expect(error.problems[0]!.message).toMatch(/^not a valid expression: /);
  });

  it('a time zone that does not exist', () => {
    const error = refusal(`name: t
timeZone: Europe/Parris
rules: []
`);
    expect(error.problems).toEqual([expect.objectContaining({ line: 2, path: 'timeZone', rule: undefined, message: '"Europe/Parris" is not an IANA time zone (e.g. Europe/Paris)' })]);
    expect(error.message).toContain('test.yaml:2 timeZone: "Europe/Parris" is not an IANA time zone');
  });

  it('a YAML syntax error, with its line', () => {
    const error = refusal(`name: t
rules:
  - id: a
    on: [review.posted
    award: { fixed: 5 }
`);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]!.line).toBe(5);
    expect(error.message).toMatch(/^ {2}test\.yaml:5 \(top level\): /m);
  });

  it('a misspelt field in a rule', () => {
    const error = refusal(`name: t
rules:
  - id: review
    on: review.posted
    award: { fixed: 25 }
    limits: { perEvent: 3 }
`);
    expect(error.problems).toEqual([expect.objectContaining({ rule: 'review', message: 'Unrecognized key: "limits"' })]);
  });

  it('an order award on a trigger without an order, and a rule on refunds', () => {
    const error = refusal(`name: t
rules:
  - id: per-dollar-review
    on: review.posted
    award: { perCurrencyUnit: 1 }
  - id: refund-bonus
    on: order.refunded
    award: { fixed: 5 }
`);
    expect(error.problems).toEqual([
      expect.objectContaining({ line: 5, rule: 'per-dollar-review', path: 'award', message: expect.stringContaining('use it with on: order.paid') }),
      expect.objectContaining({ line: 7, rule: 'refund-bonus', path: 'on', message: expect.stringContaining('returnPolicy') }),
    ]);
  });

  it('every problem at once, not only the first', () => {
    const error = refusal(`name: t
timeZone: Nowhere/Else
rules:
  - id: a
    on: review.posted
    award: { fixed: 1 }
  - id: a
    on: review.posted
    when: "attributes.x =="
    award: { fixed: 2 }
`);
    expect(error.problems.map((p) => [p.line, p.path])).toEqual([
      [2, 'timeZone'],
      [7, 'id'],
      [9, 'when'],
    ]);
  });

  it('tiers without a starting tier at 0', () => {
    const error = refusal(`name: t
tiers:
  basis: { window: rolling, days: 365 }
  levels:
    - { id: silver, name: Silver, threshold: 1000 }
`);
    expect(error.problems).toEqual([expect.objectContaining({ line: 4, path: 'tiers.levels', message: 'one tier must have threshold 0 (where every member starts)' })]);
  });
});

describe('LOYALTY_CONFIG', () => {
  function withFile(text: string): { file: string; cleanup: () => void } {
    const dir = mkdtempSync(join(tmpdir(), 'loyalty-program-'));
    const file = join(dir, 'program.yaml');
    writeFileSync(file, text);
    return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }

  it('a hub pointed at a broken program refuses to start, naming the file, line, rule and field', async () => {
    const { file, cleanup } = withFile(`name: broken
rules:
  - id: weekend-double
    on: order.paid
    award: { multiplier: "x2" }
`);
    const database = await tempDatabase();
    try {
      const start = createHub({ logger: silentLogger, connectors: [], env: { DATABASE_URL: database.url, ADMIN_API_KEY: ADMIN_KEY, LOYALTY_CONFIG: file } });
      await expect(start).rejects.toBeInstanceOf(ProgramConfigError);
      await expect(start).rejects.toThrow(`${file}:5 rule "weekend-double" award.multiplier: "x2" is not a positive decimal`);
    } finally {
      cleanup();
      await database.dispose();
    }
  });

  it('a hub pointed at a missing file refuses to start and says it cannot read it', async () => {
    const database = await tempDatabase();
    try {
      const missing = join(tmpdir(), 'no-such-dir-loyalty', 'program.yaml');
      await expect(createHub({ logger: silentLogger, connectors: [], env: { DATABASE_URL: database.url, LOYALTY_CONFIG: missing } })).rejects.toThrow(
        `${missing} (top level): cannot read the file (ENOENT`,
      );
    } finally {
      await database.dispose();
    }
  });

  it('a hub runs the program LOYALTY_CONFIG names instead of the shipped one', async () => {
    const { file, cleanup } = withFile(`name: reviews pay more
rules:
  - id: review
    on: review.posted
    award: { fixed: 99 }
`);
    const database = await tempDatabase();
    const hub = await createHub({ logger: silentLogger, connectors: [], env: { DATABASE_URL: database.url, ADMIN_API_KEY: ADMIN_KEY, LOYALTY_CONFIG: file } });
    try {
      expect(hub.program.source).toBe(file);
      const res = await hub.app.request('/v1/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'activity', name: 'review.posted', id: 'r1', customer: { email: 'ann@example.com' } }),
      });
      expect(res.status).toBe(201);
      expect(await json(res)).toMatchObject({ points: 99 });
      expect(await checkLedgerInvariants(hub.store.db)).toEqual([]);
    } finally {
      await hub.close();
      await database.dispose();
      cleanup();
    }
  });
});
