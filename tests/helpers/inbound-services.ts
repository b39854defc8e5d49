/**
 * Services for a connector's handler built on its own in a test (`createInbound(env, …)`),
 * without a hub. A connector that keeps no state gets a state that refuses, so a test would
 * fail if it started to rely on one without a test of its own.
 */
import type { ConnectorState, InboundServices } from '../../core/connectors/definition.js';
import type { Logger } from '../../core/observability/logger.js';

export const noState: ConnectorState = {
  get: () => Promise.reject(new Error('this connector keeps no state')),
  set: () => Promise.reject(new Error('this connector keeps no state')),
};

export function inboundServices(logger: Logger, extra: Partial<InboundServices> = {}): InboundServices {
  return { logger, state: noState, ...extra };
}
