/**
 * What the hub's own LoyaltyLion adapter writes into every reason it gives LoyaltyLion, so that
 * the points it added or removed are recognised when LoyaltyLion reports them back by webhook
 * and are not mirrored into the hub a second time (docs/connectors/loyaltylion.md, "Running both
 * side by side"). LoyaltyLion shows the reason to the shopper, hence words rather than a code.
 */
export const HUB_MARKER = '(via Loyalty Hub)';

export function withMarker(reason: string): string {
  return reason.includes(HUB_MARKER) ? reason : `${reason} ${HUB_MARKER}`.trim();
}

export function isFromHub(note: string | null | undefined): boolean {
  return !!note && note.includes(HUB_MARKER);
}
