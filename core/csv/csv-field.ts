/**
 * Writing CSV (RFC 4180) for the rejects file and `loyalty-hub export`: a field with a comma, a
 * quote or a line break is quoted, its quotes doubled; lines end with LF (./parse-csv.ts reads LF
 * and CRLF alike). A field starting with `=`, `+`, `-` or `@` is written as is: these files are
 * data for programs, and a reader gets back exactly what was written.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvField).join(',') + '\n';
}
