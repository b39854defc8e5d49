import type { Hook } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import type { FieldError } from './problem.js';
import { problemResponse, problemType } from './problem.js';

const PART: Record<string, FieldError['in']> = { json: 'body', query: 'query', param: 'path', header: 'header' };

export function fieldErrors(error: ZodError, part: FieldError['in']): FieldError[] {
  return error.issues.map((issue) => ({
    pointer: '/' + issue.path.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/'),
    in: part,
    message: issue.message,
  }));
}

/** Turns a failed request validation into a 400 problem with one entry per field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const validationHook: Hook<any, any, any, any> = (result, _c) => {
  if (result.success) return;
  const part = PART[result.target] ?? 'body';
  const errors = fieldErrors(result.error as unknown as ZodError, part);
  return problemResponse({
    type: problemType('validation'),
    title: 'Invalid request',
    status: 400,
    detail: `The request ${part} has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
    errors,
  });
};
