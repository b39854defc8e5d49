import { Client } from '@sendgrid/client';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import { classifyHttp, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { sendgridOptions, type SendgridOptions } from './options.js';

export interface SendgridConfig {
  apiKey: string;
  /** `loyalty@shop.example` or `Shop Rewards <loyalty@shop.example>`. */
  from: string;
  /** Base URL override (proxy, sandbox, local stub); the SDK default is https://api.sendgrid.com. */
  apiUrl?: string;
  timeoutMs?: number;
}

const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

/**
 * E-mail through SendGrid's v3 Mail Send API (`POST /v3/mail/send`), with `@sendgrid/mail`.
 *
 * Each adapter has its own MailService and Client, so its key and base URL never touch the SDK's
 * process-wide singleton (another part of the process may use `@sendgrid/mail` differently).
 */
export function createSendgridAdapter(config: SendgridConfig): OutboundAdapter<SendgridOptions> {
  const client = new Client();
  // The header setApiKey() would build, without its console.warn for a key not starting "SG."
  // (`mappings check` builds adapters with a placeholder key; the hub logs through its logger).
  client.setDefaultHeader('Authorization', `Bearer ${config.apiKey}`);
  // The SDK's default base URL is https://api.sendgrid.com/. Axios joins baseUrl and
  // `/v3/mail/send`, so a path prefix in the override (`https://proxy.example/sendgrid`) is kept.
  if (config.apiUrl) client.setDefaultRequest('baseUrl', config.apiUrl);
  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(config.timeoutMs ?? 15_000);

  return {
    name: 'sendgrid',
    options: sendgridOptions,
    async send(options, context) {
      const recipient = resolveRecipient(options, context);
      if ('skip' in recipient) return { status: 'skipped', reason: recipient.skip };
      if (!EMAIL.test(recipient.to)) return { status: 'permanent', error: `not an e-mail address: ${JSON.stringify(recipient.to)}` };
      if (context.signal.aborted) return { status: 'retry', error: 'aborted before sending' };

      const data: MailDataRequired = {
        to: recipient.to,
        from: config.from,
        // SendGrid's Mail Send API has no idempotency header: a retry after a lost answer can send
        // twice. The key goes in custom_args instead, so SendGrid's Email Activity and Event Webhook
        // records of every attempt carry it and duplicates can be told apart. (Not in `headers`:
        // the SDK would put those into the e-mail the member receives.)
        customArgs: { idempotency_key: context.idempotencyKey },
        ...(options.categories?.length ? { categories: options.categories } : {}),
        ...(options.templateId
          ? { templateId: options.templateId, ...(options.dynamicTemplateData ? { dynamicTemplateData: options.dynamicTemplateData } : {}) }
          : { subject: options.subject ?? '', html: options.html ?? '', ...(options.text ? { text: options.text } : {}) }),
        // The SDK otherwise console.warns about quotes in template data on every send.
        hideWarnings: true,
      };

      // The SDK takes no per-request AbortSignal; stop waiting when the dispatcher aborts.
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<SendOutcome>((resolve) => {
        onAbort = () => resolve({ status: 'retry', error: 'aborted while sending' });
        context.signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([deliver(mail, data, context.now), aborted]);
      } finally {
        if (onAbort) context.signal.removeEventListener('abort', onAbort);
      }
    },
  };
}

function resolveRecipient(options: SendgridOptions, context: SendContext): { to: string } | { skip: string } {
  const member = context.member;
  const memberEmail = member?.email?.trim() || null;
  // An empty `to` is what `{{ member.email }}` renders to for a member without one.
  const to = options.to?.trim() || memberEmail;
  if (!to) return { skip: member ? 'the member has no e-mail address' : 'no recipient: no `to` and no member' };
  // Consent governs mail to the member; an explicit address of the merchant's own (a team inbox)
  // is not the member's to give or refuse.
  const toMember = member !== null && memberEmail !== null && to.toLowerCase() === memberEmail.toLowerCase();
  if (toMember && !member.consentEmail) return { skip: 'the member has not consented to e-mail' };
  return { to };
}

async function deliver(mail: MailService, data: MailDataRequired, now: number): Promise<SendOutcome> {
  try {
    const [response] = await mail.send(data);
    const messageId = header(response.headers, 'x-message-id');
    return { status: 'delivered', statusCode: response.statusCode, ...(messageId ? { providerMessageId: messageId } : {}) };
  } catch (err) {
    return failure(err, now);
  }
}

/** Error texts never include the request (its config holds the API key), only what SendGrid said. */
function failure(err: unknown, now: number): SendOutcome {
  const e = err as { code?: unknown; response?: { headers?: unknown; body?: unknown }; isAxiosError?: boolean; message?: string };
  if (typeof e.code === 'number' && e.response) {
    const outcome = classifyHttp(e.code, lowerCaseHeaders(e.response.headers), now);
    const detail = sendgridErrors(e.response.body);
    return outcome.status === 'retry' || outcome.status === 'permanent' ? { ...outcome, error: detail ? `${outcome.error}: ${detail}` : outcome.error } : outcome;
  }
  if (e.isAxiosError) {
    // No answer: connection refused or reset, DNS, timeout. Worth another attempt.
    return { status: 'retry', error: `network error: ${typeof e.code === 'string' ? e.code : (e.message ?? 'unknown')}` };
  }
  // The SDK rejected the message before sending (it would reject it again).
  return { status: 'permanent', error: `invalid message: ${e.message ?? String(err)}` };
}

function sendgridErrors(body: unknown): string | undefined {
  const errors = (body as { errors?: { message?: unknown; field?: unknown }[] } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const texts = errors.map((x) => [typeof x.field === 'string' ? x.field : null, typeof x.message === 'string' ? x.message : null].filter(Boolean).join(': ')).filter(Boolean);
  return texts.length ? texts.join('; ').slice(0, 500) : undefined;
}

function lowerCaseHeaders(headers: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v == null ? undefined : String(v);
  }
  return out;
}

function header(headers: unknown, name: string): string | undefined {
  return lowerCaseHeaders(headers)[name];
}
