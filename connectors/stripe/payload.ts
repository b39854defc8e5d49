import type { z } from 'zod';
import { InboundPayloadError } from '../../core/connectors/definition.js';
import { parseWithSchema } from '../../core/connectors/payload.js';

/**
 * Reading a verified Stripe payload: a shape we cannot understand is answered 400 and kept in the
 * inbox as rejected, with a JSON pointer per problem so support sees which field was wrong.
 */
export function parseStripeObject<S extends z.ZodType>(schema: S, value: unknown, pointer: string, what: string): z.output<S> {
  return parseWithSchema(schema, value, pointer, `Stripe ${what}`);
}

/** A field that may be null in general but must be there in this state (a paid session's amount). */
export function requiredField<T>(value: T | null | undefined, pointer: string, detail: string): T {
  if (value === null || value === undefined) throw new InboundPayloadError(`Stripe payload is missing ${pointer}`, [{ pointer, detail }]);
  return value;
}
