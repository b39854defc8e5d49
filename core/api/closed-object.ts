/**
 * Request body objects that refuse the fields they do not name (docs/api.md, "Errors"): a typo
 * such as `stok` for `stock` or `ttl` for `ttlSeconds` is answered 400 naming the field, rather
 * than dropped while the default it meant to override applies. The OpenAPI document shows these
 * objects with `additionalProperties: false`. A free-form map (`attributes`) stays a
 * `z.record`, open to any key.
 */
import { z } from '@hono/zod-openapi';
import { closestName } from '../closest-name.js';

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
  const near = closestName(key, known);
  return `unknown field ${JSON.stringify(key)}${near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`}`;
}
