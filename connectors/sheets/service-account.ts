/**
 * `GOOGLE_SERVICE_ACCOUNT_JSON`: a service account's key file, given either as the file's JSON
 * itself (a secret store that holds values, not files) or as the path to the file. A value whose
 * first non-blank character is `{` is JSON; anything else is a path. What is wrong with it is said
 * in words that name the variable and never quote the value: the key is a secret, and
 * `JSON.parse`'s own message would quote part of it (docs/connectors/sheets.md, "The key").
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const KEY_VARIABLE = 'GOOGLE_SERVICE_ACCOUNT_JSON';

/** Where Google's key files send token requests (their `token_uri`) when the file names none. */
export const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';

export interface ServiceAccount {
  /** The account's e-mail address: the JWT's `iss`, and who the sheet is shared with. */
  clientEmail: string;
  privateKey: KeyObject;
  /** The key's id, sent as the JWT's `kid` so Google finds the public key at once. */
  privateKeyId?: string;
  tokenUri: string;
}

/** The variable's value cannot be used; the message names the variable, never the value. */
export class ServiceAccountError extends Error {
  constructor(reason: string) {
    super(`${KEY_VARIABLE}${reason}`);
    this.name = 'ServiceAccountError';
  }
}

export function readServiceAccount(value: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ServiceAccount {
  const trimmed = value.trim();
  if (!trimmed) throw new ServiceAccountError(' is empty: give the key file\'s JSON or the path to the file');
  let text = trimmed;
  let what = 'its value';
  if (!trimmed.startsWith('{')) {
    try {
      text = readFile(trimmed);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new ServiceAccountError(` is not JSON (it does not start with "{"), and the file it names could not be read${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    what = 'the file it names';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ServiceAccountError(`: ${what} is not valid JSON (download the key again: IAM & Admin → Service Accounts → Keys → Add key → JSON)`);
  }
  return fromKeyFile(parsed, what);
}

function fromKeyFile(parsed: unknown, what: string): ServiceAccount {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ServiceAccountError(`: ${what} is not a JSON object`);
  const key = parsed as Record<string, unknown>;
  if (key.type !== 'service_account') throw new ServiceAccountError(`: ${what} is not a service account key (its "type" is not "service_account")`);
  const clientEmail = key.client_email;
  if (typeof clientEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(clientEmail)) throw new ServiceAccountError(`: ${what} has no "client_email"`);
  if (typeof key.private_key !== 'string' || !key.private_key.includes('PRIVATE KEY')) throw new ServiceAccountError(`: ${what} has no "private_key"`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key.private_key);
  } catch {
    throw new ServiceAccountError(`: the "private_key" of ${what} is not a readable PEM key`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new ServiceAccountError(`: the "private_key" of ${what} is not an RSA key (RS256 needs one)`);
  const tokenUri = key.token_uri === undefined ? DEFAULT_TOKEN_URI : key.token_uri;
  if (typeof tokenUri !== 'string' || !/^https?:\/\/[^\s]+$/.test(tokenUri)) throw new ServiceAccountError(`: the "token_uri" of ${what} is not a URL`);
  const privateKeyId = typeof key.private_key_id === 'string' && key.private_key_id ? key.private_key_id : undefined;
  return { clientEmail, privateKey, tokenUri, ...(privateKeyId ? { privateKeyId } : {}) };
}
