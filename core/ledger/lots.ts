import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { param, placeholders, prepared } from '../storage/prepared.js';
import type { Row } from '../storage/rows.js';
import type { Db } from '../storage/store.js';
import { followLot } from './expiring-points.js';
import { eqConstant } from '../storage/constant.js';

export type LotRow = Row<'lots'>;

const LOT_COLUMNS = [
  'id', 'memberId', 'transferId', 'amount', 'remaining', 'locked', 'spent', 'expired', 'reversed', 'status', 'activatesAt',
  'expiresAt', 'spendOrder', 'createdAt',
] as const satisfies readonly (keyof LotRow)[];

/**
 * How each movement changes a lot. The checker replays movements through this same table, so
 * the stored lot and the movement history cannot silently disagree.
 */
export type MovementKind =
  | 'earn' // the lot is created active
  | 'earn_pending' // the lot is created pending
  | 'activate' // pending → active
  | 'spend' // remaining → spent
  | 'lock' // remaining → locked
  | 'capture' // locked → spent
  | 'unlock' // locked → remaining
  | 'expire' // remaining → expired
  | 'reverse' // remaining → reversed (earn taken back)
  | 'restore'; // spent → remaining (spend reversed)

export interface LotParts {
  remaining: number;
  locked: number;
  spent: number;
  expired: number;
  reversed: number;
}

export const MOVES: Record<Exclude<MovementKind, 'earn' | 'earn_pending' | 'activate'>, [keyof LotParts, keyof LotParts]> = {
  spend: ['remaining', 'spent'],
  lock: ['remaining', 'locked'],
  capture: ['locked', 'spent'],
  unlock: ['locked', 'remaining'],
  expire: ['remaining', 'expired'],
  reverse: ['remaining', 'reversed'],
  restore: ['spent', 'remaining'],
};

export function lotStatus(activated: boolean, parts: LotParts): 'pending' | 'active' | 'closed' {
  if (parts.remaining + parts.locked === 0) return 'closed';
  return activated ? 'active' : 'pending';
}

/** The largest time a JavaScript Date can hold: sorts after every real expiry. */
export const NEVER = 8_640_000_000_000_000;

export interface Movement {
  lotId: string;
  kind: MovementKind;
  amount: number;
}

export async function createLot(
  tx: Db,
  now: number,
  lot: { id: string; memberId: string; transferId: string; amount: number; activatesAt: number; expiresAt: number | null },
): Promise<LotRow> {
  const pending = lot.activatesAt > now;
  const row: LotRow = {
    id: lot.id,
    memberId: lot.memberId,
    transferId: lot.transferId,
    amount: lot.amount,
    remaining: lot.amount,
    locked: 0,
    spent: 0,
    expired: 0,
    reversed: 0,
    status: pending ? 'pending' : 'active',
    activatesAt: lot.activatesAt,
    expiresAt: lot.expiresAt,
    spendOrder: lot.expiresAt ?? NEVER,
    createdAt: now,
  };
  await prepared(tx, 'ledger_insert_lot', (db, t) =>
    db.insert(t.lots).values(
      placeholders(LOT_COLUMNS),
    ),
  )(row);
  await recordMovements(tx, lot.transferId, lot.memberId, [
    { lotId: row.id, kind: pending ? 'earn_pending' : 'earn', amount: lot.amount },
  ]);
  await followLot(tx, null, row);
  return row;
}

/**
 * Moves points between the parts of one lot and records the movement. The caller holds the
 * member's lock and has checked that the source part holds at least `amount`.
 */
export async function moveWithinLot(tx: Db, lot: LotRow, kind: keyof typeof MOVES, amount: number): Promise<LotRow> {
  const [from, to] = MOVES[kind];
  const parts: LotParts = {
    remaining: lot.remaining,
    locked: lot.locked,
    spent: lot.spent,
    expired: lot.expired,
    reversed: lot.reversed,
  };
  if (parts[from] < amount) throw new Error(`lot ${lot.id}: cannot move ${amount} out of ${from}=${parts[from]}`);
  parts[from] -= amount;
  parts[to] += amount;
  const status = lotStatus(lot.status !== 'pending', parts);
  await prepared(tx, 'ledger_update_lot', (db, t) =>
    db
      .update(t.lots)
      .set({
        remaining: param('remaining'),
        locked: param('locked'),
        spent: param('spent'),
        expired: param('expired'),
        reversed: param('reversed'),
        status: param('status'),
      })
      .where(eq(t.lots.id, sql.placeholder('id'))),
  )({ ...parts, status, id: lot.id });
  const after = { ...lot, ...parts, status };
  await followLot(tx, lot, after);
  return after;
}

export async function recordMovements(tx: Db, transferId: string, memberId: string, moves: Movement[]): Promise<void> {
  const insert = prepared(tx, 'ledger_insert_movement', (db, t) =>
    db.insert(t.lotMovements).values({
      transferId: sql.placeholder('transferId'),
      lotId: sql.placeholder('lotId'),
      memberId: sql.placeholder('memberId'),
      kind: sql.placeholder('kind'),
      amount: sql.placeholder('amount'),
    }),
  );
  for (const m of moves) await insert({ ...m, transferId, memberId });
}

/**
 * Takes `points` from the member's active lots, those that expire first first (never-expiring
 * lots last, then oldest first), moving them into `kind`'s target part. The caller has checked
 * that `available` covers `points`, and available always equals the sum of active remainders.
 */
export async function takeFromLots(
  tx: Db,
  memberId: string,
  points: number,
  kind: 'spend' | 'lock' | 'reverse',
): Promise<Movement[]> {
  const moves: Movement[] = [];
  let left = points;
  while (left > 0) {
    const batch = await prepared(tx, 'ledger_spendable_lots', (db, t) =>
      db
        .select()
        .from(t.lots)
        .where(and(eq(t.lots.memberId, sql.placeholder('memberId')), eqConstant(t.lots.status, 'active'), gt(t.lots.remaining, 0)))
        .orderBy(asc(t.lots.spendOrder), asc(t.lots.createdAt), asc(t.lots.id))
        .limit(32),
    )({ memberId });
    if (batch.length === 0) throw new Error(`member ${memberId}: lots hold less than available`);
    for (const lot of batch) {
      const take = Math.min(left, lot.remaining);
      await moveWithinLot(tx, lot, kind, take);
      moves.push({ lotId: lot.id, kind, amount: take });
      left -= take;
      if (left === 0) break;
    }
  }
  return moves;
}

export async function getLot(tx: Db, lotId: string): Promise<LotRow> {
  const [lot] = await prepared(tx, 'ledger_lot_by_id', (db, t) =>
    db.select().from(t.lots).where(eq(t.lots.id, sql.placeholder('lotId'))),
  )({ lotId });
  if (!lot) throw new Error(`no lot ${lotId}`);
  return lot;
}

/** Movements of one transfer, in the order they were made. */
export async function movementsOf(tx: Db, transferId: string): Promise<Movement[]> {
  return prepared(tx, 'ledger_movements_of', (db, t) =>
    db
      .select({ lotId: t.lotMovements.lotId, kind: t.lotMovements.kind, amount: t.lotMovements.amount })
      .from(t.lotMovements)
      .where(eq(t.lotMovements.transferId, sql.placeholder('transferId')))
      .orderBy(asc(t.lotMovements.seq)),
  )({ transferId }) as Promise<Movement[]>;
}
