/**
 * A real failed query, on the project's backend, whose parameters carry a name, a national phone
 * number and a `whsec_` secret: the error log line says what failed (the database's code and
 * message) and none of the values (docs/security.md, "Logs").
 */
import { describe, expect, it } from 'vitest';
import { enrollMember } from '../../core/members/members.js';
import { describeError } from '../../core/observability/describe-error.js';
import { createLogger } from '../../core/observability/logger.js';
import { hubHarness } from '../helpers/test-hub.js';

const lines: string[] = [];
const NAME = 'Zoraida';
const PHONE = '020 7946 0958';
const SECRET = 'whsec_9fXkP0qLr7ZtY2abcdef';

describe('a failed query in the logs', () => {
  const h = hubHarness({ logger: createLogger({ write: (l) => lines.push(l) }) });

  it('names the failure, never its parameters', async () => {
    const profile = { id: 'mem_duplicate', firstName: NAME, phone: PHONE, attributes: { note: SECRET } };
    await h.hub.commit('test', (w) => enrollMember(w, profile));
    const error = await h.hub.commit('test', (w) => enrollMember(w, profile)).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Drizzle's PostgreSQL error carries them (`params: …`); SQLite's names only the constraint.
    if (h.hub.store.dialect === 'pg') expect(String(error)).toContain(NAME);
    lines.length = 0;
    const logger = createLogger({ write: (l) => lines.push(l) });
    logger.error('enrollment failed', { error: describeError(error) });
    // A caller that forgets describeError is still caught by the logger's redaction.
    logger.error('enrollment failed (raw)', { error: (error as Error).stack ?? String(error) });
    logger.error(`enrollment failed: ${String(error)}`);
    for (const l of lines) for (const value of [NAME, '7946', SECRET, '9fXkP0']) expect(l).not.toContain(value);
    const described = JSON.parse(lines[0]!) as { error: { code?: string; message: string; cause?: string } };
    expect(described.error.code).toMatch(h.hub.store.dialect === 'pg' ? /^23505$/ : /SQLITE_CONSTRAINT/);
    if (h.hub.store.dialect === 'pg') expect(described.error.message).toMatch(/insert into "members"/);
    expect(`${described.error.message} ${described.error.cause ?? ''}`).toMatch(/unique|UNIQUE/);
  });
});
