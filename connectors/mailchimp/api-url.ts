/**
 * Where the Marketing API of a Mailchimp account lives. Each account is served from one data
 * centre, named by the suffix of its API keys (`…-us6` → `https://us6.api.mailchimp.com/3.0`);
 * `MAILCHIMP_API_URL` replaces the whole base (a proxy, a local stub) and then the key needs no
 * suffix. Setup: docs/connectors/mailchimp.md.
 */
const DATA_CENTRE = /-([a-z]+\d+)$/;

/** The data centre a key names (`us6`), or undefined for a key without the suffix. */
export function dataCentreOf(apiKey: string): string | undefined {
  return DATA_CENTRE.exec(apiKey.trim())?.[1];
}

/**
 * The API base, without a trailing slash, or a sentence saying why there is none. The key itself
 * is never part of the sentence (it reaches the hub's start-up log).
 */
export function mailchimpBaseUrl(apiKey: string, apiUrl: string | undefined): { url: string } | { error: string } {
  const override = apiUrl?.trim();
  if (override) return { url: override.replace(/\/+$/, '') };
  const dc = dataCentreOf(apiKey);
  if (!dc) {
    return {
      error:
        'mailchimp: MAILCHIMP_API_KEY does not end with its data centre (an API key looks like "0123…cdef-us6"); ' +
        'copy the whole key from Mailchimp (Profile → Extras → API keys), or set MAILCHIMP_API_URL',
    };
  }
  return { url: `https://${dc}.api.mailchimp.com/3.0` };
}
