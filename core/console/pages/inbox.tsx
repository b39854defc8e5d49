/**
 * The inbox (docs/console.md, "Inbox"): received webhooks by platform and status, webhooks
 * refused for their signature with the reason, and one delivery's page — its raw payload, the
 * trigger events it became, what came of each and why no points in plain words — with replay
 * for an admin. Everything comes from the API (`/v1/inbox…`, docs/api.md, "Inbox"), which any
 * key reads — support answers "why no points?" with a read key — and which gives the raw payload
 * to an admin key only: it carries addresses and more than the member's profile.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Problem } from '../../api/problem.js';
import { ActionForm, DataTable, Pager, ProblemNotice, formatPoints, formatTime } from '../components.js';
import type { ConsoleDeps, ConsoleEnv } from '../console-env.js';
import { sendForm } from '../forms.js';
import { leaveNotice, renderPage } from '../layout.js';

const STATUSES = ['accepted', 'ignored', 'rejected', 'failed', 'processing'] as const;

interface Entry {
  id: string;
  source: string;
  deliveryId: string;
  topic: string | null;
  status: string;
  receivedAt: string;
  processedAt: string | null;
  events: Record<string, unknown>[] | null;
  outcome: unknown;
  rawBody: string | null;
  erasedAt: string | null;
}

interface SignatureFailure {
  platform: string;
  lastReason: string | null;
  lastFailureAt: string;
  unalertedCount: number;
  unalertedSince: string | null;
  lastAlertAt: string | null;
}

interface Trace {
  on: string;
  tier: string | null;
  total: number;
  lines: { ruleId: string; points: number; uncapped: number; cappedBy: string[]; explanation: string; activatesAt: string; expiresAt: string | null }[];
  skipped: { ruleId: string; reason: string }[];
  limited: { limit: string; requested: number; awarded: number }[];
  held: { reason: string; until: string } | null;
  suspended: boolean;
}

interface EventExplanation {
  eventId: string;
  type: string;
  status: string | null;
  memberId: string | null;
  points: number;
  summary: string[];
  trace: Trace | null;
  traceFrom: 'delivery' | 'now' | null;
  ledger: { transferId: string; kind: string; amount: number; ruleId: string | null; pending: boolean; reason: string | null; at: string }[];
}

interface Explanation {
  summary: string;
  events: EventExplanation[];
}

/** Status is said in words; the colour only repeats it (docs/console.md). */
const STATUS_CLASS: Record<string, string> = { accepted: 'ok', applied: 'ok', ignored: '', duplicate: '', rejected: 'bad', failed: 'warn', processing: 'warn', guest: 'warn', parked: 'warn' };

function Status(props: { status: string }) {
  return <span class={`status ${STATUS_CLASS[props.status] ?? ''}`}>{props.status}</span>;
}

/** A delivery's outcome in a few words, for the list: points, or the reason nothing was written. */
function outcomeInWords(e: Entry): string {
  const o = e.outcome as Record<string, unknown> | Record<string, unknown>[] | null;
  if (Array.isArray(o)) {
    if (o.some((x) => x.status === 'guest')) return 'guest order: waits for its e-mail to enroll';
    // A duplicate's detail is the first application's outcome ("applied"): said of this
    // delivery, it would read as if the order had earned again.
    const fresh = o.filter((x) => x.status !== 'duplicate');
    if (o.length > 0 && fresh.length === 0) return 'already applied before';
    const points = fresh.reduce((n, x) => n + Number(x.points ?? 0), 0);
    if (points !== 0) return `${formatPoints(points)} points`;
    const why = fresh.find((x) => typeof x.detail === 'string')?.detail as string | undefined;
    return why ?? 'no points';
  }
  if (o && typeof o === 'object') return String(o.detail ?? o.reason ?? o.error ?? '');
  return e.status === 'processing' ? 'being processed' : '';
}

const entryHref = (id: string) => `/console/inbox/${encodeURIComponent(id)}`;

interface Filter {
  source?: string;
  status?: string;
  /** Rows per page (the API's `limit`, 50 by default). */
  limit?: string;
}

function listHref(filter: Filter, cursor?: string): string {
  const q = new URLSearchParams();
  if (filter.source) q.set('source', filter.source);
  if (filter.status) q.set('status', filter.status);
  if (filter.limit) q.set('limit', filter.limit);
  if (cursor) q.set('cursor', cursor);
  const s = q.toString();
  return `/console/inbox${s ? `?${s}` : ''}`;
}

function InboxList(props: { entries: Entry[]; nextCursor: string | null; filter: Filter }) {
  return (
    <div id="inbox-list">
      <DataTable
        caption="Received webhooks, newest first"
        headers={['Received', 'Platform', 'Topic', 'Status', 'Outcome', '']}
        rows={props.entries.length}
        empty="No received webhook matches."
      >
        {props.entries.map((e) => (
          <tr>
            <td>{formatTime(e.receivedAt)}</td>
            <td>{e.source}</td>
            <td>{e.topic ?? '—'}</td>
            <td>
              <Status status={e.status} />
            </td>
            <td class="inbox-outcome">{outcomeInWords(e)}</td>
            <td>
              <a href={entryHref(e.id)} aria-label={`Open delivery ${e.id}`}>
                Open
              </a>
            </td>
          </tr>
        ))}
      </DataTable>
      <Pager nextCursor={props.nextCursor} href={(cursor) => listHref(props.filter, cursor)} />
    </div>
  );
}

function FilterForm(props: { filter: Filter }) {
  return (
    <form method="get" action="/console/inbox" class="inline" role="search" aria-label="Filter received webhooks" hx-get="/console/inbox" hx-target="#inbox-list" hx-swap="outerHTML" hx-push-url="true" hx-trigger="change, submit">
      <div>
        <label for="inbox-source">Platform</label>
        <input id="inbox-source" name="source" value={props.filter.source ?? ''} placeholder="e.g. shopify" maxlength={40} />
      </div>
      <div>
        <label for="inbox-status">Status</label>
        <select id="inbox-status" name="status">
          <option value="">Any</option>
          {STATUSES.map((s) => (
            <option value={s} selected={props.filter.status === s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {props.filter.limit ? <input type="hidden" name="limit" value={props.filter.limit} /> : null}
      <button type="submit">Filter</button>
    </form>
  );
}

function SignatureFailures(props: { rows: SignatureFailure[] }) {
  return (
    <section aria-labelledby="refused">
      <h2 id="refused">Refused for their signature</h2>
      <p class="help">A webhook whose signature is missing, wrong or stale is refused (401) and not stored: the hub keeps the last reason per platform and alerts at most once every 15 minutes (<code>webhook.rejected</code>).</p>
      <DataTable caption="Signature failures by platform" headers={['Platform', 'Last refused', 'Reason', 'Not yet alerted', 'Last alert']} rows={props.rows.length} empty="No webhook has been refused for its signature.">
        {props.rows.map((r) => (
          <tr>
            <td>{r.platform}</td>
            <td>{formatTime(r.lastFailureAt)}</td>
            <td class="inbox-reason">{r.lastReason ?? '—'}</td>
            <td class="num">{r.unalertedCount > 0 ? `${r.unalertedCount} since ${formatTime(r.unalertedSince)}` : '0'}</td>
            <td>{formatTime(r.lastAlertAt)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

/** The raw body as it came, indented when it is JSON (JSX escapes it: it is shown, never run). */
function prettyBody(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

function TraceView(props: { trace: Trace; evaluatedNow: boolean }) {
  const t = props.trace;
  const asOf = props.evaluatedNow ? ' — evaluated now' : '';
  return (
    <div class="inbox-trace">
      {t.lines.length ? (
        <DataTable caption={`Rules that applied (${t.on})${asOf}`} headers={['Rule', 'Points', 'Before caps', 'How']} rows={t.lines.length}>
          {t.lines.map((l) => (
            <tr>
              <td>{l.ruleId}</td>
              <td class="num">{formatPoints(l.points)}</td>
              <td class="num">{formatPoints(l.uncapped)}</td>
              <td>
                {l.explanation}
                {l.cappedBy.length ? ` — capped by ${l.cappedBy.join(', ')}` : ''}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p>No rule of the program applied to this {t.on}.</p>
      )}
      {t.skipped.length ? (
        <>
          <h4>Rules that did not apply</h4>
          <ul>
            {t.skipped.map((s) => (
              <li>
                <strong>{s.ruleId}</strong>: {s.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {t.limited.length ? (
        <>
          <h4>Caps and limits</h4>
          <ul>
            {t.limited.map((l) => (
              <li>
                {l.limit}: {formatPoints(l.requested)} asked, {formatPoints(l.awarded)} given
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {t.held ? (
        <p>
          <span class="status warn">held</span> for review until {formatTime(t.held.until)}: {t.held.reason}
        </p>
      ) : null}
      <p class="help">Evaluated as tier {t.tier ?? 'none'}; total {formatPoints(t.total)} points.</p>
    </div>
  );
}

function EventView(props: { e: EventExplanation; index: number }) {
  const { e } = props;
  return (
    <section class="panel inbox-event" aria-labelledby={`event-${props.index}`}>
      <h3 id={`event-${props.index}`}>
        {e.type} <code>{e.eventId}</code> {e.status ? <Status status={e.status} /> : null}
      </h3>
      <div class="inbox-why">
        {e.summary.map((s) => (
          <p>{s}</p>
        ))}
      </div>
      {e.memberId ? (
        <p>
          Member: <a href={`/console/members/${encodeURIComponent(e.memberId)}`}>{e.memberId}</a>
        </p>
      ) : null}
      {e.trace ? <TraceView trace={e.trace} evaluatedNow={e.traceFrom === 'now'} /> : null}
      <DataTable caption="Points written for this event" headers={['When', 'Kind', 'Points', 'Rule', 'State']} rows={e.ledger.length} empty="No ledger line was written for this event.">
        {e.ledger.map((l) => (
          <tr>
            <td>{formatTime(l.at)}</td>
            <td>{l.kind}</td>
            <td class="num">{formatPoints(l.amount)}</td>
            <td>{l.ruleId ?? l.reason ?? '—'}</td>
            <td>{l.pending ? 'pending' : 'posted'}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function DeliveryView(props: { entry: Entry; explanation: Explanation | null; explanationProblem?: Problem; canReplay: boolean; csrfToken: string; replayProblem?: Problem }) {
  const { entry } = props;
  return (
    <>
      <p>
        <a href="/console/inbox">← Inbox</a>
      </p>
      {/* A replay refused to a key without the replay form (posted by hand): the API's reason, on top. */}
      {props.replayProblem && !props.canReplay ? <ProblemNotice problem={props.replayProblem} /> : null}
      <dl class="facts panel">
        <dt>Platform</dt>
        <dd>{entry.source}</dd>
        <dt>Topic</dt>
        <dd>{entry.topic ?? '—'}</dd>
        <dt>Status</dt>
        <dd>
          <Status status={entry.status} />
        </dd>
        <dt>Delivery id</dt>
        <dd>
          <code>{entry.deliveryId}</code>
        </dd>
        <dt>Received</dt>
        <dd>{formatTime(entry.receivedAt)}</dd>
        <dt>Processed</dt>
        <dd>{formatTime(entry.processedAt)}</dd>
      </dl>

      <h2>Outcome — why (no) points</h2>
      {props.explanationProblem ? <ProblemNotice problem={props.explanationProblem} /> : null}
      {props.explanation ? (
        <>
          <p class="inbox-summary">{props.explanation.summary}</p>
          {props.explanation.events.map((e, i) => (
            <EventView e={e} index={i} />
          ))}
        </>
      ) : null}

      {props.canReplay ? (
        <section aria-labelledby="replay">
          <h2 id="replay">Replay</h2>
          <p class="help">Runs the stored body again with the connector and the program as they are now (after a fix, say). Nothing earns twice: what was applied before is reported as already applied.</p>
          {props.replayProblem ? <ProblemNotice problem={props.replayProblem} /> : null}
          <ActionForm action={`${entryHref(entry.id)}/replay`} csrfToken={props.csrfToken} label="Replay this delivery">
            <button type="submit">Replay</button>
          </ActionForm>
        </section>
      ) : null}

      <h2>Normalized events</h2>
      {entry.events?.length ? <pre class="inbox-json">{JSON.stringify(entry.events, null, 2)}</pre> : <p class="empty">None: the delivery became no trigger event.</p>}

      <h2>Raw payload</h2>
      {entry.erasedAt ? (
        <p class="empty">Erased on {formatTime(entry.erasedAt)} with the person it was about.</p>
      ) : entry.rawBody !== null ? (
        <pre class="inbox-json" tabindex={0} aria-label="Raw payload">
          {prettyBody(entry.rawBody)}
        </pre>
      ) : (
        <p class="empty">Shown to admin keys only: a platform's payload carries the customer's addresses and more than their profile.</p>
      )}
    </>
  );
}

async function deliveryPage(c: Context<ConsoleEnv>, id: string, replayProblem?: Problem, status: 200 | 400 | 403 | 404 | 409 | 422 | 503 = 200) {
  const api = c.get('api');
  const path = `/inbox/${encodeURIComponent(id)}`;
  const [entry, explanation] = await Promise.all([api.get<Entry>(path), api.get<Explanation>(`${path}/explanation`)]);
  if (!entry.ok) {
    c.status((replayProblem ? status : entry.status) as 403);
    return renderPage(c, { title: 'Received webhook', section: '/console/inbox' }, <>{replayProblem ? <ProblemNotice problem={replayProblem} /> : null}<ProblemNotice problem={entry.problem} /></>);
  }
  c.status(status);
  return renderPage(
    c,
    { title: `Received webhook: ${entry.data.source} ${entry.data.topic ?? ''}`.trim(), section: '/console/inbox' },
    <DeliveryView
      entry={entry.data}
      explanation={explanation.ok ? explanation.data : null}
      explanationProblem={explanation.ok ? undefined : explanation.problem}
      canReplay={c.get('can')('admin')}
      csrfToken={c.get('session').csrfToken}
      replayProblem={replayProblem}
    />,
  );
}

export function inboxPage(_deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/', async (c) => {
    const source = c.req.query('source')?.trim() || undefined;
    const statusQuery = c.req.query('status');
    const status = STATUSES.find((s) => s === statusQuery);
    const filter: Filter = { source, status, limit: c.req.query('limit') || undefined };
    const api = c.get('api');
    // The filter form's in-place request wants the list alone (its hx-target); a history restore wants the page.
    const fragment = c.req.header('hx-target') === 'inbox-list';
    const [list, failures] = await Promise.all([
      api.get<{ data: Entry[]; nextCursor: string | null }>('/inbox', { source, status, cursor: c.req.query('cursor'), limit: filter.limit ?? 50 }),
      fragment ? undefined : api.get<{ data: SignatureFailure[] }>('/inbox/signature-failures'),
    ]);
    if (!list.ok) c.status(list.status as 400);
    const listView = list.ok ? <InboxList entries={list.data.data} nextCursor={list.data.nextCursor} filter={filter} /> : <div id="inbox-list"><ProblemNotice problem={list.problem} /></div>;
    if (fragment) return c.html(listView);
    return renderPage(
      c,
      { title: 'Inbox', section: '/console/inbox' },
      <>
        <h2>Received webhooks</h2>
        {list.ok ? <FilterForm filter={filter} /> : null}
        {listView}
        {failures?.ok ? <SignatureFailures rows={failures.data.data} /> : null}
      </>,
    );
  });

  app.get('/:id', (c) => deliveryPage(c, c.req.param('id')));

  app.post('/:id/replay', async (c) => {
    const id = c.req.param('id');
    const answer = await sendForm<{ status: string; pointsWritten: number; detail?: string }>(c, 'POST', `/inbox/${encodeURIComponent(id)}/replay`);
    if (!answer.ok) return deliveryPage(c, id, answer.problem, answer.status as 403);
    const { status, pointsWritten, detail } = answer.data;
    const what = status === 'duplicate' ? 'already applied before, nothing written again' : `${formatPoints(pointsWritten)} points written`;
    leaveNotice(c, `Replayed: ${status}, ${what}${detail ? ` — ${detail}` : ''}.`);
    return c.redirect(entryHref(id), 303);
  });

  return app;
}
