import type { z } from 'zod';
import { parseWithSchema } from '../../core/connectors/payload.js';

/**
 * Reading a verified Square payload: a shape we cannot understand is answered 400 and kept in the
 * inbox as rejected, with a JSON pointer per problem so support sees which field was wrong.
 */
export function parseSquareObject<S extends z.ZodType>(schema: S, value: unknown, pointer: string, what: string): z.output<S> {
  return parseWithSchema(schema, value, pointer, `Square ${what}`);
}
