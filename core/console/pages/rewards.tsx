/**
 * Rewards (docs/console.md, "Rewards"): the catalog as `GET /v1/rewards` pages it, a reward's
 * page with its pool of codes (how many are left — `GET /v1/rewards/{id}/codes` counts them and
 * never lists one), and for an admin key: create, edit, stock, add codes, archive and restore,
 * each through the API (docs/api.md, "Rewards, redemption and checkout"). A refusal is the API's,
 * shown beside the field its JSON pointer names, with what was typed kept.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Problem } from '../../api/problem.js';
import type { PoolStock } from '../../rewards/pool-stock.js';
import { ActionForm, DataTable, Pager, ProblemNotice, formatPoints, formatTime } from '../components.js';
import type { ConsoleDeps, ConsoleEnv } from '../console-env.js';
import { Field, fieldMessages, inputAttributes } from '../fields.js';
import { formFields, sendForm } from '../forms.js';
import { leaveNotice, renderPage } from '../layout.js';
import { FIELD_LABELS, RewardFields, changedFields, describeKind, numberOrText, rewardBody, rewardValues, type Reward } from './reward-form.js';

type Page<T> = { data: T[]; nextCursor: string | null };

const FILTERS = [
  { value: 'active', label: 'Active' },
  { value: 'archived', label: 'Archived' },
  { value: 'all', label: 'All' },
] as const;

const rewardPath = (id: string) => `/rewards/${encodeURIComponent(id)}`;
const pagePath = (id: string) => `/console${rewardPath(id)}`;
const stockText = (stock: number | null) => (stock === null ? 'unlimited' : formatPoints(stock));
const validity = (r: Reward) =>
  r.validFrom || r.validUntil ? `${r.validFrom ? formatTime(r.validFrom) : 'now'} – ${r.validUntil ? formatTime(r.validUntil) : 'no end'}` : 'always';

function StatusBadge(props: { status: string }) {
  return <span class={`status ${props.status === 'active' ? 'ok' : 'warn'}`}>{props.status}</span>;
}

/** A form that failed: which one, the API's problem, and what was typed. */
interface Failed {
  form: 'edit' | 'stock' | 'codes' | 'status';
  problem: Problem;
  values: Record<string, string>;
}

async function listPage(c: Context<ConsoleEnv>) {
  const filter = c.req.query('status') ?? 'active';
  const cursor = c.req.query('cursor');
  const limit = c.req.query('limit');
  const answer = await c.get('api').get<Page<Reward>>('/rewards', { status: filter === 'all' ? undefined : filter, cursor, limit: limit ?? 50 });
  if (!answer.ok) c.status(answer.status as ContentfulStatusCode);
  return renderPage(
    c,
    { title: 'Rewards', section: '/console/rewards' },
    <>
      <div class="toolbar">
        <nav aria-label="Show rewards" class="filters">
          {FILTERS.map((f) => (
            <a href={`/console/rewards?status=${f.value}`} aria-current={f.value === filter ? 'page' : undefined}>
              {f.label}
            </a>
          ))}
        </nav>
        {c.get('can')('admin') ? (
          <a class="button" href="/console/rewards/new">
            Add a reward
          </a>
        ) : null}
      </div>
      {answer.ok ? (
        <>
          <DataTable
            caption={`${FILTERS.find((f) => f.value === filter)?.label ?? filter} rewards`}
            headers={['Name', 'Gives', 'Cost (points)', 'Stock', 'Codes', 'Valid', 'Status']}
            rows={answer.data.data.length}
            empty={filter === 'archived' ? 'No archived rewards.' : 'No rewards here yet.'}
          >
            {answer.data.data.map((r) => (
              <tr>
                <td>
                  <a href={pagePath(r.id)}>{r.name}</a>
                </td>
                <td>{describeKind(r)}</td>
                <td class="num">{formatPoints(r.cost)}</td>
                <td class="num">{stockText(r.stock)}</td>
                <td>{r.codeSource === 'pool' ? 'uploaded pool' : 'generated'}</td>
                <td>{validity(r)}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
              </tr>
            ))}
          </DataTable>
          <Pager nextCursor={answer.data.nextCursor} href={(next) => `/console/rewards?status=${encodeURIComponent(filter)}${limit ? `&limit=${encodeURIComponent(limit)}` : ''}&cursor=${encodeURIComponent(next)}`} />
        </>
      ) : (
        <ProblemNotice problem={answer.problem} />
      )}
    </>,
  );
}

function NewRewardPage(props: { c: Context<ConsoleEnv>; storePlatforms: readonly string[]; values?: Record<string, string>; problem?: Problem }) {
  const { c } = props;
  if (!c.get('can')('admin')) {
    return (
      <>
        {props.problem ? <ProblemNotice problem={props.problem} /> : null}
        <p>Only an admin key may add rewards; yours may read the catalog.</p>
        <p>
          <a href="/console/rewards">Back to the rewards</a>
        </p>
      </>
    );
  }
  return (
    <>
      {props.problem ? <ProblemNotice problem={props.problem} /> : null}
      <ActionForm action="/console/rewards" csrfToken={c.get('session').csrfToken} class="reward-form" label="New reward">
        <RewardFields values={props.values ?? {}} messages={fieldMessages(props.problem)} storePlatforms={props.storePlatforms} />
        <div class="actions">
          <button type="submit">Add the reward</button>
          <a href="/console/rewards">Cancel</a>
        </div>
      </ActionForm>
    </>
  );
}

function Facts(props: { r: Reward }) {
  const { r } = props;
  return (
    <dl class="facts">
      <dt>Status</dt>
      <dd>
        <StatusBadge status={r.status} />
      </dd>
      <dt>Gives</dt>
      <dd>{describeKind(r)}</dd>
      {r.description ? (
        <>
          <dt>Description</dt>
          <dd>{r.description}</dd>
        </>
      ) : null}
      <dt>Cost</dt>
      <dd>{formatPoints(r.cost)} points</dd>
      <dt>Stock</dt>
      <dd>{stockText(r.stock)}</dd>
      <dt>Limit per member</dt>
      <dd>{r.perMemberLimit === null ? 'none' : formatPoints(r.perMemberLimit)}</dd>
      <dt>Who</dt>
      <dd>
        {r.tiers.length ? `tiers ${r.tiers.join(', ')}` : 'every tier'}; {r.segments.length ? `segments ${r.segments.join(', ')}` : 'every segment'}
      </dd>
      <dt>Valid</dt>
      <dd>{validity(r)}</dd>
      <dt>Voucher valid for</dt>
      <dd>{r.voucherValidDays === null ? 'no expiry' : `${r.voucherValidDays} days`}</dd>
      <dt>Codes</dt>
      <dd>
        {r.codeSource === 'pool' ? 'from an uploaded pool' : 'generated by the hub'}
        {r.storeCodes.length ? `; also created in ${r.storeCodes.join(', ')}` : ''}
      </dd>
      <dt>Id</dt>
      <dd>
        <code>{r.id}</code>
      </dd>
      <dt>Changed</dt>
      <dd>{formatTime(r.updatedAt)}</dd>
    </dl>
  );
}

/** Line numbers of the non-empty lines of the codes box, so `/codes/3` can say which line. */
function codeLines(text: string): { codes: string[]; lines: number[] } {
  const codes: string[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim()) {
      codes.push(line.trim());
      lines.push(i + 1);
    }
  });
  return { codes, lines };
}

function PoolSection(props: { c: Context<ConsoleEnv>; r: Reward; pool?: PoolStock; poolProblem?: Problem; failed?: Failed }) {
  const { c, r, failed } = props;
  const problem = failed?.form === 'codes' ? failed.problem : undefined;
  const { lines } = codeLines(failed?.form === 'codes' ? (failed.values.codes ?? '') : '');
  const messages = fieldMessages(problem, (pointer, message) => {
    const index = /^\/codes\/(\d+)$/.exec(pointer)?.[1];
    return index === undefined ? message : `line ${lines[Number(index)] ?? Number(index) + 1}: ${message}`;
  });
  return (
    <section aria-labelledby="h-pool" class="panel">
      <h2 id="h-pool">Code pool</h2>
      {props.pool ? (
        <p class="pool-left">
          <strong>{props.pool.more ? `More than ${formatPoints(props.pool.unused)}` : formatPoints(props.pool.unused)}</strong> unused{' '}
          {props.pool.unused === 1 && !props.pool.more ? 'code' : 'codes'} left.{' '}
          {props.pool.unused === 0 ? 'Redemptions are refused until codes are added.' : 'Each redemption takes one.'} The codes themselves are not shown.
        </p>
      ) : props.poolProblem ? (
        <ProblemNotice problem={props.poolProblem} />
      ) : null}
      {c.get('can')('admin') ? (
        <ActionForm action={`${pagePath(r.id)}/codes`} csrfToken={c.get('session').csrfToken} class="stack" label="Add codes">
          {problem ? <ProblemNotice problem={problem} /> : null}
          <Field id="codes" name="codes" label="Add codes, one per line" help="4 to 64 characters each, up to 10,000 at a time; codes already uploaded are skipped." messages={messages}>
            <textarea {...inputAttributes('codes', 'codes', messages, true)} rows={6} autocomplete="off" spellcheck={false}>
              {failed?.form === 'codes' ? (failed.values.codes ?? '') : ''}
            </textarea>
          </Field>
          <div>
            <button type="submit">Add codes</button>
          </div>
        </ActionForm>
      ) : null}
    </section>
  );
}

function RewardPage(props: { c: Context<ConsoleEnv>; r: Reward; pool?: PoolStock; poolProblem?: Problem; failed?: Failed; storePlatforms: readonly string[] }) {
  const { c, r, failed } = props;
  const admin = c.get('can')('admin');
  const csrf = c.get('session').csrfToken;
  const problemOf = (form: Failed['form']) => (failed?.form === form ? failed.problem : undefined);
  const stockMessages = fieldMessages(problemOf('stock'));
  return (
    <>
      <p>
        <a href="/console/rewards">← All rewards</a>
      </p>
      {/* A key that may not change the catalog has no forms; a forged post's refusal is shown here. */}
      {failed && !admin ? <ProblemNotice problem={failed.problem} /> : null}
      <div class="grid-2 reward-top">
        <section aria-labelledby="h-facts" class="panel">
          <h2 id="h-facts">{r.name}</h2>
          <Facts r={r} />
        </section>
        <div>
          {r.codeSource === 'pool' ? <PoolSection c={c} r={r} pool={props.pool} poolProblem={props.poolProblem} failed={failed} /> : null}
          {admin ? (
            <section aria-labelledby="h-stock" class="panel">
              <h2 id="h-stock">Stock</h2>
              <ActionForm action={`${pagePath(r.id)}/stock`} csrfToken={csrf} class="inline" label="Stock">
                {problemOf('stock') ? <ProblemNotice problem={problemOf('stock')!} /> : null}
                <Field id="stock-only" name="stock" label="How many can still be redeemed" help="Empty: unlimited." messages={stockMessages}>
                  <input
                    {...inputAttributes('stock-only', 'stock', stockMessages, true)}
                    type="number"
                    inputmode="numeric"
                    value={failed?.form === 'stock' ? (failed.values.stock ?? '') : r.stock === null ? '' : String(r.stock)}
                  />
                </Field>
                <button type="submit">Save stock</button>
              </ActionForm>
            </section>
          ) : null}
          {admin ? (
            <section aria-labelledby="h-archive" class="panel">
              <h2 id="h-archive">{r.status === 'active' ? 'Archive' : 'Restore'}</h2>
              {problemOf('status') ? <ProblemNotice problem={problemOf('status')!} /> : null}
              <p class="help">
                {r.status === 'active'
                  ? 'An archived reward can no longer be redeemed; its redemptions and vouchers stay as they are.'
                  : 'Restoring puts the reward back in the catalog: members can redeem it again.'}
              </p>
              <ActionForm action={`${pagePath(r.id)}/status`} csrfToken={csrf} label={r.status === 'active' ? 'Archive' : 'Restore'}>
                <input type="hidden" name="status" value={r.status === 'active' ? 'archived' : 'active'} />
                <button type="submit" class={r.status === 'active' ? 'danger' : ''}>
                  {r.status === 'active' ? 'Archive this reward' : 'Restore this reward'}
                </button>
              </ActionForm>
            </section>
          ) : null}
        </div>
      </div>
      {admin ? (
        <section aria-labelledby="h-edit">
          <h2 id="h-edit">Edit</h2>
          {problemOf('edit') ? <ProblemNotice problem={problemOf('edit')!} /> : null}
          <ActionForm action={pagePath(r.id)} csrfToken={csrf} class="reward-form" label="Edit the reward">
            <RewardFields
              values={failed?.form === 'edit' ? failed.values : rewardValues(r)}
              messages={fieldMessages(problemOf('edit'))}
              storePlatforms={props.storePlatforms}
            />
            <div class="actions">
              <button type="submit">Save changes</button>
            </div>
          </ActionForm>
        </section>
      ) : null}
    </>
  );
}

export function rewardsPage(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const platforms = deps.storePlatforms;

  /** The reward's page, with the pool count when it has a pool; `failed` re-renders a refused form. */
  async function showReward(c: Context<ConsoleEnv>, id: string, failed?: Failed) {
    const api = c.get('api');
    const answer = await api.get<Reward>(rewardPath(id));
    if (!answer.ok) {
      c.status(answer.status as ContentfulStatusCode);
      return renderPage(c, { title: 'Reward', section: '/console/rewards' }, <ProblemNotice problem={answer.problem} />);
    }
    const r = answer.data;
    const pool = r.codeSource === 'pool' ? await api.get<PoolStock>(`${rewardPath(id)}/codes`) : undefined;
    if (failed) c.status(failed.problem.status as ContentfulStatusCode);
    return renderPage(
      c,
      { title: `Reward: ${r.name}`, section: '/console/rewards' },
      <RewardPage
        c={c}
        r={r}
        pool={pool?.ok ? pool.data : undefined}
        poolProblem={pool && !pool.ok ? pool.problem : undefined}
        failed={failed}
        storePlatforms={platforms}
      />,
    );
  }

  app.get('/', listPage);

  app.get('/new', (c) => renderPage(c, { title: 'New reward', section: '/console/rewards' }, <NewRewardPage c={c} storePlatforms={platforms} />));

  app.post('/', async (c) => {
    const fields = await formFields(c);
    const answer = await sendForm<Reward>(c, 'POST', '/rewards', rewardBody(fields, platforms));
    if (!answer.ok) {
      c.status(answer.status as ContentfulStatusCode);
      return renderPage(
        c,
        { title: 'New reward', section: '/console/rewards' },
        <NewRewardPage c={c} storePlatforms={platforms} values={fields} problem={answer.problem} />,
      );
    }
    leaveNotice(c, `Added the reward "${answer.data.name}".`);
    return c.redirect(pagePath(answer.data.id), 303);
  });

  app.get('/:id', (c) => showReward(c, c.req.param('id')));

  app.post('/:id', async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const current = await c.get('api').get<Reward>(rewardPath(id));
    if (!current.ok) return showReward(c, id);
    const changes = changedFields(rewardBody(fields, platforms), current.data);
    const names = Object.keys(changes);
    if (names.length === 0) {
      leaveNotice(c, 'Nothing to save: no field was changed.');
      return c.redirect(pagePath(id), 303);
    }
    const answer = await sendForm<Reward>(c, 'PATCH', rewardPath(id), changes);
    if (!answer.ok) return showReward(c, id, { form: 'edit', problem: answer.problem, values: fields });
    leaveNotice(c, `Saved "${answer.data.name}": changed ${names.map((n) => FIELD_LABELS[n] ?? n).join(', ')}.`);
    return c.redirect(pagePath(id), 303);
  });

  app.post('/:id/stock', async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const answer = await sendForm<Reward>(c, 'PATCH', rewardPath(id), { stock: numberOrText(fields.stock) });
    if (!answer.ok) return showReward(c, id, { form: 'stock', problem: answer.problem, values: fields });
    leaveNotice(c, `The stock of "${answer.data.name}" is now ${stockText(answer.data.stock)}.`);
    return c.redirect(pagePath(id), 303);
  });

  app.post('/:id/codes', async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const { codes } = codeLines(fields.codes ?? '');
    const answer = await sendForm<{ added: number }>(c, 'POST', `${rewardPath(id)}/codes`, { codes });
    if (!answer.ok) return showReward(c, id, { form: 'codes', problem: answer.problem, values: fields });
    const skipped = new Set(codes).size - answer.data.added;
    leaveNotice(
      c,
      `Added ${formatPoints(answer.data.added)} ${answer.data.added === 1 ? 'code' : 'codes'}${skipped > 0 ? `; ${formatPoints(skipped)} already uploaded ${skipped === 1 ? 'was' : 'were'} skipped` : ''}.`,
    );
    return c.redirect(pagePath(id), 303);
  });

  app.post('/:id/status', async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const answer = await sendForm<Reward>(c, 'PATCH', rewardPath(id), { status: fields.status });
    if (!answer.ok) return showReward(c, id, { form: 'status', problem: answer.problem, values: fields });
    leaveNotice(
      c,
      answer.data.status === 'archived'
        ? `Archived "${answer.data.name}": members can no longer redeem it.`
        : `Restored "${answer.data.name}": members can redeem it again.`,
    );
    return c.redirect(pagePath(id), 303);
  });

  return app;
}
