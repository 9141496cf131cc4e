/**
 * The one ZIP directory reader and zip-bomb guard (src/lib/zip-directory.ts), used by the customer
 * import (from a temp file) and by handover uploads (from memory): both inputs give the same answers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { AppError } from '../../src/errors';
import { checkXlsxArchive, DEFAULT_ZIP_LIMITS } from '../../src/lib/zip-directory';
import { stored, workbookParts, zip } from '../helpers/zip';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-directory-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The error code for the archive read from memory and from a file; both must agree. */
async function codes(buf: Buffer, limits = DEFAULT_ZIP_LIMITS): Promise<string> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.xlsx`);
  fs.writeFileSync(file, buf);
  const one = async (input: string | Buffer) => {
    try {
      await checkXlsxArchive(input, limits);
      return 'ok';
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      expect(err.status).toBe(400);
      return err.code;
    }
  };
  const [fromBuffer, fromFile] = [await one(buf), await one(file)];
  expect(fromFile).toBe(fromBuffer);
  return fromBuffer;
}

describe('zip-directory: the XLSX zip-bomb guard', () => {
  it('a real workbook passes, from memory and from a file', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('s').addRow(['a', 'b']);
    expect(await codes(Buffer.from(await wb.xlsx.writeBuffer()))).toBe('ok');
  });

  it('no zip directory, or a zip without a workbook, is not_xlsx', async () => {
    expect(await codes(Buffer.from('this is not a workbook at all'))).toBe('not_xlsx');
    expect(await codes(Buffer.alloc(10))).toBe('not_xlsx');
    expect(await codes(zip([stored('readme.txt', 'hello')]))).toBe('not_xlsx');
  });

  it('a declared size past the ratio, and a lying header, are unsafe_xlsx', async () => {
    const zeros = zlib.deflateRawSync(Buffer.alloc(20 * 1024 * 1024), { level: 9 });
    expect(await codes(zip([...workbookParts(), { name: 'xl/worksheets/sheet1.xml', data: zeros, uncompressed: 20 * 1024 * 1024, method: 8 }]))).toBe('unsafe_xlsx');
    expect(await codes(zip([...workbookParts(), { name: 'xl/worksheets/sheet1.xml', data: zeros, uncompressed: 1000, method: 8 }]))).toBe('unsafe_xlsx');
  });

  it('too many entries and ZIP64 are refused before the entries are read', async () => {
    expect(await codes(zip(workbookParts()), { ...DEFAULT_ZIP_LIMITS, maxEntries: 1 })).toBe('unsafe_xlsx');
    // A ZIP64 marker count, with no directory behind it: refused on the marker alone.
    expect(await codes(zip(workbookParts(), { count: 0xffff }))).toBe('unsafe_xlsx');
  });

  it('an entry whose local header lies outside the file is damaged (not_xlsx), from either input', async () => {
    const parts = workbookParts();
    parts.push({ ...stored('xl/worksheets/sheet1.xml', '<x/>'), offset: 1_000_000 });
    expect(await codes(zip(parts))).toBe('not_xlsx');
  });

  it('an entry whose data would run past the end of the file is damaged (not_xlsx): the stricter check, now for imports too', async () => {
    // The import's former file reader took a stored entry's declared size on trust; the handover reader checked it.
    const parts = workbookParts();
    parts.push({ ...stored('xl/worksheets/sheet1.xml', '<x/>'), compressed: 5_000_000, uncompressed: 5_000_000 });
    expect(await codes(zip(parts))).toBe('not_xlsx');
  });

  it('an unsupported compression method or a broken deflate stream is not_xlsx', async () => {
    expect(await codes(zip([...workbookParts(), { name: 'xl/a.xml', data: Buffer.from('xx'), uncompressed: 2, method: 9 as 8 }]))).toBe('not_xlsx');
    expect(await codes(zip([...workbookParts(), { name: 'xl/a.xml', data: Buffer.from([0xff, 0xff, 0xff, 0xff]), uncompressed: 10, method: 8 }]))).toBe('not_xlsx');
  });
});
