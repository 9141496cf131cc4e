/**
 * The second line of issue 11 item 5, without a database: src/lib/xml-safe.ts and the XLSX
 * writers on their own. Whatever text reaches them (stored before the input refused it), the
 * workbook they write opens again in exceljs (R-LEDGER-FORM).
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { writeXlsx } from '../../src/features/customers/export/export-writer';
import { reportToXlsx } from '../../src/lib/documents';
import { hasXmlForbidden, xmlForbiddenReason, xmlSafe } from '../../src/lib/xml-safe';

const FORBIDDEN = [...Array.from({ length: 0x20 }, (_, c) => c).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d), 0xfffe, 0xffff].map((c) => String.fromCharCode(c));
// A low then a high surrogate: each alone (the other way round they would be one character).
const ALL = FORBIDDEN.join('') + '\udc00' + '\ud800';

async function texts(buf: Buffer): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as never);
  const out = [wb.title, wb.creator, wb.subject, wb.description].filter((s): s is string => typeof s === 'string');
  wb.eachSheet((ws) => {
    out.push(ws.name);
    ws.eachRow((row) => row.eachCell((cell) => out.push(String(cell.value))));
  });
  return out;
}

describe('xml-safe', () => {
  test('R-LEDGER-FORM: xmlSafe replaces each forbidden character and lone surrogate with U+FFFD and keeps the rest (tab, line breaks, pairs, CJK)', () => {
    expect(xmlSafe(`a${ALL}b`)).toBe(`a${'\ufffd'.repeat(FORBIDDEN.length + 2)}b`);
    const fine = '表\t1\n2\r3 😀 \ufffd \ufdd0 \u007f';
    expect(xmlSafe(fine)).toBe(fine);
    expect(hasXmlForbidden(fine)).toBe(false);
    for (const ch of FORBIDDEN) {
      expect(hasXmlForbidden(`x${ch}`)).toBe(true);
      expect(xmlForbiddenReason(`x${ch}`)).toContain(`U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    }
    expect(xmlForbiddenReason('x\ud800')).toContain('lone surrogate');
    expect(xmlForbiddenReason('ok')).toBeNull();
  });

  test('R-LEDGER-FORM: reportToXlsx writes a workbook exceljs reads back, whatever the title, meta, headers, cells, paragraphs, author and sheet names hold', async () => {
    const bad = (label: string) => `${label}${ALL}`;
    const buf = await reportToXlsx({
      titleZh: bad('標題'),
      titleEn: bad('Title'),
      meta: [{ zh: bad('期間'), en: 'Period', value: bad('Value') }],
      sections: [
        { headingEn: bad('Sheet'), columns: [{ key: 'a', zh: bad('欄'), en: 'Column' }], rows: [{ a: bad('Cell') }, { a: `=1+1${ALL}` }] },
        // A sheet name cut at 31 units through a surrogate pair.
        { headingEn: `${'x'.repeat(30)}😀`, columns: [{ key: 'a', zh: 'A', en: 'A' }], rows: [] },
        { paragraphs: [bad('Paragraph')] },
      ],
      generatedAt: new Date('2026-11-01T02:00:00Z'),
      generatedBy: bad('author'),
    });
    const all = await texts(buf);
    expect(all.filter(hasXmlForbidden)).toEqual([]);
    const replaced = '\ufffd'.repeat(FORBIDDEN.length + 2);
    for (const label of ['標題', 'Title', 'Value', 'Cell', 'Paragraph', 'author', '欄']) expect(all.some((s) => s.includes(`${label}${replaced}`))).toBe(true);
    // The formula guard still applies after the replacement.
    expect(all).toContain(`'=1+1${replaced}`);
  });

  test('R-LEDGER-FORM: the customer export XLSX writer writes a workbook exceljs reads back, whatever the metadata and cells hold', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    async function* batches() {
      yield [[`Name${ALL}`, `=cmd${ALL}`]];
    }
    await writeXlsx(out, { id: `exp${ALL}`, exporter: `admin${ALL}`, at: new Date(), project: 'P1', purpose: `purpose${ALL}`, recipient: `r${ALL}` }, ['name', `notes${ALL}`], batches());
    const all = await texts(Buffer.concat(chunks));
    expect(all.filter(hasXmlForbidden)).toEqual([]);
    const replaced = '\ufffd'.repeat(FORBIDDEN.length + 2);
    expect(all).toEqual(expect.arrayContaining([`Name${replaced}`, `'=cmd${replaced}`, `notes${replaced}`]));
    expect(all.some((s) => s.includes(`purpose${replaced}`))).toBe(true);
  });
});
