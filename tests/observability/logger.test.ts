import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/observability/logger.js';

describe('logger', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: createLogger({ write: (l) => lines.push(l) }) };
  };

  it('never writes secrets, whatever field they come in', () => {
    const { lines, logger } = capture();
    logger.info('configured', {
      SHOPIFY_API_SECRET: 'shpss_abc123',
      headers: { authorization: 'Bearer lh_abc_secretsecretsecret', 'x-shopify-hmac-sha256': 'abc=' },
      nested: [{ apiKey: 'sk_live_123', password: 'hunter2' }],
      note: 'key lh_01abc_SECRETsecretSECRETsecret was used',
    });
    const out = lines.join('\n');
    for (const secret of ['shpss_abc123', 'secretsecretsecret', 'sk_live_123', 'hunter2', 'SECRETsecret']) expect(out).not.toContain(secret);
    expect(JSON.parse(lines[0]!)).toMatchObject({ SHOPIFY_API_SECRET: '[redacted]', nested: [{ apiKey: '[redacted]', password: '[redacted]' }] });
  });

  it('masks e-mail addresses and phone numbers anywhere in a record', () => {
    const { lines, logger } = capture();
    logger.warn('member ann.smith@example.com could not be reached at +1 415 555 0100', { to: 'bob@shop.io', phone: '+447700900123' });
    const out = lines.join('\n');
    expect(out).not.toMatch(/ann\.smith|example\.com|415 555|bob@shop|7700900/);
    expect(out).toContain('a***@e***.com');
    expect(out).toContain('***23');
  });

  it('keeps ordinary values readable', () => {
    const { lines, logger } = capture();
    logger.info('scheduler tick', { activated: 3, expired: 12, memberId: 'mem_01abc', at: '2026-11-21T10:00:00.000Z', order: '4501234567890' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'scheduler tick', activated: 3, expired: 12, memberId: 'mem_01abc', at: '2026-11-21T10:00:00.000Z', order: '4501234567890' });
  });
});

describe('logger: national phone formats, secrets in free text, query parameters', () => {
  const line = (msg: string, fields: Record<string, unknown> = {}) => {
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) }).warn(msg, fields);
    return lines[0]!;
  };

  it.each([
    ['(555) 123-4567', '4567'],
    ['555-123-4567', '4567'],
    ['020 7946 0958', '7946'],
    ['07700 900123', '900123'],
    ['0612345678', '12345678'],
    ['+1 415 555 0100', '555 0100'],
  ])('masks the phone %s in free text', (phone, hidden) => {
    const out = line(`could not text ${phone} today`);
    expect(out).not.toContain(hidden);
    expect(out).toContain(`***${phone.replace(/\D/g, '').slice(-2)}`);
  });

  it('leaves timestamps, dates, member ids and order numbers readable', () => {
    const values = ['2026-11-21T10:00:00.000Z', '2026-11-21', 'mem_01HXYZ0612345678', 'order 450789469', '4501234567890'];
    const out = JSON.parse(line(values.join(' | '))) as { msg: string };
    expect(out.msg).toBe(values.join(' | '));
  });

  it.each([
    ['whsec_3f9aXkP0qLr7ZtY2', 'whsec_***'],
    ['sk_live_51HxQWerTy0987', 'sk_live_***'],
    ['sk_test_51HxQWerTy0987', 'sk_test_***'],
    ['Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'Bearer ***'],
    ['lh_01abc_SECRETsecretSECRETsecret', 'lh_***'],
  ])('masks the secret %s in free text', (secret, masked) => {
    const out = line(`the receiver said: ${secret} is invalid`);
    expect(out).not.toContain(secret.split(/[_ ]/).pop()!);
    expect(out).toContain(masked);
  });

  it('cuts the parameters of a failed query out of any message', () => {
    const out = line('unhandled error', { error: 'Error: Failed query: insert into "members" ("id", "first_name") values ($1, $2)\nparams: mem_1,Zoraida,020 7946 0958,whsec_abc\n    at x (file.js:1:1)' });
    expect(out).not.toMatch(/Zoraida|7946|whsec_abc/);
    expect(out).toContain('Failed query: insert into');
    expect(out).toContain('[params not logged]');
  });
});
