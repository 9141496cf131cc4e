import { PDFDocument } from 'pdf-lib';
import { formatDate, pdfText, renderControlledCopyPdf, type ControlledCopyInput } from '../../src/lib/documents';
import { LEDGER_COLUMNS, ledgerRows, serialOf } from './fixtures';

/*
 * R-NO-PAPER (§5.2.1.1): every approved paper copy carries a serial number, the mark 受控文件
 * (Controlled Document), its usage period (expiry) and whom it was issued to; the recipient
 * signs on issue. A page found on its own must still say all of that, so it is on every page.
 */

function copy(rows: number, over: Partial<ControlledCopyInput> = {}): ControlledCopyInput {
  return {
    serial: 'CC-2611-00042',
    recipientName: '張偉',
    recipientUsername: 'zhangwei',
    // 2026-12-31 23:59 in Asia/Shanghai.
    expiresAt: new Date('2026-12-31T15:59:00Z'),
    issuedAt: new Date('2026-11-28T02:00:00Z'),
    purpose: '上門維修核對業主聯繫方式',
    approvedBy: '李經理 (li.manager)',
    copyNumber: 1,
    copiesTotal: 2,
    columns: LEDGER_COLUMNS,
    rows: ledgerRows(rows),
    ...over,
  };
}

describe('R-NO-PAPER: controlled copies', () => {
  test('R-NO-PAPER: every page of a controlled copy carries 受控文件, the serial, the recipient and the expiry', async () => {
    const input = copy(40); // enough rows for three pages
    const pages = await pdfText(await renderControlledCopyPdf(input));
    expect(pages).toHaveLength(3);
    const expiry = formatDate(input.expiresAt, 'Asia/Shanghai');
    expect(expiry).toBe('2026-12-31');
    pages.forEach((p, i) => {
      expect(p).toContain('受控文件');
      expect(p).toContain('Controlled Document');
      expect(p).toContain('編號 Serial：CC-2611-00042');
      expect(p).toContain('領用人 Recipient：張偉（zhangwei）');
      expect(p).toContain('有效期至 Expires：2026-12-31 23:59');
      expect(p).toContain(expiry);
      expect(p).toContain('第 1/2 份 Copy 1 of 2');
      // The diagonal watermark "<recipientName> <serial>".
      expect(p).toContain('張偉 CC-2611-00042');
      expect(p).toContain(`page ${i + 1} / 3`);
      // R-NO-LEND: the copy says it may not be passed on or taken out.
      expect(p).toContain('不得轉借、複印或帶離辦公區域');
      // The table's header rows are repeated on every page.
      expect(p).toContain('客戶姓名');
      expect(p).toContain('Customer');
    });
    // The first page says what the copy is for, who approved it, and where the recipient signs.
    expect(pages[0]).toContain('用途 Purpose：上門維修核對業主聯繫方式');
    expect(pages[0]).toContain('批准人 Approved by：李經理 (li.manager)');
    expect(pages[0]).toContain('發放時間 Issued at：2026-11-28 10:00');
    expect(pages[0]).toContain('領用人簽收 Recipient signature');
    // All the records, each once.
    const serials = pages.join('\n').match(/CC-2611-000(?!42)\d\d/g) ?? [];
    expect(serials).toEqual(Array.from({ length: 40 }, (_, i) => serialOf(i)).filter((s) => s !== 'CC-2611-00042'));
  });

  test('R-NO-PAPER: the copy is in the recipient timezone, and its metadata names the serial', async () => {
    const pdf = await renderControlledCopyPdf(copy(3, { timezone: 'UTC', copyNumber: 2, copiesTotal: 2 }));
    const [page] = await pdfText(pdf);
    expect(page).toContain('有效期至 Expires：2026-12-31 15:59');
    expect(page).toContain('第 2/2 份 Copy 2 of 2');
    expect(page).toContain('2026-11-27 16:30'); // a row date, in UTC this time
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    expect(doc.getTitle()).toBe('受控文件 Controlled Document CC-2611-00042');
    expect(doc.getProducer()).toBe('Custodian');
  });

  test('R-NO-PAPER: a copy of no records still carries the marks', async () => {
    const pages = await pdfText(await renderControlledCopyPdf(copy(0)));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain('受控文件');
    expect(pages[0]).toContain('張偉 CC-2611-00042');
  });
});
