import { cellText, DEFAULT_TIMEZONE, formatDateTime } from './format';
import { contentBox, createPdf, drawWatermark, finishPages, FONT, FONT_BOLD, textLine, type Doc } from './pdf-doc';
import { drawParagraphs, drawTable } from './pdf-table';
import { auditDigestText, isTableSection, type Report } from './types';
import { yielder, type Yielder } from './yield';

export interface ReportPdfOptions {
  /** Drawn as a light diagonal watermark on every page (e.g. "DRAFT", or who printed it). */
  stamp?: string;
  /** Default: landscape when the report has a table (forms are wide), portrait otherwise. */
  landscape?: boolean;
  /** Where the render hands the event loop back; default: every ~20 ms of work (yield.ts). */
  pause?: Yielder;
}

const MARGINS = { top: 36, bottom: 44, left: 36, right: 36 };

function drawTitle(doc: Doc, report: Report, tz: string): void {
  const box = contentBox(doc);
  doc.font(FONT_BOLD).fontSize(16).fillColor('#000000');
  doc.text(report.titleZh, box.left, box.top, { width: box.width, align: 'center' });
  doc.font(FONT).fontSize(11).fillColor('#333333');
  doc.text(report.titleEn, box.left, doc.y, { width: box.width, align: 'center' });
  doc.y += 6;
  const meta = report.meta ?? [];
  if (meta.length) {
    doc.fontSize(9).fillColor('#000000');
    for (const m of meta) {
      doc.font(FONT).text(`${m.zh} ${m.en}：`, box.left, doc.y, { width: box.width, continued: true, lineGap: 1 });
      doc.font(FONT_BOLD).text(cellText(m.value, tz) || '—', { lineGap: 1 });
    }
  }
  doc.y += 4;
  doc.lineWidth(0.75).strokeColor('#000000').moveTo(box.left, doc.y).lineTo(box.left + box.width, doc.y).stroke();
  doc.y += 8;
  doc.x = box.left;
}

/**
 * A report as a printable form (R-LEDGER-FORM and the other §7 forms): title in Chinese and
 * English, the meta block, then each section; every page ends with "generatedAt · generatedBy ·
 * page n / m" so that a loose page still says where it came from, and with the latest signed
 * audit digest (R-AUDIT) when the report names one.
 */
export async function reportToPdf(report: Report, opts: ReportPdfOptions = {}): Promise<Buffer> {
  const tz = report.timezone ?? DEFAULT_TIMEZONE;
  const { doc, result } = createPdf({
    title: `${report.titleZh} ${report.titleEn}`,
    author: report.generatedBy,
    createdAt: report.generatedAt,
    landscape: opts.landscape ?? report.sections.some(isTableSection),
    margins: MARGINS,
  });
  drawTitle(doc, report, tz);
  // One budget for the whole render: the event loop gets a turn every ~20 ms of work.
  const pause = opts.pause ?? yielder();
  for (const section of report.sections) {
    if (isTableSection(section)) await drawTable(doc, section, tz, pause);
    else drawParagraphs(doc, section);
  }
  const footer = [`${formatDateTime(report.generatedAt, tz)} (${tz})`, report.generatedBy].filter(Boolean).join(' · ');
  await finishPages(
    doc,
    (i, n) => {
      if (opts.stamp) drawWatermark(doc, opts.stamp);
      const { width: W, height: H } = doc.page;
      const maxWidth = W - MARGINS.left - MARGINS.right;
      textLine(doc, `${footer} · page ${i + 1} / ${n}`, MARGINS.left, H - 28, { size: 8, color: '#555555', maxWidth, align: 'center' });
      if (report.auditDigest !== undefined) textLine(doc, auditDigestText(report.auditDigest), MARGINS.left, H - 18, { size: 7, color: '#555555', maxWidth, align: 'center' });
    },
    pause,
  );
  return result;
}
