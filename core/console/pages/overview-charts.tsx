/**
 * The overview's charts (docs/console.md, "Overview"): Chart.js configurations built from the
 * analytics summary the API answered, and the canvas that carries one. The configuration travels
 * as JSON in a `<script type="application/json">` beside its canvas and `assets/console.js` draws
 * it — the console's policy allows no inline code. Each chart has a text equivalent next to it
 * (a table); the canvas itself is an image with a one-sentence label.
 */
import type { summarize } from '../../analytics/summary.js';

export type AnalyticsSummary = Awaited<ReturnType<typeof summarize>>;
type Figures = AnalyticsSummary['points'];

/** What a chart is drawn from: plain JSON, no functions (it is parsed by the browser). */
export interface ChartConfig {
  type: 'line' | 'bar';
  data: { labels: string[]; datasets: Record<string, unknown>[] };
  options?: Record<string, unknown>;
}

/**
 * One colour and one shape per figure, the same in every chart, so issued is always blue
 * circles; the legend names each, so no figure is told by colour alone.
 */
const LOOK = {
  issued: { color: '#2455c3', pointStyle: 'circle' },
  redeemed: { color: '#17784a', pointStyle: 'rect' },
  expired: { color: '#b3261e', pointStyle: 'triangle', borderDash: [6, 4] },
  active: { color: '#2455c3', pointStyle: 'circle' },
  new: { color: '#c77c02', pointStyle: 'rect' },
} as const;

function dataset(label: string, look: (typeof LOOK)[keyof typeof LOOK], data: number[], type: ChartConfig['type']) {
  return {
    label,
    data,
    borderColor: look.color,
    backgroundColor: type === 'line' ? look.color : `${look.color}cc`,
    pointStyle: look.pointStyle,
    pointRadius: type === 'line' && data.length > 60 ? 0 : 3,
    borderWidth: 2,
    // One reward or one source would otherwise be a bar as wide as the chart.
    maxBarThickness: 48,
    ...('borderDash' in look ? { borderDash: look.borderDash } : {}),
  };
}

/** Points and members are whole numbers: no 0.4 of a member on an axis. */
const countAxis = (title: string) => ({ y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: title } } });
const legend = { legend: { position: 'bottom', labels: { usePointStyle: true } } };

/** Few buckets read better as bars; a long series as lines. */
const seriesType = (buckets: number): ChartConfig['type'] => (buckets < 8 ? 'bar' : 'line');

/** Points issued, redeemed and expired in each period of the series. */
export function pointsOverTime(s: AnalyticsSummary): ChartConfig {
  const type = seriesType(s.series.length);
  const of = (pick: (f: Figures) => number) => s.series.map((b) => pick(b.points));
  return {
    type,
    data: {
      labels: s.series.map((b) => b.period),
      datasets: [
        dataset('Issued', LOOK.issued, of((f) => f.issued), type),
        dataset('Redeemed', LOOK.redeemed, of((f) => f.redeemed), type),
        dataset('Expired', LOOK.expired, of((f) => f.expired), type),
      ],
    },
    options: { interaction: { mode: 'index', intersect: false }, scales: countAxis('Points'), plugins: legend },
  };
}

/** Active and new members in each period of the series. */
export function membersOverTime(s: AnalyticsSummary): ChartConfig {
  return {
    type: 'bar',
    data: {
      labels: s.series.map((b) => b.period),
      datasets: [
        dataset('Active', LOOK.active, s.series.map((b) => b.members.active), 'bar'),
        dataset('New', LOOK.new, s.series.map((b) => b.members.new), 'bar'),
      ],
    },
    options: { interaction: { mode: 'index', intersect: false }, scales: countAxis('Members'), plugins: legend },
  };
}

/** Issued, redeemed and expired per source, channel or tier (the API's order: largest issuer first). */
export function splitChart(rows: { label: string; figures: Figures }[]): ChartConfig {
  return {
    type: 'bar',
    data: {
      labels: rows.map((r) => r.label),
      datasets: [
        dataset('Issued', LOOK.issued, rows.map((r) => r.figures.issued), 'bar'),
        dataset('Redeemed', LOOK.redeemed, rows.map((r) => r.figures.redeemed), 'bar'),
        dataset('Expired', LOOK.expired, rows.map((r) => r.figures.expired), 'bar'),
      ],
    },
    options: { interaction: { mode: 'index', intersect: false }, scales: countAxis('Points'), plugins: legend },
  };
}

/** The most redeemed rewards (at most `top`), as horizontal bars. */
export function rewardsChart(rewards: AnalyticsSummary['rewards'], top: number): ChartConfig {
  const shown = rewards.slice(0, top);
  return {
    type: 'bar',
    data: {
      labels: shown.map((r) => r.name ?? r.rewardId),
      datasets: [dataset('Redemptions', LOOK.issued, shown.map((r) => r.redemptions), 'bar')],
    },
    options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Redemptions' } } }, plugins: { legend: { display: false } } },
  };
}

/**
 * JSON that is safe inside a `<script>` element: `<`, `>` and `&` escaped, so a reward named
 * `</script>…` stays data.
 */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** A canvas `assets/console.js` draws `config` on; `label` says in one sentence what it shows. */
export function ChartCanvas(props: { id: string; label: string; config: ChartConfig }) {
  return (
    <div class="chart-box">
      <canvas data-chart={props.id} role="img" aria-label={props.label}>
        {props.label}
      </canvas>
      <script type="application/json" id={props.id} dangerouslySetInnerHTML={{ __html: scriptJson(props.config) }}></script>
    </div>
  );
}
