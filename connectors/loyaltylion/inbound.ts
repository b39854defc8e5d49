/**
 * LoyaltyLion's webhooks while a merchant moves to the hub (docs/connectors/loyaltylion.md,
 * "Webhooks"): verified by `x-loyaltylion-hmac-sha256`, de-duplicated by the body's `id`
 * (LoyaltyLion delivers at least once), and translated:
 *
 * - `program_events/customer.points_earned` → `points.mirrored` of the transaction's approved
 *   points, once per LoyaltyLion transaction — except purchase points (the hub earns the order
 *   itself from the store's own webhooks), points the hub's adapter added (its marker), and
 *   points still pending (LoyaltyLion sends nothing when they are approved, and a mirror cannot
 *   hold points back);
 * - `customers/update` → `customer.updated`, `program_events/customer.enrolled` → `customer.created`;
 * - everything else (a claimed reward carries no points figure) is acknowledged and ignored.
 */
import { jsonObjectBody, topLevelText } from '../../core/connectors/body.js';
import type { InboundHandler, InboundRequest, NormalizeResult } from '../../core/connectors/definition.js';
import { hmacVerifier } from '../../core/connectors/hmac-signature.js';
import { isObject, parseWithSchema } from '../../core/connectors/payload.js';
import { triggerCustomer } from './customer.js';
import { isFromHub } from './marker.js';
import { customerSchema, envelopeSchema, pointsEarnedSchema, transactionSchema } from './schemas.js';
import { LOYALTYLION_SIGNATURE } from './signature.js';

export const POINTS_EARNED = 'program_events/customer.points_earned';
export const CUSTOMER_UPDATE = 'customers/update';
export const CUSTOMER_ENROLLED = 'program_events/customer.enrolled';
export const CLAIMED_REWARD = 'program_events/customer.claimed_reward';
const PURCHASE_RULE = '$purchase';

export function createLoyaltyLionInbound(secret: string, clock: () => number = Date.now): InboundHandler {
  return {
    verify: hmacVerifier(LOYALTYLION_SIGNATURE, secret, clock),
    deliveryId: (request) => topLevelText(request, 'id'),
    topic: (request) => topLevelText(request, 'topic') ?? request.headers.get('x-loyaltylion-topic') ?? undefined,
    normalize: async (request) => normalize(request, clock),
  };
}

function timeOf(value: string | null | undefined, fallback: number): number {
  const at = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? fallback : at;
}

function normalize(request: InboundRequest, clock: () => number): NormalizeResult {
  const body = jsonObjectBody(request);
  const envelope = parseWithSchema(envelopeSchema, body, '', 'LoyaltyLion webhook');
  const sentAt = timeOf(envelope.created_at, clock());
  switch (envelope.topic) {
    case POINTS_EARNED:
      return pointsEarned(body, sentAt);
    case CUSTOMER_UPDATE:
    case CUSTOMER_ENROLLED: {
      // customers/update is documented with the customer at the top level, the program events
      // under payload.properties; payload.customer is read too, as the envelope's description says.
      const payload = isObject(body.payload) ? body.payload : {};
      const [raw, pointer] = isObject(payload.properties)
        ? [payload.properties.customer, '/payload/properties/customer']
        : isObject(payload.customer)
          ? [payload.customer, '/payload/customer']
          : [body.customer, '/customer'];
      const customer = parseWithSchema(customerSchema, raw, pointer, 'LoyaltyLion customer');
      const created = envelope.topic === CUSTOMER_ENROLLED;
      return {
        status: 'events',
        events: [
          {
            type: created ? 'customer.created' : 'customer.updated',
            id: created ? `loyaltylion:customer:${customer.id}:enrolled` : `loyaltylion:customer:${customer.id}:update:${envelope.id}`,
            source: 'loyaltylion',
            occurredAt: sentAt,
            customer: triggerCustomer(customer),
          },
        ],
      };
    }
    case CLAIMED_REWARD:
      return { status: 'ignored', reason: 'a reward claimed at LoyaltyLion: the webhook carries no points figure, so nothing is mirrored (docs/connectors/loyaltylion.md)' };
    default:
      return { status: 'ignored', reason: `LoyaltyLion topic ${envelope.topic} is not used by the hub` };
  }
}

function pointsEarned(body: Record<string, unknown>, sentAt: number): NormalizeResult {
  const { payload } = parseWithSchema(pointsEarnedSchema, body, '', 'LoyaltyLion points_earned');
  const customer = parseWithSchema(customerSchema, payload.properties.customer, '/payload/properties/customer', 'LoyaltyLion customer');
  const transaction = parseWithSchema(transactionSchema, payload.properties.transaction, '/payload/properties/transaction', 'LoyaltyLion transaction');
  const note = transaction.adjustment?.note;
  if (isFromHub(note)) return { status: 'ignored', reason: `LoyaltyLion transaction ${transaction.id} was made by the hub's own adapter: not mirrored back` };
  const rule = transaction.activity?.rule;
  if (rule?.name === PURCHASE_RULE) {
    return { status: 'ignored', reason: `purchase points (LoyaltyLion transaction ${transaction.id}): the hub earns the order itself from the store's webhooks` };
  }
  const approved = transaction.points_approved ?? 0;
  const pending = transaction.points_pending ?? 0;
  if (approved <= 0) {
    return { status: 'ignored', reason: `LoyaltyLion transaction ${transaction.id} has no approved points${pending ? ` (${pending} pending, not mirrored)` : ''}` };
  }
  const reason = rule?.title?.trim() || note?.trim() || 'points earned';
  return {
    status: 'events',
    events: [
      {
        type: 'points.mirrored',
        id: `loyaltylion:transaction:${transaction.id}`,
        source: 'loyaltylion',
        occurredAt: timeOf(transaction.created_at, sentAt),
        customer: triggerCustomer(customer),
        mirrored: { points: approved, reason },
      },
    ],
  };
}
