import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createSheetsAdapter } from './adapter.js';
import { sheetsOptions } from './options.js';

/**
 * Google Sheets, outbound only: the `sheets` mapping adapter appends a row per loyalty event to a
 * tab a mapping names, as a live log a merchant can chart. Points are still calculated here, in
 * the hub; the sheet only records them. Merchant setup: docs/connectors/sheets.md.
 */
export default {
  name: 'sheets',
  title: 'Google Sheets',
  directions: ['outbound'],
  config: [
    {
      env: 'GOOGLE_SERVICE_ACCOUNT_JSON',
      secret: true,
      required: true,
      description: 'A service account\'s JSON key: the file\'s contents, or the path to the file. Share each spreadsheet with the account\'s e-mail address as Editor',
    },
    { env: 'SHEETS_API_URL', secret: false, required: false, description: 'Base URL override for the Sheets API (default https://sheets.googleapis.com)' },
  ],
  adapter: { name: 'sheets', options: sheetsOptions },
  createAdapter: (env) => createSheetsAdapter({ serviceAccount: env.GOOGLE_SERVICE_ACCOUNT_JSON ?? '', apiUrl: env.SHEETS_API_URL || undefined }),
} satisfies ConnectorDefinition;
