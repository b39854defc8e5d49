/**
 * The webhook body, parsed once per request in the format the connector reads it in. A handler's
 * `deliveryId`, `topic` and `normalize` all ask for the body; the first call parses it and the
 * rest get the same value (or the same error), so no connector parses a delivery twice and none
 * writes its own `JSON.parse` with its own error message (docs/adding-a-connector.md).
 *
 * - `json`: `JSON.parse`;
 * - `json-exact-integers`: JSON whose integers past 2^53 (Shopify's ids) are kept as their exact
 *   digits, as strings (core/connectors/lossless-json.ts);
 * - a form (`application/x-www-form-urlencoded`) whose named field carries JSON, as platforms that
 *   post `payload=<JSON>` among other fields do: `formFieldJson(request, 'payload')` for the
 *   JSON, `formFieldText` for another field (never throws, for `topic`).
 *
 * XML (Salesforce's SOAP Outbound Messages) is parsed by that connector's own validating parser.
 */
import { InboundPayloadError, type InboundRequest } from './definition.js';
import { parseJsonKeepingLargeIntegers } from './lossless-json.js';
import { jsonPointer } from '../json-pointer.js';
import { isObject, type JsonObject } from './payload.js';

export type BodyFormat = 'json' | 'json-exact-integers';

type Parsed = { value: unknown } | { error: string };

/** Per request, by format (`json`, `form`, `form-json:<field>`): parsed once, value or error. */
const parsedBodies = new WeakMap<InboundRequest, Map<string, Parsed>>();

const PARSERS: Record<BodyFormat, (text: string) => unknown> = {
  json: (text) => JSON.parse(text) as unknown,
  'json-exact-integers': parseJsonKeepingLargeIntegers,
};

/** The body in `format`, parsed on first use, or why it cannot be. */
export function parsedBody(request: InboundRequest, format: BodyFormat = 'json'): Parsed {
  return parsedOnce(request, format, () => PARSERS[format](request.body));
}

function parsedOnce(request: InboundRequest, key: string, parse: () => unknown): Parsed {
  let byFormat = parsedBodies.get(request);
  if (!byFormat) parsedBodies.set(request, (byFormat = new Map()));
  let entry = byFormat.get(key);
  if (!entry) {
    try {
      entry = { value: parse() };
    } catch (error) {
      entry = { error: (error as Error).message };
    }
    byFormat.set(key, entry);
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

/** The fields of a form body, each name with its values in order. */
type FormFields = Map<string, string[]>;

/**
 * `a=1&b=%7B%7D` → { a: ['1'], b: ['{}'] }. Strict where URLSearchParams is lenient: a broken
 * percent-escape is an error, not a silent U+FFFD, so a mangled body is refused rather than read.
 */
function parseForm(text: string): FormFields {
  const fields: FormFields = new Map();
  for (const [index, part] of text.split('&').entries()) {
    if (part === '') continue;
    const at = part.indexOf('=');
    const name = decodeFormComponent(at < 0 ? part : part.slice(0, at), index);
    const value = at < 0 ? '' : decodeFormComponent(part.slice(at + 1), index);
    fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  return fields;
}

function decodeFormComponent(text: string, index: number): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new Error(`form field ${index + 1} is not valid percent-encoding`);
  }
}

function formOf(request: InboundRequest): Parsed {
  return parsedOnce(request, 'form', () => parseForm(request.body));
}

/**
 * The JSON object carried by form field `field`, or InboundPayloadError (400) whose pointer names
 * the field (`/payload`): a body that is not a form, a field absent or given twice, or a value
 * that is not one JSON object.
 */
export function formFieldJson(request: InboundRequest, field: string): JsonObject {
  const pointer = jsonPointer([field]);
  const form = formOf(request);
  if ('error' in form) throw new InboundPayloadError('the body is not a form', [{ pointer: '', detail: form.error }]);
  const entry = parsedOnce(request, `form-json:${field}`, () => {
    const values = (form.value as FormFields).get(field) ?? [];
    if (values.length !== 1) throw new Error(values.length === 0 ? `the form has no ${field} field` : `the form gives ${field} more than once`);
    const value = JSON.parse(values[0]!) as unknown;
    if (!isObject(value)) throw new Error('expected a JSON object');
    return value;
  });
  if ('error' in entry) throw new InboundPayloadError(`form field ${field} is not a JSON object`, [{ pointer, detail: entry.error }]);
  return entry.value as JsonObject;
}

/** A form field given once with non-blank text, trimmed, or undefined: for `deliveryId` and `topic`, never throws. */
export function formFieldText(request: InboundRequest, field: string): string | undefined {
  const form = formOf(request);
  if ('error' in form) return undefined;
  const values = (form.value as FormFields).get(field);
  const value = values?.length === 1 ? values[0]!.trim() : '';
  return value === '' ? undefined : value;
}
