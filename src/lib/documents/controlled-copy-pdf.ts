import { DEFAULT_TIMEZONE, formatDateTime } from './format';
import { contentBox, createPdf, drawWatermark, finishPages, FONT, FONT_BOLD, textLine, type Doc } from './pdf-doc';
import { drawTable } from './pdf-table';
import type { Cell, Column } from './types';

export interface ControlledCopyInput {
  /** e.g. CC-2611-00042 */
  serial: string;
  /** display name (may be Chinese) */
  recipientName: string;
  recipientUsername: string;
  expiresAt: Date;
  issuedAt: Date;
  purpose: string;
  approvedBy: string;
  copyNumber: number;
  copiesTotal: number;
  columns: Column[];
  rows: Array<Record<string, Cell>>;
  /** Which download of this copy this is (1 = first): printed on every page so a reprint shows. */
  printNumber?: number;
  timezone?: string;
}

const BAND_TOP = 14;
const BAND_H = 44;
const MARGINS = { top: BAND_TOP + BAND_H + 12, bottom: 44, left: 36, right: 36 };
const RED = '#b00000';

/** R-NO-PAPER: the band that makes any single page of the copy identifiable as controlled. */
function drawBand(doc: Doc, c: ControlledCopyInput, tz: string): void {
  const left = MARGINS.left;
  const width = doc.page.width - MARGINS.left - MARGINS.right;
  doc.lineWidth(1.2).strokeColor(RED).rect(left, BAND_TOP, width, BAND_H).stroke();
  textLine(doc, '受控文件 Controlled Document', left + 8, BAND_TOP + 6, { font: FONT_BOLD, size: 13, color: RED });
  textLine(doc, `編號 Serial：${c.serial}`, left + width / 2, BAND_TOP + 7, { font: FONT_BOLD, size: 11, maxWidth: width / 2 - 8, align: 'right' });
  const line2 =
    `領用人 Recipient：${c.recipientName}（${c.recipientUsername}）` +
    ` · 有效期至 Expires：${formatDateTime(c.expiresAt, tz)}` +
    ` · 第 ${c.copyNumber}/${c.copiesTotal} 份 Copy ${c.copyNumber} of ${c.copiesTotal}`;
  textLine(doc, line2, left + 8, BAND_TOP + 27, { size: 9, maxWidth: width - 16 });
}

/** First page: what the copy is for, who approved it, and where the recipient signs for it (R-NO-PAPER). */
function drawIssueBlock(doc: Doc, c: ControlledCopyInput, tz: string): void {
  const box = contentBox(doc);
  doc.font(FONT_BOLD).fontSize(14).fillColor('#000000');
  doc.text('客戶信息受控副本  Controlled copy of customer information', box.left, box.top, { width: box.width });
  doc.y += 4;
  const fields: Array<[string, string]> = [
    ['用途 Purpose', c.purpose],
    ['批准人 Approved by', c.approvedBy],
    ['發放時間 Issued at', formatDateTime(c.issuedAt, tz)],
    ['有效期至 Expires', formatDateTime(c.expiresAt, tz)],
    ['份數 Copy', `${c.copyNumber} / ${c.copiesTotal}`],
  ];
  doc.fontSize(9.5);
  for (const [label, value] of fields) {
    doc.font(FONT).fillColor('#333333').text(`${label}：`, box.left, doc.y, { width: box.width, continued: true, lineGap: 1 });
    doc.font(FONT_BOLD).fillColor('#000000').text(value || '—', { lineGap: 1 });
  }
  doc.y += 10;
  doc.font(FONT).fontSize(10).fillColor('#000000');
  doc.text('領用人簽收 Recipient signature：____________________      日期 Date：________________', box.left, doc.y, { width: box.width });
  doc.y += 12;
  doc.x = box.left;
}

/**
 * R-NO-PAPER: every page carries 受控文件 (Controlled Document), the serial, the recipient's name
 * and the expiry in a header band, and a diagonal watermark "<recipientName> <serial>" across
 * the page, so that a page found anywhere says whose copy it was. R-NO-LEND: the footer says
 * the copy may not be lent, copied or taken out of the office.
 */
export async function renderControlledCopyPdf(input: ControlledCopyInput): Promise<Buffer> {
  const tz = input.timezone ?? DEFAULT_TIMEZONE;
  const { doc, result } = createPdf({
    title: `受控文件 Controlled Document ${input.serial}`,
    subject: `${input.recipientName} (${input.recipientUsername}) · ${input.purpose}`,
    author: input.approvedBy,
    createdAt: input.issuedAt,
    landscape: true,
    margins: MARGINS,
  });
  drawIssueBlock(doc, input, tz);
  await drawTable(doc, { columns: input.columns, rows: input.rows, headingZh: '客戶信息', headingEn: 'Customer information' }, tz);
  const watermark = `${input.recipientName} ${input.serial}`;
  const print = input.printNumber === undefined ? '' : ` · 第 ${input.printNumber} 次打印 print ${input.printNumber}`;
  await finishPages(doc, (i, n) => {
    drawBand(doc, input, tz);
    drawWatermark(doc, watermark, { color: '#c04040', opacity: 0.14 });
    const { width: W, height: H } = doc.page;
    textLine(
      doc,
      `不得轉借、複印或帶離辦公區域，到期歸還或銷毀 Do not lend, copy or take out of the office; return or destroy by the expiry · ${input.serial}${print} · page ${i + 1} / ${n}`,
      MARGINS.left,
      H - 28,
      { font: FONT, size: 7.5, color: '#555555', maxWidth: W - MARGINS.left - MARGINS.right, align: 'center' },
    );
  });
  return result;
}
