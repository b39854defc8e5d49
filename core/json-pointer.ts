/** A JSON pointer (RFC 6901) from path segments: `['lineItems', 0, 'a/b']` → `/lineItems/0/a~1b`. */
export function jsonPointer(path: readonly PropertyKey[], prefix = ''): string {
  return prefix + path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
