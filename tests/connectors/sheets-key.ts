/**
 * A service account key for the Sheets tests: Google's key-file shape
 * (tests/fixtures/platform-samples/sheets/service-account-key.json) with a private key generated
 * here, so a test can check the JWT's signature with the matching public key.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const sheetsFixture = (name: string) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/platform-samples/sheets/${name}.json`, import.meta.url)), 'utf8')) as Record<string, unknown>;

export interface TestServiceAccount {
  /** The key file as GOOGLE_SERVICE_ACCOUNT_JSON holds it. */
  json: string;
  key: Record<string, unknown>;
  publicKey: KeyObject;
}

export function testServiceAccount(overrides: Record<string, unknown> = {}): TestServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = { ...sheetsFixture('service-account-key'), private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), ...overrides };
  return { json: JSON.stringify(key, null, 2), key, publicKey };
}
