import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createSendgridAdapter } from './adapter.js';
import { sendgridOptions } from './options.js';

export default {
  name: 'sendgrid',
  title: 'SendGrid (e-mail)',
  directions: ['outbound'],
  config: [
    { env: 'SENDGRID_API_KEY', secret: true, required: true, description: 'SendGrid API key with the Mail Send permission ("SG.…")' },
    { env: 'SENDGRID_FROM', secret: false, required: true, description: 'Sender address, a verified SendGrid sender: "loyalty@shop.example" or "Shop Rewards <loyalty@shop.example>"' },
    { env: 'SENDGRID_API_URL', secret: false, required: false, description: 'Base URL override for a proxy, sandbox or local stub (default https://api.sendgrid.com)' },
  ],
  adapter: { name: 'sendgrid', options: sendgridOptions },
  createAdapter(env) {
    const { SENDGRID_API_KEY: apiKey, SENDGRID_FROM: from, SENDGRID_API_URL: apiUrl } = env;
    const missing = [!apiKey && 'SENDGRID_API_KEY', !from && 'SENDGRID_FROM'].filter(Boolean);
    if (!apiKey || !from) throw new Error(`sendgrid: set ${missing.join(', ')}`);
    return createSendgridAdapter({ apiKey, from, ...(apiUrl ? { apiUrl } : {}) });
  },
} satisfies ConnectorDefinition;
