import { describe, expect, it } from 'vitest';
import { csvLines, csvObjects, csvTable, parseCsv, splitCsvLine } from '../../shared/readers/csv';

/** The one CSV tokenizer (shared/readers/csv.ts), merged from the backtest's and the replay's readers. */
describe('shared/readers/csv', () => {
  it('splits plain records on the fast path: CRLF or LF, byte-order mark dropped, empty lines skipped', () => {
    expect(parseCsv('\uFEFFa,b\r\n1,2\r\n\r\n3,4\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(csvLines('a,b\n\n1,2\n')).toEqual(['a,b', '', '1,2']);
  });

  it('reads quoted fields: commas, doubled quotes, and line breaks inside a field', () => {
    const text = 'id,note,price\r\n1,"a, b",2.5\r\n2,"say ""hi""\r\nand bye",3\r\n3,,4\r\n';
    expect(parseCsv(text)).toEqual([
      ['id', 'note', 'price'],
      ['1', 'a, b', '2.5'],
      ['2', 'say "hi"\r\nand bye', '3'],
      ['3', '', '4'],
    ]);
    expect(splitCsvLine('x,"a, b","say ""hi""",')).toEqual(['x', 'a, b', 'say "hi"', '']);
  });

  it('keys records by the trimmed header, a missing cell as empty', () => {
    expect(csvTable(' a , b\n1,2\n').header).toEqual(['a', 'b']);
    expect(csvObjects('a,b,c\n1,"x\ny"\n')).toEqual([{ a: '1', b: 'x\ny', c: '' }]);
  });
});
