/**
 * The one XLSX cell reader (src/lib/xlsx-cells.ts), used by the customer import (a file) and the
 * handover viewer (memory): cell text, sheet choice, trimming, and Excel's limits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { AppError } from '../../src/errors';
import { cellText, SheetRow, xlsxRows, XLSX_MAX_COLUMNS } from '../../src/lib/xlsx-cells';

async function all(input: string | Buffer, opts: Parameters<typeof xlsxRows>[1] = {}): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const r of xlsxRows(input, opts)) out.push(r);
  return out;
}

async function book(fill: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('xlsx-cells: the XLSX cell reader', () => {
  it('cell values become text: integers without exponent, dates as days, rich text and formulas by their text', () => {
    expect(cellText(13800138000)).toBe('13800138000');
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText(new Date('2026-03-04T10:00:00Z'))).toBe('2026-03-04');
    expect(cellText({ richText: [{ text: 'a' }, { text: 'b' }] })).toBe('ab');
    expect(cellText({ formula: 'A1', result: 7 })).toBe('7');
    expect(cellText({ error: '#N/A' })).toBe('');
    expect(cellText(null)).toBe('');
    expect(cellText(true)).toBe('true');
  });

  it('reads one sheet (empty rows skipped), trims only when asked, counts sheets when asked; a file and a buffer agree', async () => {
    const buf = await book((wb) => {
      const a = wb.addWorksheet('a');
      a.addRow([' x ', 'y']);
      a.addRow(['', '  ']);
      a.addRow(['z']);
      wb.addWorksheet('b').addRow(['second']);
      wb.addWorksheet('c');
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-cells-')), 'a.xlsx');
    fs.writeFileSync(file, buf);
    try {
      expect(await all(buf)).toEqual([
        { row: 1, cells: [' x ', 'y'] },
        { row: 3, cells: ['z'] },
      ]);
      expect(await all(file, { trim: true })).toEqual([
        { row: 1, cells: ['x', 'y'] },
        { row: 3, cells: ['z'] },
      ]);
      const counter = { sheets: 0 };
      expect(await all(buf, { sheet: 2, counter })).toEqual([{ row: 1, cells: ['second'] }]);
      expect(counter.sheets).toBe(3);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it(`a row wider than ${XLSX_MAX_COLUMNS} columns refuses the file (unsafe_xlsx), whichever reader asks`, async () => {
    const buf = await book((wb) => {
      wb.addWorksheet('a').addRow(Array.from({ length: XLSX_MAX_COLUMNS + 1 }, (_, i) => `c${i}`));
    });
    await expect(all(buf)).rejects.toMatchObject({ status: 400, code: 'unsafe_xlsx' });
  });

  it('what exceljs cannot read is a 400 not_xlsx', async () => {
    const err = await all(Buffer.from('not a workbook')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('not_xlsx');
  });
});
