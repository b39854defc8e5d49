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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** A character that may continue a JSON number token: digit, `.`, `e`, `E`, `+`, `-`. */
function continuesNumber(code: number): boolean {
  return isDigit(code) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === MINUS;
}

export function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      // Skip the whole string literal, escapes included, so digits inside strings stay as they are.
      i++;
      while (i < text.length && text.charCodeAt(i) !== QUOTE) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1;
      i++;
      continue;
    }
    if (code === MINUS || isDigit(code)) {
      // Outside a string, in valid JSON, only a number starts with `-` or a digit.
      const start = i;
      i++;
      while (i < text.length && continuesNumber(text.charCodeAt(i))) i++;
      const token = text.slice(start, i);
      if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(copiedUpTo, start)}"${token}"`;
        copiedUpTo = i;
      }
      continue;
    }
    i++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}
