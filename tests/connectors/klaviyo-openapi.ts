/**
 * Checks a request body against Klaviyo's own OpenAPI document for the operation (vendored in
 * tests/fixtures/platform-samples/klaviyo/, revision 2026-07-15): every required field present,
 * no field the document does not declare, primitive types and enums as declared. Enough of JSON
 * Schema for these two request bodies, without adding a validator dependency.
 */
import { readFileSync } from 'node:fs';

type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
  oneOf?: Schema[];
  items?: Schema;
};

interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
}

const FIXTURES = new URL('../fixtures/platform-samples/klaviyo/', import.meta.url);

export function loadKlaviyoOperation(file: string, path: string): { contentType: string; check: (body: unknown) => string[] } {
  const doc = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as OpenApiDocument;
  const [contentType, { schema }] = Object.entries(doc.paths[path]!.post!.requestBody.content)[0]!;
  const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop()!]!) : s);

  function check(value: unknown, raw: Schema, at: string, problems: string[]): void {
    const s = resolve(raw);
    if (value === null) {
      if (!s.nullable && !raw.nullable) problems.push(`${at}: null is not allowed`);
      return;
    }
    if (s.oneOf) {
      if (!s.oneOf.some((o) => { const p: string[] = []; check(value, o, at, p); return p.length === 0; })) problems.push(`${at}: matches none of oneOf`);
      return;
    }
    if (s.enum && !s.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
    switch (s.type) {
      case 'object': {
        if (typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${at}: expected an object`);
        const obj = value as Record<string, unknown>;
        for (const key of s.required ?? []) if (!(key in obj)) problems.push(`${at}/${key}: required`);
        if (!s.properties) return; // a free-form object (custom properties)
        for (const [key, v] of Object.entries(obj)) {
          const declared = s.properties[key];
          if (!declared) problems.push(`${at}/${key}: not in Klaviyo's schema`);
          else check(v, declared, `${at}/${key}`, problems);
        }
        return;
      }
      case 'array':
        if (!Array.isArray(value)) return void problems.push(`${at}: expected an array`);
        value.forEach((v, i) => check(v, s.items ?? {}, `${at}/${i}`, problems));
        return;
      case 'string':
        if (typeof value !== 'string') problems.push(`${at}: expected a string`);
        return;
      case 'number':
      case 'integer':
        if (typeof value !== 'number') problems.push(`${at}: expected a number`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') problems.push(`${at}: expected a boolean`);
        return;
      default:
        return;
    }
  }

  return {
    contentType,
    check: (body) => {
      const problems: string[] = [];
      check(body, schema, '', problems);
      return problems;
    },
  };
}
