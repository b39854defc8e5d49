/**
 * Salesforce record ids. A record has a 15-character id, case-sensitive (`0031I0000081tbP`), and
 * an 18-character form with a 3-character suffix that encodes the case of the first 15
 * (`0031I0000081tbPQAQ`) — what the APIs, Outbound Messages and Flow's `{!$Record.Id}` return.
 * Setup pages and reports show the 15-character form, so people paste either. The hub keeps the
 * 18-character form everywhere (member aliases `salesforce:<id>`, the OrganizationId check), so
 * both spellings of one record are one alias.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

export function isSalesforceId(value: string): boolean {
  return ID.test(value);
}

/** The 18-character form of a 15- or 18-character id; undefined when it is neither. */
export function toId18(value: string): string | undefined {
  const id = value.trim();
  if (!ID.test(id)) return undefined;
  if (id.length === 18) return id;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return id + suffix;
}

/**
 * The standard objects whose key prefix (the id's first three characters) names them: what the
 * adapter updates when a mapping does not say `object:`. Custom objects' prefixes differ per org.
 */
const PREFIXES: Record<string, string> = { '003': 'Contact', '00Q': 'Lead', '001': 'Account' };

export function objectOfId(id: string): string | undefined {
  return PREFIXES[id.slice(0, 3)];
}
