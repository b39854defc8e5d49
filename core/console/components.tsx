/**
 * Pieces every console screen uses, so each page file is only its own content: a refusal from
 * the API shown in words, a cursor pager, forms that carry the CSRF token and an idempotency
 * key, and the formats of points, money and time.
 */
import { randomUUID } from 'node:crypto';
import type { Child } from 'hono/jsx';
import type { Problem } from '../api/problem.js';

/** An API refusal as a person reads it: its title, its detail, and each field it names. */
export function ProblemNotice(props: { problem: Problem }) {
  const { problem } = props;
  return (
    <div class="problem" role="alert">
      <p>
        <strong>{problem.title}</strong>
        {problem.detail ? ` — ${problem.detail}` : ''}
      </p>
      {problem.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li>
              <code>{e.pointer || '/'}</code> {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** "Next page" for a cursor-paged list; `href` already carries the list's filters. */
export function Pager(props: { nextCursor: string | null | undefined; href: (cursor: string) => string }) {
  if (!props.nextCursor) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <a href={props.href(props.nextCursor)} rel="next">
        Next page →
      </a>
    </nav>
  );
}

/**
 * A form that changes something: POSTs to `action` with the session's CSRF token and an
 * idempotency key made when the form was drawn, so a double click or a resubmitted page is
 * applied once (the API remembers the key; docs/api.md, "Idempotency").
 */
export function ActionForm(props: { action: string; csrfToken: string; class?: string; label?: string; children: Child }) {
  return (
    <form method="post" action={props.action} class={props.class} aria-label={props.label}>
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      <input type="hidden" name="_idempotency" value={randomUUID()} />
      {props.children}
    </form>
  );
}

/** A table that scrolls sideways inside its own box on a narrow screen instead of breaking the page. */
export function DataTable(props: { caption: string; headers: string[]; children: Child; empty?: string; rows: number }) {
  if (props.rows === 0) return <p class="empty">{props.empty ?? 'Nothing here yet.'}</p>;
  return (
    <div class="table-wrap" tabindex={0} role="region" aria-label={props.caption}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.headers.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

const grouped = new Intl.NumberFormat('en-US');

/** Points as integers with thousands separators. */
export function formatPoints(points: number | bigint | string): string {
  return grouped.format(BigInt(points));
}

/** Integer minor units as money, e.g. (12345, 'EUR', 2) → "EUR 123.45". Never through a float. */
export function formatMoney(minor: number | bigint | string, currency: string, exponent: number): string {
  const value = BigInt(minor);
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${currency} ${sign}${grouped.format(BigInt(whole))}${fraction}`;
}

/** A timestamp (epoch ms or ISO text) in UTC, to the minute: "2026-12-07 05:33 UTC" (or to the second, for attempts seconds apart). */
export function formatTime(at: number | string | null | undefined, to: 'minute' | 'second' = 'minute'): string {
  if (at === null || at === undefined || at === '') return '—';
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return `${date.toISOString().slice(0, to === 'second' ? 19 : 16).replace('T', ' ')} UTC`;
}
