/**
 * Request body objects that refuse the fields they do not name (docs/api.md, "Errors"): a typo
 * such as `stok` for `stock` or `ttl` for `ttlSeconds` is answered 400 naming the field, rather
 * than dropped while the default it meant to override applies. The OpenAPI document shows these
 * objects with `additionalProperties: false`. A free-form map (`attributes`) stays a
 * `z.record`, open to any key.
 */
import { z } from '@hono/zod-openapi';

/** A `z.strictObject` whose refusal names each unknown field, and the known one it is closest to. */
export function closedObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, { error: unknownFieldsMessage });
}

/**
 * One line per unknown key, in the order of `issue.keys` (core/api/validation.ts gives each its
 * own `errors[]` entry). Keys are JSON-quoted, so a line never holds a line break of its own.
 * `issue.inst` is the object that refused them, as extended or made partial: its shape is what
 * is known.
 */
function unknownFieldsMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  const known = shape ? Object.keys(shape) : [];
  return issue.keys.map((key) => unknownField(key, known)).join('\n');
}

export function unknownField(key: string, known: readonly string[]): string {
  const near = closest(key, known);
  return `unknown field ${JSON.stringify(key)}${near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`}`;
}

/**
 * The known field a key most likely meant: the same but for case, one that starts with the other
 * (`ttl`, `ttlSeconds`), or one a few edits away (a third of the key's length, at least one).
 */
function closest(key: string, known: readonly string[]): string | undefined {
  const typed = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(typed.length / 3));
  for (const name of known) {
    const candidate = name.toLowerCase();
    const prefix = Math.min(typed.length, candidate.length) >= 3 && (candidate.startsWith(typed) || typed.startsWith(candidate));
    const distance = candidate === typed ? 0 : prefix ? 1 : editDistance(typed, candidate, bestDistance);
    if (distance < bestDistance || (distance === bestDistance && best === undefined)) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`; Infinity when surely more than `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return Infinity;
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
