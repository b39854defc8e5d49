/**
 * Freshdesk's ticket description is HTML (docs/connectors/freshdesk.md, "What the hub sends"):
 * whatever comes from data — a member's name, a fraud reason, a mapping's rendered text — is
 * escaped here, so it shows as typed and can never become markup or a link in an agent's view.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Plain text as HTML: escaped, each line break kept as `<br>`. */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n+$/, '')
    .split('\n')
    .map(escapeHtml)
    .join('<br>');
}
