/**
 * A newcomer's `npm start` has the shipped mappings and no adapter configured: the log says once
 * per adapter that its mappings send nothing yet (core/outbox/notifications.ts), instead of a
 * line per mapping — about a hundred lines on the first event, burying everything else.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '../../core/hub.js';
import { createLogger } from '../../core/observability/logger.js';
import { tempDatabase, type TempDatabase } from '../helpers/temp-database.js';

const KEY = 'disabled-adapters-admin-key-0123456789';
let hub: Hub;
let database: TempDatabase;
const lines: Record<string, unknown>[] = [];

beforeEach(async () => {
  lines.length = 0;
  database = await tempDatabase();
  // The shipped mappings (mappings/) and the shipped connectors, none of them configured.
  hub = await createHub({
    logger: createLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
    env: { DATABASE_URL: database.url, ADMIN_API_KEY: KEY },
  });
});

afterEach(async () => {
  await hub.close();
  await database.dispose();
});

describe('mappings whose adapter is not configured', () => {
  it('are named in one warning per adapter, with how many mappings and the first of them', async () => {
    const res = await hub.app.request('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'first', type: 'activity', name: 'review.posted', customer: { email: 'ann@example.com' }, points: 10 }),
    });
    expect(res.status).toBe(201);
    await hub.notifications.dispatcher.route();

    const warned = lines.filter((l) => String(l.msg).includes('disabled adapter'));
    const adapters = warned.map((l) => l.adapter as string);
    expect(adapters).toContain('sendgrid');
    expect(new Set(adapters).size).toBe(adapters.length); // once each
    expect(warned.length).toBeLessThan(30);
    const sendgrid = warned.find((l) => l.adapter === 'sendgrid')!;
    expect(sendgrid.mappings).toBeGreaterThan(1);
    expect(sendgrid.first).toMatch(/^[\w.-]+(, [\w.-]+)*(, …)?$/);
  });
});
