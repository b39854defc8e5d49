import type { Logger } from '../../core/observability/logger.js';

/**
 * The two REST resources the connector reads, with the integration's access token:
 * `GET /V1/orders/{id}` and `GET /V1/creditmemo/{id}` (the ids are entity ids). Used to complete
 * what a delivery does not carry: the order behind a paid invoice, and the record a thin
 * notification names (docs/connectors/magento.md).
 *
 * A look-up that fails for a reason that may pass — the network, a timeout, 429, 5xx, and also
 * 401/403 (a token being rotated or a permission not yet granted) — throws: the core answers 503
 * and the sender's retry processes the delivery again. A 404 answers `undefined`: the caller
 * decides what a missing record means.
 */
export interface MagentoRestApi {
  order(orderId: string): Promise<unknown>;
  creditmemo(creditmemoId: string): Promise<unknown>;
}

export interface MagentoRestOptions {
  /** `MAGENTO_API_URL`: the REST base, ending in `/rest` or `/rest/<store code>`. */
  apiUrl: string;
  /** `MAGENTO_ACCESS_TOKEN`: an integration's access token, sent as a bearer token. */
  accessToken: string;
  logger: Logger;
  /** Per request. Commerce waits for a webhook's answer, so a look-up must not take long. */
  timeoutMs?: number;
}

export function createMagentoRestApi(options: MagentoRestOptions): MagentoRestApi {
  const base = options.apiUrl.trim().replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 4000;

  async function get(resource: string, path: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${options.accessToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
      throw new Error(`Magento REST look-up of ${resource} failed (${cause}); answering 5xx so the sender retries`, { cause: error });
    }
    if (response.status === 404) {
      discard(response);
      return undefined;
    }
    if (!response.ok) {
      discard(response);
      const hint = response.status === 401 || response.status === 403 ? ': check MAGENTO_ACCESS_TOKEN and the integration\'s Sales resources' : '';
      options.logger.warn('magento REST look-up refused', { resource, status: response.status });
      throw new Error(`Magento REST look-up of ${resource} answered HTTP ${response.status}${hint}; answering 5xx so the sender retries`);
    }
    try {
      return (await response.json()) as unknown;
    } catch (error) {
      throw new Error(`Magento REST look-up of ${resource} answered something other than JSON; answering 5xx so the sender retries`, { cause: error });
    }
  }

  return {
    order: (orderId) => get(`order ${orderId}`, `/V1/orders/${encodeURIComponent(orderId)}`),
    creditmemo: (creditmemoId) => get(`credit memo ${creditmemoId}`, `/V1/creditmemo/${encodeURIComponent(creditmemoId)}`),
  };
}

/** The body of an answer that is not read, released without waiting for it. */
function discard(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}
