/**
 * Characters the hub refuses in any text it is sent (docs/security.md, "Input"): NUL, which
 * PostgreSQL cannot store in text (a 500 there, stored as sent on SQLite — the same input must
 * get the same answer on both backends); the other C0 controls except tab, line feed and
 * carriage return (free text such as a reason keeps its lines); DEL and the C1 controls;
 * the bidirectional controls that make text display differently from what it is
 * ("Trojan Source"); and lone UTF-16 surrogates — JSON's `"\ud800"` parses to one, and it would
 * be stored as U+FFFD, silently not what was sent.
 */

/** C0 (less tab/LF/CR), DEL, C1, and the bidi embedding, override, isolate and mark characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** With the `u` flag a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Objects and arrays nested deeper than this are refused rather than walked and stored. */
export const MAX_NESTING = 32;

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why a string is refused, naming the code point (never echoing the text), or undefined. */
export function unsafeCharacter(text: string): string | undefined {
  const lone = LONE_SURROGATE.exec(text);
  if (lone) return `contains a lone surrogate (${hex(lone[0].charCodeAt(0))}), which is not Unicode text`;
  const control = CONTROL.exec(text);
  if (!control) return undefined;
  const code = control[0].charCodeAt(0);
  if (code === 0) return 'contains a NUL character (U+0000)';
  if (code <= 0x9f) return `contains a control character (${hex(code)})`;
  return `contains a bidirectional control character (${hex(code)})`;
}

export interface UnsafeText {
  /** Where, as path segments from the value walked. */
  path: (string | number)[];
  message: string;
}

/**
 * Every refused string in a JSON-like value — object keys included, since keys are stored too —
 * and nesting beyond `MAX_NESTING`. Iterative, so no input can exhaust the stack.
 */
export function findUnsafeText(value: unknown): UnsafeText[] {
  const found: UnsafeText[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const why = unsafeCharacter(v);
      if (why) found.push({ path, message: why });
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= MAX_NESTING) {
      found.push({ path, message: `is nested more than ${MAX_NESTING} levels deep` });
      continue;
    }
    if (Array.isArray(v)) {
      v.forEach((item, index) => stack.push({ value: item, path: [...path, index] }));
      continue;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) continue;
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
      const why = unsafeCharacter(key);
      if (why) found.push({ path: [...path, key], message: `has a field name that ${why}` });
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return found;
}

/**
 * A stored copy of text the hub must keep even when it holds what PostgreSQL cannot store — a
 * webhook's raw body with a literal 0x00 byte (invalid UTF-8 is already U+FFFD once decoded):
 * NUL and lone surrogates become U+FFFD, on both backends alike, so the inbox row is written
 * and support sees where the bad bytes were (docs/security.md, "Input").
 */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(/\p{Cs}/gu, '\uFFFD');
}
