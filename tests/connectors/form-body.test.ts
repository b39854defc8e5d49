/**
 * The core's form body format (core/connectors/body.ts), which Lightspeed X-Series needed first:
 * a form-encoded body whose named field carries JSON, parsed once per request, and answered 400
 * with a pointer when the form or the field cannot be read.
 */
import { describe, expect, it } from 'vitest';
import { formFieldJson, formFieldText } from '../../core/connectors/body.js';
import { InboundPayloadError, type InboundRequest } from '../../core/connectors/definition.js';

function request(body: string): InboundRequest {
  return { method: 'POST', url: 'http://hub.test/webhooks/x', headers: new Headers(), rawBody: new TextEncoder().encode(body), body };
}

function refusal(body: string, field = 'payload'): { pointers: string[]; details: string[] } {
  try {
    formFieldJson(request(body), field);
  } catch (error) {
    expect(error).toBeInstanceOf(InboundPayloadError);
    const errors = (error as InboundPayloadError).errors;
    return { pointers: errors.map((e) => e.pointer), details: errors.map((e) => e.detail) };
  }
  throw new Error('expected a refusal');
}

describe('formFieldJson / formFieldText', () => {
  it('reads the JSON of the named field, decoding + and percent-escapes, and the other fields as text', () => {
    const r = request(`type=sale.update&payload=${encodeURIComponent(JSON.stringify({ id: 'a b', note: 'x&y=z' })).replaceAll('%20', '+')}&domain_prefix=+shop+`);
    expect(formFieldJson(r, 'payload')).toEqual({ id: 'a b', note: 'x&y=z' });
    expect(formFieldText(r, 'type')).toBe('sale.update');
    expect(formFieldText(r, 'domain_prefix')).toBe('shop');
    expect(formFieldText(r, 'absent')).toBeUndefined();
  });

  it('parses once per request: the same object every time', () => {
    const r = request('payload=%7B%22id%22%3A1%7D');
    expect(formFieldJson(r, 'payload')).toBe(formFieldJson(r, 'payload'));
  });

  it.each([
    ['a broken percent-escape', 'payload=%7B%22id%22%3A1%7&type=x', '', /percent-encoding/],
    ['no such field', 'type=sale.update', '/payload', /no payload field/],
    ['the field twice', 'payload=%7B%7D&payload=%7B%7D', '/payload', /more than once/],
    ['a field that is not JSON', 'payload=%7Bnot+json', '/payload', /JSON/],
    ['JSON that is not an object', 'payload=%5B1%2C2%5D', '/payload', /expected a JSON object/],
  ])('answers 400 with a pointer for %s', (_what, body, pointer, detail) => {
    const { pointers, details } = refusal(body);
    expect(pointers).toEqual([pointer]);
    expect(details[0]).toMatch(detail);
  });

  it('escapes the pointer of a field name as RFC 6901 says', () => {
    expect(refusal('x=1', 'a/b~c').pointers).toEqual(['/a~1b~0c']);
  });

  it('never throws for a text field, even when the body is not a form', () => {
    expect(formFieldText(request('%E0%A4%A'), 'type')).toBeUndefined();
    expect(formFieldText(request('type=a&type=b'), 'type')).toBeUndefined();
  });
});
