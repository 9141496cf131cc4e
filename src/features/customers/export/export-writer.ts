import { exceljs } from '../../../lib/heavy-modules';
import type { Writable } from 'node:stream';
import { csvField, neutralise } from '../../../lib/csv';
import { xmlSafe } from '../../../lib/xml-safe';

/** What every exported file says about itself, so that a leaked copy can be traced. */
export interface ExportMeta {
  id: string;
  exporter: string;
  at: Date;
  project: string;
  purpose: string;
  recipient?: string;
}


function metaLines(meta: ExportMeta): string[] {
  return [
    `Custodian export ${meta.id}`,
    `exported by ${meta.exporter} at ${meta.at.toISOString()} from project ${meta.project}`,
    `purpose: ${meta.purpose}${meta.recipient ? `; recipient: ${meta.recipient}` : ''}`,
    '受控文件 Controlled document: customer information, confidential (客戶信息保密制度)',
  ];
}

function write(out: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(chunk)) resolve();
    else {
      out.once('drain', resolve);
      out.once('error', reject);
    }
  });
}

/** CSV: "# " metadata lines (the import skips them), a header row, then the rows; UTF-8 with BOM for Excel. */
export async function writeCsv(out: Writable, meta: ExportMeta, columns: string[], batches: AsyncIterable<string[][]>): Promise<void> {
  await write(out, '\ufeff' + metaLines(meta).map((l) => `# ${l.replace(/[\r\n]/g, ' ')}\n`).join('') + columns.join(',') + '\n');
  for await (const rows of batches) await write(out, rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n');
  out.end();
}

/**
 * XLSX, streamed: the metadata in the workbook properties and in the first rows of the sheet.
 * Every text goes through xmlSafe: a stored control character or U+FFFF (refused at input since,
 * but possibly already stored) made the whole file unreadable.
 */
export async function writeXlsx(out: Writable, meta: ExportMeta, columns: string[], batches: AsyncIterable<string[][]>): Promise<void> {
  const wb = new (exceljs().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: false, useSharedStrings: false });
  wb.creator = xmlSafe(meta.exporter);
  wb.created = meta.at;
  wb.title = xmlSafe(`Custodian export ${meta.id}`);
  wb.subject = xmlSafe(meta.purpose);
  wb.description = xmlSafe(metaLines(meta).join('\n'));
  wb.keywords = xmlSafe(meta.id);
  const ws = wb.addWorksheet('customers');
  for (const line of metaLines(meta)) ws.addRow([xmlSafe(`# ${line}`)]).commit();
  ws.addRow(columns.map(xmlSafe)).commit();
  for await (const rows of batches) for (const r of rows) ws.addRow(r.map((v) => neutralise(xmlSafe(v)))).commit();
  ws.commit();
  await wb.commit();
}
