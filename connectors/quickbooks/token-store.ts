import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Logger } from '../../core/observability/logger.js';
import type { ConnectorState } from '../../core/connectors/definition.js';

/**
 * Where the current OAuth refresh token lives. Intuit may answer every refresh with a new
 * refresh token that replaces the old one, so the newest is kept in the connector's durable
 * state (shared by every hub process, surviving restarts), not in the environment
 * (docs/connectors/quickbooks.md, section 2).
 *
 * - Nothing stored yet: `QUICKBOOKS_REFRESH_TOKEN` is the token.
 * - Stored: the stored token, unless `QUICKBOOKS_REFRESH_TOKEN` changed since it was stored (the
 *   merchant reconnected the app and pasted a new one): the stored value remembers a
 *   fingerprint of the variable it descends from, and a new variable wins.
 * - At rest it is encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from
 *   `QUICKBOOKS_CLIENT_SECRET`, so a copy of the database alone does not hold a usable token.
 *   Unreadable (the client secret changed): the variable is used, with a warning.
 *
 * Tokens never reach a log.
 */
export interface RefreshTokenStore {
  current(): Promise<string>;
  replace(refreshToken: string): Promise<void>;
}

export const REFRESH_TOKEN_KEY = 'oauth.refresh-token';
const VERSION = 'v1';

interface Stored {
  /** sha256 of the `QUICKBOOKS_REFRESH_TOKEN` this token descends from. */
  seed: string;
  refreshToken: string;
}

export function createRefreshTokenStore(options: { state: ConnectorState; configured: string; clientSecret: string; logger: Logger }): RefreshTokenStore {
  const key = Buffer.from(hkdfSync('sha256', options.clientSecret, 'loyalty-hub', 'quickbooks oauth refresh token', 32));
  const seed = createHash('sha256').update(options.configured).digest('hex');

  return {
    async current() {
      const raw = await options.state.get(REFRESH_TOKEN_KEY);
      if (raw === undefined) return options.configured;
      const stored = decrypt(raw, key);
      if (!stored) {
        options.logger.warn('quickbooks: the stored refresh token cannot be read with QUICKBOOKS_CLIENT_SECRET (changed?); using QUICKBOOKS_REFRESH_TOKEN');
        return options.configured;
      }
      return stored.seed === seed ? stored.refreshToken : options.configured;
    },
    async replace(refreshToken) {
      await options.state.set(REFRESH_TOKEN_KEY, encrypt({ seed, refreshToken }, key));
    },
  };
}

function encrypt(value: Stored, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
}

function decrypt(raw: string, key: Buffer): Stored | undefined {
  const [version, iv, tag, sealed] = raw.split('.');
  if (version !== VERSION || !iv || !tag || sealed === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    const value = JSON.parse(text) as Partial<Stored>;
    return typeof value.seed === 'string' && typeof value.refreshToken === 'string' && value.refreshToken !== '' ? (value as Stored) : undefined;
  } catch {
    return undefined;
  }
}
