/**
 * GDPR erasure (docs/api.md, "Erasure"; docs/security.md): everything the hub keeps about a
 * person goes — profile, aliases, PIN, the inbox deliveries about them, rendered messages,
 * delivery errors, free-text reasons — in one transaction, while the points history stays under
 * the opaque member id (ledger lines are never deleted; only personal text in them is replaced
 * by `[erased]`).
 */
import { and, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { requireMember, type Member } from './members.js';

export const ERASED = '[erased]';

/** What identifies the person in stored text. */
export interface PersonIdentifiers {
  memberId: string;
  emails: string[];
  phone: string | null;
  names: string[];
  /** `shopify:7390123` → { platform: 'shopify', id: '7390123' }. */
  platformIds: { platform: string; id: string; alias: string }[];
}

export function identifiersOf(member: Member): PersonIdentifiers {
  const emails = new Set<string>();
  if (member.email) emails.add(member.email.toLowerCase());
  const platformIds: PersonIdentifiers['platformIds'] = [];
  for (const alias of member.aliases) {
    const colon = alias.indexOf(':');
    const platform = alias.slice(0, colon);
    const id = alias.slice(colon + 1);
    if (platform === 'email') emails.add(id.toLowerCase());
    else platformIds.push({ platform, id, alias });
  }
  const names = [member.firstName, member.lastName].filter((n): n is string => !!n && n.trim().length >= 2).map((n) => n.trim());
  return { memberId: member.id, emails: [...emails], phone: member.phone, names, platformIds };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
/** `like` with `\` as the escape character on both backends (SQLite has none by default). */
const likeEscaped = (column: unknown, pattern: string): SQL => sql`${column} like ${pattern} escape '\\'`;

/**
 * A phone number in any stored form: the last 8 digits of the number (the same in `+44 20 7946
 * 0958` and `020 7946 0958`), each allowed to be separated by spaces, dots, dashes or brackets,
 * with up to 5 more digits (country code, trunk 0, area code) before them; never inside a longer
 * run of digits or a word.
 */
function phonePattern(phone: string | null): RegExp | undefined {
  const digits = (phone ?? '').replace(/\D/g, '').replace(/^0+/, '');
  if (digits.length < 6) return undefined;
  const core = digits.slice(-8).split('').join('[\\s().-]{0,2}');
  return new RegExp(`(?<![\\w+])(?:\\+|00)?(?:[\\d(][\\s().-]{0,2}){0,5}${core}(?!\\d)`, 'g');
}

/** Replaces every identifier of the person in `text` by `[erased]`. */
export function scrubText(text: string, who: PersonIdentifiers): string {
  let out = text;
  for (const email of who.emails) out = out.replace(new RegExp(escapeRegex(email), 'giu'), ERASED);
  for (const p of who.platformIds) {
    out = out.replace(new RegExp(`${escapeRegex(p.alias)}(?![\\w-])`, 'gi'), ERASED);
    // As a JSON value only (`"7390123"` or `":7390123`): a bare short number may be anything.
    out = out.replace(new RegExp(`"${escapeRegex(p.id)}"`, 'g'), `"${ERASED}"`).replace(new RegExp(`(":\\s*)${escapeRegex(p.id)}(?![\\w.])`, 'g'), `$1"${ERASED}"`);
  }
  const phone = phonePattern(who.phone);
  if (phone) out = out.replace(phone, ERASED);
  // Names as whole words, any case: in the person's own rows erring towards erasing is right.
  for (const name of who.names) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(name)}(?![\\p{L}\\p{N}])`, 'giu'), ERASED);
  return out;
}

function mentions(text: string | null, who: PersonIdentifiers): boolean {
  return text !== null && text !== scrubText(text, who);
}

/** The trigger events of an inbox row without the customer: only the business facts stay. */
function factsOnly(events: string | null): string | null {
  if (!events) return events;
  try {
    const list = JSON.parse(events) as Record<string, unknown>[];
    return JSON.stringify(
      list.map((e) => {
        const kept: Record<string, unknown> = {};
        for (const key of ['id', 'type', 'source', 'occurredAt', 'order', 'refund', 'name']) if (e[key] !== undefined) kept[key] = e[key];
        return kept;
      }),
    );
  } catch {
    return null;
  }
}

/** Quotes integers too long for a double, so parsed ids compare exactly. */
const parseLossless = (text: string): unknown => JSON.parse(text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));

const CUSTOMER_KEY = /^(customer|customer_?id|customerid|contact_?id|user_?id)$/i;

/** Whether a platform's JSON names this customer id in a customer field (or as the id of a customer resource). */
function namesCustomer(value: unknown, id: string, topLevelIsCustomer: boolean): boolean {
  const walk = (v: unknown, key: string, depth: number): boolean => {
    if (Array.isArray(v)) return v.some((x) => walk(x, key, depth + 1));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((CUSTOMER_KEY.test(key) || (depth === 0 && topLevelIsCustomer)) && String(o.id ?? '') === id) return true;
      return Object.entries(o).some(([k, x]) => walk(x, k, depth + 1));
    }
    return (typeof v === 'string' || typeof v === 'number') && CUSTOMER_KEY.test(key) && String(v) === id;
  };
  return walk(value, '', 0);
}

async function scrubInbox(tx: Db, now: number, who: PersonIdentifiers): Promise<void> {
  const { inbox } = tablesOf(tx);
  const conds: SQL[] = [likeEscaped(inbox.outcome, `%"memberId":"${escapeLike(who.memberId)}"%`)];
  for (const email of who.emails) {
    const pattern = `%${escapeLike(email)}%`;
    conds.push(sql`lower(${inbox.rawBody}) like ${pattern} escape '\\'`, sql`lower(${inbox.events}) like ${pattern} escape '\\'`);
  }
  const digits = (who.phone ?? '').replace(/\D/g, '');
  if (digits.length >= 6) {
    const last = digits.slice(-4);
    // The last four digits, together or split once by a separator (`56 78`).
    for (const p of [last, `${last.slice(0, 1)}_${last.slice(1)}`, `${last.slice(0, 2)}_${last.slice(2)}`, `${last.slice(0, 3)}_${last.slice(3)}`]) {
      conds.push(likeEscaped(inbox.rawBody, `%${p}%`), likeEscaped(inbox.events, `%${p}%`));
    }
  }
  for (const p of who.platformIds) {
    conds.push(and(eq(inbox.source, p.platform), or(likeEscaped(inbox.rawBody, `%${escapeLike(p.id)}%`), likeEscaped(inbox.events, `%${escapeLike(p.id)}%`)))!);
  }
  const candidates = await tx.select().from(inbox).where(and(isNull(inbox.erasedAt), or(...conds)));
  for (const row of candidates) {
    const outcomeNames = (row.outcome ?? '').includes(`"memberId":"${who.memberId}"`);
    const customerIds = who.platformIds.filter((p) => p.platform === row.source);
    let byCustomerId = false;
    if (customerIds.length) {
      const customerOfEvents = (() => {
        try {
          return (JSON.parse(row.events ?? '[]') as { customer?: { platformId?: string; aliases?: string[] } }[]).map((e) => e.customer);
        } catch {
          return [];
        }
      })();
      let body: unknown;
      try {
        body = parseLossless(row.rawBody);
      } catch {
        body = undefined;
      }
      byCustomerId = customerIds.some(
        (p) =>
          customerOfEvents.some((c) => c?.platformId === p.id || c?.aliases?.includes(p.alias)) ||
          (body !== undefined && namesCustomer(body, p.id, /customer/i.test(row.topic ?? ''))),
      );
    }
    const identifiersOnly = { ...who, names: [], platformIds: [] };
    if (!outcomeNames && !byCustomerId && !mentions(row.rawBody, identifiersOnly) && !mentions(row.events, identifiersOnly)) continue;
    await tx
      .update(inbox)
      .set({ rawBody: '', headers: '{}', events: factsOnly(row.events), outcome: row.outcome === null ? null : scrubText(row.outcome, who), erasedAt: now })
      .where(eq(inbox.id, row.id));
  }
}

/** Rewrites one text column of the rows `where` selects with the person's identifiers replaced. */
async function scrubColumn<T extends keyof ReturnType<typeof tablesOf>>(
  tx: Db,
  table: T,
  key: string,
  column: string,
  where: SQL | undefined,
  who: PersonIdentifiers,
): Promise<void> {
  const t = tablesOf(tx)[table] as unknown as Record<string, never>;
  const rows = (await tx
    .select({ key: t[key]!, value: t[column]! })
    .from(t as never)
    .where(where)) as { key: string | number; value: string | null }[];
  for (const row of rows) {
    if (row.value === null) continue;
    const scrubbed = scrubText(row.value, who);
    if (scrubbed !== row.value) await tx.update(t as never).set({ [column]: scrubbed } as never).where(eq(t[key]!, row.key));
  }
}

export async function eraseMember(tx: Db, now: number, id: string): Promise<Member> {
  const t = tablesOf(tx);
  const member = await requireMember(tx, id);
  const who = identifiersOf(member);
  const emailLike = (col: unknown) => who.emails.map((e) => sql`lower(${col}) like ${`%${escapeLike(e)}%`} escape '\\'`);
  const mentionedOr = (memberCond: SQL, col: unknown) => or(memberCond, ...emailLike(col));

  await scrubInbox(tx, now, who);

  // Messages rendered for the member hold their address and name: none is sent any more, and
  // none keeps them; what providers answered (errors) loses the identifiers.
  await tx
    .update(t.deliveries)
    .set({ status: 'skipped', lastError: 'member erased', updatedAt: now })
    .where(and(eq(t.deliveries.memberId, id), eq(t.deliveries.status, 'pending')));
  await tx.update(t.deliveries).set({ payload: JSON.stringify({ options: {}, member: null, erased: true }) }).where(eq(t.deliveries.memberId, id));
  await scrubColumn(tx, 'deliveries', 'id', 'lastError', mentionedOr(eq(t.deliveries.memberId, id), t.deliveries.lastError), who);
  const memberDeliveries = tx.select({ id: t.deliveries.id }).from(t.deliveries).where(eq(t.deliveries.memberId, id));
  await scrubColumn(tx, 'deliveryAttempts', 'seq', 'error', mentionedOr(inArray(t.deliveryAttempts.deliveryId, memberDeliveries), t.deliveryAttempts.error), who);

  await tx.update(t.loyaltyEvents).set({ data: '{}' }).where(and(eq(t.loyaltyEvents.memberId, id), eq(t.loyaltyEvents.type, 'member.enrolled')));
  await scrubColumn(tx, 'loyaltyEvents', 'seq', 'data', mentionedOr(eq(t.loyaltyEvents.memberId, id), t.loyaltyEvents.data), who);
  await scrubColumn(tx, 'transfers', 'seq', 'reason', mentionedOr(eq(t.transfers.memberId, id), t.transfers.reason), who);
  await scrubColumn(tx, 'transfers', 'seq', 'metadata', mentionedOr(eq(t.transfers.memberId, id), t.transfers.metadata), who);
  // Account history names fields, not values; a free-text reason given with a change may still name the person.
  await scrubColumn(tx, 'memberHistory', 'seq', 'detail', eq(t.memberHistory.memberId, id), who);
  // So may a reviewer's reason for a fraud-hold decision (docs/api.md, "Fraud holds").
  await scrubColumn(tx, 'fraudHolds', 'id', 'decisionReason', eq(t.fraudHolds.memberId, id), who);

  // Orders keep their amounts; the trigger they keep loses its customer block.
  const orderCond = or(eq(t.orders.memberId, id), ...(who.emails.length ? [inArray(t.orders.guestEmail, who.emails)] : []), ...emailLike(t.orders.trigger));
  const orderRows = await tx.select({ key: t.orders.key, trigger: t.orders.trigger }).from(t.orders).where(orderCond);
  for (const o of orderRows) {
    await tx
      .update(t.orders)
      .set({ guestEmail: null, trigger: o.trigger === null ? null : scrubText(withoutCustomer(o.trigger), who) })
      .where(eq(t.orders.key, o.key));
  }
  const orderKeys = orderRows.map((o) => o.key);
  const refundRows = await tx
    .select({ key: t.orderRefunds.key, trigger: t.orderRefunds.trigger })
    .from(t.orderRefunds)
    .where(or(...(orderKeys.length ? [inArray(t.orderRefunds.orderKey, orderKeys)] : []), ...emailLike(t.orderRefunds.trigger)));
  for (const r of refundRows) await tx.update(t.orderRefunds).set({ trigger: scrubText(withoutCustomer(r.trigger), who) }).where(eq(t.orderRefunds.key, r.key));

  // Remembered API answers (e.g. the enrollment's response) hold the member as it was.
  await scrubColumn(
    tx,
    'idempotencyRecords',
    'key',
    'responseBody',
    or(likeEscaped(t.idempotencyRecords.responseBody, `%${escapeLike(id)}%`), ...emailLike(t.idempotencyRecords.responseBody)),
    who,
  );
  await scrubColumn(tx, 'idempotencyRecords', 'key', 'responseBody', likeEscaped(t.idempotencyRecords.responseBody, `%${escapeLike(id)}%`), { ...who, ...profileValues(member) });
  await scrubColumn(tx, 'webhookRejections', 'platform', 'lastReason', or(...emailLike(t.webhookRejections.lastReason)), who);

  await tx.delete(t.memberPins).where(eq(t.memberPins.memberId, id));
  await tx.delete(t.memberAliases).where(eq(t.memberAliases.memberId, id));
  await tx
    .update(t.members)
    .set({
      email: null,
      phone: null,
      firstName: null,
      lastName: null,
      birthDate: null,
      locale: null,
      consentEmail: false,
      consentSms: false,
      attributes: '{}',
      status: 'erased',
      erasedAt: now,
      updatedAt: now,
    })
    .where(eq(t.members.id, id));
  return requireMember(tx, id);
}

/** The birth date as one more identifier, for texts that hold the whole member. */
function profileValues(member: Member): Partial<PersonIdentifiers> {
  return member.birthDate ? { emails: [...identifiersOf(member).emails, member.birthDate] } : {};
}

function withoutCustomer(trigger: string): string {
  try {
    const parsed = JSON.parse(trigger) as Record<string, unknown>;
    delete parsed.customer;
    delete parsed.attributes;
    return JSON.stringify(parsed);
  } catch {
    return trigger;
  }
}
