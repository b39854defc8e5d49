import type { Hook } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { jsonPointer } from '../json-pointer.js';
import { unknownField } from './closed-object.js';
import { findUnsafeText } from '../triggers/unsafe-text.js';
import type { FieldError } from './problem.js';
import { ProblemError, problemResponse, problemType } from './problem.js';

const PART: Record<string, FieldError['in']> = { json: 'body', query: 'query', param: 'path', header: 'header' };

/** A JSON pointer (RFC 6901) from path segments. */
export const pointerOf = (path: readonly PropertyKey[]): string => jsonPointer(path) || '/';

/**
 * One entry per refused field. An object's unknown fields come as one issue listing them
 * (`unrecognized_keys`); each gets its own entry, its pointer naming it, its message the line
 * core/api/closed-object.ts wrote for it.
 */
export function fieldErrors(error: ZodError, part: FieldError['in']): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return [{ pointer: pointerOf(issue.path), in: part, message: issue.message }];
    const lines = issue.message.split('\n');
    return issue.keys.map((key, i) => ({
      pointer: pointerOf([...issue.path, key]),
      in: part,
      message: lines.length === issue.keys.length ? lines[i]! : unknownField(key, []),
    }));
  });
}

const detailOf = (errors: FieldError[]) =>
  `The request ${[...new Set(errors.map((e) => e.in))].join(' and ')} has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`;

/** The 400 problem every refused field gets, one `errors[]` entry per field (docs/api.md, "Errors"). */
export function invalidRequest(errors: FieldError[]): Response {
  return problemResponse({ type: problemType('validation'), title: 'Invalid request', status: 400, detail: detailOf(errors), errors });
}

/**
 * The same problem, thrown by a handler for what a schema cannot know: the hub's clock (a date
 * that must be ahead) or the loaded program (a tier id).
 */
export function invalidFields(...errors: FieldError[]): ProblemError {
  return new ProblemError(400, 'validation', 'Invalid request', detailOf(errors), { errors });
}

/** A field error when `at` (ms) is not after `now`, for dates that must lie ahead. */
export function mustBeAhead(pointer: string, at: number | null | undefined, now: number): FieldError[] {
  return at != null && at <= now ? [{ pointer, in: 'body', message: `must be in the future (the hub's clock reads ${new Date(now).toISOString()})` }] : [];
}

/** A field error when `tier` is not one of the program's tiers (config/program.yaml). */
export function mustBeTier(pointer: string, tier: string | null | undefined, tiers: readonly { id: string }[]): FieldError[] {
  if (tier == null || tiers.some((t) => t.id === tier)) return [];
  const known = tiers.map((t) => t.id);
  return [{ pointer, in: 'body', message: known.length ? `not a tier of the program (${known.join(', ')})` : 'the program has no tiers' }];
}

/**
 * Turns a failed request validation into a 400 problem with one entry per field; a valid path
 * parameter is also checked for refused characters (an id with NUL would reach the database).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const validationHook: Hook<any, any, any, any> = (result, _c) => {
  const part = PART[result.target] ?? 'body';
  if (result.success) {
    if (part !== 'path') return;
    const unsafe = findUnsafeText(result.data);
    if (unsafe.length === 0) return;
    return invalidRequest(unsafe.map((u) => ({ pointer: pointerOf(u.path), in: part, message: u.message })));
  }
  return invalidRequest(fieldErrors(result.error as unknown as ZodError, part));
};
