import { z } from 'zod';

/**
 * What a `webhook` delivery carries: the endpoint to POST to and the Standard Webhooks payload
 * (`{ type, timestamp, data }`), fixed when the event is routed so every attempt sends the same
 * bytes. The endpoint router builds these; a mapping may name an endpoint too.
 */
export const webhookOptions = z
  .strictObject({
    endpointId: z.string().trim().min(1).describe('The webhook endpoint (we_…) registered through /v1/webhook-endpoints.'),
    payload: z.record(z.string(), z.unknown()).describe('The JSON body, conventionally { type, timestamp, data }.'),
  })
  .describe('POST a signed (Standard Webhooks) JSON message to a subscribed endpoint.');

export type WebhookOptions = z.infer<typeof webhookOptions>;
