/**
 * The Square SDK client every part of this connector uses: the base URL of `SQUARE_API_URL`
 * (a sandbox, a proxy or a stub), the caller's time limit, and never a retry of the SDK's own —
 * the dispatcher owns an adapter's retries, and Square's redelivery a webhook's
 * (docs/connectors/square.md).
 */
import { SquareClient } from 'square';

export function squareClient(options: { accessToken: string; apiUrl?: string; timeoutInSeconds: number }): SquareClient {
  return new SquareClient({
    token: options.accessToken,
    ...(options.apiUrl ? { baseUrl: options.apiUrl.replace(/\/+$/, '') } : {}),
    timeoutInSeconds: options.timeoutInSeconds,
    maxRetries: 0,
  });
}
