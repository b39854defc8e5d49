/** `GET /v1/analytics/summary` (docs/api.md, "Analytics"): figures read from the ledger's daily aggregates. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { localDay } from '../../analytics/local-day.js';
import { dayOfDate, summarize, type GroupBy } from '../../analytics/summary.js';
import { DAY_MS } from '../../program/calendar.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import type { FieldError } from '../problem.js';
import { errorResponses } from '../schemas.js';
import { invalidFields, validationHook } from '../validation.js';

/** The longest range each grouping answers (docs/api.md, "Analytics"): at most ~730 buckets. */
export const MAX_DAYS: Record<GroupBy, number> = { day: 732, week: 1827 * 2, month: 3653 * 2 };
const DEFAULT_DAYS = 30;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const Figures = z.object({
  issued: z.number().int().openapi({ description: 'Points earned (into available or pending).' }),
  issuedPending: z.number().int().openapi({ description: 'The part of `issued` that was earned into pending points.' }),
  redeemed: z.number().int().openapi({ description: 'Points spent: redemptions and captured checkout holds.' }),
  expired: z.number().int(),
  reversed: z.object({ earned: z.number().int().openapi({ description: 'Issued points taken back (refunds, fraud rejections).' }), redeemed: z.number().int().openapi({ description: 'Redeemed points given back (a reversed redemption).' }) }),
  adjusted: z.object({ credit: z.number().int(), debit: z.number().int() }),
  net: z.number().int().openapi({ description: 'issued − redeemed − expired − reversed.earned + reversed.redeemed + adjusted.credit − adjusted.debit: the change in liability.' }),
});

const Summary = z
  .object({
    from: z.string().openapi({ example: '2026-01-01' }),
    to: z.string().openapi({ example: '2026-01-31' }),
    groupBy: z.enum(['day', 'week', 'month']),
    timeZone: z.string(),
    points: Figures,
    liability: z.object({
      at: z.string().openapi({ description: 'The instant the liability is measured at: the end of `to`, or now if sooner.' }),
      points: z.number().int().openapi({ description: 'Points owed: every member\'s available + pending + held by a checkout lock.' }),
      pending: z.number().int(),
      value: z.array(z.object({ currency: z.string(), amount: z.number().int().openapi({ description: 'Minor units, rounded down.' }), exponent: z.number().int() })),
    }),
    rates: z.object({
      breakage: z.number().nullable().openapi({ description: 'expired ÷ expiringDue; null when nothing was due.' }),
      expiringDue: z.number().int().openapi({ description: 'Points issued (at any time) into lots whose expiry date falls in the range.' }),
      redemption: z.number().nullable().openapi({ description: 'redeemed ÷ issued; null when nothing was issued.' }),
    }),
    members: z.object({ active: z.number().int(), new: z.number().int() }),
    bySource: z.array(Figures.extend({ source: z.string() })),
    byChannel: z.array(Figures.extend({ channel: z.string() })),
    byTier: z.array(Figures.extend({ tier: z.string().nullable() })),
    series: z.array(z.object({ period: z.string(), from: z.string(), to: z.string(), points: Figures, members: z.object({ active: z.number().int(), new: z.number().int() }) })),
    rewards: z.array(z.object({ rewardId: z.string(), name: z.string().nullable(), redemptions: z.number().int(), points: z.number().int() })),
  })
  .openapi('AnalyticsSummary');

const summary = createRoute({
  method: 'get',
  path: '/analytics/summary',
  tags: ['Analytics'],
  summary: 'Points issued, redeemed, expired; liability; rates; members; splits; a series; reward popularity',
  middleware: [requireScope('read')] as const,
  request: {
    query: z.object({
      from: z.string().max(40).optional().openapi({ description: 'First day, included: a date, or a date-time (its day in the program\'s time zone). Default: 29 days before `to`.', example: '2026-01-01' }),
      to: z.string().max(40).optional().openapi({ description: 'Last day, included. Default: today.', example: '2026-01-31' }),
      groupBy: z.enum(['day', 'week', 'month']).default('day'),
    }),
  },
  responses: { 200: { content: { 'application/json': { schema: Summary } }, description: 'The summary' }, ...errorResponses(400) },
});

/** A query date or date-time as the local day it names, or the reason it names none. */
function parseDay(value: string, timeZone: string): number | string {
  const date = DATE.exec(value);
  if (date) {
    const day = dayOfDate(value);
    // 2026-02-30 parses as a day number but is not that date.
    if (new Date(day * DAY_MS).toISOString().slice(0, 10) !== value || Number(date[1]) < 1970) return 'is not a date from 1970 on';
    return day;
  }
  if (DATE_TIME.test(value)) {
    const at = Date.parse(value);
    if (Number.isFinite(at) && at >= 0) return localDay(at, timeZone);
  }
  return 'must be a date (2026-01-31) or a date-time with its offset (2026-01-31T12:00:00Z)';
}

export function analyticsRoutes({ store, program, clock }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(summary, async (c) => {
    const query = c.req.valid('query');
    const now = clock();
    const tz = program.timeZone;
    const errors: FieldError[] = [];
    const read = (name: 'from' | 'to', fallback: () => number) => {
      const raw = query[name];
      if (raw === undefined) return fallback();
      const day = parseDay(raw, tz);
      if (typeof day === 'string') errors.push({ pointer: `/${name}`, in: 'query', message: day });
      return typeof day === 'number' ? day : 0;
    };
    const to = read('to', () => localDay(now, tz));
    const from = read('from', () => to - (DEFAULT_DAYS - 1));
    if (!errors.length && from > to) errors.push({ pointer: '/from', in: 'query', message: `must not be after to (${query.to ?? 'today'})` });
    const limit = MAX_DAYS[query.groupBy];
    if (!errors.length && to - from + 1 > limit) {
      errors.push({ pointer: '/to', in: 'query', message: `the range is ${to - from + 1} days; groupBy=${query.groupBy} answers at most ${limit} days` });
    }
    if (errors.length) throw invalidFields(...errors);
    return c.json(await summarize(store.db, program, { from, to, groupBy: query.groupBy }, now), 200);
  });

  return app;
}
