import type { NormalizeResult } from '../../core/connectors/definition.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import { creditmemoRefunded } from './refund.js';
import { creditmemoSchema } from './schemas.js';

/** `sales_order_creditmemo_save_after` (and `_commit_after`): the memo is in the payload, in full. */
export function creditmemoSaved(data: Record<string, unknown>): NormalizeResult {
  const memo = parseWithSchema(creditmemoSchema, data.creditmemo, '/data/creditmemo', 'Magento credit memo');
  return creditmemoRefunded(memo, '/data/creditmemo');
}
