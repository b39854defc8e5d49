/**
 * Shopify ids (orders, line items, refunds) may exceed 2^53, where `JSON.parse` silently rounds
 * them: 9007199254740993 would become 9007199254740992 and credit the wrong order. Node 20's
 * `JSON.parse` reviver has no access to the source text, so before parsing, every integer token
 * outside a string that a double cannot hold exactly is wrapped in quotes. The result parses to
 * the exact digits as a string; every other value (safe integers, decimals, strings) is untouched.
 */
export function parseJsonKeepingLargeIntegers(text: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(text));
}

/**
 * String literals (skipped whole, escapes included, so digits inside them stay as they are) or an
 * integer token of 16 digits or more (shorter ones are always safe) that is not part of a
 * decimal or an exponent. One native regular-expression pass: the character-by-character scan it
 * replaced was 5 % of the hub's CPU under bench (g).
 */
const TOKEN = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE+-])/g;

export function quoteUnsafeIntegers(text: string): string {
  return text.replace(TOKEN, (token) => (token.charCodeAt(0) === 0x22 || Number.isSafeInteger(Number(token)) ? token : `"${token}"`));
}
