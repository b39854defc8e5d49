/**
 * The shared signature check every HMAC connector and recipe declares a scheme for
 * (core/connectors/hmac-signature.ts). Signatures here are computed with node:crypto directly,
 * the way the platforms document them, not with the code under test.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../core/connectors/definition.js';
import { verifyHmacSignature, type HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

const SECRET = 'whsec-test-secret';
const BODY = '{"id":"ord_1","total":"12.50"}';
const NOW = Date.parse('2026-06-01T12:00:00Z');

function request(headers: Record<string, string>, body = BODY): InboundRequest {
  return { method: 'POST', url: 'https://hub.example.com/webhooks/acme', headers: new Headers(headers), rawBody: Buffer.from(body), body };
}
const hmac = (secret: string, text: string, encoding: 'base64' | 'hex') => createHmac('sha256', secret).update(text).digest(encoding);

describe('shared HMAC-SHA256 verifier', () => {
  const base64Body: HmacSignatureScheme = { header: 'X-Acme-Signature', encoding: 'base64' };

  it('accepts base64 over the raw body and refuses another secret, a changed body, a missing header', () => {
    const signature = hmac(SECRET, BODY, 'base64');
    expect(verifyHmacSignature(request({ 'x-acme-signature': signature }), base64Body, { secrets: SECRET })).toEqual({ ok: true });
    expect(verifyHmacSignature(request({ 'x-acme-signature': hmac('other', BODY, 'base64') }), base64Body, { secrets: SECRET })).toEqual({
      ok: false,
      reason: 'X-Acme-Signature does not match the body',
    });
    expect(verifyHmacSignature(request({ 'x-acme-signature': signature }, BODY.replace('12.50', '1250.00')), base64Body, { secrets: SECRET }).ok).toBe(false);
    expect(verifyHmacSignature(request({}), base64Body, { secrets: SECRET })).toEqual({ ok: false, reason: 'missing X-Acme-Signature header' });
  });

  it('holds required pairs to exactly one, of exactly that value (algorithm=HMAC-SHA256)', () => {
    const scheme: HmacSignatureScheme = { header: 'X-Signature', encoding: 'hex', pairs: { separator: ',', signatureKey: 'signature', required: { algorithm: 'HMAC-SHA256' } } };
    const hex = hmac(SECRET, BODY, 'hex');
    const check = (header: string) => verifyHmacSignature(request({ 'x-signature': header }), scheme, { secrets: SECRET });
    expect(check(`signature=${hex},algorithm=HMAC-SHA256`)).toEqual({ ok: true });
    expect(check(`signature=${hex}`)).toEqual({ ok: false, reason: 'X-Signature must name its algorithm once (algorithm=HMAC-SHA256); it names it 0 times' });
    expect(check(`signature=${hex},algorithm=HMAC-SHA256,algorithm=HMAC-SHA1`)).toMatchObject({ ok: false, reason: expect.stringContaining('names it 2 times') });
    expect(check(`signature=${hex},algorithm=HMAC-SHA1`)).toEqual({ ok: false, reason: 'X-Signature algorithm is not HMAC-SHA256' });
  });

  it('refuses everything when no secret is configured, rather than signing with an empty key', () => {
    expect(verifyHmacSignature(request({ 'x-acme-signature': hmac('', BODY, 'base64') }), base64Body, { secrets: '' })).toEqual({
      ok: false,
      reason: 'no signing secret is configured',
    });
  });

  it('reads hex with a prefix in either case, and any of several signatures (the platform rotating its secret)', () => {
    const scheme: HmacSignatureScheme = { header: 'X-Hub-Signature-256', encoding: 'hex', prefix: 'sha256=', separator: ',' };
    const good = hmac(SECRET, BODY, 'hex');
    expect(verifyHmacSignature(request({ 'x-hub-signature-256': `sha256=${good.toUpperCase()}` }), scheme, { secrets: SECRET }).ok).toBe(true);
    expect(verifyHmacSignature(request({ 'x-hub-signature-256': `sha256=${hmac('old', BODY, 'hex')}, sha256=${good}` }), scheme, { secrets: SECRET }).ok).toBe(true);
    expect(verifyHmacSignature(request({ 'x-hub-signature-256': good }), scheme, { secrets: SECRET })).toMatchObject({ ok: false, reason: 'X-Hub-Signature-256 carries no sha256=signature' });
  });

  it('accepts the old or the new secret while ours is rotated', () => {
    const signature = hmac('old-secret', BODY, 'base64');
    expect(verifyHmacSignature(request({ 'x-acme-signature': signature }), base64Body, { secrets: ['new-secret', 'old-secret'] }).ok).toBe(true);
    expect(verifyHmacSignature(request({ 'x-acme-signature': signature }), base64Body, { secrets: ['new-secret'] }).ok).toBe(false);
  });

  it('signs a declared concatenation with a timestamp, and refuses one too old or too far ahead', () => {
    const scheme: HmacSignatureScheme = {
      header: 'X-Acme-Signature',
      encoding: 'hex',
      signed: ['timestamp', { literal: '.' }, 'body'],
      timestamp: { header: 'X-Acme-Timestamp', unit: 's', toleranceSeconds: 300 },
    };
    const at = (seconds: number) => {
      const ts = String(Math.floor(NOW / 1000) + seconds);
      return request({ 'x-acme-timestamp': ts, 'x-acme-signature': hmac(SECRET, `${ts}.${BODY}`, 'hex') });
    };
    expect(verifyHmacSignature(at(-299), scheme, { secrets: SECRET, now: NOW }).ok).toBe(true);
    expect(verifyHmacSignature(at(299), scheme, { secrets: SECRET, now: NOW }).ok).toBe(true);
    expect(verifyHmacSignature(at(-301), scheme, { secrets: SECRET, now: NOW })).toEqual({ ok: false, reason: 'X-Acme-Timestamp is 301 s old (at most 300 s either way)' });
    expect(verifyHmacSignature(at(400), scheme, { secrets: SECRET, now: NOW })).toEqual({ ok: false, reason: 'X-Acme-Timestamp is 400 s in the future (at most 300 s either way)' });
    const ts = String(Math.floor(NOW / 1000));
    const unsigned = request({ 'x-acme-timestamp': ts, 'x-acme-signature': hmac(SECRET, BODY, 'hex') });
    expect(verifyHmacSignature(unsigned, scheme, { secrets: SECRET, now: NOW }).ok).toBe(false);
    expect(verifyHmacSignature(request({ 'x-acme-timestamp': 'yesterday', 'x-acme-signature': 'x' }), scheme, { secrets: SECRET, now: NOW })).toEqual({
      ok: false,
      reason: 'X-Acme-Timestamp is not a time in seconds',
    });
  });
  it('reads key=value pairs with the timestamp among them (t=…,v1=…,v1=…), and refuses two timestamps or no signature key', () => {
    const scheme: HmacSignatureScheme = {
      header: 'X-Pairs-Signature',
      encoding: 'hex',
      pairs: { separator: ',', signatureKey: 'v1' },
      signed: ['timestamp', { literal: '.' }, 'body'],
      timestamp: { key: 't', unit: 's', toleranceSeconds: 300 },
    };
    const ts = String(Math.floor(NOW / 1000));
    const good = hmac(SECRET, `${ts}.${BODY}`, 'hex');
    const check = (header: string) => verifyHmacSignature(request({ 'x-pairs-signature': header }), scheme, { secrets: SECRET, now: NOW });
    expect(check(`t=${ts},v1=${hmac('old', `${ts}.${BODY}`, 'hex')},v1=${good}`)).toEqual({ ok: true });
    expect(check(`t=${ts},t=${ts},v1=${good}`)).toEqual({ ok: false, reason: 'X-Pairs-Signature t= is given more than once' });
    expect(check(`t=${ts},v0=${good}`)).toEqual({ ok: false, reason: 'X-Pairs-Signature carries no v1=signature' });
    expect(check(`v1=${good}`)).toEqual({ ok: false, reason: 'missing X-Pairs-Signature t=' });
    expect(check(`t=${Number(ts) - 301},v1=${hmac(SECRET, `${Number(ts) - 301}.${BODY}`, 'hex')}`)).toEqual({
      ok: false,
      reason: 'X-Pairs-Signature t= is 301 s old (at most 300 s either way)',
    });
  });
});
