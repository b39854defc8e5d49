/**
 * Property-based fuzz of every write route under `/v1`, enumerated from the app's own OpenAPI
 * document (a new route is fuzzed without editing this file): malformed bodies, junk path ids,
 * wrong content types. Each answer must be a 4xx problem document — never a 5xx — and write no
 * row of any table (docs/security.md, "Input").
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hubHarness, json } from '../helpers/test-hub.js';
import { rowCounts } from './row-counts.js';

type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Operation = { requestBody?: { content?: Record<string, { schema?: Schema }> } };
interface Route { method: string; path: string; body?: Schema }

const WRITE = ['post', 'put', 'patch', 'delete'];
const BAD_TEXT = ['nul\u0000', 'bell\u0007', 'del\u007f', 'c1\u0085', 'rlo\u202e', 'lri\u2066', 'lrm\u200e', 'alm\u061c'];
const LONE = ['\\ud800', '\\udfff', 'a\\udbff'];
const JUNK_IDS = ['x', 'mem_does_not_exist', '%00', 'a%00b', '%E2%80%AE', '%ED%A0%80', 'x'.repeat(300), '..%2F..%2Fetc', '%25', '-1', '1e999'];

function routesOf(doc: { paths: Record<string, Record<string, Operation>> }): Route[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => WRITE.includes(method) && path.startsWith('/v1/'))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, body: op.requestBody?.content?.['application/json']?.schema })),
  );
}

function resolver(doc: { components?: { schemas?: Record<string, Schema> } }) {
  const resolve = (s: Schema | undefined): Schema => {
    if (!s) return {};
    if (s.$ref) return resolve(doc.components?.schemas?.[s.$ref.split('/').pop()!]);
    if (s.allOf) return s.allOf.map(resolve).reduce((a, b) => ({ ...a, ...b, properties: { ...a.properties, ...b.properties } }), {});
    return s;
  };
  const typesOf = (s: Schema): string[] => {
    const r = resolve(s);
    if (r.type) return Array.isArray(r.type) ? r.type : [r.type];
    return [...(r.anyOf ?? []), ...(r.oneOf ?? [])].flatMap(typesOf);
  };
  return { resolve, typesOf };
}

/** A value of none of the types a property allows (undefined when it allows anything). */
function wrongValue(types: string[], pick: number): unknown {
  const all: [string, unknown][] = [
    ['string', 12345],
    ['string', ['a']],
    ['integer', 'twelve'],
    ['integer', 1.5],
    ['integer', -1e300],
    ['integer', 1e300],
    ['number', { n: 1 }],
    ['boolean', 'yes'],
    ['array', 'not-a-list'],
    ['object', [1, 2]],
    ['null', true],
  ];
  const candidates = all.filter(([type]) => types.includes(type));
  if (candidates.length === 0 || types.length === 0) return undefined;
  const [, value] = candidates[pick % candidates.length]!;
  // A value is wrong only if its own type is not allowed (1.5 is a valid "number").
  const own = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'number' ? (Number.isInteger(value) && Math.abs(value) < 2 ** 53 ? 'integer' : 'float') : typeof value;
  if (types.includes(own) || (own === 'float' && types.includes('number')) || (own === 'integer' && types.includes('number'))) return undefined;
  return value;
}

type Kind = 'wrongType' | 'badNumber' | 'badText' | 'loneSurrogate' | 'deepNesting' | 'longString' | 'invalidJson' | 'wrongContentType' | 'missingRequired' | 'unknownFieldsAndWrongType' | 'junkPath';

interface Input { method: string; path: string; body?: string; contentType?: string; kind: Kind; idempotencyKey?: string }

describe('fuzz: malformed input to every /v1 write route', () => {
  const h = hubHarness();

  it('never answers 5xx, always a 4xx problem, and writes nothing', async () => {
    // Real ids, so a malformed body is judged by a route that would otherwise act.
    const member = (await json(await h.call('POST', '/v1/members', { body: { email: 'fuzz@example.com' } }))).id as string;
    expect((await h.call('POST', `/v1/members/${member}/adjustments`, { body: { points: 5000, reason: 'fuzz credit' } })).status).toBe(201);
    const reward = (await json(await h.call('POST', '/v1/rewards', { body: { name: 'Coffee', kind: 'free_product', productSku: 'C', cost: 100 } }))).id as string;
    const redemption = await json(await h.call('POST', `/v1/members/${member}/redemptions`, { body: { rewardId: reward } }));
    const lock = (await json(await h.call('POST', `/v1/members/${member}/locks`, { body: { points: 100 } }))).id as string;
    expect((await h.call('POST', '/v1/segments', { body: { id: 'vip', name: 'VIP' } })).status).toBe(201);
    const endpoint = (await json(await h.call('POST', '/v1/webhook-endpoints', { body: { url: 'https://example.com/hook' } }))).id as string;
    const realIds: Record<string, string> = {
      members: member,
      rewards: reward,
      redemptions: redemption.id as string,
      vouchers: redemption.voucherCode as string,
      locks: lock,
      segments: 'vip',
      'webhook-endpoints': endpoint,
    };

    const doc = (await (await h.hub.app.request('/openapi.json')).json()) as Parameters<typeof routesOf>[0] & Parameters<typeof resolver>[0];
    const routes = routesOf(doc);
    expect(routes.length).toBeGreaterThan(15);
    const { resolve, typesOf } = resolver(doc);

    const fill = (path: string, junk: string | undefined) =>
      path.replace(/\{(\w+)\}/g, (_m, _name, offset: number) => junk ?? realIds[path.slice(4, offset - 1).split('/')[0]!] ?? 'unknown-id');

    const inputFor = (route: Route, kind: Kind, pick: number, junk: string, text: string): Input => {
      const base = { method: route.method, kind };
      const schema = resolve(route.body);
      const props = Object.entries(schema.properties ?? {});
      const hasParams = route.path.includes('{');
      if (!route.body || (kind === 'junkPath' && hasParams)) {
        // A route without a body is fuzzed through its path; one without either gets an overlong Idempotency-Key.
        return { ...base, path: fill(route.path, hasParams ? junk : undefined), body: route.body ? '{}' : undefined, contentType: 'application/json', ...(hasParams ? {} : { idempotencyKey: 'k'.repeat(300) }) };
      }
      if (kind === 'junkPath') return inputFor(route, 'wrongType', pick, junk, text);
      const path = fill(route.path, undefined);
      const prop = props.length ? props[pick % props.length]! : undefined;
      const obj = (o: unknown) => ({ ...base, path, body: JSON.stringify(o), contentType: 'application/json' });
      switch (kind) {
        case 'wrongType':
        case 'badNumber':
        case 'unknownFieldsAndWrongType': {
          // The first property (in turn from `pick`) that a wrong value exists for.
          for (let i = 0; i < props.length; i++) {
            const [name, s] = props[(pick + i) % props.length]!;
            const types = typesOf(s);
            const offset = kind === 'badNumber' ? 2 + (pick % 4) : pick;
            const value = wrongValue(types, offset);
            if (value !== undefined) return obj({ [name]: value, ...(kind === 'unknownFieldsAndWrongType' ? { zzUnknown: text, __proto__x: 1 } : {}) });
          }
          return { ...base, path, body: '[]', contentType: 'application/json' };
        }
        case 'badText':
          return obj({ [prop?.[0] ?? 'x']: `${text}${BAD_TEXT[pick % BAD_TEXT.length]}` });
        case 'loneSurrogate':
          return { ...base, path, body: `{"${prop?.[0] ?? 'x'}":"${LONE[pick % LONE.length]}"}`, contentType: 'application/json' };
        case 'deepNesting':
          return { ...base, path, body: `{"${prop?.[0] ?? 'x'}":${'['.repeat(5000)}${']'.repeat(5000)}}`, contentType: 'application/json' };
        case 'longString':
          return obj({ [prop?.[0] ?? 'x']: 'x'.repeat(1024 * 1024 + 10) });
        case 'invalidJson':
          return { ...base, path, body: ['{', '{"a":', "{'a':1}", '{"a":1,}', 'nul', text.slice(0, 5) + '{'][pick % 6], contentType: 'application/json' };
        case 'wrongContentType':
          return { ...base, path, body: '{}', contentType: ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x'][pick % 4] };
        case 'missingRequired':
          if ((schema.required ?? []).length) return obj({});
          return obj({ [prop?.[0] ?? 'x']: { nested: [text] }, zzUnknown: 1 }).body && prop && wrongValue(typesOf(prop[1]), 9) !== undefined
            ? obj({ [prop[0]]: wrongValue(typesOf(prop[1]), 9) })
            : { ...base, path, body: '"just a string"', contentType: 'application/json' };
      }
    };

    const kinds: Kind[] = ['wrongType', 'badNumber', 'badText', 'loneSurrogate', 'deepNesting', 'longString', 'invalidJson', 'wrongContentType', 'missingRequired', 'unknownFieldsAndWrongType', 'junkPath'];
    let tried = 0;
    const serverErrors: string[] = [];
    const accepted: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: routes.length - 1 }),
        fc.constantFrom(...kinds),
        fc.nat(),
        fc.constantFrom(...JUNK_IDS),
        fc.string({ maxLength: 20 }),
        async (r, kind, pick, junk, text) => {
          const input = inputFor(routes[r]!, kind, pick, junk, text);
          const before = await rowCounts(h.hub.store.db);
          const res = await h.hub.app.request(input.path, {
            method: input.method,
            headers: { authorization: `Bearer ${h.keys.admin}`, ...(input.contentType ? { 'content-type': input.contentType } : {}), ...(input.idempotencyKey ? { 'idempotency-key': input.idempotencyKey } : {}) },
            body: input.body,
          });
          tried++;
          const what = `${input.method} ${input.path} [${kind}] → ${res.status}: ${(input.body ?? '').slice(0, 120)}`;
          if (res.status >= 500) serverErrors.push(what);
          if (res.status < 400) accepted.push(what);
          expect(res.status, what).toBeGreaterThanOrEqual(400);
          expect(res.status, what).toBeLessThan(500);
          expect(res.headers.get('content-type'), what).toContain('application/problem+json');
          expect(await rowCounts(h.hub.store.db), what).toEqual(before);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 1500), seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    ).finally(() => {
      console.log(`fuzz (${process.env.TEST_BACKEND}): ${tried} inputs tried over ${routes.length} write routes; ${serverErrors.length} answered 5xx; ${accepted.length} accepted`);
      for (const e of [...serverErrors, ...accepted].slice(0, 10)) console.log('  ' + e);
    });
  }, 120_000);
});
