/**
 * The shared rate limiter adapters keep their provider's published limits with
 * (core/outbound/rate-limit.ts): never more than the limit in any window, the wait it answers is
 * exactly when the window frees, and a 429's Retry-After holds every send.
 */
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../core/outbound/rate-limit.js';

describe('rate limiter', () => {
  it('grants 3 per second, then answers when the oldest grant leaves the window', () => {
    const limiter = createRateLimiter('Acme', [{ requests: 3, perMs: 1000 }]);
    expect([0, 10, 20].map((t) => limiter.take(t).ok)).toEqual([true, true, true]);
    expect(limiter.take(500)).toEqual({ ok: false, until: 1000, reason: 'Acme allows 3 requests per second' });
    expect(limiter.take(1000)).toEqual({ ok: true });
    expect(limiter.take(1005)).toEqual({ ok: false, until: 1010, reason: 'Acme allows 3 requests per second' });
  });

  it('keeps the tighter of two limits (350 per second and 3,500 per minute, as Klaviyo publishes)', () => {
    const limiter = createRateLimiter('Klaviyo', [
      { requests: 350, perMs: 1000 },
      { requests: 3500, perMs: 60_000 },
    ]);
    let granted = 0;
    let now = 0;
    // Ask 400 times a second for 30 s: the second limit stops it at 3,500 within the minute.
    for (let second = 0; second < 30; second++) {
      for (let i = 0; i < 400; i++) {
        now = second * 1000 + i;
        if (limiter.take(now).ok) granted++;
      }
    }
    expect(granted).toBe(3500);
    const refused = limiter.take(now);
    expect(refused).toMatchObject({ ok: false, reason: 'Klaviyo allows 3500 requests per minute' });
    // The first grant was at 0: the minute window frees at 60,000.
    expect((refused as { until: number }).until).toBe(60_000);
  });

  it('never grants more than the limit in any sliding window', () => {
    const limiter = createRateLimiter('Acme', [{ requests: 5, perMs: 100 }]);
    const grants: number[] = [];
    for (let t = 0; t < 2000; t += 7) if (limiter.take(t).ok) grants.push(t);
    for (const [i, t] of grants.entries()) expect(grants.filter((g) => g >= t && g < t + 100).length, `window from ${t} (grant ${i})`).toBeLessThanOrEqual(5);
    expect(grants.length).toBeGreaterThan(90);
  });

  it('holds every send until a Retry-After has passed, then grants again', () => {
    const limiter = createRateLimiter('Acme', [{ requests: 100, perMs: 1000 }]);
    limiter.holdUntil(5000, 'Acme answered 429: retry after 5 s');
    expect(limiter.take(100)).toEqual({ ok: false, until: 5000, reason: 'Acme answered 429: retry after 5 s' });
    limiter.holdUntil(3000, 'a shorter hold does not shorten the first');
    expect(limiter.take(4000)).toMatchObject({ ok: false, until: 5000 });
    expect(limiter.take(5000)).toEqual({ ok: true });
  });

  it('refuses a limit that is not whole numbers', () => {
    expect(() => createRateLimiter('Acme', [{ requests: 0.5, perMs: 1000 }])).toThrow(/whole numbers/);
  });
});
