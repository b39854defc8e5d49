import { InboundPayloadError } from '../../core/connectors/definition.js';
import { normalizeCurrency } from '../../core/triggers/money.js';

/**
 * PayPal names the currency beside each amount (`currency_code` in v2, `currency` in v1). One
 * the hub does not know as ISO 4217 is the payload's problem: 400 with a pointer.
 */
export function currencyAt(code: string, pointer: string): string {
  try {
    return normalizeCurrency(code);
  } catch (error) {
    const detail = (error as Error).message;
    throw new InboundPayloadError(`${pointer}: ${detail}`, [{ pointer, detail }]);
  }
}
