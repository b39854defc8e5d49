/**
 * The webhook body, parsed once per request in the format the connector reads it in. A handler's
 * `deliveryId`, `topic` and `normalize` all ask for the body; the first call parses it and the
 * rest get the same value (or the same error), so no connector parses a delivery twice and none
 * writes its own `JSON.parse` with its own error message (docs/adding-a-connector.md).
 *
 * - `json`: `JSON.parse`;
 * - `json-exact-integers`: JSON whose integers past 2^53 (Shopify's ids) are kept as their exact
 *   digits, as strings (core/connectors/lossless-json.ts).
 *
 * No connector takes form-encoded bodies (WooCommerce's unsigned ping is answered before any
 * parse), so there is no parser for them until one does. XML (Salesforce's SOAP Outbound Messages) is parsed by that connector's own validating parser.
 */
import { InboundPayloadError, type InboundRequest } from './definition.js';
import { parseJsonKeepingLargeIntegers } from './lossless-json.js';
import { isObject, type JsonObject } from './payload.js';

export type BodyFormat = 'json' | 'json-exact-integers';

type Parsed = { value: unknown } | { error: string };

const parsedBodies = new WeakMap<InboundRequest, Map<BodyFormat, Parsed>>();

const PARSERS: Record<BodyFormat, (text: string) => unknown> = {
  json: (text) => JSON.parse(text) as unknown,
  'json-exact-integers': parseJsonKeepingLargeIntegers,
};

/** The body in `format`, parsed on first use, or why it cannot be. */
export function parsedBody(request: InboundRequest, format: BodyFormat = 'json'): Parsed {
  let byFormat = parsedBodies.get(request);
  if (!byFormat) parsedBodies.set(request, (byFormat = new Map()));
  let entry = byFormat.get(format);
  if (!entry) {
    try {
      entry = { value: PARSERS[format](request.body) };
    } catch (error) {
      entry = { error: (error as Error).message };
    }
    byFormat.set(format, entry);
  }
  return entry;
}

/** The body in `format`, or InboundPayloadError (400, kept in the inbox as rejected). */
export function bodyOf(request: InboundRequest, format: BodyFormat = 'json'): unknown {
  const entry = parsedBody(request, format);
  if ('error' in entry) throw new InboundPayloadError('the body is not JSON', [{ pointer: '', detail: entry.error }]);
  return entry.value;
}

/** A JSON body that must be one object (a REST resource, an event). */
export function jsonObjectBody(request: InboundRequest, format: BodyFormat = 'json'): JsonObject {
  const value = bodyOf(request, format);
  if (!isObject(value)) throw new InboundPayloadError('the body is not a JSON object', [{ pointer: '', detail: 'expected an object' }]);
  return value;
}

/**
 * A top-level string field of a JSON body (`id`, `type`), or undefined: for `deliveryId` and
 * `topic`, which the inbox records before anything is validated and must not throw.
 */
export function topLevelText(request: InboundRequest, field: string): string | undefined {
  const entry = parsedBody(request);
  if ('error' in entry || !isObject(entry.value)) return undefined;
  const value = entry.value[field];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
