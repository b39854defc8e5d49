import type { z } from 'zod';
import { InboundPayloadError } from '../../core/connectors/definition.js';

/**
 * Reading a verified Square payload: a shape we cannot understand is answered 400 and kept in the
 * inbox as rejected, with a JSON pointer per problem so support sees which field was wrong.
 */
export function parseSquareObject<S extends z.ZodType>(schema: S, value: unknown, pointer: string, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InboundPayloadError(
    `Square ${what} cannot be read`,
    result.error.issues.map((issue) => ({ pointer: pointer + issue.path.map((p) => `/${escapePointer(String(p))}`).join(''), detail: issue.message })),
  );
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
