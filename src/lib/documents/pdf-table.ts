import { pdfkitDependency } from '../heavy-modules';
import { cellText, DEFAULT_EMPTY_TEXT, headingText } from './format';
import { contentBox, FONT, FONT_BOLD, type Doc } from './pdf-doc';
import type { Column, ParagraphSection, TableSection } from './types';
import { yielder, type Yielder } from './yield';

/**
 * Tables and paragraphs laid out by hand rather than with pdfkit's table(): the forms need the
 * header rows (Chinese, then English) repeated on every page, long Chinese cell text wrapped
 * inside its column, a row taller than a page continued on the next page rather than cut (a
 * record form must not lose text), serials, dates and status words never broken in the middle
 * (R-LEDGER-FORM: `CC-2612-000` / `01` is misread), and thousands of rows laid out in about a second.
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
/**
 * Short tokens (a serial CC-2612-00001, a date, a status word, a username) are never broken
 * inside: a column is at least as wide as its widest unbreakable segment of up to this many
 * characters. Longer runs without a break (a hash, a URL) may still be split where they do not fit.
 */
const NOWRAP_MAX_CHARS = 14;
/**
 * When the segments of every column take more than this share of the table's width at the normal
 * size, the table's text shrinks (down to MIN_BODY) until they take this share: what is left goes
 * to the columns of running text (a summary), which would otherwise be squeezed to a word a line.
 */
const CROWDED_SHARE = 0.9;
const MIN_BODY = 6;
/** Width added to a segment's measure, so that rounding never splits a segment that exactly fits. */
const FIT_SLACK = 0.5;

/**
 * pdfkit's own line breaker (UAX #14), loaded from where pdfkit loads it: the segments measured
 * here are exactly the "words" pdfkit's wrapper places, so a column as wide as a segment never
 * has that segment split (`destroyed / ` is one segment: no break before the slash).
 */
type Breaker = { nextBreak(): { position: number; required: boolean } | null };
const lineBreaker = () => pdfkitDependency<new (text: string) => Breaker>('linebreak');

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

/**
 * The width of the widest short (NOWRAP_MAX_CHARS) unbreakable segment of `text` in the current
 * font and size, trailing space included as pdfkit measures it. Each distinct text is broken once.
 */
function widestSegment(doc: Doc, text: string, cache: Map<string, number>): number {
  if (text === '') return 0;
  const known = cache.get(text);
  if (known !== undefined) return known;
  let widest = 0;
  const breaker = new (lineBreaker())(text);
  let last = 0;
  for (let bk = breaker.nextBreak(); bk; bk = breaker.nextBreak()) {
    const segment = text.slice(last, bk.position).replace(/[\r\n]+$/, '');
    last = bk.position;
    const length = segment.trim().length;
    if (length === 0 || length > NOWRAP_MAX_CHARS) continue;
    widest = Math.max(widest, doc.widthOfString(segment));
  }
  cache.set(text, widest);
  return widest;
}

/**
 * The cells as text, and column widths from the relative weights where no column is narrower
 * than its widest short unbreakable segment (header words included) plus padding: a column that
 * needs more than its share keeps its need and the others share what is left by weight. If the
 * needs together crowd the table (CROWDED_SHARE), the table's text is scaled down until they do
 * not (not below MIN_BODY); only past that are the needs cut in proportion, and a segment may
 * then break.
 */
async function layoutColumns(
  doc: Doc,
  cols: Column[],
  section: TableSection,
  tz: string,
  total: number,
  pause: Yielder,
): Promise<{ texts: string[][]; widths: number[]; scale: number }> {
  const weights = cols.map((c) => (c.width !== undefined && Number.isFinite(c.width) && c.width > 0 ? c.width : 1));
  doc.font(FONT_BOLD).fontSize(HEAD_ZH);
  const widest = cols.map((c) => widestSegment(doc, c.zh, new Map()));
  doc.font(FONT).fontSize(HEAD_EN);
  cols.forEach((c, i) => (widest[i] = Math.max(widest[i], widestSegment(doc, c.en, new Map()))));
  const cache = new Map<string, number>();
  const texts: string[][] = [];
  for (const row of section.rows) {
    await pause();
    doc.font(FONT).fontSize(BODY);
    const cells = cols.map((c) => cellText(row[c.key], tz));
    cells.forEach((text, i) => (widest[i] = Math.max(widest[i], widestSegment(doc, text, cache))));
    texts.push(cells);
  }
  // Segment widths scale with the font size; the padding does not.
  const segments = widest.map((w) => (w > 0 ? w + FIT_SLACK : 0));
  const padding = 2 * PAD * cols.length;
  const sum = segments.reduce((a, b) => a + b, 0);
  const room = total * CROWDED_SHARE;
  const scale = sum + padding <= room ? 1 : Math.max(MIN_BODY / BODY, (room - padding) / sum);
  let needs = segments.map((w) => w * scale + 2 * PAD);
  const needed = needs.reduce((a, b) => a + b, 0);
  if (needed > total) needs = needs.map((n) => (n * total) / needed);
  return { texts, widths: distribute(total, weights, needs), scale };
}

/** `total` shared by weight, each share at least its need (the needs together fit `total`). */
function distribute(total: number, weights: number[], needs: number[]): number[] {
  const fixed = new Set<number>();
  for (;;) {
    const free = weights.reduce((a, w, i) => (fixed.has(i) ? a : a + w), 0);
    const left = total - needs.reduce((a, n, i) => (fixed.has(i) ? a + n : a), 0);
    if (free === 0) {
      // Every column is at its need: what is left goes by weight.
      const all = weights.reduce((a, b) => a + b, 0);
      return needs.map((n, i) => n + (left * weights[i]) / all);
    }
    const widths = weights.map((w, i) => (fixed.has(i) ? needs[i] : (left * w) / free));
    const short = widths.map((_, i) => i).filter((i) => !fixed.has(i) && widths[i] < needs[i]);
    if (!short.length) return widths;
    for (const i of short) fixed.add(i);
  }
}

/** Draws the table; between rows it lets the event loop run (`pause`), which changes nothing on the page. */
export async function drawTable(doc: Doc, section: TableSection, tz: string, pause: Yielder = yielder()): Promise<void> {
  const heading = headingText(section.headingZh, section.headingEn);
  const continued = heading ? `${heading}（續）(continued)` : '';
  const cols = section.columns.length ? section.columns : [{ key: '', zh: '', en: '' }];
  const box = contentBox(doc);
  const { texts, widths, scale } = await layoutColumns(doc, cols, section, tz, box.width, pause);
  const size = { body: BODY * scale, zh: HEAD_ZH * scale, en: HEAD_EN * scale };
  const inner = widths.map((w) => Math.max(1, w - 2 * PAD));
  const xs: number[] = [];
  widths.reduce((x, w) => (xs.push(x), x + w), box.left);

  // Header: Chinese (bold) over English (small, grey), per column.
  doc.font(FONT_BOLD).fontSize(size.zh);
  const zhH = cols.map((c, i) => (c.zh ? doc.heightOfString(c.zh, { width: inner[i], lineGap: LINE_GAP }) : 0));
  doc.font(FONT).fontSize(size.en);
  const enH = cols.map((c, i) => (c.en ? doc.heightOfString(c.en, { width: inner[i], lineGap: LINE_GAP }) : 0));
  const headerH = Math.max(...cols.map((_, i) => zhH[i] + enH[i])) + 2 * PAD;

  doc.font(FONT).fontSize(size.body);
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
      doc.font(FONT_BOLD).fontSize(size.zh).fillColor('#000000');
      doc.text(c.zh, xs[i] + PAD, y + PAD, { width: inner[i], height: zhH[i] + 1, lineGap: LINE_GAP });
      doc.font(FONT).fontSize(size.en).fillColor('#444444');
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
    doc.font(FONT).fontSize(size.body).fillColor(spanning ? '#555555' : '#000000');
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

  doc.font(FONT).fontSize(size.body);
  if (section.rows.length === 0) {
    const text = section.emptyText ?? DEFAULT_EMPTY_TEXT;
    // One cell across the whole table.
    drawRow([wrapLines(doc, text, box.width - 2 * PAD)], true);
  }
  for (const cells of texts) {
    await pause();
    doc.font(FONT).fontSize(size.body);
    drawRow(cells.map((text, i) => wrapLines(doc, text, inner[i])));
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
