/**
 * The shapes of the management API's answers the members pages read (docs/api.md, "Members",
 * "Points", "Fraud holds"), taken from the API's own response schemas: the console renders what
 * the API returns, nothing more, and a change there is a type error here.
 */
import type { z } from '@hono/zod-openapi';
import type { FraudHoldSchema } from '../../api/routes/fraud-holds.js';
import type { HistoryEntry, MemberRedemption, MemberVoucher } from '../../api/routes/member-activity.js';
import type { BalanceSchema, HistoryLineSchema, LotSchema, MemberSchema } from '../../api/schemas.js';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type MemberView = z.infer<typeof MemberSchema>;
export type BalanceView = z.infer<typeof BalanceSchema>;
export type LotView = z.infer<typeof LotSchema>;
export type LineView = z.infer<typeof HistoryLineSchema>;
export type VoucherView = z.infer<typeof MemberVoucher>;
export type RedemptionView = z.infer<typeof MemberRedemption>;
export type HistoryEntryView = z.infer<typeof HistoryEntry>;
export type HoldView = z.infer<typeof FraudHoldSchema>;
