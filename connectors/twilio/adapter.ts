import { classifyHttp, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { twilioOptions, type TwilioOptions } from './options.js';
import { DEFAULT_QUIET_HOURS, quietUntil } from './quiet-hours.js';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** The sending number, E.164. */
  from: string;
  /** Base URL override (proxy, sandbox, local stub); default https://api.twilio.com. */
  apiUrl?: string;
  timeoutMs?: number;
  /** Injectable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export const TWILIO_API_URL = 'https://api.twilio.com';

/** `+`, a country code not starting with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * SMS through Twilio's Programmable Messaging API:
 * `POST {TWILIO_API_URL}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth
 * (Account SID : Auth Token), form-encoded `To`, `From`, `Body`; 201 Created on success.
 *
 * Plain fetch rather than the `twilio` SDK, deliberately. The SDK (v6) cannot be pointed at an
 * arbitrary base URL: its `edge`/`region` options only rewrite the `*.twilio.com` hostname, and the
 * only other way is a custom `httpClient` that rewrites every URI. `messages.create()` also takes
 * no per-request headers (so no `I-Twilio-Idempotency-Token` without that custom client again),
 * and its RestException drops the response headers (so no `Retry-After`). Wrapping the SDK in a
 * client that does the HTTP itself would leave it nothing to do but build a three-field form, so
 * this adapter does the one call directly; the request is the documented REST call, which the
 * tests pin down exactly.
 */
export function createTwilioAdapter(config: TwilioConfig): OutboundAdapter<TwilioOptions> {
  const base = (config.apiUrl || TWILIO_API_URL).replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
  const timeoutMs = config.timeoutMs ?? 15_000;

  return {
    name: 'twilio',
    options: twilioOptions,
    async send(options, context) {
      const from = normalizePhone(config.from);
      if (!E164.test(from)) return { status: 'permanent', error: 'TWILIO_FROM is not an E.164 phone number (e.g. +14155550100)' };
      const recipient = resolveRecipient(options, context);
      if ('skip' in recipient) return { status: 'skipped', reason: recipient.skip };
      if (!E164.test(recipient.to)) {
        return { status: 'permanent', error: `not an E.164 phone number (e.g. +14155550100): ${JSON.stringify(recipient.to)}` };
      }

      let until: number | null;
      try {
        until = quietUntil(context.now, context.timeZone, options.quietHours ?? DEFAULT_QUIET_HOURS);
      } catch (err) {
        return { status: 'permanent', error: `quiet hours: ${(err as Error).message}` };
      }
      if (until !== null) {
        return { status: 'deferred', until, reason: `quiet hours in ${context.timeZone}; sending at ${new Date(until).toISOString()}` };
      }

      const body = new URLSearchParams({ To: recipient.to, From: from, Body: options.body });
      let response: Response;
      try {
        response = await (config.fetch ?? fetch)(url, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            // Twilio's idempotency token header: the same key on every attempt of this delivery.
            'i-twilio-idempotency-token': context.idempotencyKey,
          },
          body,
          signal: AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (err) {
        // No answer (refused, reset, DNS, timeout, aborted): worth another attempt.
        if (context.signal.aborted) return { status: 'retry', error: 'aborted while sending' };
        const e = err as { name?: string; message?: string; cause?: { code?: unknown } };
        if (e.name === 'TimeoutError') return { status: 'retry', error: `no answer within ${timeoutMs} ms` };
        return { status: 'retry', error: `network error: ${typeof e.cause?.code === 'string' ? e.cause.code : (e.message ?? String(err))}` };
      }
      return outcome(response, context.now);
    },
  };
}

/** Tolerates spaces, dashes, dots and brackets as written by people; the rest must be E.164. */
function normalizePhone(value: string): string {
  return value.trim().replace(/[\s\-.()]/g, '');
}

function resolveRecipient(options: TwilioOptions, context: SendContext): { to: string } | { skip: string } {
  const member = context.member;
  const memberPhone = member?.phone ? normalizePhone(member.phone) || null : null;
  // An empty `to` is what `{{ member.phone }}` renders to for a member without one.
  const to = (options.to ? normalizePhone(options.to) : '') || memberPhone;
  if (!to) return { skip: member ? 'the member has no phone number' : 'no recipient: no `to` and no member' };
  // SMS consent governs texts to the member's number; a number of the merchant's own is not theirs.
  if (member !== null && to === memberPhone && !member.consentSms) return { skip: 'the member has not consented to SMS' };
  return { to };
}

async function outcome(response: Response, now: number): Promise<SendOutcome> {
  const text = await response.text().catch(() => '');
  let json: { sid?: unknown; code?: unknown; message?: unknown } | undefined;
  try {
    json = text ? (JSON.parse(text) as typeof json) : undefined;
  } catch {
    json = undefined;
  }
  const result = classifyHttp(response.status, response.headers, now);
  if (result.status === 'delivered') {
    return typeof json?.sid === 'string' ? { ...result, providerMessageId: json.sid } : result;
  }
  if (result.status === 'retry' || result.status === 'permanent') {
    // Twilio's error body: { code: 21211, message: "The 'To' number … is not a valid phone number.", … }
    const detail = [typeof json?.code === 'number' ? `Twilio ${json.code}` : null, typeof json?.message === 'string' ? json.message : null]
      .filter(Boolean)
      .join(' ');
    return detail ? { ...result, error: `${result.error}: ${detail.slice(0, 500)}` } : result;
  }
  return result;
}
