import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createTwilioAdapter } from './adapter.js';
import { twilioOptions } from './options.js';

export default {
  name: 'twilio',
  title: 'Twilio (SMS)',
  directions: ['outbound'],
  config: [
    { env: 'TWILIO_ACCOUNT_SID', secret: false, required: true, description: 'Twilio Account SID ("AC…")' },
    { env: 'TWILIO_AUTH_TOKEN', secret: true, required: true, description: 'Twilio Auth Token of that account' },
    { env: 'TWILIO_FROM', secret: false, required: true, description: 'Sending phone number in E.164 form, e.g. +14155550100' },
    { env: 'TWILIO_API_URL', secret: false, required: false, description: 'Base URL override for a proxy, sandbox or local stub (default https://api.twilio.com)' },
  ],
  adapter: { name: 'twilio', options: twilioOptions },
  createAdapter(env) {
    const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM: from, TWILIO_API_URL: apiUrl } = env;
    if (!accountSid || !authToken || !from) {
      const missing = [!accountSid && 'TWILIO_ACCOUNT_SID', !authToken && 'TWILIO_AUTH_TOKEN', !from && 'TWILIO_FROM'].filter(Boolean);
      throw new Error(`twilio: set ${missing.join(', ')}`);
    }
    return createTwilioAdapter({ accountSid, authToken, from, ...(apiUrl ? { apiUrl } : {}) });
  },
} satisfies ConnectorDefinition;
