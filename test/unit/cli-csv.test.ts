import { describe, expect, it } from 'vitest';
import { csvCell } from '../../shared/cli/csv.ts';

describe('a CSV cell of the CLI exports (hub audit list, hub cases export)', () => {
  it('never lets a spreadsheet run a cell as a formula', () => {
    for (const value of ['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', '\tx']) expect(csvCell(value).replace(/^"/, '').startsWith("'")).toBe(true);
  });

  it('quotes commas, quotes and line breaks, and leaves plain values and empties alone', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell('STL-2026-000101')).toBe('STL-2026-000101');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(3)).toBe('3');
  });
});
