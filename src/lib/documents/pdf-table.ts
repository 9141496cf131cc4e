import { cellText, DEFAULT_EMPTY_TEXT, headingText } from './format';
import { contentBox, FONT, FONT_BOLD, type Doc } from './pdf-doc';
import type { ParagraphSection, TableSection } from './types';
import { yielder, type Yielder } from './yield';

/**
 * Tables and paragraphs laid out by hand rather than with pdfkit's table(): the forms need the
 * header rows (Chinese, then English) repeated on every page, long Chinese cell text wrapped
 * inside its column, a row taller than a page continued on the next page rather than cut (a
 * record form must not lose text), and thousands of rows laid out in about a second.
 */
const BODY = 8.5;
const HEAD_ZH = 8.5;
const HEAD_EN = 7;
const PAD = 3;
const LINE_GAP = 1;
const BORDER = '#8c8c8c';
const HEAD_FILL = '#e9e9e9';
const HEADING_SIZE = 11;
/** A row is not started in fewer lines than this at the bottom of a page. */
const MIN_LINES_BEFORE_BREAK = 3;

type TextInternals = {
  _text(text: string, x: number, y: number, o: PDFKit.Mixins.TextOptions, line: (line: string) => void): unknown;
};

/**
 * `text` broken into lines that fit `width`, in the current font and size, by pdfkit's own line
 * breaker (UAX #14: CJK breaks between ideographs, not before 。，; Latin at spaces; over-long
 * words split). Each line is then drawn on its own, so a cell is wrapped once, not twice
 * (measure, then draw), and a row can be continued across pages at a line boundary.
 */
function wrapLines(doc: Doc, text: string, width: number): string[] {
  if (text === '') return [];
  if (!/[\r\n]/.test(text) && doc.widthOfString(text) <= width) return [text];
  const lines: string[] = [];
  const { x, y } = doc;
  (doc as unknown as TextInternals)._text(text.replace(/\r\n?/g, '\n'), x, y, { width, height: Infinity, lineGap: 0 }, (line) => {
    lines.push(line.replace(/\s+$/, ''));
  });
  doc.x = x;
  doc.y = y;
  return lines;
}

/** Starts a new page unless `needed` points still fit on this one. */
function ensureSpace(doc: Doc, needed: number): void {
  const box = contentBox(doc);
  if (doc.y + needed > box.bottom && doc.y > box.top + 0.5) doc.addPage();
}

function drawHeading(doc: Doc, text: string): void {
  const box = contentBox(doc);
  doc.font(FONT_BOLD).fontSize(HEADING_SIZE).fillColor('#000000');
  doc.text(text, box.left, doc.y, { width: box.width, lineGap: LINE_GAP });
  doc.y += 3;
}

function headingHeight(doc: Doc, text: string, width: number): number {
  if (!text) return 0;
  doc.font(FONT_BOLD).fontSize(HEADING_SIZE);
  return doc.heightOfString(text, { width, lineGap: LINE_GAP }) + 3;
}

/** Draws the table; between rows it lets the event loop run (`pause`), which changes nothing on the page. */
export async function drawTable(doc: Doc, section: TableSection, tz: string, pause: Yielder = yielder()): Promise<void> {
  const heading = headingText(section.headingZh, section.headingEn);
  const continued = heading ? `${heading}（續）(continued)` : '';
  const cols = section.columns.length ? section.columns : [{ key: '', zh: '', en: '' }];
  const box = contentBox(doc);
  const weights = cols.map((c) => (c.width !== undefined && Number.isFinite(c.width) && c.width > 0 ? c.width : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => (box.width * w) / total);
  const inner = widths.map((w) => Math.max(1, w - 2 * PAD));
  const xs: number[] = [];
  widths.reduce((x, w) => (xs.push(x), x + w), box.left);

  // Header: Chinese (bold) over English (small, grey), per column.
  doc.font(FONT_BOLD).fontSize(HEAD_ZH);
  const zhH = cols.map((c, i) => (c.zh ? doc.heightOfString(c.zh, { width: inner[i], lineGap: LINE_GAP }) : 0));
  doc.font(FONT).fontSize(HEAD_EN);
  const enH = cols.map((c, i) => (c.en ? doc.heightOfString(c.en, { width: inner[i], lineGap: LINE_GAP }) : 0));
  const headerH = Math.max(...cols.map((_, i) => zhH[i] + enH[i])) + 2 * PAD;

  doc.font(FONT).fontSize(BODY);
  const lineH = doc.currentLineHeight(true) + LINE_GAP;
  const headingH = headingHeight(doc, heading, box.width);
  // Where rows start on a page that this table continues onto.
  const rowsTopOnNewPage = box.top + headingHeight(doc, continued, box.width) + headerH;

  const grid = (y: number, h: number, columnLines = true) => {
    doc.lineWidth(0.5).strokeColor(BORDER);
    doc.rect(box.left, y, box.width, h);
    if (columnLines) for (let i = 1; i < xs.length; i++) doc.moveTo(xs[i], y).lineTo(xs[i], y + h);
    doc.stroke();
  };

  const drawHeader = () => {
    const y = doc.y;
    doc.rect(box.left, y, box.width, headerH).fill(HEAD_FILL);
    cols.forEach((c, i) => {
      doc.font(FONT_BOLD).fontSize(HEAD_ZH).fillColor('#000000');
      doc.text(c.zh, xs[i] + PAD, y + PAD, { width: inner[i], height: zhH[i] + 1, lineGap: LINE_GAP });
      doc.font(FONT).fontSize(HEAD_EN).fillColor('#444444');
      doc.text(c.en, xs[i] + PAD, y + PAD + zhH[i], { width: inner[i], height: enH[i] + 1, lineGap: LINE_GAP });
    });
    grid(y, headerH);
    doc.y = y + headerH;
  };

  const newPage = () => {
    doc.addPage();
    if (continued) drawHeading(doc, continued);
    drawHeader();
  };

  /** Lines [from, to) of each cell as one band of the row, at doc.y. */
  const drawBand = (cells: string[][], from: number, to: number, spanning: boolean) => {
    const y = doc.y;
    const h = Math.max(1, to - from) * lineH + 2 * PAD;
    doc.font(FONT).fontSize(BODY).fillColor(spanning ? '#555555' : '#000000');
    cells.forEach((lines, i) => {
      for (let k = from; k < Math.min(to, lines.length); k++) {
        if (lines[k] !== '') doc.text(lines[k], xs[i] + PAD, y + PAD + (k - from) * lineH, { lineBreak: false });
      }
    });
    grid(y, h, !spanning);
    doc.y = y + h;
  };

  /** A row as one band if it fits; else on the next page; else (taller than a page) continued over pages. */
  const drawRow = (cells: string[][], spanning = false) => {
    const count = Math.max(1, ...cells.map((l) => l.length));
    let from = 0;
    for (;;) {
      const left = count - from;
      const fit = Math.floor((box.bottom - doc.y - 2 * PAD) / lineH);
      if (left <= fit) return drawBand(cells, from, count, spanning);
      const atTop = doc.y <= rowsTopOnNewPage + 0.5;
      const fitsFreshPage = left * lineH + 2 * PAD <= box.bottom - rowsTopOnNewPage;
      if (!atTop && (fitsFreshPage || fit < MIN_LINES_BEFORE_BREAK)) {
        newPage();
        continue;
      }
      const take = Math.max(1, fit);
      drawBand(cells, from, from + take, spanning);
      from += take;
      newPage();
    }
  };

  // Keep the heading with the header and the first lines of the table.
  ensureSpace(doc, headingH + headerH + MIN_LINES_BEFORE_BREAK * lineH + 2 * PAD);
  if (heading) drawHeading(doc, heading);
  drawHeader();

  doc.font(FONT).fontSize(BODY);
  if (section.rows.length === 0) {
    const text = section.emptyText ?? DEFAULT_EMPTY_TEXT;
    // One cell across the whole table.
    drawRow([wrapLines(doc, text, box.width - 2 * PAD)], true);
  }
  for (const row of section.rows) {
    await pause();
    doc.font(FONT).fontSize(BODY);
    drawRow(cols.map((c, i) => wrapLines(doc, cellText(row[c.key], tz), inner[i])));
  }
  doc.x = box.left;
  doc.y += 10;
}

export function drawParagraphs(doc: Doc, section: ParagraphSection): void {
  const heading = headingText(section.headingZh, section.headingEn);
  const box = contentBox(doc);
  ensureSpace(doc, 60);
  if (heading) drawHeading(doc, heading);
  for (const p of section.paragraphs) {
    // pdfkit flows long paragraphs onto new pages itself, within the page margins.
    doc.font(FONT).fontSize(10).fillColor('#000000');
    doc.text(p, box.left, doc.y, { width: box.width, lineGap: 2, paragraphGap: 4 });
  }
  doc.x = box.left;
  doc.y += 8;
}
