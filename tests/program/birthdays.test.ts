/**
 * Birthdays and anniversaries (docs/program.md, "Birthdays and anniversaries"): the scheduler's
 * daily sweep turns birth dates and enrolment dates into the `birthday` and `anniversary`
 * activities in the program's time zone, once per member and year, through the same rules as any
 * activity — the shipped `birthday` rule awards 100 and the shipped birthday SMS is routed.
 */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createHub } from '../../core/hub.js';
import twilio from '../../connectors/twilio/index.js';
import { adapterDescriptors, loadMappingFile } from '../../core/mappings/index.js';
import { silentLogger } from '../../core/observability/logger.js';
import { CATCH_UP_DAYS, runCelebrations } from '../../core/program/celebrations.js';
import { startScheduler } from '../../core/scheduler.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { ADMIN_KEY } from '../helpers/test-hub.js';
import { mappingRouter } from '../helpers/shipped-mappings.js';
import { DAY, programHarness } from './program-harness.js';

// The shipped program in New York, so the local day and the UTC day differ around midnight.
const shipped = readFileSync('config/program.yaml', 'utf8');
const newYork = shipped.replace(/^timeZone: UTC$/m, 'timeZone: America/New_York');
// The rules docs/program.md suggests, with the loyalty bonus from the second year instead of the fifth.
const withAnniversary = newYork.replace(
  /^(rules:\n)/m,
  '$1  - id: anniversary\n    on: anniversary\n    award: { fixed: 250 }\n  - id: anniversary-loyal\n    on: anniversary\n    when: attributes.years >= 2\n    award: { fixed: 100 }\n',
);

const at = (isoUtc: string) => Date.parse(isoUtc);

describe('birthdays', () => {
  const p = programHarness(newYork, at('2026-03-10T12:00:00Z'));
  const sweep = () => runCelebrations(p.h.hub, p.h.hub.program);
  const birthdayEarns = async (memberId: string) => (await p.history(memberId)).filter((t) => t.kind === 'earn' && t.ruleId === 'birthday');

  it('awards 100 once on the local birthday (not the UTC one), however often the scheduler ticks, and routes the birthday SMS', async () => {
    const ann = await p.enroll('ann@example.com', { birthDate: '1990-03-14', firstName: 'Ann', phone: '+14155550100', consent: { sms: true } });
    // 03:30 UTC on the 14th is still 23:30 on the 13th in New York (EDT, UTC-4).
    p.clock.set(at('2026-03-14T03:30:00Z'));
    expect((await sweep()).birthdays).toBe(0);
    expect(await birthdayEarns(ann)).toEqual([]);

    // 00:30 on the 14th in New York.
    p.clock.set(at('2026-03-14T04:30:00Z'));
    expect((await sweep()).birthdays).toBe(1);
    await sweep();
    p.clock.advance(6 * 3_600_000);
    await sweep();
    const earns = await birthdayEarns(ann);
    expect(earns.map((t) => [t.amount, t.reason, t.eventId])).toEqual([[100, 'birthday', `hub:birthday:${ann}:2026`]]);
    expect((await p.balance(ann)).available).toBe(100);

    // The shipped birthday SMS matches the earn the sweep announced.
    const [earned] = (await p.loyaltyEvents('points.earned', ann)).filter((e) => e.data.reason === 'birthday');
    expect(earned).toBeDefined();
    const { mappings, problems } = loadMappingFile('mappings/birthday-sms.yaml', adapterDescriptors([twilio], {}).adapters);
    expect(problems).toEqual([]);
    const routes = mappingRouter(mappings)(
      { id: 'e', type: 'points.earned', occurredAt: new Date(p.clock()).toISOString(), memberId: ann, data: earned!.data },
      { id: ann, email: 'ann@example.com', phone: '+14155550100', consentEmail: false, consentSms: true, firstName: 'Ann', lastName: null },
    );
    expect(routes.map((r) => [r.adapter, String(r.options.body)])).toEqual([['twilio', expect.stringContaining('Happy birthday Ann! We\'ve added 100 points')]]);

    // Next year: once more.
    p.clock.set(at('2027-03-14T16:00:00Z'));
    await sweep();
    expect((await birthdayEarns(ann)).map((t) => t.eventId)).toEqual([`hub:birthday:${ann}:2026`, `hub:birthday:${ann}:2027`]);
  });

  it('is sent by the running hub\'s scheduler, and a second tick awards nothing more', async () => {
    const ann = await p.enroll('ann@example.com', { birthDate: '1990-03-16' });
    p.clock.set(at('2026-03-16T12:00:00Z'));
    const logged: [string, Record<string, unknown> | undefined][] = [];
    const logger = { ...silentLogger, info: (msg: string, fields?: Record<string, unknown>) => logged.push([msg, fields]), error: (msg: string, fields?: Record<string, unknown>) => logged.push([msg, fields]) };
    for (let i = 0; i < 2; i++) await startScheduler({ ...p.h.hub, logger }, 60_000)();
    expect(logged.map(([msg]) => msg)).toEqual(['scheduler tick']);
    expect(logged[0]![1]).toMatchObject({ birthdays: 1, anniversaries: 0, failureDigests: 0 });
    expect((await birthdayEarns(ann)).map((t) => t.amount)).toEqual([100]);
  });

  it('is applied once when two hubs share the database and sweep at the same moment', async () => {
    const ann = await p.enroll('ann@example.com', { birthDate: '1985-03-15' });
    const bob = await p.enroll('bob@example.com', { birthDate: '1999-03-15' });
    const other = await createHub({ logger: silentLogger, connectors: [], program: p.h.hub.program, clock: p.clock, env: { DATABASE_URL: p.h.database.url, ADMIN_API_KEY: ADMIN_KEY } });
    try {
      p.clock.set(at('2026-03-15T14:00:00Z'));
      const [a, b] = await Promise.all([sweep(), runCelebrations(other, other.program)]);
      expect(a.birthdays + b.birthdays).toBe(2);
      await Promise.all([sweep(), runCelebrations(other, other.program)]);
    } finally {
      await other.close();
    }
    for (const m of [ann, bob]) {
      expect((await birthdayEarns(m)).map((t) => t.amount)).toEqual([100]);
      expect((await p.balance(m)).available).toBe(100);
    }
  });

  it('celebrates 29 February on 28 February in a common year, and on the day in a leap year', async () => {
    const leapling = await p.enroll('leap@example.com', { birthDate: '2000-02-29' });
    const feb28 = await p.enroll('feb28@example.com', { birthDate: '2001-02-28' });
    const days = async (from: string, n: number) => {
      for (let i = 0; i < n; i++) {
        p.clock.set(at(`${from}T17:00:00Z`) + i * DAY);
        await sweep();
      }
    };
    await days('2027-02-26', 4); // 26 Feb → 1 Mar 2027 (no 29th)
    expect((await birthdayEarns(leapling)).map((t) => t.eventId)).toEqual([`hub:birthday:${leapling}:2027`]);
    expect((await birthdayEarns(feb28)).map((t) => t.eventId)).toEqual([`hub:birthday:${feb28}:2027`]);
    const [earned] = (await p.loyaltyEvents('points.earned', leapling)).filter((e) => e.data.reason === 'birthday');
    // Earned on the 28th, New York time.
    expect(new Date(earned!.occurredAt).toISOString().slice(0, 10)).toBe('2027-02-28');

    await days('2028-02-27', 3); // 27, 28, 29 Feb 2028
    const leap2028 = (await p.loyaltyEvents('points.earned', leapling)).filter((e) => e.data.reason === 'birthday').at(-1)!;
    expect(new Date(leap2028.occurredAt).toISOString().slice(0, 10)).toBe('2028-02-29');
    expect((await birthdayEarns(leapling)).map((t) => t.eventId)).toEqual([`hub:birthday:${leapling}:2027`, `hub:birthday:${leapling}:2028`]);
    expect((await birthdayEarns(feb28)).map((t) => t.eventId)).toEqual([`hub:birthday:${feb28}:2027`, `hub:birthday:${feb28}:2028`]);
  });

  it(`catches up days the hub missed, at most ${CATCH_UP_DAYS} days late`, async () => {
    const tooLate = await p.enroll('late@example.com', { birthDate: '1970-03-12' });
    const missed = await p.enroll('missed@example.com', { birthDate: '1980-03-16' });
    const today = await p.enroll('today@example.com', { birthDate: '1980-03-20' });
    await sweep(); // 10 March: the sweep's first day
    p.clock.set(at('2026-03-20T15:00:00Z')); // down from the 11th to the 19th
    const work = await sweep();
    expect(work.birthdays).toBe(2);
    expect(await birthdayEarns(tooLate)).toEqual([]);
    expect((await birthdayEarns(missed)).map((t) => t.eventId)).toEqual([`hub:birthday:${missed}:2026`]);
    expect((await birthdayEarns(today)).map((t) => t.eventId)).toEqual([`hub:birthday:${today}:2026`]);
    // The missed day's earn belongs to its own day.
    const [late] = (await p.loyaltyEvents('points.earned', missed)).filter((e) => e.data.reason === 'birthday');
    expect(new Date(late!.occurredAt).toISOString().slice(0, 10)).toBe('2026-03-20');
    expect((await sweep()).birthdays).toBe(0);
  });

  it('skips erased and suspended members, and a member enrolled without a birth date', async () => {
    const erased = await p.enroll('gone@example.com', { birthDate: '1990-03-11' });
    const suspended = await p.enroll('held@example.com', { birthDate: '1990-03-11' });
    const undated = await p.enroll('undated@example.com');
    const active = await p.enroll('here@example.com', { birthDate: '1991-03-11' });
    expect((await p.h.call('DELETE', `/v1/members/${erased}`)).status).toBe(200);
    // Suspension is another part of issue 18: any status but `active` is not celebrated.
    const { members } = tablesOf(p.h.hub.store.db);
    await p.h.hub.commit('test', ({ tx }) => tx.update(tablesOf(tx).members).set({ status: 'suspended' }).where(eq(members.id, suspended)));
    p.clock.set(at('2026-03-11T15:00:00Z'));
    expect((await sweep()).birthdays).toBe(1);
    expect((await birthdayEarns(active)).length).toBe(1);
    for (const m of [erased, suspended, undated]) expect(await birthdayEarns(m)).toEqual([]);
  });
});

describe('anniversaries', () => {
  const p = programHarness(withAnniversary, at('2024-03-10T12:00:00Z'));
  const sweep = () => runCelebrations(p.h.hub, p.h.hub.program);
  const applied = async (memberId: string) => {
    const { appliedTriggers: a } = tablesOf(p.h.hub.store.db);
    return (await p.h.hub.store.db.select().from(a).where(eq(a.memberId, memberId))).filter((r) => r.type === 'activity');
  };

  it('emits `anniversary` on the local day of enrolment each later year, never in the year of enrolment; a rule the merchant adds awards it', async () => {
    // Enrolled 21:30 on 10 March 2024 in New York: 01:30 UTC on the 11th.
    p.clock.set(at('2024-03-11T01:30:00Z'));
    const two = await p.enroll('two@example.com');
    p.clock.set(at('2025-03-10T15:00:00Z'));
    const one = await p.enroll('one@example.com');
    p.clock.set(at('2026-03-10T15:00:00Z'));
    const fresh = await p.enroll('fresh@example.com');
    const work = await sweep();
    expect(work.anniversaries).toBe(2);
    await sweep();

    expect((await applied(two)).map((r) => [r.id, r.points])).toEqual([[`hub:anniversary:${two}:2026`, 350]]);
    expect((await applied(one)).map((r) => [r.id, r.points])).toEqual([[`hub:anniversary:${one}:2026`, 250]]);
    expect(await applied(fresh)).toEqual([]);
    const lines = (await p.history(two)).filter((t) => t.reason === 'anniversary');
    expect(lines.map((t) => [t.ruleId, t.amount])).toEqual([
      ['anniversary', 250],
      ['anniversary-loyal', 100],
    ]);
  });
});

describe('anniversaries under the shipped program', () => {
  const p = programHarness(newYork, at('2025-03-10T15:00:00Z'));

  it('are emitted but award nothing: the shipped program has no anniversary rule (SPEC §5)', async () => {
    const member = await p.enroll('one@example.com');
    p.clock.set(at('2026-03-10T15:00:00Z'));
    expect((await runCelebrations(p.h.hub, p.h.hub.program)).anniversaries).toBe(1);
    const { appliedTriggers: a } = tablesOf(p.h.hub.store.db);
    const [row] = await p.h.hub.store.db.select().from(a).where(eq(a.id, `hub:anniversary:${member}:2026`));
    expect(row).toMatchObject({ points: 0, outcome: 'no points: no rule of the program is on anniversary' });
    expect((await p.balance(member)).available).toBe(0);
  });
});
