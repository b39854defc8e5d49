/**
 * The shared webhook signature check: HMAC-SHA256 over the body or over a declared
 * concatenation, base64 or hex, in a header the connector names. Connectors declare their scheme
 * as data (`connectors/shopify/signature.ts`) instead of writing the check again; YAML recipes
 * name a scheme the same way (docs/recipes.md). What every scheme gets:
 * - a constant-time comparison (lengths first: a digest's length is public);
 * - several signatures in one header (`separator`), any of which may match — a platform that
 *   rotates its secret sends one per secret;
 * - several secrets on our side (the old and the new one while a secret is rotated), keyed by
 *   their text or by the bytes they encode in base64 (`secretEncoding`);
 * - a timestamp checked both ways (too old, or further in the future than clock skew explains)
 *   when the scheme signs one.
 * Anything missing or malformed refuses, with a reason for the inbox (docs/security.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRequest, VerifyResult } from './definition.js';

/** One piece of what is signed, in order. */
export type SignedPart =
  | 'body'
  | 'method'
  /** The URL the platform called (`PUBLIC_URL` + path + query when set). */
  | 'url'
  /** The value of the timestamp header (the scheme must declare `timestamp`). */
  | 'timestamp'
  | { literal: string }
  | { header: string };

export interface HmacSignatureScheme {
  /** The header carrying the signature, e.g. `X-Shopify-Hmac-Sha256`. */
  header: string;
  encoding: 'base64' | 'hex';
  /** Text before each signature, e.g. `sha256=`. */
  prefix?: string;
  /** Several signatures in the header, separated by this (`,` or ` `). */
  separator?: string;
  /**
   * A header of `key=value` pairs (Stripe: `t=1492774577,v1=5257a8…,v1=…`): the signatures are
   * the values of `signatureKey`, and the timestamp may be one of its keys (`timestamp.key`).
   * `required` pairs must each appear exactly once with exactly that value (Lightspeed's
   * `algorithm=HMAC-SHA256`): a header naming another algorithm is not one we can check.
   */
  pairs?: { separator: string; signatureKey: string; required?: Readonly<Record<string, string>> };
  /** What is signed, concatenated; the raw body when absent. */
  signed?: readonly SignedPart[];
  /**
   * A signed timestamp and how far it may be from now, either way: in its own `header`, or under
   * `key` in the signature header's pairs (exactly once).
   */
  timestamp?: { header?: string; key?: string; unit: 's' | 'ms'; toleranceSeconds: number };
  /** Said after a mismatch, for whoever reads the inbox (`signed for https://…/webhooks/square`). */
  hint?: string;
  /**
   * How the secret becomes the HMAC key: its text (default), or the bytes it encodes in base64
   * (Airtable's `macSecretBase64`). A secret that is not base64 then keys nothing and refuses.
   */
  secretEncoding?: 'text' | 'base64';
}

export interface VerifyHmacOptions {
  /** The secret, or several while one is rotated. */
  secrets: string | readonly string[];
  /** For timestamp tolerance; `Date.now()` by default. */
  now?: number;
}

export function verifyHmacSignature(request: InboundRequest, scheme: HmacSignatureScheme, options: VerifyHmacOptions): VerifyResult {
  const configured = (typeof options.secrets === 'string' ? [options.secrets] : options.secrets).filter((s) => s !== '');
  if (configured.length === 0) return { ok: false, reason: 'no signing secret is configured' };
  const secrets = scheme.secretEncoding === 'base64' ? configured.flatMap((s) => base64Key(s) ?? []) : configured;
  if (secrets.length === 0) return { ok: false, reason: 'the signing secret is not base64' };
  const header = request.headers.get(scheme.header)?.trim();
  if (!header) return { ok: false, reason: `missing ${scheme.header} header` };

  const pairs = scheme.pairs ? pairsOf(header, scheme.pairs.separator) : undefined;
  for (const [key, value] of Object.entries(scheme.pairs?.required ?? {})) {
    const named = pairs!.filter(([k]) => k === key).map(([, v]) => v);
    if (named.length !== 1) return { ok: false, reason: `${scheme.header} must name its ${key} once (${key}=${value}); it names it ${named.length} times` };
    if (named[0] !== value) return { ok: false, reason: `${scheme.header} ${key} is not ${value}` };
  }
  let timestamp: string | undefined;
  if (scheme.timestamp) {
    const rule = scheme.timestamp;
    const found = rule.key ? pairs?.filter(([k]) => k === rule.key).map(([, v]) => v) : [request.headers.get(rule.header ?? '')?.trim() ?? ''].filter(Boolean);
    const where = rule.key ? `${scheme.header} ${rule.key}=` : (rule.header ?? 'the timestamp header');
    if (!found || found.length !== 1) return { ok: false, reason: found?.length ? `${where} is given more than once` : `missing ${rule.key ? where : `${where} header`}` };
    const checked = checkTimestamp(found[0]!, where, rule, options.now ?? Date.now());
    if ('reason' in checked) return { ok: false, reason: checked.reason };
    timestamp = checked.value;
  }

  const signatures = pairs ? pairs.filter(([k]) => k === scheme.pairs!.signatureKey).map(([, v]) => v) : scheme.separator ? header.split(scheme.separator) : [header];
  const given = signatures
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (scheme.prefix && s.startsWith(scheme.prefix) ? s.slice(scheme.prefix.length) : scheme.prefix ? undefined : s))
    .filter((s): s is string => s !== undefined)
    .map((s) => (scheme.encoding === 'hex' ? s.toLowerCase() : s));
  if (given.length === 0) return { ok: false, reason: `${scheme.header} carries no ${scheme.pairs ? `${scheme.pairs.signatureKey}=` : (scheme.prefix ?? '')}signature` };

  for (const secret of secrets) {
    const hmac = createHmac('sha256', secret);
    for (const part of scheme.signed ?? ['body']) hmac.update(partOf(request, part, timestamp));
    const expected = Buffer.from(hmac.digest(scheme.encoding), 'utf8');
    if (given.some((g) => sameBytes(Buffer.from(g, 'utf8'), expected))) return { ok: true };
  }
  return { ok: false, reason: `${scheme.header} does not match the ${scheme.signed ? 'request' : 'body'}${scheme.hint ? ` ${scheme.hint}` : scheme.signed ? ' as signed' : ''}` };
}

/** A verifier bound to its scheme and secrets, for `InboundHandler.verify`. */
export function hmacVerifier(scheme: HmacSignatureScheme, secrets: string | readonly string[], clock: () => number = Date.now) {
  return (request: InboundRequest): VerifyResult => verifyHmacSignature(request, scheme, { secrets, now: clock() });
}

function partOf(request: InboundRequest, part: SignedPart, timestamp: string | undefined): string | Uint8Array {
  if (part === 'body') return request.rawBody;
  if (part === 'method') return request.method;
  if (part === 'url') return request.url;
  if (part === 'timestamp') return timestamp ?? '';
  if ('literal' in part) return part.literal;
  return request.headers.get(part.header) ?? '';
}

/** `t=1,v1=a,v1=b` → [['t','1'], ['v1','a'], ['v1','b']]; items without `=` are skipped. */
function pairsOf(header: string, separator: string): [string, string][] {
  return header.split(separator).flatMap((item): [string, string][] => {
    const at = item.indexOf('=');
    return at < 0 ? [] : [[item.slice(0, at).trim(), item.slice(at + 1).trim()]];
  });
}

function checkTimestamp(
  value: string,
  where: string,
  rule: NonNullable<HmacSignatureScheme['timestamp']>,
  now: number,
): { value: string } | { reason: string } {
  if (!/^\d{1,16}$/.test(value)) return { reason: `${where} is not a time in ${rule.unit === 's' ? 'seconds' : 'milliseconds'}` };
  const at = Number(value) * (rule.unit === 's' ? 1000 : 1);
  const age = now - at;
  if (Math.abs(age) > rule.toleranceSeconds * 1000) {
    return { reason: `${where} is ${Math.round(Math.abs(age) / 1000)} s ${age > 0 ? 'old' : 'in the future'} (at most ${rule.toleranceSeconds} s either way)` };
  }
  return { value };
}

/** The key a base64 secret encodes, or undefined when the text is not base64 (padding and all). */
export function base64Key(secret: string): Buffer | undefined {
  const text = secret.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const key = Buffer.from(text, 'base64');
  return key.length > 0 ? key : undefined;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
