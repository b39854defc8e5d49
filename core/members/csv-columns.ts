/**
 * What the columns of a members CSV mean (docs/operating.md, "Moving members in"): the hub's own
 * layout, and the customer exports of Smile.io and LoyaltyLion recognized by their headers
 * (tests/fixtures/import/README.md cites where their column names come from). Headers are
 * compared loosely — case, spaces and punctuation aside — because both platforms let a merchant
 * rename or reorder export columns, and spreadsheets re-case them.
 *
 * A row becomes an `ImportedMember` or is refused with the column at fault and why (an
 * `ImportRowError`), before anything is written.
 */
import { createHash } from 'node:crypto';
import type { CompiledTier } from '../program/compiled-program.js';
import { normalizeAlias, normalizeEmail } from './aliases.js';
import { MemberError } from './errors.js';
import { ImportRowError, type ImportedMember } from './import-member.js';

export type Field =
  | 'externalId'
  | 'email'
  | 'phone'
  | 'firstName'
  | 'lastName'
  | 'birthDate'
  | 'aliases'
  | 'consentEmail'
  | 'consentSms'
  | 'tier'
  | 'points'
  | 'pointsExpireAt'
  | 'pendingPoints'
  | 'pendingUntil'
  | 'pointsSpent';

interface Column {
  field: Field;
  /** Header names, normalized (see `headerKey`); the first is the one to write. */
  names: string[];
  help: string;
}

export interface CsvLayout {
  /** `loyalty-hub`, `loyalty-hub-export`, `smile`, `loyaltylion`. */
  name: string;
  /** How `import --help` names it. */
  title: string;
  /** The source the members come from: `<source>:<external id>` becomes their alias and keys their opening lines. */
  source: string;
  /** How to tell the layout from a header row (normalized names). */
  recognizes(headers: Set<string>): boolean;
  columns: Column[];
  /** Columns of an export the hub has no use for are skipped; the hub's own layout refuses them (a typo). */
  ignoresUnknown: boolean;
  /** Pending points without a date (LoyaltyLion's `points_pending`) stay pending this many days. */
  pendingDays?: number;
}

/** `Points Balance`, `points-balance`, ` POINTS_BALANCE ` → `points_balance`. */
export function headerKey(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

const OWN: Column[] = [
  { field: 'externalId', names: ['external_id', 'id'], help: "the member's id in the old program (else the e-mail keys the row)" },
  { field: 'email', names: ['email', 'e_mail', 'email_address'], help: 'e-mail address' },
  { field: 'phone', names: ['phone', 'phone_number'], help: 'phone number' },
  { field: 'firstName', names: ['first_name'], help: 'first name' },
  { field: 'lastName', names: ['last_name'], help: 'last name' },
  { field: 'birthDate', names: ['birth_date', 'birthday', 'date_of_birth'], help: 'YYYY-MM-DD' },
  { field: 'aliases', names: ['aliases'], help: 'platform ids, `;`-separated: shopify:123;stripe:cus_1' },
  { field: 'consentEmail', names: ['consent_email'], help: 'e-mail marketing consent: true/false, yes/no, 1/0' },
  { field: 'consentSms', names: ['consent_sms'], help: 'SMS marketing consent: true/false, yes/no, 1/0' },
  { field: 'tier', names: ['tier'], help: 'a tier of the program (id or name): the manual tier' },
  { field: 'points', names: ['points', 'opening_points'], help: 'opening points, spendable now (whole number)' },
  { field: 'pointsExpireAt', names: ['points_expire_at', 'points_expiry', 'expires_at'], help: 'when they expire: YYYY-MM-DD (end of day, UTC) or ISO time' },
  { field: 'pendingPoints', names: ['pending_points'], help: 'points not yet spendable (whole number)' },
  { field: 'pendingUntil', names: ['pending_until'], help: 'when they become spendable: YYYY-MM-DD (UTC) or ISO time' },
  { field: 'pointsSpent', names: ['points_spent'], help: 'points spent in the old program (earned, then spent)' },
];

export const LAYOUTS: CsvLayout[] = [
  {
    // What `loyalty-hub export members` writes (core/members/export-rows.ts), so members moved out
    // of one hub move into another: recognized by its lifetime_earned column, before the hub's own
    // layout, whose columns it shares.
    name: 'loyalty-hub-export',
    title: 'Loyalty Hub members export (loyalty-hub export members)',
    source: 'loyalty-hub',
    recognizes: (h) => h.has('lifetime_earned'),
    ignoresUnknown: true,
    pendingDays: 30,
    columns: [
      { field: 'externalId', names: ['external_id'], help: "the member's id in the exporting hub" },
      { field: 'email', names: ['email'], help: '' },
      { field: 'phone', names: ['phone'], help: '' },
      { field: 'firstName', names: ['first_name'], help: '' },
      { field: 'lastName', names: ['last_name'], help: '' },
      { field: 'birthDate', names: ['birth_date'], help: '' },
      { field: 'aliases', names: ['aliases'], help: '' },
      { field: 'consentEmail', names: ['consent_email'], help: '' },
      { field: 'consentSms', names: ['consent_sms'], help: '' },
      { field: 'tier', names: ['tier'], help: '' },
      { field: 'points', names: ['available'], help: 'without expiry dates (the export has none; `export ledger` has every line)' },
      { field: 'pendingPoints', names: ['pending'], help: 'pending 30 days from the first run' },
      { field: 'pointsSpent', names: ['spent'], help: '' },
    ],
  },
  {
    name: 'loyaltylion',
    title: 'LoyaltyLion customer export',
    source: 'loyaltylion',
    recognizes: (h) => h.has('points_approved'),
    ignoresUnknown: true,
    pendingDays: 30,
    columns: [
      { field: 'externalId', names: ['id', 'customer_id', 'loyaltylion_id'], help: 'the same keys as --from loyaltylion' },
      { field: 'email', names: ['email', 'customer_email'], help: '' },
      { field: 'firstName', names: ['first_name'], help: '' },
      { field: 'lastName', names: ['last_name'], help: '' },
      { field: 'birthDate', names: ['birthday', 'date_of_birth'], help: '' },
      { field: 'tier', names: ['tier', 'tier_name', 'current_tier'], help: '' },
      { field: 'points', names: ['points_approved'], help: '' },
      { field: 'pendingPoints', names: ['points_pending'], help: 'pending 30 days from the first run' },
      { field: 'pointsSpent', names: ['points_spent'], help: '' },
    ],
  },
  {
    name: 'smile',
    title: 'Smile.io customer export',
    source: 'smile',
    recognizes: (h) => h.has('points_balance'),
    ignoresUnknown: true,
    columns: [
      { field: 'externalId', names: ['id', 'customer_id', 'smile_id'], help: '' },
      { field: 'email', names: ['email', 'customer_email'], help: '' },
      { field: 'firstName', names: ['first_name'], help: '' },
      { field: 'lastName', names: ['last_name'], help: '' },
      { field: 'birthDate', names: ['date_of_birth', 'birthday'], help: 'year 1004: day and month only' },
      { field: 'tier', names: ['vip_tier', 'vip_tier_name', 'tier'], help: '' },
      { field: 'points', names: ['points_balance'], help: '' },
    ],
  },
  {
    name: 'loyalty-hub',
    title: "the hub's own layout",
    source: 'csv',
    recognizes: (h) => h.has('email') || h.has('external_id') || h.has('aliases'),
    ignoresUnknown: false,
    columns: OWN,
  },
];

export class CsvHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvHeaderError';
  }
}

/** Which column holds each field, read from the header row. */
export interface CsvMapping {
  layout: CsvLayout;
  source: string;
  index: Partial<Record<Field, number>>;
  /** Headers present that this layout does not use (skipped; reported once). */
  ignored: string[];
}

export function mapHeader(headers: string[], options: { source?: string } = {}): CsvMapping {
  const keys = headers.map(headerKey);
  const present = new Set(keys);
  const layout = LAYOUTS.find((l) => l.recognizes(present));
  if (!layout) {
    throw new CsvHeaderError(
      `the header row (${headers.join(', ') || 'empty'}) is neither the hub's layout (it needs an email, external_id or aliases column) nor a Smile.io (points_balance) or LoyaltyLion (points_approved) customer export; see loyalty-hub import --help`,
    );
  }
  const index: Partial<Record<Field, number>> = {};
  const ignored: string[] = [];
  for (const [i, key] of keys.entries()) {
    const column = layout.columns.find((c) => c.names.includes(key));
    if (!column) {
      if (!layout.ignoresUnknown) throw new CsvHeaderError(`column "${headers[i]}" is not one the import understands (see loyalty-hub import --help)`);
      ignored.push(headers[i]!);
      continue;
    }
    if (index[column.field] !== undefined) throw new CsvHeaderError(`columns "${headers[index[column.field]!]}" and "${headers[i]}" both give ${column.names[0]}`);
    index[column.field] = i;
  }
  if (index.pendingPoints !== undefined && index.pendingUntil === undefined && layout.pendingDays === undefined) {
    throw new CsvHeaderError('a pending_points column needs a pending_until column (when they become spendable)');
  }
  return { layout, source: options.source ?? layout.source, index, ignored };
}

const DAY_MS = 86_400_000;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const WHOLE = /^\d{1,10}$/;

function isoDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = Date.UTC(year, month - 1, day);
  // Refuses 2026-02-30 rather than rolling it over into March (and years below 100, which
  // Date.UTC reads as 19xx). Compared field by field: no ISO string built per row of a big file.
  const d = new Date(at);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? at : undefined;
}

/** A date (`YYYY-MM-DD`, start or end of that UTC day) or an ISO time with its zone. */
function instant(text: string, field: string, endOfDay: boolean): number {
  const day = isoDate(text);
  if (day !== undefined) return endOfDay ? day + DAY_MS : day;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const at = Date.parse(text);
    if (Number.isSafeInteger(at)) return at;
  }
  throw new ImportRowError(field, `${field} must be a date (YYYY-MM-DD) or an ISO time with its zone, not "${text}"`);
}

function whole(text: string, field: string): number {
  if (!WHOLE.test(text)) throw new ImportRowError(field, `${field} must be a whole number of points (digits only), not "${text}"`);
  return Number(text);
}

function consent(text: string, field: string): boolean {
  const v = text.toLowerCase();
  if (['true', 'yes', 'y', '1'].includes(v)) return true;
  if (['false', 'no', 'n', '0'].includes(v)) return false;
  throw new ImportRowError(field, `${field} must be true or false (yes/no, 1/0), not "${text}"`);
}

export interface RowContext {
  /** The program's tiers (a tier cell must name one). */
  tiers: readonly CompiledTier[];
  /** When pending points without a date become spendable (the first run's start + the layout's days). */
  pendingFrom: number;
}

/** One data row as a member to open, or an `ImportRowError` naming the column at fault. */
function cellOf(mapping: CsvMapping, fields: string[], f: Field): string {
  const i = mapping.index[f];
  return i === undefined ? '' : (fields[i] ?? '').trim();
}

function columnName(layout: CsvLayout, f: Field): string {
  return layout.columns.find((c) => c.field === f)!.names[0]!;
}

export function rowToMember(mapping: CsvMapping, fields: string[], ctx: RowContext): ImportedMember {
  const { layout } = mapping;
  // Module-level helpers, not closures made per row (a million-row file: docs/BENCHMARKS.md (k)).

  const externalId = cellOf(mapping, fields, 'externalId');
  const rawEmail = cellOf(mapping, fields, 'email');
  if (rawEmail && !EMAIL.test(rawEmail)) throw new ImportRowError(columnName(layout, 'email'), `${columnName(layout, 'email')} "${rawEmail}" is not an e-mail address`);
  const email = rawEmail ? normalizeEmail(rawEmail) : null;

  let aliases: string[] = [];
  const aliasCell = cellOf(mapping, fields, 'aliases');
  if (aliasCell) {
    try {
      aliases = aliasCell
        .split(';')
        .map((a) => a.trim())
        .filter(Boolean)
        .map(normalizeAlias);
    } catch (error) {
      if (error instanceof MemberError) throw new ImportRowError(columnName(layout, 'aliases'), error.message);
      throw error;
    }
  }
  if (!externalId && !email && !aliases.length) {
    throw new ImportRowError(columnName(layout, 'email'), `the row has no ${columnName(layout, 'externalId')}, no ${columnName(layout, 'email')} and no alias: nothing could find the member again`);
  }
  if (externalId && !/^\S{1,200}$/.test(externalId)) throw new ImportRowError(columnName(layout, 'externalId'), `${columnName(layout, 'externalId')} must be one word of at most 200 characters`);

  const birth = cellOf(mapping, fields, 'birthDate');
  let birthDate: string | null = null;
  if (birth) {
    const day = birth.slice(0, 10);
    if (isoDate(day) === undefined || (birth.length > 10 && birth[10] !== 'T' && birth[10] !== ' ')) {
      throw new ImportRowError(columnName(layout, 'birthDate'), `${columnName(layout, 'birthDate')} must be a date (YYYY-MM-DD), not "${birth}"`);
    }
    birthDate = day;
  }

  let tier: string | null = null;
  const tierCell = cellOf(mapping, fields, 'tier');
  if (tierCell) {
    const wanted = tierCell.toLowerCase();
    const found = ctx.tiers.find((t) => t.id.toLowerCase() === wanted || t.name.toLowerCase() === wanted);
    if (!found) {
      throw new ImportRowError(
        columnName(layout, 'tier'),
        ctx.tiers.length ? `tier "${tierCell}" is not a tier of the program (${ctx.tiers.map((t) => t.id).join(', ')})` : `tier "${tierCell}": the program has no tiers`,
      );
    }
    tier = found.id;
  }

  const points = cellOf(mapping, fields, 'points') ? whole(cellOf(mapping, fields, 'points'), columnName(layout, 'points')) : 0;
  const expires = cellOf(mapping, fields, 'pointsExpireAt');
  const pending = cellOf(mapping, fields, 'pendingPoints') ? whole(cellOf(mapping, fields, 'pendingPoints'), columnName(layout, 'pendingPoints')) : 0;
  const until = cellOf(mapping, fields, 'pendingUntil');
  let activatesAt: number | undefined;
  if (pending > 0) {
    if (until) activatesAt = instant(until, columnName(layout, 'pendingUntil'), false);
    else if (layout.pendingDays !== undefined) activatesAt = ctx.pendingFrom + layout.pendingDays * DAY_MS;
    else throw new ImportRowError(columnName(layout, 'pendingUntil'), `${columnName(layout, 'pendingPoints')} need a ${columnName(layout, 'pendingUntil')} date`);
  }
  const spent = cellOf(mapping, fields, 'pointsSpent') ? whole(cellOf(mapping, fields, 'pointsSpent'), columnName(layout, 'pointsSpent')) : 0;

  const consentEmail = cellOf(mapping, fields, 'consentEmail');
  const consentSms = cellOf(mapping, fields, 'consentSms');
  return {
    // Without an external id the e-mail keys the opening lines — hashed, so no address is written
    // into the ledger's idempotency keys, which outlive an erasure (docs/operating.md).
    sourceId: externalId || (email ? `email-${createHash('sha256').update(email).digest('base64url').slice(0, 22)}` : aliases[0]!),
    sourceAlias: Boolean(externalId),
    email,
    phone: cellOf(mapping, fields, 'phone') || null,
    firstName: cellOf(mapping, fields, 'firstName') || null,
    lastName: cellOf(mapping, fields, 'lastName') || null,
    birthDate,
    ...(consentEmail ? { consentEmail: consent(consentEmail, columnName(layout, 'consentEmail')) } : {}),
    ...(consentSms ? { consentSms: consent(consentSms, columnName(layout, 'consentSms')) } : {}),
    aliases,
    tier,
    points: {
      available: points,
      availableExpiresAt: expires ? instant(expires, columnName(layout, 'pointsExpireAt'), true) : null,
      pending: pending > 0 ? [{ points: pending, activatesAt: activatesAt! }] : [],
      spent,
    },
  };
}

/** The columns each layout understands, for `loyalty-hub import --help`. */
export function columnsHelp(): string[] {
  const own = LAYOUTS.find((l) => l.name === 'loyalty-hub')!;
  const ownName = (f: Field) => own.columns.find((c) => c.field === f)!.names[0]!;
  const row = (names: string, help: string) => (names.length > 36 ? [`  ${names}`, `  ${''.padEnd(36)}${help}`] : [`  ${names.padEnd(36)}${help}`]);
  const lines = ['Columns of the hub\'s own layout (header row; case, spaces and punctuation do not matter):'];
  for (const c of own.columns) lines.push(...row(c.names.join(' | '), c.help));
  for (const l of LAYOUTS.filter((x) => x !== own)) {
    const mark = l.name === 'loyalty-hub-export' ? 'lifetime_earned' : l.columns.find((c) => c.field === 'points')!.names[0];
    lines.push('', `${l.title}: recognized by its ${mark} column, members keyed ${l.source}:<id>,`, 'other columns skipped:');
    for (const c of l.columns) lines.push(...row(c.names.join(' | '), `as ${ownName(c.field)}${c.help ? `: ${c.help}` : ''}`));
  }
  return lines;
}
