import fs from 'node:fs';
import { pipeline, Transform } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { AppError } from '../../../errors';

export type TextEncoding = 'utf-8' | 'gb18030';

/** One record of the file: its row number (1 = the header row) and its cells as text. */
export interface FileRow {
  row: number;
  cells: string[];
}

const badEncoding = () =>
  new AppError(400, 'bad_encoding', 'The CSV file is neither valid UTF-8 nor GB18030/GBK text: save it as UTF-8 (CSV UTF-8) and upload it again');

/**
 * Which encoding the file is in: UTF-8 when its bytes are valid UTF-8 (checked while it was
 * uploaded), else GB18030 (a superset of GBK, what Excel on Chinese Windows writes) if every
 * byte decodes as GB18030, else a 400.
 */
export async function detectEncoding(file: string, utf8: boolean): Promise<TextEncoding> {
  if (utf8) return 'utf-8';
  const decoder = new TextDecoder('gb18030', { fatal: true });
  try {
    for await (const chunk of fs.createReadStream(file)) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
  } catch {
    throw badEncoding();
  }
  return 'gb18030';
}

function decoding(encoding: TextEncoding): Transform {
  const decoder = new TextDecoder(encoding, { fatal: true });
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        cb(null, decoder.decode(chunk, { stream: true }));
      } catch {
        cb(badEncoding());
      }
    },
    flush(cb) {
      try {
        cb(null, decoder.decode());
      } catch {
        cb(badEncoding());
      }
    },
  });
}

/**
 * Streams the records of a CSV file (header first); empty lines are skipped, and so are lines
 * starting with # (the metadata lines our own exports begin with, so an export re-imports).
 */
export async function* readCsv(file: string, encoding: TextEncoding): AsyncGenerator<FileRow> {
  const parser = parse({ bom: true, comment: '#', comment_no_infix: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true, info: true, max_record_size: 1 << 16 });
  pipeline(fs.createReadStream(file), decoding(encoding), parser, () => undefined);
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { row: rec.info.lines, cells: rec.record };
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      // Built from the error code and line only: csv-parse's own message quotes the cell's value,
      // which may be a phone or ID number (R-SECRET: never echo personal data).
      throw new AppError(400, 'invalid_csv', `The CSV file cannot be read${line ? ` at line ${line}` : ''} (${err.code})`, { line: line ?? null, code: err.code });
    }
    throw err;
  } finally {
    parser.destroy();
  }
}
