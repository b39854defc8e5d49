import type { z } from 'zod';
import { InboundPayloadError } from '../../core/connectors/definition.js';

/**
 * Reading a verified Stripe payload: a shape we cannot understand is answered 400 and kept in the
 * inbox as rejected, with a JSON pointer per problem so support sees which field was wrong.
 */
export function parseStripeObject<S extends z.ZodType>(schema: S, value: unknown, pointer: string, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InboundPayloadError(
    `Stripe ${what} cannot be read`,
    result.error.issues.map((issue) => ({ pointer: pointer + issue.path.map((p) => `/${escapePointer(String(p))}`).join(''), detail: issue.message })),
  );
}

/** A field that may be null in general but must be there in this state (a paid session's amount). */
export function requiredField<T>(value: T | null | undefined, pointer: string, detail: string): T {
  if (value === null || value === undefined) throw new InboundPayloadError(`Stripe payload is missing ${pointer}`, [{ pointer, detail }]);
  return value;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
