/**
 * Hand-made ZIP archives for the zip-bomb guard's tests (test/lib/zip-directory.unit.test.ts) and the
 * customer import's refusal of bad files (test/customers/import.test.ts): one builder, so both prove
 * the guard against the same bytes.
 */

/** One archive entry; `offset`/`compressed` override what the central directory claims (to make it lie). */
export type ZipEntry = { name: string; data: Buffer; uncompressed: number; method: 0 | 8; offset?: number; compressed?: number };

/** Local headers, central directory and end record; `count` overrides the end record's entry count. */
export function zip(entries: ZipEntry[], opts: { count?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(e.method, 8);
    lh.writeUInt32LE(e.data.length, 18);
    lh.writeUInt32LE(e.uncompressed, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(e.method, 10);
    ch.writeUInt32LE(e.compressed ?? e.data.length, 20);
    ch.writeUInt32LE(e.uncompressed, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(e.offset ?? offset, 42);
    locals.push(lh, name, e.data);
    central.push(ch, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(opts.count ?? entries.length, 8);
  end.writeUInt16LE(opts.count ?? entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A stored (uncompressed) entry holding `text`. */
export const stored = (name: string, text: string): ZipEntry => ({ name, data: Buffer.from(text), uncompressed: Buffer.byteLength(text), method: 0 });

/** The two parts that make an archive look like an XLSX workbook to the guard. */
export const workbookParts = (): ZipEntry[] => [stored('[Content_Types].xml', '<Types/>'), stored('xl/workbook.xml', '<workbook/>')];
