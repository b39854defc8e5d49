/**
 * Facts a platform reports that are not the program's to judge: no rule is evaluated, the fact
 * is applied as it is (docs/adding-a-connector.md, "Vouchers at a platform" and "Points a
 * platform moved"). Like every trigger they arrive through the inbox and run once per trigger id
 * (core/program/apply-trigger.ts claims it first).
 */
import type { Writer } from '../commit/writer.js';
import { adjust, LedgerError, type Posted } from '../ledger/index.js';
import { reverseRedemption } from '../rewards/reverse-redemption.js';
import { RewardError } from '../rewards/reward-error.js';
import { findVoucher, markVoucherUsed } from '../rewards/use-voucher.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import type { ApplyOutcome } from './apply-trigger.js';
import { TriggerError } from './trigger-error.js';

type VoucherFact = Extract<TriggerEvent, { type: 'voucher.used' | 'voucher.cancelled' }>;
type MirroredFact = Extract<TriggerEvent, { type: 'points.mirrored' }>;

const MAX_MIRRORED = 1_000_000_000;

/**
 * A hub voucher taken at a platform's till becomes used; one withdrawn there before use has its
 * redemption reversed (the points go back, the stock too). What cannot be done — no such
 * voucher, already used, already void — is applied as nothing, with the reason kept for support:
 * the platform did what it did, and refusing the delivery would only make it retry.
 */
export async function applyVoucherFact(w: Writer, trigger: VoucherFact): Promise<ApplyOutcome> {
  const code = trigger.voucher.code;
  const voucher = await findVoucher(w.tx, code);
  const nothing = (detail: string): ApplyOutcome => ({ status: 'applied', triggerId: trigger.id, memberId: voucher?.memberId ?? undefined, enrolled: false, points: 0, posted: [], detail });
  if (!voucher) return nothing(`no hub voucher ${code}: nothing to change`);
  if (trigger.type === 'voucher.used') {
    if (voucher.status !== 'active') return nothing(`voucher ${voucher.code} was already ${voucher.status}`);
    // An expired voucher the till still took is used all the same: the customer had the reward.
    const used = await markVoucherUsed(w, voucher.code, trigger.voucher.reference ?? trigger.id, { source: trigger.source });
    return used ? { status: 'applied', triggerId: trigger.id, memberId: voucher.memberId, enrolled: false, points: 0, posted: [] } : nothing(`voucher ${voucher.code} was used a moment ago`);
  }
  if (voucher.status === 'used') return nothing(`voucher ${voucher.code} was used; its redemption stands`);
  if (voucher.status === 'void') return nothing(`voucher ${voucher.code} is already void (its redemption was reversed)`);
  if (!voucher.redemptionId) return nothing(`voucher ${voucher.code} belongs to no redemption`);
  try {
    const reason = trigger.voucher.reason?.trim() || `reward withdrawn at ${trigger.source}`;
    const { posted } = await reverseRedemption(w, voucher.redemptionId, { reason });
    return { status: 'applied', triggerId: trigger.id, memberId: voucher.memberId, enrolled: false, points: posted.duplicate ? 0 : posted.transfer.amount, posted: [posted] };
  } catch (error) {
    if (error instanceof RewardError) return nothing(`redemption ${voucher.redemptionId} not reversed: ${error.message}`);
    throw error;
  }
}

/**
 * Points a platform moved in its own program, posted for the member as an adjustment keyed by
 * the trigger (so a second delivery of it posts nothing). A debit larger than what the member
 * has available is refused, naming both figures: the two programs disagree and a person looks.
 */
export async function applyMirroredPoints(w: Writer, trigger: MirroredFact, memberId: string): Promise<Posted> {
  const { points, reason } = trigger.mirrored;
  if (!Number.isSafeInteger(points) || points === 0 || Math.abs(points) > MAX_MIRRORED) {
    throw new TriggerError('invalid_points', `points moved at ${trigger.source} must be a non-zero whole number up to ${MAX_MIRRORED}, not ${points}`);
  }
  try {
    return await w.post(adjust, {
      memberId,
      points,
      idempotencyKey: `mirror:${trigger.id}`,
      why: { source: 'event', eventId: trigger.id, actor: trigger.source, reason: `${trigger.source}: ${reason.trim() || 'points moved'}` },
    });
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'insufficient_points') {
      throw new TriggerError('insufficient_points', `${trigger.source} took ${-points} points but ${error.message.replace(/, \d+ requested$/, '')}`);
    }
    throw error;
  }
}
