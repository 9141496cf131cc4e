import type { PDFDocument, PDFFont } from 'pdf-lib';
import { pdfLib } from '../heavy-modules';
import { InvalidPdfError } from './errors';

/**
 * The stamp is drawn in Helvetica, a standard font every viewer has, so that a stamped file
 * grows by a few hundred bytes rather than by a CJK font. Helvetica only encodes WinAnsi:
 * anything else (Chinese names, emoji) becomes '?' instead of failing the view.
 */
function winAnsi(text: string, font: PDFFont): string {
  const supported = new Set(font.getCharacterSet());
  let out = '';
  for (const ch of text.replace(/[\r\n\t]+/g, ' ')) out += supported.has(ch.codePointAt(0) ?? -1) ? ch : '?';
  return out;
}

async function load(pdf: Buffer): Promise<PDFDocument> {
  let doc: PDFDocument;
  try {
    // Loaded with ignoreEncryption so that encryption is reported as such (pdf-lib's own
    // EncryptedPDFError does not survive `instanceof`); an encrypted file is then refused,
    // because pdf-lib would write its encrypted streams back as garbage.
    doc = await pdfLib().PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true });
    if (doc.getPageCount() === 0) throw new InvalidPdfError('The PDF has no pages');
  } catch (e) {
    if (e instanceof InvalidPdfError) throw e;
    throw new InvalidPdfError('The file is not a readable PDF', e);
  }
  if (doc.isEncrypted) throw new InvalidPdfError('The PDF is encrypted and cannot be stamped');
  return doc;
}

/**
 * Overlays a view stamp (e.g. "VIEW ONLY · viewed by alice · 2026-11-28 10:00 UTC") on every page
 * of an uploaded PDF. R-HANDOVER-HOLD: the developer's handover files are shown to the
 * information clerk view-only; every page they see names them and the time, diagonally across
 * the page and once more, legibly, along the bottom edge.
 * Throws InvalidPdfError when the input cannot be read as a PDF.
 */
export async function stampPdf(pdf: Buffer, stamp: string): Promise<Buffer> {
  const doc = await load(pdf);
  const font = await doc.embedFont(pdfLib().StandardFonts.Helvetica);
  const text = winAnsi(stamp, font);
  const { rgb, degrees } = pdfLib();
  const color = rgb(0.75, 0.1, 0.1);
  for (const page of doc.getPages()) {
    const box = page.getCropBox();
    const theta = Math.atan2(box.height, box.width);
    const diag = Math.hypot(box.width, box.height);
    const w1 = font.widthOfTextAtSize(text, 1) || 1;
    const size = Math.max(8, Math.min(60, (diag * 0.7) / w1));
    const tw = w1 * size;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    // Start the baseline so that the rotated text is centred on the page.
    page.drawText(text, {
      x: cx - (tw / 2) * Math.cos(theta) + (size / 3) * Math.sin(theta),
      y: cy - (tw / 2) * Math.sin(theta) - (size / 3) * Math.cos(theta),
      size,
      font,
      color,
      opacity: 0.22,
      rotate: degrees((theta * 180) / Math.PI),
    });
    const small = Math.max(4, Math.min(8, (box.width - 24) / w1));
    page.drawText(text, { x: box.x + 12, y: box.y + 8, size: small, font, color, opacity: 0.9 });
  }
  return Buffer.from(await doc.save());
}
