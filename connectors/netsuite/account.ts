import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';
import { ACCOUNT_HEADER } from './signature.js';

/**
 * A NetSuite account id as one spelling: `runtime.accountId` gives `1234567` or `1234567_SB1` for
 * a sandbox, while URLs write `1234567-sb1`; both name the same account.
 */
export function normalizeAccountId(value: string | null | undefined): string | undefined {
  const id = value?.trim().toUpperCase().replace(/-/g, '_');
  return id && /^[A-Z0-9]+(_[A-Z0-9]+)*$/.test(id) ? id : undefined;
}

/**
 * After the signature: the signed `X-NetSuite-Account` must be NETSUITE_ACCOUNT_ID. A sandbox
 * refreshed from production carries the same script, deployment and API Secret, so without this
 * its test transactions would earn real points (docs/connectors/netsuite.md).
 */
export function accountVerifier(configured: string | undefined): (request: InboundRequest) => VerifyResult {
  const expected = normalizeAccountId(configured);
  return (request) => {
    if (expected === undefined) return { ok: false, reason: 'NETSUITE_ACCOUNT_ID is not an account id (e.g. 1234567 or 1234567_SB1)' };
    const given = request.headers.get(ACCOUNT_HEADER);
    const account = normalizeAccountId(given);
    if (account === undefined) return { ok: false, reason: `${ACCOUNT_HEADER} is missing or not an account id` };
    if (account !== expected) return { ok: false, reason: `${ACCOUNT_HEADER} ${account} is not the account NETSUITE_ACCOUNT_ID names` };
    return { ok: true };
  };
}
