/**
 * Members (docs/console.md, "Members"; issue 19 point 3): find a member by e-mail, alias or id,
 * read everything support needs on one page, and — as the key's scope allows — adjust points,
 * set or clear the manual tier, suspend or reactivate, decide held points and erase. Every read
 * and write goes through the management API as the signed-in key (docs/api.md, "Members",
 * "Points", "Fraud holds"); this file only chooses the calls and draws the answers.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Problem } from '../../api/problem.js';
import type { ApiAnswer } from '../api-client.js';
import { DataTable, Pager, ProblemNotice, formatPoints } from '../components.js';
import type { ConsoleDeps, ConsoleEnv } from '../console-env.js';
import { formFields, sendForm } from '../forms.js';
import { leaveNotice, renderPage } from '../layout.js';
import { AdjustForm, EraseForm, HoldDecision, StatusForm, TierForm, type Refusal } from './member-actions.js';
import {
  AccountHistory,
  BalanceCards,
  ExpiringBatches,
  HISTORY_FILTERS,
  LISTS,
  MemberFacts,
  PAGE_SIZE,
  RedemptionsList,
  TransactionsList,
  VouchersList,
  memberPath,
  type HistoryFilter,
  type ListName,
} from './member-page.js';
import type { BalanceView, HistoryEntryView, HoldView, LineView, MemberView, Page, RedemptionView, VoucherView } from './member-types.js';
import { SEARCH_BY_WORDS, searchBy } from './member-words.js';

type C = Context<ConsoleEnv>;

const SEARCH_PAGE = 25;
const HOLDS_PAGE = 20;
const apiPath = (id: string) => `/members/${encodeURIComponent(id)}`;

function historyFilter(c: C): HistoryFilter {
  const f = c.req.query('historyKind');
  return f === 'tier' || f === 'status' ? f : 'all';
}

/** One paged list of the member, at the cursor its own query parameter carries. */
function fetchList(c: C, id: string, list: ListName): Promise<ApiAnswer<Page<unknown>>> {
  return c.get('api').get<Page<unknown>>(`${apiPath(id)}/${list}`, {
    limit: PAGE_SIZE[list],
    cursor: c.req.query(list),
    kind: list === 'history' ? HISTORY_FILTERS[historyFilter(c)] : undefined,
  });
}

function ListBody(props: { c: C; id: string; list: ListName; answer: ApiAnswer<Page<unknown>> }) {
  const { id, list, answer } = props;
  if (!answer.ok) {
    return (
      <section id={list}>
        <ProblemNotice problem={answer.problem} />
      </section>
    );
  }
  switch (list) {
    case 'transactions':
      return <TransactionsList memberId={id} page={answer.data as Page<LineView>} />;
    case 'vouchers':
      return <VouchersList memberId={id} page={answer.data as Page<VoucherView>} />;
    case 'redemptions':
      return <RedemptionsList memberId={id} page={answer.data as Page<RedemptionView>} />;
    case 'history':
      return <AccountHistory memberId={id} page={answer.data as Page<HistoryEntryView>} filter={historyFilter(props.c)} />;
  }
}

function JumpLinks(props: { holds: boolean; actions: boolean }) {
  const links: [string, string][] = [
    ['balance-h', 'Balance'],
    ...(props.holds ? ([['holds-h', 'Held points']] as [string, string][]) : []),
    ['transactions', 'Points history'],
    ['vouchers', 'Vouchers'],
    ['redemptions', 'Redemptions'],
    ['history', 'Account history'],
    ...(props.actions ? ([['actions-h', 'Change this member']] as [string, string][]) : []),
  ];
  return (
    <nav class="jump" aria-label="On this page">
      <ul>
        {links.map(([anchor, label]) => (
          <li>
            <a href={`#${anchor}`}>{label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * The member page, or — after a refused form — the same page with that form's problem and what
 * was typed, answered with the API's status. A boosted "Next page" (htmx, `HX-Target` naming a
 * list) gets only that list's section: one API call.
 */
async function showMember(c: C, deps: ConsoleDeps, id: string, refusal?: Refusal, status = 200): Promise<Response> {
  const api = c.get('api');
  const target = c.req.header('hx-request') ? (LISTS as readonly string[]).find((l) => l === c.req.header('hx-target')) : undefined;
  if (target) {
    const answer = await fetchList(c, id, target as ListName);
    return c.html(<ListBody c={c} id={id} list={target as ListName} answer={answer} />, answer.ok ? 200 : (answer.status as 400));
  }

  const isAdmin = c.get('can')('admin');
  const [member, balance, holds, ...lists] = await Promise.all([
    api.get<MemberView>(apiPath(id)),
    api.get<BalanceView>(`${apiPath(id)}/balance`),
    // Fraud review is admin-only in the API: a lower key is not shown a section it cannot read.
    isAdmin ? api.get<Page<HoldView>>('/fraud-holds', { status: 'open', memberId: id, limit: HOLDS_PAGE, cursor: c.req.query('holds') }) : undefined,
    ...LISTS.map((list) => fetchList(c, id, list)),
  ]);
  if (!member.ok) {
    c.status(member.status as 404);
    return renderPage(c, { title: 'Member not found', section: '/console/members' }, <MemberMissing problem={member.problem} />);
  }
  const m = member.data;
  const csrf = c.get('session').csrfToken;
  const tiers = deps.program.tiers.map((t) => ({ id: t.id, name: t.name }));
  const tierNames = new Map(tiers.map((t) => [t.id, t.name]));
  const canWrite = c.get('can')('write');
  const open = holds?.ok ? holds.data : undefined;

  c.status(status as 200);
  return renderPage(
    c,
    { title: `Member ${m.email ?? m.id}`, section: '/console/members' },
    <>
      {refusal ? (
        <p class="problem" role="status">
          That change was refused; nothing was changed. See <a href={`#${refusal.form === 'hold' ? 'holds-h' : refusal.form}`}>the form</a> below.
        </p>
      ) : null}
      <p>
        <a href="/console/members">← Find another member</a>
      </p>
      <JumpLinks holds={isAdmin} actions={canWrite} />
      <div class="grid-2">
        <MemberFacts member={m} tierNames={tierNames} />
        {balance.ok ? (
          <div>
            <BalanceCards balance={balance.data} />
            <ExpiringBatches balance={balance.data} />
          </div>
        ) : (
          <ProblemNotice problem={balance.problem} />
        )}
      </div>
      {holds ? (
        <section aria-labelledby="holds-h">
          <h2 id="holds-h">Points held for review</h2>
          {!holds.ok ? (
            <ProblemNotice problem={holds.problem} />
          ) : open!.data.length === 0 ? (
            <p class="empty">No points of this member are held for review.</p>
          ) : (
            <ul class="holds">
              {open!.data.map((hold) => (
                <HoldDecision memberId={m.id} hold={hold} csrf={csrf} refusal={refusal} />
              ))}
            </ul>
          )}
          <Pager nextCursor={open?.nextCursor} href={(cursor) => `${memberPath(m.id)}?holds=${encodeURIComponent(cursor)}#holds-h`} />
        </section>
      ) : null}
      {LISTS.map((list, i) => (
        <ListBody c={c} id={m.id} list={list} answer={lists[i]!} />
      ))}
      {canWrite ? (
        <section aria-labelledby="actions-h">
          <h2 id="actions-h">Change this member</h2>
          <div class="grid-2">
            {isAdmin ? <AdjustForm member={m} csrf={csrf} refusal={refusal} /> : null}
            <TierForm member={m} tiers={tiers} csrf={csrf} refusal={refusal} />
            {isAdmin && m.status !== 'erased' ? <StatusForm member={m} csrf={csrf} refusal={refusal} /> : null}
            {isAdmin && m.status !== 'erased' ? <EraseForm member={m} csrf={csrf} refusal={refusal} /> : null}
          </div>
        </section>
      ) : null}
    </>,
  );
}

function MemberMissing(props: { problem: Problem }) {
  return (
    <>
      <ProblemNotice problem={props.problem} />
      <p>
        <a href="/console/members">Find a member</a>
      </p>
    </>
  );
}

function SearchForm(props: { q: string }) {
  return (
    <form method="get" action="/console/members" role="search" class="inline member-search">
      <div>
        <label for="q">E-mail, alias or member id</label>
        <input id="q" name="q" type="search" value={props.q} aria-describedby="q-help" autocomplete="off" />
      </div>
      <button type="submit">Find</button>
      <p id="q-help" class="help">
        An e-mail (<code>ada@example.com</code>), an alias as <code>platform:id</code> (<code>shopify:7390123</code>) or a member id (<code>mem_…</code>).
      </p>
    </form>
  );
}

function MembersTable(props: { caption: string; members: MemberView[]; matchedBy?: string }) {
  const headers = ['Member', 'E-mail', 'Name', 'Tier', 'Status', ...(props.matchedBy ? ['Matched by'] : [])];
  return (
    <DataTable caption={props.caption} headers={headers} rows={props.members.length}>
      {props.members.map((m) => (
        <tr>
          <td>
            <a href={memberPath(m.id)}>{m.id}</a>
          </td>
          <td>{m.email ?? '—'}</td>
          <td>{[m.firstName, m.lastName].filter(Boolean).join(' ') || '—'}</td>
          <td>{m.tier ?? '—'}</td>
          <td>{m.status}</td>
          {props.matchedBy ? <td>{props.matchedBy}</td> : null}
        </tr>
      ))}
    </DataTable>
  );
}

/** Finds members through the API's own look-ups; says which one it used (docs/console.md, "Members"). */
async function searchPage(c: C): Promise<Response> {
  const api = c.get('api');
  const q = (c.req.query('q') ?? '').trim();
  if (!q) {
    const all = await api.get<Page<MemberView>>('/members', { limit: SEARCH_PAGE, cursor: c.req.query('cursor') });
    if (!all.ok) c.status(all.status as 400);
    return renderPage(
      c,
      { title: 'Members', section: '/console/members' },
      <>
        <SearchForm q="" />
        <h2>All members</h2>
        {all.ok ? (
          <>
            <MembersTable caption="Members, by member id" members={all.data.data} />
            <Pager nextCursor={all.data.nextCursor} href={(cursor) => `/console/members?cursor=${encodeURIComponent(cursor)}`} />
          </>
        ) : (
          <ProblemNotice problem={all.problem} />
        )}
      </>,
    );
  }

  const by = searchBy(q);
  let found: ApiAnswer<MemberView[]>;
  if (by === 'id') {
    const one = await api.get<MemberView>(apiPath(q));
    found = one.ok ? { ...one, data: [one.data] } : one.status === 404 ? { ok: true, status: 200, data: [] } : one;
  } else {
    const page = await api.get<Page<MemberView>>('/members', by === 'email' ? { email: q } : { alias: q });
    found = page.ok ? { ...page, data: page.data.data } : page;
  }
  if (!found.ok) c.status(found.status as 400);
  const words = SEARCH_BY_WORDS[by];
  return renderPage(
    c,
    { title: 'Members', section: '/console/members' },
    <>
      <SearchForm q={q} />
      <h2>Results</h2>
      {!found.ok ? (
        <ProblemNotice problem={found.problem} />
      ) : (
        <>
          <p role="status" class="matched">
            {found.data.length
              ? `Matched by ${words}: ${found.data.length} member${found.data.length === 1 ? '' : 's'}.`
              : `No member has the ${words} “${q}”.${by === 'id' ? ' For an alias type platform:id, e.g. shopify:7390123.' : ''}`}
          </p>
          <MembersTable caption={`Members whose ${words} is ${q}`} members={found.data} matchedBy={words} />
        </>
      )}
    </>,
  );
}

const signed = (n: number) => `${n > 0 ? '+' : '−'}${formatPoints(Math.abs(n))}`;
const asInteger = (s: string | undefined) => (s !== undefined && /^\s*-?\d+\s*$/.test(s) ? Number(s) : s);
/** A date input's day as the end of that UTC day (the API takes an instant); anything else as typed, for the API to refuse. */
const endOfDay = (s: string | undefined) => (!s ? undefined : /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T23:59:59.999Z` : s);

const notConfirmed = (id: string): Problem => ({
  type: '/problems/console-confirmation',
  title: 'Not confirmed',
  status: 400,
  detail: `To erase this member, type its member id ${id} exactly.`,
  errors: [{ pointer: '/confirm', in: 'body', message: 'must be the member id' }],
});

export function membersPage(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/', (c) => searchPage(c));
  app.get('/:id', (c) => showMember(c, deps, c.req.param('id')));

  app.post('/:id/adjust', async (c) => {
    const id = c.req.param('id');
    const f = await formFields(c);
    const answer = await sendForm<{ transaction: LineView; balance: { available: number } }>(c, 'POST', `${apiPath(id)}/adjustments`, {
      points: asInteger(f.points),
      reason: f.reason,
      expiresAt: endOfDay(f.expiresOn),
    });
    if (!answer.ok) return showMember(c, deps, id, { form: 'adjust', problem: answer.problem, values: f }, answer.status);
    const { transaction, balance } = answer.data;
    const points = transaction.effect.available ?? transaction.effect.pending ?? 0;
    leaveNotice(c, `Adjusted ${signed(points)} points (${transaction.reason ?? ''}). Available now: ${formatPoints(balance.available)}.`);
    return c.redirect(memberPath(id), 303);
  });

  app.post('/:id/tier', async (c) => {
    const id = c.req.param('id');
    const f = await formFields(c);
    const tier = f.tier ? f.tier : null;
    const answer = await sendForm<MemberView>(c, 'PATCH', apiPath(id), { tier });
    if (!answer.ok) return showMember(c, deps, id, { form: 'tier', problem: answer.problem, values: f }, answer.status);
    leaveNotice(c, `${tier ? `Manual tier set to ${tier}` : 'Manual tier cleared'}; the member holds ${answer.data.tier ?? 'no tier'}.`);
    return c.redirect(memberPath(id), 303);
  });

  app.post('/:id/status', async (c) => {
    const id = c.req.param('id');
    const f = await formFields(c);
    const reason = f.reason?.trim() || undefined;
    const answer = await sendForm<MemberView>(c, 'PATCH', apiPath(id), { status: f.status, reason });
    if (!answer.ok) return showMember(c, deps, id, { form: 'status', problem: answer.problem, values: f }, answer.status);
    leaveNotice(c, `The member is ${answer.data.status}${reason ? `: ${reason}` : ''}.`);
    return c.redirect(memberPath(id), 303);
  });

  app.post('/:id/holds/:holdId', async (c) => {
    const { id, holdId } = c.req.param();
    const f = await formFields(c);
    const refused = (problem: Problem, status: number) => showMember(c, deps, id, { form: 'hold', holdId, problem, values: f }, status);
    if (f.decision !== 'approve' && f.decision !== 'reject') {
      return refused({ type: '/problems/validation', title: 'Invalid request', status: 400, detail: 'Choose Approve or Reject.', errors: [{ pointer: '/decision', in: 'body', message: 'approve or reject' }] }, 400);
    }
    const answer = await sendForm<{ hold: HoldView }>(c, 'POST', `/fraud-holds/${encodeURIComponent(holdId)}/${f.decision}`, { reason: f.reason });
    if (!answer.ok) return refused(answer.problem, answer.status);
    leaveNotice(c, `${f.decision === 'approve' ? 'Approved' : 'Rejected'} ${formatPoints(answer.data.hold.points)} held points.`);
    return c.redirect(memberPath(id), 303);
  });

  app.post('/:id/erase', async (c) => {
    const id = c.req.param('id');
    const f = await formFields(c);
    // The browser disables the button until the id is typed (assets/console.js); the hub checks it too.
    if (f.confirm !== id) return showMember(c, deps, id, { form: 'erase', problem: notConfirmed(id), values: f }, 400);
    const answer = await sendForm<MemberView>(c, 'DELETE', apiPath(id));
    if (!answer.ok) return showMember(c, deps, id, { form: 'erase', problem: answer.problem, values: f }, answer.status);
    leaveNotice(c, `Erased ${id}: the profile is gone; the points history stays under the member id.`);
    return c.redirect(memberPath(id), 303);
  });

  return app;
}
