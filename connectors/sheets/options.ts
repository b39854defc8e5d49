import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: sheets, … }` action may give (docs/mappings.md, "sheets").
 * String options are Liquid templates, rendered before the adapter sees them. Unknown keys are
 * refused so a typo fails `mappings check`.
 */

/** The id in a spreadsheet's address: docs.google.com/spreadsheets/d/<id>/edit. */
const SPREADSHEET_URL = /^https:\/\/docs\.google\.com\/spreadsheets\/(?:u\/\d+\/)?d\/([A-Za-z0-9_-]+)/;

/**
 * At most this many columns of the marketer's: with the delivery id column the hub adds, a row
 * fills A to Z, the 26 columns a new tab has (a row wider than the grid is refused by Sheets).
 */
export const MAX_COLUMNS = 25;

const formulaColumn = z
  .strictObject({
    formula: z
      .string()
      .trim()
      .startsWith('=', 'a formula starts with "="')
      .describe(
        'A formula of your own, sent as written, e.g. "=HYPERLINK(\\"https://admin.example.com/members/{{ member.id }}\\", \\"open\\")". ' +
          'Put only hub ids and numbers into it, never names, e-mail addresses or other text members type (docs/connectors/sheets.md, "Formulas and member data").',
      ),
  })
  .describe('A formula column');

export const sheetsOptions = z
  .strictObject({
    spreadsheetId: z
      .string()
      .trim()
      .transform((value) => SPREADSHEET_URL.exec(value)?.[1] ?? value)
      .pipe(z.string().regex(/^[A-Za-z0-9_-]{20,200}$/, 'a spreadsheet id: the long code between /d/ and /edit in the sheet\'s address (or that whole address)'))
      .describe(
        'The spreadsheet, by the id in its address (https://docs.google.com/spreadsheets/d/<id>/edit) or that whole address. ' +
          'It must be shared with the service account\'s e-mail address as Editor.',
      ),
    sheet: z
      .string()
      .trim()
      .min(1, 'name the tab the rows go to, e.g. "Loyalty log"')
      .max(100, 'a tab name has at most 100 characters')
      .regex(/^[^\p{Cc}]*$/u, 'a tab name has no line breaks or control characters')
      .describe('The tab (sheet) the rows are appended to, by the name on its tab at the bottom, e.g. "Loyalty log". Spaces and apostrophes are fine.'),
    columns: z
      .array(z.union([z.string(), formulaColumn]))
      .min(1, 'give at least one column')
      .max(MAX_COLUMNS, `at most ${MAX_COLUMNS} columns (the hub adds the delivery id after them)`)
      .describe(
        'The row, column by column from A: each a template, e.g. "{{ event.occurredAt | date: \\"%Y-%m-%d %H:%M:%S\\" }}", "{{ member.email }}", "{{ points }}". ' +
          'Sheets reads each as if typed (numbers and dates become numbers and dates); a value that would start a formula (=, +, -, @) is kept as text. ' +
          'The hub adds one more column after these: the delivery id, which keeps a retried row from being written twice.',
      ),
  })
  .describe('Append a row per loyalty event to a Google Sheets tab (values:append, USER_ENTERED), columns from templates, the delivery id last.');

export type SheetsOptions = z.output<typeof sheetsOptions>;
export type SheetsColumn = SheetsOptions['columns'][number];
