import { pdfkit } from '../heavy-modules';
import { parsedCjkFont } from './fonts';
import { yielder, type Yielder } from './yield';

/**
 * What every PDF form has in common: A4, the CJK font embedded (subset) so that Chinese both
 * renders and extracts as text, buffered pages so that the per-page decorations (footer with
 * "page n / m", watermark, the 受控文件 band of R-NO-PAPER) are drawn once the page count is
 * known.
 */
export type Doc = PDFKit.PDFDocument;

export const FONT = 'cjk';
export const FONT_BOLD = 'cjk-bold';

export interface PdfOptions {
  title: string;
  subject?: string;
  author?: string;
  /** Fixed creation date: together with the title it fixes the file ID, so output is repeatable. */
  createdAt: Date;
  landscape: boolean;
  /** Content area margins; decorations (header band, footer) live outside them. */
  margins: { top: number; bottom: number; left: number; right: number };
}

export interface Pdf {
  doc: Doc;
  /** Resolves with the whole file once `doc.end()` has been called. */
  result: Promise<Buffer>;
}

export function createPdf(o: PdfOptions): Pdf {
  const PDFDocument = pdfkit();
  const doc = new PDFDocument({
    size: 'A4',
    layout: o.landscape ? 'landscape' : 'portrait',
    margins: o.margins,
    bufferPages: true,
    pdfVersion: '1.7',
    lang: 'zh',
    displayTitle: true,
    info: {
      Title: o.title,
      ...(o.subject ? { Subject: o.subject } : {}),
      ...(o.author ? { Author: o.author } : {}),
      Producer: 'Custodian',
      Creator: 'Custodian',
      CreationDate: o.createdAt,
      ModDate: o.createdAt,
    },
  });
  const result = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // The fonts are parsed once per process; pdfkit subsets, per document, the glyphs it uses.
  // (pdfkit takes a parsed fontkit font as a source; its type definitions only list files.)
  doc.registerFont(FONT, parsedCjkFont('regular') as unknown as Buffer);
  doc.registerFont(FONT_BOLD, parsedCjkFont('bold') as unknown as Buffer);
  doc.font(FONT);
  return { doc, result };
}

export interface ContentBox {
  left: number;
  top: number;
  width: number;
  bottom: number;
}

/** The content area of the current page. */
export function contentBox(doc: Doc): ContentBox {
  const p = doc.page;
  return { left: p.margins.left, top: p.margins.top, width: p.width - p.margins.left - p.margins.right, bottom: p.height - p.margins.bottom };
}

/**
 * One line of text at (x, y), never wrapped and never starting a page (pdfkit only breaks
 * pages while wrapping). Truncated with … if `maxWidth` is given and the text is wider.
 */
export function textLine(doc: Doc, text: string, x: number, y: number, o: { font?: string; size: number; color?: string; maxWidth?: number; align?: 'left' | 'right' | 'center' }): number {
  doc.font(o.font ?? FONT).fontSize(o.size).fillColor(o.color ?? '#000000');
  let t = text.replace(/[\r\n]+/g, ' ');
  if (o.maxWidth !== undefined && doc.widthOfString(t) > o.maxWidth) {
    const chars = Array.from(t); // by code point: never half a surrogate pair
    while (chars.length > 1 && doc.widthOfString(`${chars.join('')}…`) > o.maxWidth) chars.pop();
    t = `${chars.join('')}…`;
  }
  const w = doc.widthOfString(t);
  const box = o.maxWidth ?? w;
  const dx = o.align === 'right' ? box - w : o.align === 'center' ? (box - w) / 2 : 0;
  doc.text(t, x + dx, y, { lineBreak: false });
  return w;
}

/**
 * Runs `draw` on every page once the content is complete (page count known), then ends the
 * document. Between pages it lets the event loop run (`pause`).
 */
export async function finishPages(doc: Doc, draw: (pageIndex: number, pageCount: number) => void, pause: Yielder = yielder()): Promise<void> {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    await pause();
    doc.switchToPage(i);
    // Decorations sit in the margins; with the margins at 0 pdfkit can never decide to add a page.
    const saved = { ...doc.page.margins };
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
    draw(i - range.start, range.count);
    doc.page.margins = saved;
  }
  // Writing out the pages (each page's content deflated) takes seconds for a form of hundreds
  // of pages: flush them a few at a time, in order, giving the event loop its turns in between.
  // pdfkit's flushPages() writes whatever is in its page buffer, so it is handed one slice at a
  // time: the same pages in the same order as one flushPages() call, so the same bytes.
  const internals = doc as unknown as PageBufferInternals;
  if (Array.isArray(internals._pageBuffer)) {
    const pages = internals._pageBuffer;
    while (pages.length) {
      internals._pageBuffer = pages.splice(0, FLUSH_PAGES_AT_ONCE);
      doc.flushPages();
      await pause();
    }
  }
  doc.flushPages();
  // doc.end() embeds each font's subset (the glyphs used), and encoding a CJK subset takes a few
  // hundred ms: encode them here, one at a time with turns in between, and let end() embed the
  // encoded bytes (encode() is called once either way, on the same glyphs: the same bytes).
  for (const font of Object.values(internals._fontFamilies ?? {})) {
    const subset = font.subset;
    if (font.embedded || !subset || typeof subset.encode !== 'function') continue;
    await pause();
    const bytes = subset.encode();
    subset.encode = () => bytes;
  }
  await pause();
  doc.end();
}

/**
 * pdfkit internals used above: the buffer of pages not yet written (bufferPages: true;
 * flushPages() writes and empties it) and the embedded fonts with their fontkit subsets.
 */
type PageBufferInternals = {
  _pageBuffer: unknown[];
  _fontFamilies?: Record<string, { embedded?: boolean; subset?: { encode?: () => unknown } }>;
};
const FLUSH_PAGES_AT_ONCE = 4;

/**
 * A light diagonal watermark across the page, drawn over the content at low opacity so that no
 * fill in the content can hide it. Sized to span most of the page diagonal.
 */
export function drawWatermark(doc: Doc, text: string, o: { color?: string; opacity?: number } = {}): void {
  const { width: W, height: H } = doc.page;
  const angle = (Math.atan2(H, W) * 180) / Math.PI;
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  doc.font(FONT_BOLD).fontSize(100);
  const w100 = doc.widthOfString(oneLine) || 1;
  const size = Math.max(10, Math.min(72, (100 * Math.hypot(W, H) * 0.7) / w100));
  doc.fontSize(size);
  const w = doc.widthOfString(oneLine);
  doc.save();
  doc.rotate(-angle, { origin: [W / 2, H / 2] });
  doc.fillColor(o.color ?? '#9a9a9a').fillOpacity(o.opacity ?? 0.18);
  doc.text(oneLine, W / 2 - w / 2, H / 2 - size * 0.6, { lineBreak: false });
  doc.restore();
  doc.fillOpacity(1).fillColor('#000000');
}
