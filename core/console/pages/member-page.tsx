/**
 * The member page's read-only sections (docs/console.md, "Members"): who the member is, the
 * balance cards, every batch due to expire, and the paged lists — points history (each line's
 * reason, rule and source), vouchers, redemptions and account history (tier and status moves).
 * Each list pages with the API's own cursor; with htmx a "Next page" swaps only its section.
 */
import type { Child } from 'hono/jsx';
import { DataTable, Pager, formatPoints, formatTime } from '../components.js';
import type { BalanceView, HistoryEntryView, LineView, MemberView, Page, RedemptionView, VoucherView } from './member-types.js';
import { historyDetail, lineEffect, lineSource } from './member-words.js';

/** The paged lists of the member page: their section id is also their cursor's query parameter. */
export const LISTS = ['transactions', 'vouchers', 'redemptions', 'history'] as const;
export type ListName = (typeof LISTS)[number];

/** How many rows each list shows per page (one indexed API call each). */
export const PAGE_SIZE: Record<ListName, number> = { transactions: 25, vouchers: 10, redemptions: 10, history: 20 };

/** History filters the API takes (`?kind=`): the tier history and the status history. */
export const HISTORY_FILTERS = { all: undefined, tier: 'tier.changed', status: 'status.changed' } as const;
export type HistoryFilter = keyof typeof HISTORY_FILTERS;

export const memberPath = (id: string) => `/console/members/${encodeURIComponent(id)}`;

function pageHref(id: string, list: ListName, cursor: string, extra: Record<string, string> = {}): string {
  return `${memberPath(id)}?${new URLSearchParams({ ...extra, [list]: cursor }).toString()}#${list}`;
}

/**
 * A paged section: without JavaScript "Next page" loads the member page at that cursor; with
 * htmx the link is boosted, the hub answers just this section (its id in `HX-Target`) and it
 * replaces itself in place.
 */
export function ListSection(props: { list: ListName; title: string; children: Child }) {
  return (
    <section id={props.list} aria-labelledby={`${props.list}-h`} hx-boost="true" hx-target="this" hx-select={`#${props.list}`} hx-swap="outerHTML" hx-push-url="false">
      <h2 id={`${props.list}-h`}>{props.title}</h2>
      {props.children}
    </section>
  );
}

const fullName = (m: MemberView) => [m.firstName, m.lastName].filter(Boolean).join(' ');

const STATUS_CLASS: Record<MemberView['status'], string> = { active: 'status ok', suspended: 'status warn', erased: 'status bad' };

export function MemberFacts(props: { member: MemberView; tierNames: Map<string, string> }) {
  const { member } = props;
  const tier = (id: string | null) => (id ? `${props.tierNames.get(id) ?? id}` : '—');
  return (
    <section class="panel" aria-labelledby="facts-h">
      <h2 id="facts-h">Member</h2>
      <dl class="facts">
        <dt>Member id</dt>
        <dd>
          <code>{member.id}</code>
        </dd>
        <dt>E-mail</dt>
        <dd>{member.email ?? '—'}</dd>
        <dt>Phone</dt>
        <dd>{member.phone ?? '—'}</dd>
        <dt>Name</dt>
        <dd>{fullName(member) || '—'}</dd>
        <dt>Status</dt>
        <dd>
          <span class={STATUS_CLASS[member.status]}>{member.status}</span>
        </dd>
        <dt>Tier held</dt>
        <dd>{tier(member.tier)}</dd>
        <dt>Manual tier</dt>
        <dd>{member.manualTier ? tier(member.manualTier) : 'none (the tier follows the points)'}</dd>
        <dt>Aliases</dt>
        <dd>{member.aliases.length ? member.aliases.join(', ') : '—'}</dd>
        <dt>Enrolled</dt>
        <dd>{formatTime(member.createdAt)}</dd>
      </dl>
    </section>
  );
}

export function BalanceCards(props: { balance: BalanceView }) {
  const b = props.balance;
  const cards: [string, number, string][] = [
    ['Available', b.available, 'Spendable now'],
    ['Pending', b.pending, 'Earned, not active yet'],
    ['Locked', b.locked, 'Held at a checkout'],
    ['Debt', b.debt, 'Taken back beyond the balance'],
  ];
  return (
    <section aria-labelledby="balance-h">
      <h2 id="balance-h">Balance</h2>
      <div class="cards">
        {cards.map(([label, value, help]) => (
          <div class="card">
            <div class="label">{label}</div>
            <div class="value" data-balance={label.toLowerCase()}>
              {formatPoints(value)}
            </div>
            <div class="help">{help}</div>
          </div>
        ))}
      </div>
      <p class="help">
        Lifetime earned {formatPoints(b.lifetimeEarned)} · spent {formatPoints(b.spent)} · expired {formatPoints(b.expired)}
      </p>
      {b.nextTier ? (
        <p class="help" data-next-tier={b.nextTier.id}>
          {formatPoints(b.nextTier.pointsNeeded)} points to {b.nextTier.name} ({formatPoints(b.nextTier.qualifyingPoints)} of {formatPoints(b.nextTier.threshold)} counted toward tiers)
        </p>
      ) : null}
    </section>
  );
}

export function ExpiringBatches(props: { balance: BalanceView }) {
  const batches = props.balance.expiring;
  return (
    <section aria-labelledby="expiring-h">
      <h2 id="expiring-h">Points due to expire</h2>
      <DataTable caption="Every batch due to expire, soonest first (one per UTC day)" headers={['Expires', 'Points']} rows={batches.length} empty="No points are due to expire.">
        {batches.map((e) => (
          <tr>
            <td>{formatTime(e.expiresAt)}</td>
            <td class="num">{formatPoints(e.points)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function lotWords(line: LineView): string {
  if (!line.lot) return '—';
  const { lot } = line;
  const when = lot.expiresAt ? `expires ${formatTime(lot.expiresAt)}` : 'never expires';
  return lot.status === 'pending' ? `pending until ${formatTime(lot.activatesAt)}; ${when}` : `${lot.status}, ${formatPoints(lot.remaining)} left; ${when}`;
}

export function TransactionsList(props: { memberId: string; page: Page<LineView> }) {
  const lines = props.page.data;
  return (
    <ListSection list="transactions" title="Points history">
      <DataTable caption="Ledger lines, newest first: what each did and why it exists" headers={['When', 'Kind', 'Points', 'Reason', 'Rule', 'Source', 'Batch']} rows={lines.length} empty="No ledger lines yet.">
        {lines.map((l) => (
          <tr data-line={l.id}>
            <td>{formatTime(l.createdAt)}</td>
            <td>{l.kind}</td>
            <td class="num">{lineEffect(l)}</td>
            <td>{l.reason ?? '—'}</td>
            <td>{l.ruleId ?? '—'}</td>
            <td>{lineSource(l)}</td>
            <td>{lotWords(l)}</td>
          </tr>
        ))}
      </DataTable>
      <Pager nextCursor={props.page.nextCursor} href={(cursor) => pageHref(props.memberId, 'transactions', cursor)} />
    </ListSection>
  );
}

export function VouchersList(props: { memberId: string; page: Page<VoucherView> }) {
  const vouchers = props.page.data;
  return (
    <ListSection list="vouchers" title="Vouchers">
      <DataTable caption="Vouchers, newest first" headers={['Code', 'Reward', 'Status', 'Expires', 'Used']} rows={vouchers.length} empty="No vouchers.">
        {vouchers.map((v) => (
          <tr>
            <td>
              <code>{v.code}</code>
            </td>
            <td>{v.reward.name ?? v.reward.id}</td>
            <td>{v.status === 'active' && !v.valid ? 'active, expired' : v.status}</td>
            <td>{formatTime(v.expiresAt)}</td>
            <td>{v.usedAt ? `${formatTime(v.usedAt)}${v.usedReference ? ` on ${v.usedReference}` : ''}` : '—'}</td>
          </tr>
        ))}
      </DataTable>
      <Pager nextCursor={props.page.nextCursor} href={(cursor) => pageHref(props.memberId, 'vouchers', cursor)} />
    </ListSection>
  );
}

export function RedemptionsList(props: { memberId: string; page: Page<RedemptionView> }) {
  const redemptions = props.page.data;
  return (
    <ListSection list="redemptions" title="Redemptions">
      <DataTable caption="Redemptions, newest first" headers={['When', 'Reward', 'Points', 'Status', 'Voucher']} rows={redemptions.length} empty="No redemptions.">
        {redemptions.map((r) => (
          <tr>
            <td>{formatTime(r.createdAt)}</td>
            <td>{r.reward.name ?? r.reward.id}</td>
            <td class="num">{formatPoints(r.points)}</td>
            <td>{r.status === 'reversed' ? `reversed ${formatTime(r.reversedAt)}` : r.status}</td>
            <td>{r.voucher ? `${r.voucher.code} (${r.voucher.status ?? '—'})` : '—'}</td>
          </tr>
        ))}
      </DataTable>
      <Pager nextCursor={props.page.nextCursor} href={(cursor) => pageHref(props.memberId, 'redemptions', cursor)} />
    </ListSection>
  );
}

export function AccountHistory(props: { memberId: string; page: Page<HistoryEntryView>; filter: HistoryFilter }) {
  const entries = props.page.data;
  const filterLink = (f: HistoryFilter, label: string) => (
    <a href={`${memberPath(props.memberId)}${f === 'all' ? '' : `?historyKind=${f}`}#history`} aria-current={props.filter === f ? 'true' : undefined}>
      {label}
    </a>
  );
  return (
    <ListSection list="history" title="Account history">
      <p class="filters">
        Show: {filterLink('all', 'everything')} · {filterLink('tier', 'tier changes')} · {filterLink('status', 'status changes')}
      </p>
      <DataTable caption="What changed about the account, newest first" headers={['When', 'What', 'By', 'Detail']} rows={entries.length} empty="Nothing of this kind yet.">
        {entries.map((e) => (
          <tr>
            <td>{formatTime(e.at)}</td>
            <td>{e.kind}</td>
            <td>{e.actor}</td>
            <td>{historyDetail(e)}</td>
          </tr>
        ))}
      </DataTable>
      <Pager nextCursor={props.page.nextCursor} href={(cursor) => pageHref(props.memberId, 'history', cursor, props.filter === 'all' ? {} : { historyKind: props.filter })} />
    </ListSection>
  );
}
