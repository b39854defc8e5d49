/**
 * Deliveries (docs/console.md, "Deliveries"): the outbox's messages to adapters — e-mail, Slack,
 * signed webhooks… — by state, each with its attempts, a dead one sent again by an admin; and
 * connector health. Everything comes from the API as the signed-in key: `GET /v1/deliveries`,
 * `GET /v1/deliveries/{id}`, `POST /v1/deliveries/{id}/retry` and `GET /v1/connectors`
 * (docs/api.md, "Deliveries" and "Connectors").
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Problem } from '../../api/problem.js';
import { ActionForm, DataTable, Pager, ProblemNotice, formatTime } from '../components.js';
import type { ConsoleDeps, ConsoleEnv } from '../console-env.js';
import { sendForm } from '../forms.js';
import { leaveNotice, renderPage } from '../layout.js';

/** The states `GET /v1/deliveries?status=` takes, in the order a person filters by them. */
const STATES = ['pending', 'delivered', 'dead', 'skipped'] as const;
/** Only these are sent again (the API's rule; it refuses the others with 409). */
const RETRYABLE = new Set(['dead', 'skipped']);
/** A pending delivery's page re-reads itself this often, so a retried one is seen delivered. */
const REFRESH = 'every 2s';

interface Attempt {
  attempt: number;
  outcome: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  at: string;
}

interface Delivery {
  id: string;
  eventId: string;
  route: string;
  adapter: string;
  memberId: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  history?: Attempt[];
}

interface Connector {
  name: string;
  title: string;
  directions: string[];
  enabled: boolean;
  missing: string[];
  inboundMissing: string[];
  lastReceived: { at: string; status: string; topic: string | null } | null;
  lastSent: { at: string; deliveryId: string } | null;
  lastFailed: { at: string; deliveryId: string; statusCode: number | null } | null;
  signatureFailures: { lastDay: number; lastAt: string | null; lastReason: string | null };
}

const path = (id: string) => `/console/deliveries/${encodeURIComponent(id)}`;

/** A state as a word (never colour alone), tinted by how it went. */
function State(props: { status: string }) {
  const tone = props.status === 'delivered' ? 'ok' : props.status === 'dead' ? 'bad' : props.status === 'pending' ? 'warn' : '';
  return <span class={`status ${tone}`}>{props.status}</span>;
}

function SubNav(props: { current?: 'list' | 'connectors' }) {
  return (
    <nav class="subnav" aria-label="Deliveries section">
      <a href="/console/deliveries" aria-current={props.current === 'list' ? 'page' : undefined}>
        Outbound deliveries
      </a>
      <a href="/console/deliveries/connectors" aria-current={props.current === 'connectors' ? 'page' : undefined}>
        Connector health
      </a>
    </nav>
  );
}

function Answer(props: { code: number | null; error: string | null }) {
  if (props.code === null && !props.error) return <>—</>;
  return (
    <>
      {props.code !== null ? <code>{props.code}</code> : null}
      {props.code !== null && props.error ? ' ' : null}
      {props.error ? <span class="error-text">{props.error}</span> : null}
    </>
  );
}

function DeliveryList(props: { status: string; page?: { data: Delivery[]; nextCursor: string | null }; problem?: Problem }) {
  const { status, page } = props;
  const caption = status ? `Deliveries ${status}, newest first` : 'All deliveries, newest first';
  return (
    <div id="delivery-list">
      {props.problem ? <ProblemNotice problem={props.problem} /> : null}
      {page ? (
        <>
          <DataTable
            caption={caption}
            headers={['Delivery', 'Adapter', 'Route', 'State', 'Attempts', 'Last answer', 'Next attempt', 'Created']}
            rows={page.data.length}
            empty={status ? `No ${status} deliveries.` : 'No deliveries yet: messages appear here when a mapping or a webhook endpoint asks for one.'}
          >
            {page.data.map((d) => (
              <tr>
                <td>
                  <a href={path(d.id)}>
                    <code>{d.id}</code>
                  </a>
                </td>
                <td>{d.adapter}</td>
                <td>
                  <code>{d.route}</code>
                </td>
                <td>
                  <State status={d.status} />
                </td>
                <td class="num">{d.attempts}</td>
                <td>
                  <Answer code={d.lastStatusCode} error={d.lastError} />
                </td>
                <td>{formatTime(d.nextAttemptAt)}</td>
                <td>{formatTime(d.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
          <Pager nextCursor={page.nextCursor} href={(cursor) => `/console/deliveries?${new URLSearchParams(status ? { status, cursor } : { cursor }).toString()}`} />
        </>
      ) : null}
    </div>
  );
}

function Filter(props: { status: string }) {
  return (
    <form class="inline filter" method="get" action="/console/deliveries" hx-get="/console/deliveries" hx-target="#delivery-list" hx-swap="outerHTML" hx-push-url="true" hx-trigger="change, submit">
      <div>
        <label for="status">State</label>
        <select id="status" name="status">
          <option value="" selected={props.status === ''}>
            All
          </option>
          {STATES.map((s) => (
            <option value={s} selected={props.status === s}>
              {s[0]!.toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="secondary">
        Show
      </button>
    </form>
  );
}

/** What an attempt's outcome (core/outbound/adapter.ts, SendOutcome) meant, in words. */
function outcomeWords(outcome: string, lastOfDead: boolean): string {
  if (outcome === 'retry') return lastOfDead ? 'failed, no retries left' : 'failed, tried again later';
  if (outcome === 'permanent') return 'refused for good';
  if (outcome === 'deferred') return 'put off (not counted)';
  return outcome;
}

/**
 * One delivery: what it is, every attempt, and — for an admin, once it is dead or skipped — the
 * retry. While it is pending it re-reads itself (htmx), so a retried delivery is seen delivered.
 */
function DeliveryDetail(props: { delivery: Delivery; canRetry: boolean; csrfToken: string; problem?: Problem }) {
  const d = props.delivery;
  const history = d.history ?? [];
  const polling = d.status === 'pending' ? { 'hx-get': path(d.id), 'hx-trigger': REFRESH, 'hx-swap': 'outerHTML' } : {};
  return (
    <section id="delivery-detail" aria-labelledby="delivery-facts" {...polling}>
      {props.problem ? <ProblemNotice problem={props.problem} /> : null}
      <div class="panel">
        <h2 id="delivery-facts">Delivery</h2>
        <dl class="facts">
          <dt>Id</dt>
          <dd>
            <code>{d.id}</code> (the idempotency key every attempt carries)
          </dd>
          <dt>State</dt>
          <dd aria-live="polite">
            <State status={d.status} />
          </dd>
          <dt>Adapter</dt>
          <dd>{d.adapter}</dd>
          <dt>Route</dt>
          <dd>
            <code>{d.route}</code>
          </dd>
          <dt>Event</dt>
          <dd>
            <code>{d.eventId}</code>
          </dd>
          <dt>Member</dt>
          <dd>{d.memberId ? <a href={`/console/members/${encodeURIComponent(d.memberId)}`}>{d.memberId}</a> : '—'}</dd>
          <dt>Attempts</dt>
          <dd>{d.attempts}</dd>
          {d.status === 'pending' ? (
            <>
              <dt>Next attempt</dt>
              <dd>{formatTime(d.nextAttemptAt, 'second')}</dd>
            </>
          ) : null}
          <dt>Last answer</dt>
          <dd>
            <Answer code={d.lastStatusCode} error={d.lastError} />
          </dd>
          <dt>Created</dt>
          <dd>{formatTime(d.createdAt, 'second')}</dd>
          <dt>Updated</dt>
          <dd>{formatTime(d.updatedAt, 'second')}</dd>
        </dl>
      </div>
      {props.canRetry && RETRYABLE.has(d.status) ? (
        <ActionForm action={`${path(d.id)}/retry`} csrfToken={props.csrfToken} class="inline" label="Send again">
          <p class="help">
            Sends the message again with a fresh retry schedule, under the same id (a receiver that already has it deduplicates it).
          </p>
          <button type="submit">Retry delivery</button>
        </ActionForm>
      ) : null}
      <h2 id="attempts">Attempts</h2>
      <DataTable
        caption="Attempts, first to last (a retry by hand starts the count again)"
        headers={['#', 'Outcome', 'Status', 'Duration', 'Error', 'When']}
        rows={history.length}
        empty="Not tried yet."
      >
        {history.map((a, i) => (
          <tr>
            <td class="num">{a.attempt}</td>
            <td>{outcomeWords(a.outcome, d.status === 'dead' && i === history.length - 1)}</td>
            <td>{a.statusCode === null ? '—' : <code>{a.statusCode}</code>}</td>
            <td class="num">{`${a.latencyMs} ms`}</td>
            <td>{a.error ? <span class="error-text">{a.error}</span> : '—'}</td>
            <td>{formatTime(a.at, 'second')}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function ConnectorTable(props: { connectors: Connector[] }) {
  return (
    <DataTable
      caption="Connectors, by name"
      headers={['Connector', 'Direction', 'Status', 'Last webhook received', 'Last message sent', 'Last failed attempt', 'Signature failures, last 24 h', 'Last signature failure']}
      rows={props.connectors.length}
      empty="No connectors are installed."
    >
      {props.connectors.map((c) => (
        <tr>
          <td>
            {c.title} <code>{c.name}</code>
          </td>
          <td>{c.directions.join(', ')}</td>
          <td>
            {c.enabled ? (
              <>
                <span class="status ok">enabled</span>
                {c.inboundMissing.length ? (
                  <>
                    {' '}
                    · webhooks need{' '}
                    {c.inboundMissing.map((v, i) => (
                      <>
                        {i > 0 ? ', ' : ''}
                        <code>{v}</code>
                      </>
                    ))}
                  </>
                ) : null}
              </>
            ) : (
              <>
                <span class="status bad">disabled</span> missing{' '}
                {c.missing.map((v, i) => (
                  <>
                    {i > 0 ? ', ' : ''}
                    <code>{v}</code>
                  </>
                ))}
              </>
            )}
          </td>
          <td>
            {c.lastReceived ? (
              <>
                {formatTime(c.lastReceived.at)} · {c.lastReceived.status}
                {c.lastReceived.topic ? (
                  <>
                    {' '}
                    · <code>{c.lastReceived.topic}</code>
                  </>
                ) : null}
              </>
            ) : c.directions.includes('inbound') ? (
              'none yet'
            ) : (
              'sends only'
            )}
          </td>
          <td>
            {c.lastSent ? (
              <a href={path(c.lastSent.deliveryId)}>{formatTime(c.lastSent.at)}</a>
            ) : c.directions.includes('outbound') ? (
              'none yet'
            ) : (
              'receives only'
            )}
          </td>
          <td>
            {c.lastFailed ? (
              <>
                <a href={path(c.lastFailed.deliveryId)}>{formatTime(c.lastFailed.at)}</a>
                {c.lastFailed.statusCode !== null ? ` · HTTP ${c.lastFailed.statusCode}` : ''}
              </>
            ) : (
              '—'
            )}
          </td>
          <td class="num">{c.signatureFailures.lastDay > 0 ? <span class="status bad">{c.signatureFailures.lastDay}</span> : '0'}</td>
          <td>
            {c.signatureFailures.lastAt ? (
              <>
                {formatTime(c.signatureFailures.lastAt)}
                {c.signatureFailures.lastReason ? ` — ${c.signatureFailures.lastReason}` : ''}
              </>
            ) : (
              '—'
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function deliveriesPage(_deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/', async (c) => {
    const status = c.req.query('status') ?? '';
    const answer = await c.get('api').get<{ data: Delivery[]; nextCursor: string | null }>('/deliveries', { status, cursor: c.req.query('cursor') });
    const list = <DeliveryList status={status} page={answer.ok ? answer.data : undefined} problem={answer.ok ? undefined : answer.problem} />;
    if (!answer.ok) c.status(answer.status as 400);
    if (c.req.header('hx-request')) return c.html(list);
    return renderPage(
      c,
      { title: 'Deliveries', section: '/console/deliveries' },
      <>
        <SubNav current="list" />
        <p class="help">
          Every message a mapping or a webhook endpoint asked for. Failed attempts are retried on a schedule; a delivery whose schedule ran out, or that
          the receiver refused for good, is <strong>dead</strong> and waits for someone to send it again.
        </p>
        <h2>Outbound deliveries</h2>
        <Filter status={status} />
        {list}
      </>,
    );
  });

  app.get('/connectors', async (c) => {
    const answer = await c.get('api').get<{ data: Connector[] }>('/connectors');
    if (!answer.ok) c.status(answer.status as 403);
    return renderPage(
      c,
      { title: 'Connector health', section: '/console/deliveries' },
      <>
        <SubNav current="connectors" />
        <p class="help">
          Each platform the hub knows: enabled, or the environment variable it still needs (set it and restart the hub). Signature failures are webhooks
          refused because their signature did not match — often a secret rotated on the platform but not in the hub.
        </p>
        <h2>Connectors</h2>
        {answer.ok ? <ConnectorTable connectors={answer.data.data} /> : <ProblemNotice problem={answer.problem} />}
      </>,
    );
  });

  const detail = async (c: Context<ConsoleEnv>, id: string, refusal?: { status: number; problem: Problem }) => {
    const answer = await c.get('api').get<Delivery>(`/deliveries/${encodeURIComponent(id)}`);
    const content = answer.ok ? (
      <DeliveryDetail delivery={answer.data} canRetry={c.get('can')('admin')} csrfToken={c.get('session').csrfToken} problem={refusal?.problem} />
    ) : (
      <ProblemNotice problem={answer.problem} />
    );
    c.status((refusal?.status ?? answer.status) as 200);
    if (c.req.header('hx-request') && c.req.method === 'GET') return c.html(content);
    return renderPage(
      c,
      { title: answer.ok ? `Delivery to ${answer.data.adapter}` : 'Delivery', section: '/console/deliveries' },
      <>
        <SubNav />
        {content}
      </>,
    );
  };

  app.get('/:id', (c) => detail(c, c.req.param('id')));

  app.post('/:id/retry', async (c) => {
    const id = c.req.param('id');
    const answer = await sendForm<Delivery>(c, 'POST', `/deliveries/${encodeURIComponent(id)}/retry`);
    if (!answer.ok) return detail(c, id, answer);
    leaveNotice(c, `Delivery ${id} queued again: it is sent now, then on the retry schedule if it fails.`);
    return c.redirect(path(id), 303);
  });

  return app;
}
