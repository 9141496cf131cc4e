import { PDFDocument, StandardFonts } from 'pdf-lib';
import { InvalidPdfError, pdfText, reportToPdf, stampPdf } from '../../src/lib/documents';
import { ledgerReport } from './fixtures';

/*
 * R-HANDOVER-HOLD (§5.2.2.1): the developer's electronic handover files are shown to the
 * information clerk view-only; every page shown carries who is viewing and when.
 */

async function uploadedPdf(pages: number, useObjectStreams = true): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`Developer handover file, page ${i}`, { x: 50, y: 780, size: 14, font });
  }
  return Buffer.from(await doc.save({ useObjectStreams }));
}

const STAMP = 'VIEW ONLY · viewed by alice · 2026-11-28 10:00 UTC';

describe('R-HANDOVER-HOLD: view stamps on handover files', () => {
  test('R-HANDOVER-HOLD: the view stamp is on every page of the uploaded PDF', async () => {
    const stamped = await stampPdf(await uploadedPdf(3), STAMP);
    const pages = await pdfText(stamped);
    expect(pages).toHaveLength(3);
    pages.forEach((p, i) => {
      expect(p).toContain(`Developer handover file, page ${i + 1}`);
      expect(p).toContain(STAMP);
    });
  });

  test('R-HANDOVER-HOLD: a stamp with characters outside WinAnsi does not fail; they become ?', async () => {
    const stamped = await stampPdf(await uploadedPdf(2), 'VIEW ONLY · viewed by 張偉 😀 zhangwei\n2026-11-28');
    for (const p of await pdfText(stamped)) expect(p).toContain('VIEW ONLY · viewed by ?? ? zhangwei 2026-11-28');
  });

  test('R-HANDOVER-HOLD: a stamped Chinese PDF keeps its Chinese text', async () => {
    const stamped = await stampPdf(await reportToPdf(ledgerReport(40)), STAMP);
    const pages = await pdfText(stamped);
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) {
      expect(p).toContain('受控編號');
      expect(p).toContain(STAMP);
    }
  });

  test('a file that is not a PDF is refused with InvalidPdfError, by stampPdf and by pdfText', async () => {
    for (const bytes of [Buffer.from('this is not a pdf'), Buffer.alloc(0), Buffer.from('%PDF-1.7\n%%EOF\n')]) {
      await expect(stampPdf(bytes, STAMP)).rejects.toBeInstanceOf(InvalidPdfError);
      await expect(pdfText(bytes)).rejects.toBeInstanceOf(InvalidPdfError);
    }
    const err = await stampPdf(Buffer.from('garbage'), STAMP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'InvalidPdfError', status: 400, code: 'invalid_pdf' });
  });

  test('an encrypted PDF is refused with InvalidPdfError rather than stamped into a broken file', async () => {
    // pdf-lib cannot write an encrypted PDF: an /Encrypt entry is added to a classic trailer.
    const plain = (await uploadedPdf(1, false)).toString('latin1');
    expect(plain).toMatch(/trailer\s*<</);
    const encrypted = Buffer.from(plain.replace(/trailer\s*<</, 'trailer\n<<\n/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>\n'), 'latin1');
    const err = await stampPdf(encrypted, STAMP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidPdfError);
    expect((err as Error).message).toMatch(/encrypted/);
  });
});
