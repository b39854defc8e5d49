import type { HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

/**
 * LoyaltyLion signs every webhook with `x-loyaltylion-hmac-sha256`: the base64 HMAC-SHA256 of the
 * raw JSON body, keyed with the site secret (LOYALTYLION_SECRET) for webhooks registered with an
 * API key. Nothing else is signed — no timestamp — so a replayed delivery is only told apart by
 * its `id` (the inbox's de-duplication).
 */
export const LOYALTYLION_SIGNATURE = {
  header: 'x-loyaltylion-hmac-sha256',
  encoding: 'base64',
  hint: 'signed with LOYALTYLION_SECRET (Settings → General → "Token and secret")',
} as const satisfies HmacSignatureScheme;
