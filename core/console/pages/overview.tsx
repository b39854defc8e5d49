/**
 * The overview (docs/console.md, "Overview"): the analytics summary (`GET /v1/analytics/summary`,
 * docs/api.md "Analytics") as cards and charts, over a date range the person picks. One API call
 * per page; the API reads its daily aggregates, so the page is as quick with a million members
 * as with ten (docs/BENCHMARKS.md (j), (l)). The range defaults to what the API defaults to — the
 * last 30 days in the program's time zone — and the form shows the range the API understood; an
 * invalid range is the API's refusal, shown in words with its 400.
 */
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DataTable, ProblemNotice, formatMoney, formatPoints } from '../components.js';
import type { ConsoleDeps, ConsoleEnv } from '../console-env.js';
import { renderPage } from '../layout.js';
import { ChartCanvas, membersOverTime, pointsOverTime, rewardsChart, splitChart, type AnalyticsSummary } from './overview-charts.js';

type Range = { from: string; to: string; groupBy: string };

const GROUPINGS = [
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week (from Monday)' },
  { value: 'month', label: 'Month' },
] as const;

/** How many rewards the popularity chart shows (the table lists every one the API answered). */
const TOP_REWARDS = 10;

/** A rate the API gives to 4 decimal places (0.1234) as a percentage with 2 ("12.34 %"). */
function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(2)} %`;
}

function RangeForm(props: { range: Range }) {
  const { range } = props;
  return (
    <form method="get" action="/console/overview" class="inline range-form" aria-label="Date range">
      <div>
        <label for="from">From</label>
        <input id="from" name="from" type="date" value={range.from} />
      </div>
      <div>
        <label for="to">To</label>
        <input id="to" name="to" type="date" value={range.to} />
      </div>
      <div>
        <label for="groupBy">Group by</label>
        <select id="groupBy" name="groupBy">
          {GROUPINGS.map((g) => (
            <option value={g.value} selected={g.value === range.groupBy}>
              {g.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Show</button>
      <a href="/console/overview">Last 30 days</a>
    </form>
  );
}

function Card(props: { label: string; value: string; note?: string }) {
  return (
    <div class="card">
      <div class="label">{props.label}</div>
      <div class="value">{props.value}</div>
      {props.note ? <div class="note">{props.note}</div> : null}
    </div>
  );
}

function HeadlineCards(props: { s: AnalyticsSummary }) {
  const { s } = props;
  const atDay = s.liability.at.slice(0, 10);
  return (
    <section aria-labelledby="h-liability">
      <h2 id="h-liability">Liability, rates and members</h2>
      <div class="cards">
        <Card label="Points owed" value={formatPoints(s.liability.points)} note={`on ${atDay}; ${formatPoints(s.liability.pending)} of them pending`} />
        {s.liability.value.map((v) => (
          <Card label={`Owed in ${v.currency}`} value={formatMoney(v.amount, v.currency, v.exponent)} note="at the program's point value" />
        ))}
        <Card label="Breakage rate" value={percent(s.rates.breakage)} note={`of ${formatPoints(s.rates.expiringDue)} points due to expire, the share that did`} />
        <Card label="Redemption rate" value={percent(s.rates.redemption)} note="points redeemed ÷ points issued" />
        <Card label="Active members" value={formatPoints(s.members.active)} note="earned or redeemed" />
        <Card label="New members" value={formatPoints(s.members.new)} note="enrolled" />
      </div>
      <div class="cards">
        <Card label="Issued" value={formatPoints(s.points.issued)} note={s.points.issuedPending ? `${formatPoints(s.points.issuedPending)} into pending` : undefined} />
        <Card label="Redeemed" value={formatPoints(s.points.redeemed)} />
        <Card label="Expired" value={formatPoints(s.points.expired)} />
        <Card label="Change in liability" value={`${s.points.net > 0 ? '+' : ''}${formatPoints(s.points.net)}`} note="after reversals and adjustments" />
      </div>
    </section>
  );
}

const DAY_MS = 86_400_000;
const dayAfter = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * A bucket's name, and its days when the range cut it short (a week from Wednesday): the API
 * names a week by its Monday and a month as 2026-03 (docs/api.md, "Analytics").
 */
function periodLabel(b: AnalyticsSummary['series'][number], groupBy: string): string {
  const start = groupBy === 'month' ? `${b.period}-01` : b.period;
  const end = groupBy === 'day' ? start : groupBy === 'week' ? dayAfter(start, 6) : dayAfter(`${dayAfter(`${b.period}-28`, 4).slice(0, 7)}-01`, -1);
  return b.from === start && b.to === end ? b.period : `${b.period} (${b.from} to ${b.to})`;
}

const num = (n: number) => <td class="num">{formatPoints(n)}</td>;

function OverTime(props: { s: AnalyticsSummary }) {
  const { s } = props;
  const unit = s.groupBy;
  return (
    <section aria-labelledby="h-time">
      <h2 id="h-time">Over time</h2>
      <div class="grid-2">
        <div class="panel">
          <h3>Points issued, redeemed and expired</h3>
          <ChartCanvas
            id="chart-points"
            config={pointsOverTime(s)}
            label={`Chart of points issued, redeemed and expired by ${unit}, ${s.from} to ${s.to}; the table "Each ${unit}" below has the same figures.`}
          />
        </div>
        <div class="panel">
          <h3>Active and new members</h3>
          <ChartCanvas
            id="chart-members"
            config={membersOverTime(s)}
            label={`Chart of active and new members by ${unit}, ${s.from} to ${s.to}; the table "Each ${unit}" below has the same figures.`}
          />
        </div>
      </div>
      <details class="series-table">
        <summary>{`Each ${unit} as a table`}</summary>
        <DataTable caption={`Each ${unit}`} headers={['Period', 'Issued', 'Redeemed', 'Expired', 'Change', 'Active members', 'New members']} rows={s.series.length}>
          {s.series.map((b) => (
            <tr>
              <th scope="row">{periodLabel(b, s.groupBy)}</th>
              {num(b.points.issued)}
              {num(b.points.redeemed)}
              {num(b.points.expired)}
              {num(b.points.net)}
              {num(b.members.active)}
              {num(b.members.new)}
            </tr>
          ))}
        </DataTable>
      </details>
    </section>
  );
}

function Split(props: { id: string; title: string; rows: { label: string; figures: AnalyticsSummary['points'] }[] }) {
  const { id, title, rows } = props;
  return (
    <div class="panel">
      <h3 id={`h-${id}`}>{title}</h3>
      {rows.length === 0 ? (
        <p class="empty">No points moved in this range.</p>
      ) : (
        <>
          <ChartCanvas id={`chart-${id}`} config={splitChart(rows)} label={`Chart of points issued, redeemed and expired ${title.toLowerCase()}; the table below has the same figures.`} />
          <DataTable caption={`Points ${title.toLowerCase()}`} headers={['', 'Issued', 'Redeemed', 'Expired', 'Change']} rows={rows.length}>
            {rows.map((r) => (
              <tr>
                <th scope="row">{r.label}</th>
                {num(r.figures.issued)}
                {num(r.figures.redeemed)}
                {num(r.figures.expired)}
                {num(r.figures.net)}
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </div>
  );
}

function Splits(props: { s: AnalyticsSummary }) {
  const { s } = props;
  const rows = <T extends AnalyticsSummary['points']>(list: T[], label: (r: T) => string) => list.map((r) => ({ label: label(r), figures: r }));
  return (
    <section aria-labelledby="h-splits">
      <h2 id="h-splits">By source, channel and tier</h2>
      <div class="grid-3">
        <Split id="source" title="By source" rows={rows(s.bySource, (r) => r.source)} />
        <Split id="channel" title="By channel" rows={rows(s.byChannel, (r) => r.channel)} />
        <Split id="tier" title="By tier" rows={rows(s.byTier, (r) => r.tier ?? 'no tier')} />
      </div>
    </section>
  );
}

function Rewards(props: { s: AnalyticsSummary }) {
  const { rewards } = props.s;
  return (
    <section aria-labelledby="h-rewards">
      <h2 id="h-rewards">Reward popularity</h2>
      {rewards.length === 0 ? (
        <p class="empty">No reward was redeemed in this range.</p>
      ) : (
        <div class="grid-2">
          <div class="panel">
            <ChartCanvas
              id="chart-rewards"
              config={rewardsChart(rewards, TOP_REWARDS)}
              label={`Chart of redemptions of the ${Math.min(TOP_REWARDS, rewards.length)} most redeemed rewards; the table beside it has the same figures.`}
            />
          </div>
          <DataTable caption="Rewards redeemed in this range, most redeemed first" headers={['Reward', 'Redemptions', 'Points']} rows={rewards.length}>
            {rewards.map((r) => (
              <tr>
                <th scope="row">{r.name ?? r.rewardId}</th>
                {num(r.redemptions)}
                {num(r.points)}
              </tr>
            ))}
          </DataTable>
        </div>
      )}
    </section>
  );
}

export function overviewPage(_deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/', async (c) => {
    const asked: Range = { from: c.req.query('from') ?? '', to: c.req.query('to') ?? '', groupBy: c.req.query('groupBy') ?? '' };
    const answer = await c.get('api').get<AnalyticsSummary>('/analytics/summary', asked);
    if (!answer.ok) {
      // The person's own values stay in the form beside the API's reason (docs/console.md).
      c.status(answer.status as ContentfulStatusCode);
      return renderPage(
        c,
        { title: 'Overview', section: '/console/overview' },
        <div class="overview">
          <RangeForm range={{ ...asked, groupBy: asked.groupBy || 'day' }} />
          <ProblemNotice problem={answer.problem} />
        </div>,
      );
    }
    const s = answer.data;
    return renderPage(
      c,
      { title: 'Overview', section: '/console/overview', scripts: ['chart.js'] },
      <div class="overview">
        <RangeForm range={{ from: s.from, to: s.to, groupBy: s.groupBy }} />
        <p class="help range-said">
          {`${s.from} to ${s.to}, whole days in the program's time zone (${s.timeZone}), by ${s.groupBy}.`}
        </p>
        <HeadlineCards s={s} />
        <OverTime s={s} />
        <Splits s={s} />
        <Rewards s={s} />
      </div>,
    );
  });

  return app;
}
