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
