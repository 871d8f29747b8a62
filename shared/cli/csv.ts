/**
 * One CSV cell for the CLI's exports. A leading = + - @ (or a tab or carriage
 * return) would make a spreadsheet run the cell as a formula, so it is
 * prefixed with a quote; a comma, quote or line break makes it a quoted field.
 */
export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
