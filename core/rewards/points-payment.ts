/**
 * Points as payment: the program's `redemption.pointsValue` (100 points = 1.00 USD) turns an
 * amount to pay into points and back, in integers. A quote rounds points up (the customer never
 * pays less than the amount in points) and value down (a partial use is never worth more).
 */
import type { Program } from '../program/compiled-program.js';
import { normalizeCurrency, toMinorUnits } from '../triggers/money.js';
import { RewardError } from './reward-error.js';

export interface PointsQuote {
  currency: string;
  /** The amount asked for, minor units. */
  amount: number;
  /** Points needed to pay all of it. */
  pointsNeeded: number;
  /** Points the member can use now (at most what they have available), and what they cover. */
  pointsUsable: number;
  valueOfUsable: number;
  /** What is left to pay otherwise, minor units. */
  remainder: number;
  rate: { points: number; value: number };
}

export function quotePointsPayment(program: Program, amount: number, currency: string, available: number): PointsQuote {
  const pv = program.config.redemption.pointsValue;
  const code = normalizeCurrency(currency);
  if (!pv || normalizeCurrency(pv.currency) !== code) {
    throw new RewardError('no_points_value', pv ? `points pay in ${pv.currency}, not ${code}` : 'the program sets no redemption.pointsValue', {});
  }
  const value = toMinorUnits(pv.value, pv.currency);
  // amount × points / value, rounded up, in BigInt so large amounts stay exact.
  const needed = Number((BigInt(amount) * BigInt(pv.points) + BigInt(value) - 1n) / BigInt(value));
  const usable = Math.min(needed, Math.max(0, available));
  const valueOfUsable = Math.min(amount, Number((BigInt(usable) * BigInt(value)) / BigInt(pv.points)));
  return { currency: code, amount, pointsNeeded: needed, pointsUsable: usable, valueOfUsable, remainder: amount - valueOfUsable, rate: { points: pv.points, value } };
}
