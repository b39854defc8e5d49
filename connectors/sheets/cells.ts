/**
 * What goes into the cells. Rows are written with `valueInputOption=USER_ENTERED`, so Sheets reads
 * each value as if typed: "250" becomes a number and "2025-06-01 14:30:00" a date a chart can
 * use — and "=HYPERLINK(…)" a formula. A column's template may quote member data (a first name, an
 * e-mail, a reason typed at checkout), and a member could make that start with `=`: so every
 * templated column is stored as text when it would start a formula, with Sheets' own text prefix,
 * a leading apostrophe, which the cell does not show. The marketer's own formulas are the
 * `{ formula }` columns, sent as written (docs/connectors/sheets.md, "Formulas and member data").
 */

/** A negative number ("-500" points taken back) is a number, not a formula: kept as typed. */
const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;
/** What Sheets (and Excel) would start a formula with, after any leading blanks; and a line break or tab first. */
const FORMULA_START = /^(\s*[=+\-@]|[\t\r\n])/;

/** The value as Sheets will keep it: text when it would otherwise be read as a formula. */
export function neutralizeFormula(value: string): string {
  if (NEGATIVE_NUMBER.test(value)) return value;
  // A value that starts with an apostrophe keeps it visible: Sheets would swallow one.
  if (FORMULA_START.test(value) || value.startsWith("'")) return `'${value}`;
  return value;
}

/** 0 → A, 25 → Z, 26 → AA: the column letters of A1 notation. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** A tab's name in A1 notation: always quoted, an apostrophe in it doubled ('Loyalty log'!A1). */
export function quotedSheet(sheet: string): string {
  return `'${sheet.replaceAll("'", "''")}'`;
}
