/**
 * `POST /webhooks/sfmc`: the execute URL of the Journey Builder custom activity (config.json names
 * it). The core owns the inbox, de-duplication and the write; this handler checks Journey
 * Builder's JWT and turns the call into one `activity` trigger (./execute.ts).
 *
 * - verify: the body is the HS256 JWT signed with SFMC_JWT_SECRET (./jwt.ts); forged, expired or
 *   missing → 401, nothing stored.
 * - deliveryId: the execution's `activityInstanceId` (Journey Builder's retry of the same
 *   execution carries it again), else the body's hash.
 * - normalize: the activity and points the marketer configured → `activity` trigger.
 */
import { InboundPayloadError, type InboundHandler, type InboundRequest } from '../../core/connectors/definition.js';
import { executeTrigger } from './execute.js';
import { jwtPayloadOf, verifyJourneyJwt } from './jwt.js';

export interface SfmcInboundConfig {
  jwtSecret: string;
  /** The hub's clock for the JWT's time claims. */
  now?: () => number;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

export function createSfmcInbound(config: SfmcInboundConfig): InboundHandler {
  const now = config.now ?? Date.now;
  return {
    verify(request: InboundRequest) {
      const check = verifyJourneyJwt(request.body, config.jwtSecret, now());
      return check.ok ? { ok: true } : { ok: false, reason: check.reason };
    },
    deliveryId(request) {
      const payload = jwtPayloadOf(request.body);
      const instance = text(payload?.activityInstanceId);
      return instance ? `execute:${instance}` : undefined;
    },
    topic: () => 'journey.execute',
    normalize(request) {
      // Only a verified body gets here; the time claims are not checked again, so a delivery
      // replayed from the inbox later (`loyalty-hub replay`) still reads.
      const payload = jwtPayloadOf(request.body);
      if (!payload) throw new InboundPayloadError('the body is not a JWT', [{ pointer: '', detail: 'expected header.payload.signature' }]);
      return Promise.resolve({ status: 'events', events: [executeTrigger(payload, now())] });
    },
  };
}
